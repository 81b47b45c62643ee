"""Every benchmark figure of the kit beside plain Voila's, on the same notebooks: one command.

    python bench/run_all.py            # 20 visits each, 40 tablets (6–10 minutes)
    python bench/run_all.py --quick    # 5 visits, 10 tablets: a smoke run

For each of the two servers — *plain Voila* (``voila notebooks/``, every option at its
default) and *the kit* (``tasukeai``, with ``--pool`` set to the room's 40 tablets) — it
measures, on fresh servers over the same demo database:

1. server start → member page usable in Chromium (``tasukeai serve`` on a new database);
2. the member page in headless Chromium (``page_timing.py``): time until the join form is
   usable, first visit and returning visit (median and worst of ``--runs``), and the bytes
   a first visit transfers;
3. a room of tablets without a browser (``loadgen.py``): ``--members`` tablets arriving
   within 10 s, each joining, sending an issue and a ballot — lost tablets, time until all
   are usable, p50/p95 from a press to its acknowledgement, last ballot → projector turnout —
   and memory (RSS) of one member kernel, of the projector kernel and of the whole server
   with every tablet joined;
4. which heavy libraries (pandas, plotly, numpy) the member page imports, and through what;
5. the 支え合いマップ page (``map_speed.py --page``): a first load and ``--map-loads`` later
   loads, page opened → passphrase screen → 「開く」 → map drawn, websocket and HTTP bytes;
6. the tablet side of the facilitator's transitions (``tablet_rows.py``): ``--members``
   tablets joined in 準備 (no browser) — phase → issue form on every tablet, 投票を始める →
   ballot on every tablet — then the same with ``--browsers`` real Chromium tablets and a
   16-item vote (``room.py``: from the projector's click until visible on every page).

Prints a table (figure, plain Voila, kit, target) and writes it as JSON (``--json``).
Everything runs on 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen  # noqa: E402
import page_timing  # noqa: E402
import projector_rows  # noqa: E402
import tablet_rows  # noqa: E402
from common import REPO, BaselineServer, KitServer, machine  # noqa: E402

KIT_POOL = 40  # one member kernel started ahead per tablet expected in the room

IMPORT_AUDIT = r"""
import builtins, sys
heavy = ("pandas", "plotly", "numpy", "networkx", "openpyxl", "anywidget")
first = {}
real_import = builtins.__import__
def tracing(name, globals=None, locals=None, fromlist=(), level=0):
    top = name.split(".")[0]
    if level == 0 and top in heavy and top not in first and top not in sys.modules:
        first[top] = (globals or {}).get("__name__", "?")
    return real_import(name, globals, locals, fromlist, level)
builtins.__import__ = tracing
from kit.meeting import issues
from kit.meeting import meetings
from kit.meeting import voting
from kit.settings import load_settings
from kit.store import open_store
from kit.store import meetings as store
from kit.ui.pages import member_page
settings = load_settings(db_path=sys.argv[1])
conn = open_store(settings.db_path)
meeting = store.current_meeting(conn)
meetings.set_phase(conn, meeting.id, "issues")
app = member_page(settings, show=False)
app.code.value, app.name.value = meeting.join_code, "audit"
app.join_button.click()
app.refresh()
app.panel.text.value = "audit issue"
app.panel.select_goal("1-(1)")
app.panel.send.click()
for n in range(2):
    _, other = meetings.join_meeting(conn, meeting.join_code, f"other{n}")
    issues.submit_issue(conn, app.ctx.plan, meeting.id, other.id, text=f"issue {n}",
                        goal_id="1-(2)", seriousness=3, reach=3)
ids = [i.id for i in issues.open_issues(conn, meeting.id)]
meetings.set_phase(conn, meeting.id, "vote")
voting.create_vote(conn, meeting.id, [voting.issue_item(i) for i in ids[:3]],
                   plan=app.ctx.plan, open_now=True)
