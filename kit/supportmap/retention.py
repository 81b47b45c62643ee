"""How long the map is kept: the retention period, ``tasukeai map purge``, the map's backup.

- Retention (``settings.map_retention_years``, 0 = no limit): persons and places not changed
  for N years, the contents of meetings' baselines older than N years, background images
  and undo steps older than that. :func:`expired` counts them (no passphrase needed); the map
  page shows the count and deletes them after a confirmation (:func:`delete_expired`, with
  the key, so the counts are made again).
- Purge (:func:`purge_map`): the day a district stops using the kit, every personal row of the
  map goes — no passphrase needed, so a forgotten passphrase is no obstacle. The counts the
  office already has stay.
- Backup (:func:`write_backup`): a compact copy of the database into the district folder; the
  map stays sealed in it (open it with ``tasukeai serve --db <file>`` and the passphrase).

Every deletion ends with VACUUM and an emptied WAL, so the bytes are gone from the file.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kit import messages as msg
from kit.errors import ValidationError
from kit.files import safe_name_part
from kit.folders import district_folder
from kit.store import meetings as meeting_store
from kit.store import supportmap as store
from kit.store import transaction
from kit.store.db import vacuum
from kit.supportmap import vault


@dataclass(frozen=True)
class Expired:
    """What the retention period would delete."""

    items: int
    baselines: int
    images: int
    undo_steps: int

    def __bool__(self) -> bool:
        return bool(self.items or self.baselines or self.images or self.undo_steps)


def check_years(years: object) -> int:
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 100:
        raise ValidationError(msg.MAP_RETENTION_YEARS_INVALID)
    return years


def cutoff(years: int, today: dt.date | None = None) -> str:
    """The store's timestamp N years before ``today`` (29 Feb → 28 Feb)."""
    today = today or dt.date.today()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return f"{day.isoformat()}T00:00:00.000Z"


def expired(conn: sqlite3.Connection, years: int, today: dt.date | None = None) -> Expired:
    stamp = cutoff(check_years(years), today)
    return Expired(
        items=len(store.items_not_updated_since(conn, stamp)),
        baselines=len(store.baselines_taken_before(conn, stamp)),
        images=len(store.images_uploaded_before(conn, stamp)),
        undo_steps=store.count_history_before(conn, stamp),
    )


def delete_expired(conn: sqlite3.Connection, years: int, today: dt.date | None = None) -> Expired:
    """Delete what the retention period has passed (needs the key: the counts are redone)."""
    from kit.supportmap.privacy import refresh_counts

    stamp = cutoff(check_years(years), today)
    with transaction(conn):
        vault.require_unlocked(conn)
        items = store.items_not_updated_since(conn, stamp)
        for item in items:
            store.forget_node(conn, item.id)
        baselines = store.baselines_taken_before(conn, stamp)
        for baseline in baselines:
            store.clear_baseline_contents(conn, baseline.id)
        images = store.images_uploaded_before(conn, stamp)
        for district_id in images:
            store.delete_image(conn, district_id)
        undo_steps = store.delete_history_before(conn, stamp)
        districts = {i.district_id for i in items} | {b.district_id for b in baselines}
        for district_id in sorted(districts | set(images)):
            refresh_counts(conn, district_id)
    done = Expired(len(items), len(baselines), len(images), undo_steps)
    if done:
        vacuum(conn)
    return done


def purge_map(conn: sqlite3.Connection, district_id: str | None = None) -> list[str]:
    """Delete every personal row of the map (one district, or all and the passphrase too);
    return the districts purged. No passphrase needed. The counts already made stay."""
    from kit.supportmap.privacy import EMPTY_MAP, counts_json, map_office_counts

    empty = counts_json(map_office_counts(EMPTY_MAP))
    with transaction(conn):
        if district_id is not None:
            districts = [meeting_store.get_district(conn, district_id).id]
        else:
            districts = sorted(
                set(store.map_district_ids(conn))
                | set(store.counted_districts(conn))
                | {d.id for d in meeting_store.list_districts(conn)}
            )
        for district in districts:
            store.purge_district(conn, district)
            store.put_counts(conn, district, 0, empty)
        if district_id is None:
            store.drop_legacy_tables(conn)
            vault.forget_passphrase(conn)
    vacuum(conn)
    return districts


def write_backup(
    conn: sqlite3.Connection, out_dir: str | Path, *, today: dt.date | None = None
) -> Path:
    """A copy of the whole database in the district folder (``map_backup_<date>.sqlite``)."""
    today = today or dt.date.today()
    folder = district_folder(out_dir)
    path = folder / f"map_backup_{safe_name_part(today.isoformat())}.sqlite"
    number = 1
    while path.exists():
        number += 1
        path = folder / f"map_backup_{today.isoformat()}_{number}.sqlite"
    store.backup_to(conn, path)
    return path
