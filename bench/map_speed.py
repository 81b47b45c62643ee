"""How fast is a 5,000-person 支え合いマップ? Analysis, figure building, and drawing in Chromium.

Run: ``python bench/map_speed.py [--persons 5000] [--repeat 3] [--no-browser]``
or, for the served page, ``python bench/map_speed.py --page [--loads 3] [--baseline]``.

Prints, for a generated map (``kit.sample.supportmap.generate_map_data``, pseudonyms only):
- the time to analyse it (isolated, 見守りの空白, key persons with sampled betweenness,
  far from places, counts);
- the time to build the plotly figure, to serialise it (what the page sends) and its size;
- the time to make the map page's FigureWidget from it (in this process);
- the time headless Chromium takes to draw it from an offline HTML file (plotly.js inline),
  from navigation to the plot being drawn.

``--page`` times the served 支え合いマップ page (``map.ipynb`` over the demo database) in headless
Chromium instead: a first load (empty browser cache) and ``--loads`` later loads in the same
profile, each from navigation to the passphrase screen, then from 「開く」 to the map drawn
(the passphrase typed at 120 ms a character, not counted), with the websocket and HTTP bytes of the load (DevTools protocol) and
when 「地図を読み込み中…」 (or the map) first showed after the click.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

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


# --- the served page ------------------------------------------------------------------------------
GATE_INPUT = ".tk-map-gate .tk-map-passphrase input"
TYPING_MS = 120  # per character of the passphrase (a quick typist; not counted in the times)
DRAWN_JS = """() => {
  const gd = document.querySelector('.tk-map-figure.js-plotly-plot');
  return gd && gd._fullLayout && gd.data && gd.data.length > 0
    && gd.querySelector('.main-svg') ? performance.now() : false;
}"""
BUSY_JS = """() => {
  const text = document.body.innerText || '';
  return text.includes('地図を読み込み中') || document.querySelector('.tk-map-figure.js-plotly-plot')
    ? performance.now() : false;
}"""


def page_load(page, url: str, passphrase: str, timeout_ms: float = 120_000) -> dict:
    """One load of the map page: times (s) and bytes of the load."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    http: dict[str, int] = {}
    ws = {"received": 0, "sent": 0, "frames": 0, "biggest": 0}

    def frame(kind):
        def count(event):
            payload = event["response"]["payloadData"]
            # binary frames (opcode 2) come base64-encoded: count their bytes, not the text
            size = (
                len(payload) * 3 // 4
                if event["response"].get("opcode") == 2
                else len(payload.encode())
            )
            ws[kind] += size
            ws["frames"] += 1
            ws["biggest"] = max(ws["biggest"], size)

        return count

    cdp.on(
        "Network.loadingFinished",
        lambda e: http.__setitem__(e["requestId"], int(e.get("encodedDataLength", 0))),
    )
    cdp.on("Network.webSocketFrameReceived", frame("received"))
    cdp.on("Network.webSocketFrameSent", frame("sent"))
    page.goto(url, timeout=timeout_ms, wait_until="commit")
    page.wait_for_selector(GATE_INPUT, timeout=timeout_ms)
    gate = page.evaluate("performance.now()") / 1000
    page.locator(GATE_INPUT).press_sequentially(passphrase, delay=TYPING_MS)
    clicked = (
        page.evaluate("""() => { document.querySelector('.tk-map-gate-open').click();
                                       return performance.now(); }""")
        / 1000
    )
    busy = page.wait_for_function(BUSY_JS, timeout=timeout_ms, polling="raf").json_value() / 1000
    drawn = page.wait_for_function(DRAWN_JS, timeout=timeout_ms, polling="raf").json_value() / 1000
    time.sleep(1.0)  # late frames of the same load
    cdp.detach()
    return {
        "gate": gate,
        "click_to_drawn": drawn - clicked,
        "click_to_busy": busy - clicked,
        "opened_to_drawn": gate + (drawn - clicked),
        "ws_bytes": ws["received"] + ws["sent"],
        "ws_biggest": ws["biggest"],
        "ws_frames": ws["frames"],
        "http_bytes": sum(http.values()),
        "requests": len(http),
    }


