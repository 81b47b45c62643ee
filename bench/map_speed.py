"""How fast is a 5,000-person 支え合いマップ? Analysis, figure building, and drawing in Chromium.

Run: ``python bench/map_speed.py [--persons 5000] [--repeat 3] [--no-browser]``.

Prints, for a generated map (``kit.sample.supportmap.generate_map_data``, pseudonyms only):
- the time to analyse it (isolated, 見守りの空白, key persons with sampled betweenness,
  far from places, counts);
- the time to build the plotly figure, to serialise it (what the page sends) and its size;
- the time to make the map page's FigureWidget from it (in this process);
- the time headless Chromium takes to draw it from an offline HTML file (plotly.js inline),
  from navigation to the plot being drawn.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from kit.charts.supportmap import map_figure  # noqa: E402
from kit.sample.supportmap import generate_map_data  # noqa: E402
from kit.supportmap.analysis import analyse_map  # noqa: E402

CHROMIUM = os.environ.get("TASUKEAI_CHROMIUM", "/usr/bin/chromium")


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return result, times


def line(name: str, times: list[float], extra: str = "") -> None:
    print(
        f"{name:<44} median {statistics.median(times):6.2f} s"
        f"  (min {min(times):.2f}, max {max(times):.2f}, n={len(times)}){extra}"
    )


def browser_render(html_path: Path, repeat: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    from tests.browser.helpers import launch_chromium

    times = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, CHROMIUM)
        for _ in range(repeat):
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(html_path.as_uri())
            page.wait_for_function("window.__drawn !== undefined", timeout=300_000)
            times.append(page.evaluate("window.__drawn") / 1000)
            page.close()
        browser.close()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)

    data, gen = timed(lambda: generate_map_data(args.persons, seed=1), 1)
    print(
        f"map: {len(data.persons)} persons, {len(data.places)} places, {len(data.links)} links"
        f" (generated in {gen[0]:.2f} s)"
    )
    analysis, times = timed(lambda: analyse_map(data), args.repeat)
    counts = analysis.count_by_kind()
    line("analyse_map", times, f"  findings {counts}")
    fig, times = timed(
        lambda: map_figure(data, analysis=analysis, show_findings=True, clickable=True),
        args.repeat,
    )
    line("map_figure (build)", times)
    text, times = timed(fig.to_json, args.repeat)
    line("figure to JSON (what is sent)", times, f"  {len(text) / 1e6:.1f} MB")

    import plotly.graph_objects as go

    _, times = timed(lambda: go.FigureWidget(fig), args.repeat)
    line("go.FigureWidget(figure) (map page)", times)

    if not args.no_browser and (os.path.exists(CHROMIUM)):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "map.html"
            fig.write_html(
                path,
                include_plotlyjs=True,
                full_html=True,
                post_script="window.__drawn = performance.now();",
            )
            times = browser_render(path, args.repeat)
            line(
                "Chromium: navigation → map drawn",
                times,
                f"  file {path.stat().st_size / 1e6:.1f} MB",
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
