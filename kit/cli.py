"""The ``tasukeai`` command: it only parses arguments and calls ``kit`` functions."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from kit import messages as msg
from kit.errors import KitError
from kit.settings import (
    Settings,
    commands_of,
    env_name,
    flag_of,
    load_settings,
    load_settings_with_sources,
    metavar_of,
    setting_fields,
    shown_default,
    shown_value,
)


class Parser(argparse.ArgumentParser):
    """argparse, with its complaints introduced in Japanese."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(
            2, f"{self.prog}: 引数が正しくありません（{message}）。--help で使い方を表示します。\n"
        )


def add_setting_flags(parser: argparse.ArgumentParser, command: str) -> None:
    """The flags of ``command``, made from the settings' one declaration (kit/settings.py)."""
    for f in setting_fields():
        if command not in commands_of(f):
            continue
        if isinstance(f.default, bool):  # a switch that turns the default round
            parser.add_argument(
                flag_of(f),
                dest=f.name,
                action="store_const",
                const=not f.default,
                default=None,
                help=f"{f.metadata['help']}（既定 {'する' if f.default else 'しない'}）",
            )
            continue
        parser.add_argument(
            flag_of(f),
            dest=f.name,
            default=None,
            metavar=metavar_of(f),
            help=f"{f.metadata['help']}（既定 {shown_default(f)}）",
        )


def setting_overrides(args, **extra) -> dict:
    """The settings given as flags on this command line (the others stay None)."""
    overrides = {f.name: getattr(args, f.name, None) for f in setting_fields()}
    overrides.update(extra)
    return overrides


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="tasukeai", description=msg.APP_NAME)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    plan = sub.add_parser("plan", help="活動計画の体系を表示する")
    add_setting_flags(plan, "plan")
    plan.add_argument("--json", action="store_true", help="JSON で出力する")

    sample = sub.add_parser("sample-data", help="架空の市のサンプルデータを作る")
    sample.add_argument(
        "folder",
        nargs="?",
        type=Path,
        default=None,
        help="書き出すフォルダー（既定 いまのフォルダー）",
    )
    sample.add_argument(
        "--out", type=Path, default=None, help="書き出すフォルダー（folder と同じ）"
    )

    for name, help_text in (
        ("serve", "会議のページを起動する（URL と QR コードを表示）"),
        ("demo", "サンプルの市で新しいデータベースを作って起動する"),
    ):
        command = sub.add_parser(name, help=help_text)
        add_setting_flags(command, name)
        command.add_argument(
            "--verbose", action="store_true", help="Voila の記録（ログ）も画面に表示する"
        )
        command.add_argument(
            "--show-key",
            action="store_true",
            help="進行役の鍵を表示する（鍵はハッシュでしか保存しないので、新しい鍵を作って表示する）",
        )

    settings = sub.add_parser("settings", help="設定の一覧（使われる値・どこから・説明）を表示する")
    add_setting_flags(settings, "settings")

    district = sub.add_parser("district", help="地区を登録する・一覧を表示する（事務局の準備用）")
    district_sub = district.add_subparsers(
        dest="district_command", required=True, parser_class=Parser
    )
    add = district_sub.add_parser("add", help="地区を登録する")
    add.add_argument("name", help="地区名（例：さくら台地区）")
    add.add_argument("--id", dest="district_id", help="地区の ID（省略時は地区名から作る）")
    add.add_argument("--city", default="", help="市町村名")
    add_setting_flags(add, "district")
    listing = district_sub.add_parser("list", help="登録されている地区の一覧")
    add_setting_flags(listing, "district")

    key = sub.add_parser("key", help="進行役の鍵を作り直す・一度だけ使えるリンクを作る")
    add_setting_flags(key, "key")
    key.add_argument(
        "--rotate",
        action="store_true",
        help="新しい鍵を作って表示する（古い鍵と、開いている進行役のページは使えなくなる）",
    )
    key.add_argument(
        "--link", action="store_true", help="このパソコンで一度だけ使える進行役のページのリンク"
    )

    compile_ = sub.add_parser(
        "compile", help="会議結果ファイルのフォルダーを事務局の集計データに取り込む"
    )
    compile_.add_argument("dir", type=Path, help="会議結果ファイル（.zip）の入ったフォルダー")
    add_setting_flags(compile_, "compile")
    compile_.add_argument("--excel", type=Path, help="集計を Excel ブック（.xlsx）に書き出す")
    compile_.add_argument(
        "--csv",
        dest="csv_folder",
        type=Path,
        help="集計の表をこのフォルダーに CSV（UTF-8・BOM 付き）で書き出す",
    )
    compile_.add_argument("--html", type=Path, help="報告用の HTML（オフラインで開ける）を書き出す")
    compile_.add_argument(
        "--accept-new-key",
        dest="accept_new_keys",
        action="append",
        default=[],
        metavar="DISTRICT_ID",
        help="この地区の、これまでと別の署名の鍵を受け入れる（地区のパソコンを替えたときなど）",
    )

    record = sub.add_parser("record", help="会議録（A4 で印刷できる HTML）を書き出す")
    add_setting_flags(record, "record")
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

    map_ = sub.add_parser("map", help="支え合いマップのデータの管理（削除・保存期間）")
    map_sub = map_.add_subparsers(dest="map_command", required=True, parser_class=Parser)
    purge = map_sub.add_parser(
        "purge",
        help="支え合いマップを完全に削除する（地区でキットを使い終えるとき。合言葉は要らない）",
    )
    add_setting_flags(purge, "map")
    purge.add_argument("--district", help="この地区（地区 ID）の地図だけを削除する")
    purge.add_argument(
        "--older-than-years",
        dest="older_than_years",
        type=int,
        help="保存期間：この年数より古いデータだけを削除する（地区の合言葉を入力する）",
    )
    purge.add_argument(
        "--keep-files",
        action="store_true",
        help="地区で保管するフォルダーの配布用マップ・地図の控えは消さない",
    )
    purge.add_argument("--yes", action="store_true", help="確認の入力をせずに削除する")
    return parser