def newest_kernel_mb(server) -> float | None:
    """RSS of the kernel started last (the map page's: it is never taken from a pool)."""
    import psutil
    from common import kernel_pids

    procs = []
    for pid in kernel_pids(server.proc.pid):
        try:
            procs.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            pass
    if not procs:
        return None
    newest = max(procs, key=lambda proc: proc.create_time())
    try:
        return newest.memory_info().rss / 2**20
    except psutil.NoSuchProcess:
        return None


def summary(results: dict) -> dict:
    """The figures ``bench/run_all.py`` prints (seconds, MB, MiB)."""
    first, later = results.get("first") or {}, results.get("later_median") or {}
    return {
        "map_first_total": first.get("opened_to_drawn"),
        "map_first_open": first.get("click_to_drawn"),
        "map_first_ws_mb": first.get("ws_bytes", 0) / 1e6 if first else None,
        "map_first_http_mb": first.get("http_bytes", 0) / 1e6 if first else None,
        "map_later_total": later.get("opened_to_drawn"),
        "map_later_gate": later.get("gate"),
        "map_later_open": later.get("click_to_drawn"),
        "map_later_busy": later.get("click_to_busy"),
        "map_later_ws_mb": later.get("ws_bytes", 0) / 1e6 if later else None,
        "map_later_http_mb": later.get("http_bytes", 0) / 1e6 if later else None,
        "map_kernel_mb": later.get("kernel_mb") or first.get("kernel_mb"),
    }


def measure_page(server, loads: int = 3, *, log=print) -> dict:
    """A first load and ``loads`` later loads (same browser profile) of the map page."""
    from playwright.sync_api import sync_playwright

    from kit.sample.city import DEMO_PASSPHRASE
    from tests.browser.helpers import KEY, PROJECTOR, launch_chromium

    url = server.url("map.ipynb", key=KEY)
    results: dict = {"first": None, "later": []}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, CHROMIUM)
        context = browser.new_context(viewport=PROJECTOR)
        try:
            for n in range(loads + 1):
                page = context.new_page()
                result = page_load(page, url, DEMO_PASSPHRASE)
                result["kernel_mb"] = newest_kernel_mb(server)
                page.close()
                kind = "first" if n == 0 else "later"
                log(
                    f"  {kind:<5} load: gate {result['gate']:.2f} s, 「開く」 → drawn"
                    f" {result['click_to_drawn']:.2f} s (busy shown {result['click_to_busy']:.2f} s),"
                    f" opened → drawn {result['opened_to_drawn']:.2f} s;"
                    f" websocket {result['ws_bytes'] / 1e6:.2f} MB"
                    f" (biggest frame {result['ws_biggest'] / 1e6:.2f} MB),"
                    f" HTTP {result['http_bytes'] / 1e6:.2f} MB in {result['requests']} requests;"
                    f" map kernel {result['kernel_mb'] or 0:.0f} MiB"
                )
                if n == 0:
                    results["first"] = result
                else:
                    results["later"].append(result)
                time.sleep(2.0)  # the closed page's kernel shuts down
        finally:
            context.close()
            browser.close()
    later = results["later"]
    if later:
        results["later_median"] = {
            key: statistics.median(r[key] for r in later if r[key] is not None)
            for key in later[0]
            if any(r[key] is not None for r in later)
        }
    return results


def page_main(args) -> int:
    import shutil

    from common import BaselineServer, KitServer

    root = Path(tempfile.mkdtemp(prefix="tasukeai-mapbench-"))
    try:
        for kind in ("baseline", "kit") if args.baseline else ("kit",):
            (root / kind).mkdir()
            server = (
                BaselineServer(root / kind)
                if kind == "baseline"
                else KitServer(root / kind, pool=1)
            )
            server.start()
            try:
                print(f"[{kind}] 支え合いマップ page, first load and {args.loads} later loads")
                measure_page(server, args.loads)
            finally:
                server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--page", action="store_true", help="time the served map page")
    parser.add_argument("--loads", type=int, default=3, help="--page: later loads (3)")
    parser.add_argument("--baseline", action="store_true", help="--page: plain Voila too")
    args = parser.parse_args(argv)
    if args.page:
        return page_main(args)

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
