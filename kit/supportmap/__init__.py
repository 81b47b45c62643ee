"""The mutual-aid map (支え合いマップ): the model, background-image checks, the analysis,
the counts that may leave the district, the printable handout and its HTML pieces."""

# Two steps the lower modules call but may not import (they need the analysis, a layer above
# the model), registered here — before the model or the vault can be used:
# every map write stores the map's counts for the office (kit.supportmap.privacy), and the
# first passphrase moves an older database's plain map into the sealed tables (migrate).
from kit.supportmap import migrate as _migrate  # noqa: E402
from kit.supportmap import model as _model  # noqa: E402
from kit.supportmap import privacy as _privacy  # noqa: E402
from kit.supportmap import vault as _vault  # noqa: E402

_model.on_map_change(_privacy.refresh_counts)
_vault.on_first_key(_migrate.move_plain_map)
