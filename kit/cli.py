"""The ``tasukeai`` command: it only parses arguments and calls ``kit`` functions."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from kit import messages as msg
from kit.errors import KitError
from kit.settings import Settings, load_settings


def _add_serve_options(parser: argparse.ArgumentParser) -> None:
    defaults = Settings()
    parser.add_argument("--db", dest="db_path", type=Path, help="会議データ（SQLite）のファイル")
    parser.add_argument("--plan", dest="plan_path", type=Path, help="活動計画ファイル（JSON）")
    parser.add_argument("--host", help=f"待ち受けるアドレス（既定 {defaults.host}）")
    parser.add_argument("--port", type=int, help=f"ポート番号（既定 {defaults.port}）")
    parser.add_argument("--public-host", dest="public_host", help="タブレットに見せるアドレス")
    parser.add_argument("--key", dest="facilitator_key", help="進行役の鍵（省略時は保存済みの鍵）")
    parser.add_argument(
        "--no-browser",
        dest="open_browser",
        action="store_const",
        const=False,
        help="このパソコンのブラウザーで進行役のページを開かない",
    )
    parser.add_argument(
        "--show-key",
        action="store_true",
        help="進行役の鍵を表示する（鍵はハッシュでしか保存しないので、新しい鍵を作って表示する）",
    )
    parser.add_argument(
        "--pool",
        dest="member_pool_size",
        type=int,
        help=f"参加者ページ用に前もって起動するカーネル数（来るタブレットの台数。既定 {defaults.member_pool_size}）",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tasukeai", description=msg.APP_NAME)
    sub = parser.add_subparsers(dest="command", required=True)

    plan = sub.add_parser("plan", help="活動計画の体系を表示する")
    plan.add_argument("--plan", dest="plan_path", type=Path, help="活動計画ファイル（JSON）")
    plan.add_argument("--json", action="store_true", help="JSON で出力する")

    sample = sub.add_parser("sample-data", help="架空の市のサンプルデータを作る")
    sample.add_argument(
        "--out", type=Path, default=None, help="出力フォルダー（既定 sample_data/）"
    )

    serve = sub.add_parser("serve", help="会議のページを起動する")
    _add_serve_options(serve)

    demo = sub.add_parser("demo", help="サンプルの市で新しいデータベースを作って起動する")
    _add_serve_options(demo)

    sub.add_parser("settings", help="設定の一覧（名前・既定値・説明）を表示する")

    key = sub.add_parser("key", help="進行役の鍵を作り直す・一度だけ使えるリンクを作る")
    key.add_argument("--db", dest="db_path", type=Path, help="会議データ（SQLite）のファイル")
    key.add_argument(
        "--rotate",
        action="store_true",
        help="新しい鍵を作って表示する（古い鍵と、開いている進行役のページは使えなくなる）",
    )
    key.add_argument(
        "--link", action="store_true", help="このパソコンで一度だけ使える進行役のページのリンク"
    )
    key.add_argument("--port", type=int, help="リンクに使うポート番号")

    compile_ = sub.add_parser(
        "compile", help="会議結果ファイルのフォルダーを事務局の集計データに取り込む"
    )
    compile_.add_argument("dir", type=Path, help="会議結果ファイル（.zip）の入ったフォルダー")
    compile_.add_argument(
        "--office-db",
        dest="office_db_path",
        type=Path,
        help="事務局の集計データ（SQLite）のファイル",
    )
    compile_.add_argument("--plan", dest="plan_path", type=Path, help="活動計画ファイル（JSON）")
    compile_.add_argument("--excel", type=Path, help="集計を Excel ブック（.xlsx）に書き出す")
    compile_.add_argument(
        "--csv",
        dest="csv_folder",
        type=Path,
        help="集計の表をこのフォルダーに CSV（UTF-8・BOM 付き）で書き出す",
    )
    compile_.add_argument("--html", type=Path, help="報告用の HTML（オフラインで開ける）を書き出す")

    record = sub.add_parser("record", help="会議録（A4 で印刷できる HTML）を書き出す")
    record.add_argument("--db", dest="db_path", type=Path, help="会議データ（SQLite）のファイル")
    record.add_argument("--plan", dest="plan_path", type=Path, help="活動計画ファイル（JSON）")
    record.add_argument(
        "--meeting",
        default="latest",
        help="会議の番号、または latest（いちばん新しい会議。既定）",
    )
    record.add_argument(
        "--out",
        type=Path,
        help="書き出す先（.html のファイル名か、フォルダー。既定は設定 records_dir）",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except KitError as exc:
        print(str(exc), file=sys.stderr)
        return 2


def cmd_plan(args) -> int:
    from kit.plan import load_plan

    plan = load_plan(args.plan_path or load_settings().plan_path)
    if args.json:
        print(json.dumps(plan.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(plan.format_tree())
    return 0


def cmd_sample_data(args) -> int:
    from kit.sample.write import write_sample_data

    out = write_sample_data(args.out)
    print(msg.SAMPLE_WRITTEN.format(path=out))
    return 0


def cmd_settings(_args) -> int:
    for name, default, help_text in Settings.help_rows():
        print(f"{name}\t{default}\t{help_text}")
    return 0


def _serve_settings(args, **extra) -> Settings:
    overrides = {
        key: getattr(args, key, None)
        for key in (
            "db_path",
            "plan_path",
            "host",
            "port",
            "public_host",
            "facilitator_key",
            "member_pool_size",
            "open_browser",
        )
    }
    overrides.update(extra)
    return load_settings(**overrides)


def cmd_serve(args, settings: Settings | None = None) -> int:
    from kit.serving.serve import serve

    serve(settings or _serve_settings(args), show_key=getattr(args, "show_key", False))
    return 0


def cmd_key(args) -> int:
    """進行役の鍵: ``--rotate`` makes a new one (old sessions end); ``--link`` a one-time link."""
    from kit.meeting import access
    from kit.serving.server import FACILITATOR_NOTEBOOK, page_path
    from kit.store import open_store

    settings = load_settings(db_path=args.db_path, port=args.port)
    if not (args.rotate or args.link):
        print(msg.KEY_NOTHING, file=sys.stderr)
        return 2
    conn = open_store(settings.db_path)
    try:
        url = f"http://127.0.0.1:{settings.port}{page_path(FACILITATOR_NOTEBOOK)}"
        if args.rotate:
            key = access.rotate_facilitator_key(conn)
            print(msg.KEY_ROTATED.format(key=key, url=f"{url}?key={key}"))
        if args.link:
            print(msg.KEY_LINK.format(url=f"{url}?once={access.new_once_token(conn)}"))
    finally:
        conn.close()
    return 0


def cmd_demo(args) -> int:
    from kit.sample.write import build_demo_database

    db_path = args.db_path or Path(tempfile.mkdtemp(prefix="tasukeai-demo-")) / "demo.sqlite"
    settings = _serve_settings(args, db_path=db_path)
    build_demo_database(settings)
    print(msg.DEMO_BUILT.format(path=db_path))
    return cmd_serve(args, settings)


def cmd_compile(args) -> int:
    """事務局の集計: every result file in DIR into the office store; a line per file."""
    from kit.office.compile import compile_folder
    from kit.office.export import export_to
    from kit.plan import load_plan
    from kit.store.office import open_office_store

    settings = load_settings(office_db_path=args.office_db_path, plan_path=args.plan_path)
    plan = load_plan(settings.plan_path)
    conn = open_office_store(settings.office_db_path)
    interactive = sys.stderr.isatty()

    def progress(done: int, total: int, name: str) -> None:
        if interactive or done == total or (total and done % max(total // 10, 1) == 0):
            line = msg.OFFICE_PROGRESS.format(done=done, total=total, name=name)
            print(
                ("\r\033[K" if interactive else "") + line,
                end="" if interactive else "\n",
                file=sys.stderr,
                flush=True,
            )

    try:
        report = compile_folder(conn, args.dir, plan, progress=progress)
        if interactive:
            print(file=sys.stderr)
        for line in report.lines():
            print(line)
        print(report.summary())
        written = export_to(
            conn, plan, excel=args.excel, csv_folder=args.csv_folder, html_path=args.html
        )
        for path in written.values():
            print(msg.OFFICE_CLI_WROTE.format(path=path))
    finally:
        conn.close()
    return 1 if report.has_errors else 0


def cmd_record(args) -> int:
    """会議録: one meeting's record as an A4 printable, offline HTML file."""
    from kit.plan import load_plan
    from kit.record.contents import pick_meeting
    from kit.record.page import write_record
    from kit.store import open_store

    settings = load_settings(db_path=args.db_path, plan_path=args.plan_path)
    if not settings.db_path.is_file():
        print(msg.RECORD_DB_MISSING.format(path=settings.db_path), file=sys.stderr)
        return 2
    conn = open_store(settings.db_path)
    try:
        meeting_id = pick_meeting(conn, args.meeting)
        path = write_record(
            conn, load_plan(settings.plan_path), meeting_id, args.out or settings.records_dir
        )
    finally:
        conn.close()
    print(msg.RECORD_CLI_WROTE.format(path=path))
    return 0


COMMANDS = {
    "plan": cmd_plan,
    "sample-data": cmd_sample_data,
    "serve": cmd_serve,
    "demo": cmd_demo,
    "settings": cmd_settings,
    "key": cmd_key,
    "compile": cmd_compile,
    "record": cmd_record,
}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
