"""The printable handout of a 支え合いマップ: one offline HTML file (map, legend, findings).

plotly.js is embedded in the file, so it opens on any computer with no internet. The
handout is for the neighbourhood that drew the map: it carries personal details and says
so at the top. Nothing from it goes to the council office (see :mod:`kit.supportmap.privacy`).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from kit import messages as msg
from kit.files import safe_name_part, write_atomically
from kit.folders import HANDOUT_META, district_folder
from kit.store import meetings as meeting_store
from kit.supportmap import model as sm
from kit.supportmap.analysis import FINDING_KINDS, analyse_map
from kit.text import escape

MAP_WIDTH, MAP_HEIGHT = 1020, 600
"""The map's size: with the title and the warning above it, it fits the first page of A4
landscape (277 × 190 mm printable, about 1047 × 718 px), so the first printed page carries
the map itself, not only its heading."""

PAGE_CSS = """
body { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", sans-serif;
  margin: 16px; color: #212121; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 16px 0 6px; border-bottom: 2px solid #9e9e9e; }
h3 { font-size: 17px; margin: 10px 0 4px; }
.privacy { background: #fff3cd; border: 1px solid #e0c060; padding: 6px 10px; font-weight: bold;
  margin: 4px 0; }
h1 .date { font-size: 15px; font-weight: normal; margin-left: 16px; }
.cols { display: flex; gap: 24px; flex-wrap: wrap; }
.cols > div { flex: 1 1 320px; }
table { border-collapse: collapse; }
td, th { border: 1px solid #bdbdbd; padding: 2px 8px; text-align: left; }
.swatch { display: inline-block; width: 28px; height: 0; border-top-width: 4px; vertical-align: middle;
  margin-right: 6px; }
ul { margin: 0; padding-left: 1.4em; }
.tk-map-counts { font-weight: bold; }
@page { size: A4 landscape; margin: 10mm; }
@media print { body { margin: 0; } h2 { break-after: avoid; } .map { break-inside: avoid; } }
"""


def handout_html(
    conn: sqlite3.Connection,
    district_id: str,
    *,
    meeting_id: int | None = None,
    today: dt.date | None = None,
    include_plotlyjs: bool | str = True,
) -> str:
    """The handout as one HTML document (user text escaped; plotly.js inline by default)."""
    from kit.charts.supportmap import FINDING_STYLE, LINK_COLORS, map_figure
    from kit.supportmap.render import changes_html, changes_since_baseline, findings_html

    district = meeting_store.get_district(conn, district_id)
    data = sm.load_map(conn, district_id)
    analysis = analyse_map(data)
    figure = map_figure(
        data,
        analysis=analysis,
        show_findings=True,
        background=sm.get_background(conn, district_id),
        height=MAP_HEIGHT,
        width=MAP_WIDTH,
        font_size=13,
    )
    chart = figure.to_html(
        full_html=False,
        include_plotlyjs=include_plotlyjs,
        config={"displayModeBar": False, "scrollZoom": False},
    )
    date = (today or dt.date.today()).isoformat()
    title = msg.MAP_HANDOUT_TITLE.format(district=district.name)
    link_rows = "".join(
        f'<tr><td><span class="swatch" style="border-top:4px solid {LINK_COLORS.get(t.id, "#757575")}">'
        f"</span>{escape(t.label)}</td><td>{analysis.counts.by_link_kind.get(t.id, 0)}</td></tr>"
        for t in sm.LINK_KINDS
    )
    finding_rows = "".join(
        f'<tr><td style="color:{FINDING_STYLE[k][1]}">{escape(msg.MAP_FINDING_LABELS[k])}</td>'
        f"<td>{len(analysis.of_kind(k))}</td></tr>"
        for k in FINDING_KINDS
    )
    flag_rows = "".join(
        f"<tr><td>{escape(t.label)}</td><td>{analysis.counts.by_flag.get(t.id, 0)}</td></tr>"
        for t in sm.FLAGS
    )
    area_rows = "".join(
        f"<tr><td>{escape(area or '-')}</td><td>{count}</td></tr>"
        for area, count in analysis.counts.by_area.items()
    )
    changes = changes_html(changes_since_baseline(conn, meeting_id, data)) if meeting_id else ""
    return f"""<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
{HANDOUT_META}
<title>{escape(title)}</title>
<style>{PAGE_CSS}</style>
</head>
<body>
<h1>{escape(title)}<span class="date">{escape(msg.MAP_HANDOUT_DATE.format(date=date))}</span></h1>
<p class="privacy">{escape(msg.MAP_PRIVACY_NOTE)}</p>
<div class="map">{chart}</div>
<h2>{escape(msg.MAP_HANDOUT_LEGEND)}</h2>
<p>{escape(msg.MAP_HANDOUT_LINE_SOLID)}</p>
<div class="cols">
<div><h3>{escape(msg.MAP_HANDOUT_LINKS)}</h3><table>{link_rows}</table></div>
<div><h3>{escape(msg.MAP_HANDOUT_FINDINGS)}</h3><table>{finding_rows}</table></div>
</div>
<h2>{escape(msg.MAP_HANDOUT_FINDINGS)}</h2>
{findings_html(analysis, limit=1000)}
{changes}
<h2>{escape(msg.MAP_HANDOUT_COUNTS)}</h2>
<div class="cols">
<div><h3>{escape(msg.MAP_HANDOUT_FLAGS)}</h3><table>{flag_rows}</table></div>
<div><h3>{escape(msg.MAP_HANDOUT_AREAS)}</h3><table>{area_rows}</table></div>
</div>
</body>
</html>
"""


def write_handout(
    conn: sqlite3.Connection,
    district_id: str,
    out_dir: str | Path,
    *,
    meeting_id: int | None = None,
    today: dt.date | None = None,
) -> Path:
    """Write the handout to the district-private folder ``out_dir`` (``settings.district_dir``)
    and return its path (``map_<district>_<date>.html``). The file carries the district
    marker, so the office's compile refuses any folder it lands in."""
    today = today or dt.date.today()
    html_text = handout_html(conn, district_id, meeting_id=meeting_id, today=today)
    folder = district_folder(out_dir)
    path = folder / f"map_{safe_name_part(district_id, 16)}_{today.isoformat()}.html"
    return write_atomically(path, html_text.encode("utf-8"))