app.refresh()
app.panel.refresh()
print(repr(first))
"""


def import_audit() -> dict[str, str]:
    """Heavy libraries the member page imports while joining, sending and voting → importer."""
    from kit.sample.write import build_demo_database
    from kit.settings import load_settings

    work = Path(tempfile.mkdtemp(prefix="tasukeai-audit-"))
    settings = load_settings(environ={}, db_path=work / "m.sqlite")
    build_demo_database(settings)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASUKEAI_")}
    env.update(PYTHONPATH=str(REPO), TASUKEAI_OFFICE_DB_PATH=str(work / "o.sqlite"),
               TASUKEAI_RESULTS_DIR=str(work / "r"))  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_AUDIT, str(settings.db_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        return {"error": (result.stderr.strip().splitlines() or ["failed"])[-1]}
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


def fmt_s(x, digits: int = 2) -> str:
    return "—" if x is None or x != x else f"{x:.{digits}f} s"


def fmt_mb(x) -> str:
    return "—" if x is None or x != x else f"{x:.0f} MiB"


def run_kind(kind: str, args, log) -> dict:
    """All figures for one server kind ("baseline" or "kit")."""
    figures: dict = {}
    root = Path(tempfile.mkdtemp(prefix=f"tasukeai-bench-{kind}-"))

    def make(name: str, *, demo: bool = True):
        if kind == "baseline":
            return BaselineServer(root / name)
        (root / name).mkdir(parents=True, exist_ok=True)
        return KitServer(root / name, demo=demo, pool=args.pool)

    log(f"[{kind}] server start → member page usable")
    try:
        total, port_open = page_timing.time_to_first_page(
            lambda: make("start", demo=False), log=log
        )
        figures["start_to_usable"] = total
        figures["start_port_open"] = port_open
    except Exception as exc:  # noqa: BLE001 - a failed figure is reported, the rest still runs
        log(f"  failed: {exc}")

    log(f"[{kind}] member page in Chromium, {args.runs} first and {args.runs} returning visits")
    server = make("pages")
    server.start()
    try:
        pages = page_timing.measure(server, args.runs, log=log)
        figures.update(
            first_median=pages.first.median,
            first_worst=pages.first.worst,
            returning_median=pages.returning.median,
            returning_worst=pages.returning.worst,
            wifi_first_median=pages.first_on_wifi.median,
            first_http_mb=pages.first_visit.http_bytes / 1e6,
            first_ws_mb=pages.first_visit.ws_bytes / 1e6,
            first_requests=pages.first_visit.requests,
            biggest=[
                (n / 1e6, url.split("/voila/")[-1][:90]) for n, url in pages.first_visit.biggest
            ],
        )
    except Exception as exc:  # noqa: BLE001
        log(f"  failed: {exc}")
    finally:
        server.stop()

    log(f"[{kind}] {args.members} tablets within {args.spread:.0f} s (load generator)")
    server = make("load")
    server.start()
    try:
        load = asyncio.run(
            loadgen.run_load(
                server, members=args.members, spread=args.spread, timeout=args.timeout, log=log
            )
        )
        figures.update(
            lost=load.lost,
            failures=load.failures[:10],
            all_usable=load.all_usable,
            all_joined=load.all_joined,
            usable_p50=load.usable.median,
            usable_p95=load.usable.pct(95),
            join_p50=load.join_ack.median,
            join_p95=load.join_ack.pct(95),
            issue_p50=load.issue_ack.median,
            issue_p95=load.issue_ack.pct(95),
            ballot_p50=load.ballot_ack.median,
            ballot_p95=load.ballot_ack.pct(95),
            ballot_everywhere=load.ballot_everywhere,
            ballot_after_p50=load.ballot_ack_after.median,
            ballot_after_p95=load.ballot_ack_after.pct(95),
            projector_catch_up=load.projector_catch_up,
            member_kernel_mb=load.member_kernel_mb.median,
            member_kernel_uss_mb=load.member_kernel_uss_mb.median,
            projector_kernel_mb=load.projector_kernel_mb,
            server_mb=load.server_mb,
            issues_stored=load.issues_stored,
            ballots_stored=load.ballots_stored,
            cpu=load.cpu,
        )
        for line in loadgen.report(load):
            log("  " + line)
    except Exception as exc:  # noqa: BLE001
        log(f"  failed: {exc}")
    finally:
        server.stop()
    figures.update(measure_map_page(kind, root, args, log))
    log(f"[{kind}] the facilitator's moments on the projector, {args.room} tablets in Chromium")
    try:
        room = projector_rows.measure(make("projector"), args.room, log=log)
        figures.update({f"projector_{k}": v for k, v in room.items() if k != "load"})
    except Exception as exc:  # noqa: BLE001 - a failed figure is reported, the rest still runs
        log(f"  failed: {exc}")
    tablet_moments(kind, args, log, make, figures)
    return figures


def measure_map_page(kind: str, root: Path, args, log) -> dict:
    """The 支え合いマップ page: a first load and later loads (map_speed.py --page)."""
    import map_speed

    log(f"[{kind}] 支え合いマップ page: first load and {args.map_loads} later loads")
    (root / "map").mkdir(parents=True, exist_ok=True)
    server = BaselineServer(root / "map") if kind == "baseline" else KitServer(root / "map", pool=1)
    server.start()
    try:
        return map_speed.summary(map_speed.measure_page(server, args.map_loads, log=log))
    except Exception as exc:  # noqa: BLE001
        log(f"  failed: {exc}")
        return {}
    finally:
        server.stop()


def fmt_mb_dec(x) -> str:
    return "—" if x is None or x != x else f"{x:.2f} MB"


def tablet_moments(kind: str, args, log, make, figures: dict) -> None:
    """The tablet side of the facilitator's transitions (``tablet_rows.py``): 40 tablets
    without a browser, then ``--browsers`` real Chromium tablets with a 16-item vote."""
    log(f"[{kind}] {args.members} tablets in 準備: phase → issue form, vote opened → ballot")
    server = make("tablets")
    server.start()
    try:
        room = asyncio.run(
            tablet_rows.run_room(server, members=args.members, items=loadgen.VOTE_ITEMS, log=log)
        )
        issue_form, ballot = room.transitions
        figures.update(
            tablets_issue_form=issue_form.everywhere,
            tablets_ballot=ballot.everywhere,
            tablets_issue_form_messages=issue_form.messages,
            tablets_ballot_messages=ballot.messages,
        )
        for line in tablet_rows.report(room):
            log("  " + line)
    except Exception as exc:  # noqa: BLE001
        log(f"  failed: {exc}")
    finally:
        server.stop()
    if not args.browsers:
        return
    log(f"[{kind}] {args.browsers} Chromium tablets: phase → issue form, 投票を始める → ballot")
    try:
        seen = tablet_rows.run_browsers(make("browsers"), tablets=args.browsers, items=16, log=log)
        figures.update(browsers_issue_form=seen.issue_form.all, browsers_ballot=seen.ballot.all)
        for line in tablet_rows.browser_report(seen):
            log("  " + line)
    except Exception as exc:  # noqa: BLE001
        log(f"  failed: {exc}")


ROWS = [
    # (label, key or (key1, key2), formatter, target)
    ("server start → member page usable", "start_to_usable", fmt_s, "—"),
    ("member page usable, first visit: median", "first_median", fmt_s, "≤ 2 s"),
    ("member page usable, first visit: worst", "first_worst", fmt_s, "—"),
    ("member page usable, returning visit: median", "returning_median", fmt_s, "≤ 1 s"),
    ("member page usable, returning visit: worst", "returning_worst", fmt_s, "—"),
    ("first visit over a 10 Mbit/s Wi-Fi: median of 5", "wifi_first_median", fmt_s, "—"),
    (
        "first-visit transfer (HTTP)",
        "first_http_mb",
        lambda x: "—" if x is None else f"{x:.2f} MB",
        "≤ 2.5 MB",
    ),
    ("first-visit requests", "first_requests", lambda x: "—" if x is None else str(x), "—"),
    ("one member kernel (RSS, median)", "member_kernel_mb", fmt_mb, "≤ 60 MB"),
    ("one member kernel (USS: not shared, median of 5)", "member_kernel_uss_mb", fmt_mb, "—"),
    ("projector kernel (RSS)", "projector_kernel_mb", fmt_mb, "—"),
    ("whole server, every tablet joined (RSS)", "server_mb", fmt_mb, "—"),
    ("tablets lost", "lost", lambda x: "—" if x is None else str(x), "0"),
    ("all tablets usable after (from first arrival)", "all_usable", fmt_s, "≤ 30 s"),
    ("all tablets joined after", "all_joined", fmt_s, "—"),
    ("page usable after arrival: p50", "usable_p50", fmt_s, "—"),
    ("page usable after arrival: p95", "usable_p95", fmt_s, "—"),
    ("join → ack: p50 / p95", ("join_p50", "join_p95"), None, "p95 ≤ 1 s"),
    ("issue → ack: p50 / p95", ("issue_p50", "issue_p95"), None, "p95 ≤ 1 s"),
    ("ballot → ack: p50 / p95", ("ballot_p50", "ballot_p95"), None, "p95 ≤ 1 s"),
    ("vote opened → ballot on every tablet", "ballot_everywhere", fmt_s, "—"),
    (
        "ballot → ack once all ballots are shown: p50 / p95",
        ("ballot_after_p50", "ballot_after_p95"),
        None,
        "p95 ≤ 1 s",
    ),
    ("last ballot → projector turnout", "projector_catch_up", fmt_s, "≤ 1 s"),
    # 支え合いマップ page (bench/map_speed.py --page; the passphrase typed at 120 ms a character, not timed)
    ("map page opened → map drawn, first load", "map_first_total", fmt_s, "—"),
    ("map page opened → map drawn, later loads (median)", "map_later_total", fmt_s, "≤ 2 s"),
    ("map page: opened → passphrase screen, later loads", "map_later_gate", fmt_s, "—"),
    ("map page: 開く → map drawn, later loads", "map_later_open", fmt_s, "—"),
    ("map page: 開く → 「地図を読み込み中…」 or the map", "map_later_busy", fmt_s, "≤ 0.3 s"),
    ("map page websocket, first load", "map_first_ws_mb", fmt_mb_dec, "—"),
    ("map page websocket, later loads", "map_later_ws_mb", fmt_mb_dec, "≤ 0.5 MB"),
    (
        "map page HTTP, first load / later loads",
        ("map_first_http_mb", "map_later_http_mb"),
        "MB",
        "—",
    ),
    ("map kernel with the map drawn (RSS)", "map_kernel_mb", fmt_mb, "—"),
    *(
        (f"{label}, 12 tablets", f"projector_{key}", fmt_s, target)
        for label, key, target in projector_rows.ROWS
    ),  # fmt: skip
    (
        "projector kernel after the meeting's moments (RSS)",
        "projector_projector_kernel_mb",
        fmt_mb,
        "—",
    ),  # fmt: skip
    ("phase → issue form on every tablet (no browsers)", "tablets_issue_form", fmt_s, "≤ 1 s"),
    ("投票を始める → ballot on every tablet (no browsers)", "tablets_ballot", fmt_s, "≤ 1 s"),
    ("phase → issue form on every tablet (browsers)", "browsers_issue_form", fmt_s, "≤ 1 s"),
    ("投票を始める → ballot, 16 items, every tablet (browsers)", "browsers_ballot", fmt_s, "≤ 2 s"),
]


def table(results: dict) -> list[str]:
    kinds = [k for k in ("baseline", "kit") if k in results]
    header = ["figure", *("plain Voila" if k == "baseline" else "kit" for k in kinds), "target"]
    rows = [header]
    for label, key, formatter, target in ROWS:
        cells = [label]
        for kind in kinds:
            values = results[kind]
            if isinstance(key, tuple) and formatter == "MB":
                a, b = values.get(key[0]), values.get(key[1])
                cells.append(f"{fmt_mb_dec(a)} / {fmt_mb_dec(b)}")
            elif isinstance(key, tuple):
                a, b = values.get(key[0]), values.get(key[1])
                cells.append(f"{fmt_s(a, 3)} / {fmt_s(b, 3)}" if a is not None else "—")
            else:
                cells.append(formatter(values.get(key)))
        cells.append(target)
        rows.append(cells)
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        lines.append(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
        if n == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="visits of each kind (20)")
    parser.add_argument("--members", type=int, default=40, help="tablets in the room (40)")
    parser.add_argument("--spread", type=float, default=10.0, help="seconds they arrive in (10)")
    parser.add_argument("--timeout", type=float, default=120.0, help="per step of a tablet (120)")
    parser.add_argument("--pool", type=int, default=KIT_POOL, help="kit: --pool (40)")
    parser.add_argument("--map-loads", type=int, default=3, help="map page: later loads (3)")
    parser.add_argument("--room", type=int, default=12, help="Chromium tablets, projector rows")
    parser.add_argument("--browsers", type=int, default=12, help="Chromium tablets (12; 0: none)")
    parser.add_argument("--quick", action="store_true", help="5 visits, 10 tablets")
    parser.add_argument("--only", choices=("kit", "baseline"), help="run one side only")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.members, args.browsers = 5, 10, min(args.browsers, 4)

    def log(line: str) -> None:
        print(line, flush=True)

    started = time.monotonic()
    load_before = os.getloadavg()
    results: dict = {}
    for kind in ("baseline", "kit"):
        if args.only and kind != args.only:
            continue
        results[kind] = run_kind(kind, args, log)
    audit = import_audit()
    load_after = os.getloadavg()

    print()
    print(f"machine: {machine()}")
    print(
        f"load average (1/5/15 min) before {load_before[0]:.1f}/{load_before[1]:.1f}/"
        f"{load_before[2]:.1f}, after {load_after[0]:.1f}/{load_after[1]:.1f}/{load_after[2]:.1f};"
        f" {time.monotonic() - started:.0f} s in all"
    )
    print(f"kit: tasukeai --pool {args.pool}; {args.runs} visits each; {args.members} tablets"
          f" arriving within {args.spread:.0f} s")  # fmt: skip
    print()
    for line in table(results):
        print(line)
    print()
    for kind, values in results.items():
        for n, url in values.get("biggest", [])[:3]:
            print(f"{kind}: first visit's biggest download {n:.2f} MB {url}")
        for phase, used in values.get("cpu", {}).items():
            if used:
                parts = ", ".join(f"{k} {v:.1f}" for k, v in used.items())
                print(f"{kind}: CPU seconds during {phase}: {parts}")
        for failure in values.get("failures", [])[:5]:
            print(f"{kind}: lost {failure}")
    heavy = {k: v for k, v in audit.items() if k != "error"}
    if "error" in audit:
        print(f"member page import audit failed: {audit['error']}")
    elif heavy:
        print("member page imports heavy libraries: "
              + ", ".join(f"{k} (first imported by {v})" for k, v in heavy.items()))  # fmt: skip
    else:
        print("member page imports none of pandas, plotly, numpy, networkx, openpyxl, anywidget")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": machine(),
                    "load_before": load_before,
                    "load_after": load_after,
                    "args": {k: str(v) for k, v in vars(args).items()},
                    "results": results,
                    "member_page_imports": audit,
                },
                ensure_ascii=False,
                indent=2,
                default=str,
            )
            + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