def main(argv: list[str] | None = None) -> int:
    from kit.serving.terminal import make_streams_safe

    make_streams_safe(sys.stdout, sys.stderr)
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except KitError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def cmd_plan(args) -> int:
    from kit.plan import load_plan

    plan = load_plan(load_settings(**setting_overrides(args)).plan_path)
    if args.json:
        print(json.dumps(plan.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(plan.format_tree())
    return 0


def cmd_sample_data(args) -> int:
    from kit.sample.write import write_sample_data

    out = write_sample_data(args.out or args.folder or Path.cwd())
    print(msg.SAMPLE_WRITTEN.format(path=out))
    return 0


def cmd_settings(args) -> int:
    """The values in effect: defaults, then ``TASUKEAI_*`` variables, then these flags."""
    settings, sources = load_settings_with_sources(**setting_overrides(args))
    print(msg.SETTINGS_HEADER)
    for f in setting_fields():
        value = shown_value(f, getattr(settings, f.name))
        print(
            msg.SETTINGS_LINE.format(
                name=f.name,
                value=value,
                source=sources[f.name],
                help=f.metadata["help"],
                flag=flag_of(f),
                env=env_name(f.name),
            )
        )
    return 0


def cmd_serve(args, settings: Settings | None = None) -> int:
    from kit.serving.serve import serve

    return serve(
        settings or load_settings(**setting_overrides(args)),
        verbose=args.verbose,
        show_key=args.show_key,
    )


def cmd_key(args) -> int:
    """進行役の鍵: ``--rotate`` makes a new one (old sessions end); ``--link`` a one-time link."""
    from kit.meeting import access
    from kit.serving.server import FACILITATOR_NOTEBOOK, page_path
    from kit.store import open_store

    settings = load_settings(**setting_overrides(args))
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
    from kit.serving.serve import serve

    db_path = args.db_path or Path(tempfile.mkdtemp(prefix="tasukeai-demo-")) / "demo.sqlite"
    settings = load_settings(**setting_overrides(args, db_path=db_path))

    from kit.sample.city import DEMO_PASSPHRASE

    def prepare(settings: Settings) -> None:
        build_demo_database(settings)
        print(msg.DEMO_BUILT.format(path=settings.db_path), flush=True)
        print(msg.MAP_DEMO_PASSPHRASE.format(passphrase=DEMO_PASSPHRASE), flush=True)

    return serve(settings, prepare=prepare, verbose=args.verbose, show_key=args.show_key)


def cmd_district(args) -> int:
    """事務局の準備: add a district to a laptop's database, or list them."""
    from kit.meeting import districts
    from kit.serving.checks import check_database_location, store_error
    from kit.store import open_store

    settings = load_settings(**setting_overrides(args))
    check_database_location(settings.db_path)
    try:
        conn = open_store(settings.db_path)
    except Exception as exc:  # noqa: BLE001 - a Japanese message instead
        raise store_error(exc, settings.db_path) from None
    try:
        if args.district_command == "add":
            district, added = districts.ensure_district(
                conn, args.name, district_id=args.district_id, city=args.city
            )
            text = msg.DISTRICT_ADDED if added else msg.DISTRICT_EXISTS
            print(text.format(name=district.name, id=district.id))
        else:
            found = districts.list_districts(conn)
            if not found:
                print(msg.DISTRICT_LIST_EMPTY)
            else:
                print(msg.DISTRICT_LIST_HEADER)
                for district in found:
                    print(f"{district.id}\t{district.name}\t{district.city}")
    finally:
        conn.close()
    return 0


def cmd_compile(args) -> int:
    """事務局の集計: every result file in DIR into the office store; a line per file."""
    from kit.office.compile import compile_folder, import_limits
    from kit.office.export import export_to
    from kit.plan import load_plan
    from kit.store.office import open_office_store

    settings = load_settings(**setting_overrides(args))
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
        report = compile_folder(
            conn,
            args.dir,
            plan,
            progress=progress,
            accept_new_keys=args.accept_new_keys,
            limits=import_limits(settings),
            district_dir=settings.district_dir,
        )
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

    settings = load_settings(**setting_overrides(args))
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


def _read_line(prompt: str) -> str:
    """One answer from the person at the terminal (or one line of standard input)."""
    if sys.stdin is not None and sys.stdin.isatty():
        if "合言葉" in prompt:
            import getpass

            return getpass.getpass(prompt)
        return input(prompt)
    print(prompt, end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\n")


def cmd_map(args) -> int:
    return {"purge": cmd_map_purge}[args.map_command](args)


def cmd_map_purge(args) -> int:
    """``tasukeai map purge``: the map's personal data, deleted for good (counts stay)."""
    from kit.errors import ValidationError
    from kit.folders import district_files
    from kit.store import open_store
    from kit.supportmap import retention, vault

    settings = load_settings(**setting_overrides(args))
    if not settings.db_path.exists():
        raise ValidationError(msg.MAP_PURGE_NO_DB.format(path=settings.db_path))
    conn = open_store(settings.db_path)
    try:
        if args.older_than_years is not None:
            years = retention.check_years(args.older_than_years)
            found = retention.expired(conn, years)
            if not found:
                print(msg.MAP_RETENTION_NONE.format(years=years))
                return 0
            print(
                msg.MAP_RETENTION_FOUND.format(
                    years=years, items=found.items, baselines=found.baselines, images=found.images
                )
            )
            if not args.yes and _read_line(msg.MAP_RETENTION_CLI_PROMPT) != msg.MAP_PURGE_WORD:
                print(msg.MAP_PURGE_CANCELLED)
                return 1
            vault.unlock(conn, _read_line(msg.MAP_PURGE_PASSPHRASE_PROMPT))
            done = retention.delete_expired(conn, years)
            print(msg.MAP_RETENTION_DONE.format(items=done.items, baselines=done.baselines))
            return 0
        if args.district:
            from kit.store import meetings as meeting_store

            what = msg.MAP_PURGE_DISTRICT.format(
                district=meeting_store.get_district(conn, args.district).name
            )
        else:
            what = msg.MAP_PURGE_ALL.format(db=settings.db_path)
        if (
            not args.yes
            and _read_line(msg.MAP_PURGE_PROMPT.format(what=what)) != msg.MAP_PURGE_WORD
        ):
            print(msg.MAP_PURGE_CANCELLED)
            return 1
        districts = retention.purge_map(conn, args.district)
        print(msg.MAP_PURGE_DONE.format(districts=len(districts)))
        if not args.district and not args.keep_files:
            files = district_files(settings.district_dir)
            for path in files:
                path.unlink(missing_ok=True)
            print(msg.MAP_PURGE_FILES_DONE.format(count=len(files), folder=settings.district_dir))
        return 0
    finally:
        conn.close()


COMMANDS = {
    "plan": cmd_plan,
    "sample-data": cmd_sample_data,
    "serve": cmd_serve,
    "demo": cmd_demo,
    "settings": cmd_settings,
    "key": cmd_key,
    "district": cmd_district,
    "compile": cmd_compile,
    "record": cmd_record,
    "map": cmd_map,
}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
