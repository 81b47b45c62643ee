"""Settings, each declared once with its default, help and command-line flag.

Read by the CLI (every ``--flag`` of ``tasukeai serve`` / ``demo`` / ``settings`` … is made
from this declaration), the notebooks (through the environment variables that ``tasukeai
serve`` sets for every kernel) and the README (its settings table is checked against it by
a test). An environment variable ``TASUKEAI_<NAME>`` overrides a default; a CLI flag
overrides both.
"""

from __future__ import annotations

import os
import sys
from dataclasses import Field, dataclass, field, fields, replace
from pathlib import Path

from kit.errors import SettingsError
from kit.resources import default_plan_path

REPO_ROOT = Path(__file__).resolve().parent.parent  # a checkout's root (tests and docs only)
KERNEL_TRANSPORTS = ("ipc", "tcp")
# The commands that run the meeting server: most settings are theirs.
SERVING = ("serve", "demo")


def default_kernel_transport(platform: str | None = None, ipc_available: bool | None = None) -> str:
    """``ipc`` on Linux and macOS (no TCP port races when many kernels start at once);
    ``tcp`` on Windows, whose pyzmq has no ``ipc``, and wherever ``ipc`` is missing."""
    platform = sys.platform if platform is None else platform
    if platform.startswith(("win", "cygwin", "msys")):
        return "tcp"
    if ipc_available is None:
        try:
            import zmq

            ipc_available = bool(zmq.has("ipc"))
        except Exception:  # noqa: BLE001 - no usable pyzmq: the server will say so itself
            ipc_available = False
    return "ipc" if ipc_available else "tcp"


def _setting(
    default,
    help: str,  # noqa: A002 - "help" reads best here
    *,
    flag: str | None = None,
    commands: tuple[str, ...] = SERVING,
    shown: str | None = None,
    metavar: str | None = None,
    secret: bool = False,
    choices: tuple[str, ...] | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
):
    """One setting: ``flag`` defaults to ``--name-with-dashes``; ``commands`` take the flag
    (``tasukeai settings`` takes every one); ``shown`` is how the default reads in docs."""
    return field(
        default=default,
        metadata={
            "help": help,
            "flag": flag,
            "commands": commands,
            "shown": shown,
            "metavar": metavar,
            "secret": secret,
            "choices": choices,
            "minimum": minimum,
            "maximum": maximum,
        },
    )


HOME = Path.home()


@dataclass(frozen=True)
class Settings:
    """Everything a deployment may change. Defaults suit one laptop in a community centre."""

    db_path: Path = _setting(
        HOME / ".tasukeai" / "meetings.sqlite",
        "会議データ（SQLite）のファイル",
        flag="--db",
        commands=(*SERVING, "district", "key", "record", "map"),
    )
    plan_path: Path = _setting(
        default_plan_path(),
        "活動計画ファイル（JSON）",
        flag="--plan",
        commands=("plan", *SERVING, "compile", "record"),
        shown="キットに同梱の桶川市の計画（plan_okegawa_6.json）",
    )
    office_db_path: Path = _setting(
        HOME / ".tasukeai" / "office.sqlite",
        "事務局の集計データ（SQLite）のファイル",
        flag="--office-db",
        commands=("compile",),
    )
    results_dir: Path = _setting(
        HOME / ".tasukeai" / "事務局へ提出",
        "事務局へ提出するフォルダー（会議結果ファイル .zip。事務局はここを集計する）",
    )
    district_dir: Path = _setting(
        HOME / ".tasukeai" / "地区で保管（個人情報）",
        "地区で保管するフォルダー（配布用のマップ・地図の控え。個人情報を含むので地区の外に出さない）",
        commands=(*SERVING, "compile", "map"),
    )
    map_retention_years: int = _setting(
        0,
        "支え合いマップの保存期間（年）。過ぎたデータは確認のうえ削除できる（0 なら期限なし）",
        minimum=0,
        maximum=100,
    )
    host: str = _setting(
        "0.0.0.0", "待ち受けるアドレス（会場の Wi-Fi から届くように）", metavar="HOST"
    )
    port: int = _setting(
        8866, "待ち受けるポート番号", commands=(*SERVING, "key"), minimum=1, maximum=65535
    )
    public_host: str = _setting(
        "", "タブレットに見せるアドレス（空なら自動で調べる）", shown="自動", metavar="HOST"
    )
    facilitator_key: str = _setting(
        "",
        "進行役の鍵（空なら初回に作ってデータベースに保存）",
        flag="--key",
        shown="自動",
        metavar="KEY",
        secret=True,
    )
    records_dir: Path = _setting(
        HOME / ".tasukeai" / "records",
        "会議録（A4 で印刷できる HTML）を保存するフォルダー",
        commands=(*SERVING, "record"),
    )
    member_pool_size: int = _setting(
        20,
        "参加者ページ用に前もって起動しておくカーネルの数（来るタブレットの台数に合わせる。1台あたり約 56 MB）",
        flag="--pool",
        minimum=0,
        maximum=500,
    )
    iopub_timeout: int = _setting(60, "ページの実行がこの秒数より遅いと失敗とみなす", minimum=1)
    cull_idle_timeout: int = _setting(
        600, "閉じたタブのカーネルをこの秒数で片付ける（0 なら片付けない）", minimum=0
    )
    issue_max_chars: int = _setting(200, "困りごと本文の最大文字数", minimum=1, maximum=10_000)
    name_max_chars: int = _setting(20, "参加者の呼び名の最大文字数", minimum=1, maximum=200)
    # a quarter second: a phase change reaches every tablet within ~0.3 s, and 40 idle kernels
    # checking use ~5 % of one core (one PRAGMA data_version each)
    poll_seconds: float = _setting(
        0.25, "ページが会議の変化を確かめる間隔（秒）", minimum=0.05, maximum=60
    )
    kernel_transport: str = _setting(
        default_kernel_transport(),
        "ページとカーネルのつなぎ方（ipc: Linux・macOS、tcp: Windows）",
        shown="ipc（Windows では tcp）",
        choices=KERNEL_TRANSPORTS,
    )
    open_browser: bool = _setting(
        True,
        "起動したら、このパソコンのブラウザーで進行役のページを開く（画面がなければ開かない）",
        flag="--no-browser",
    )
    keyed_page_addresses: str = _setting(
        "",
        "進行役・マップ・事務局のページを開いてよい、このパソコン以外のアドレス（カンマ区切り）",
        shown="なし",
        metavar="ADDRESSES",
    )
    member_kernel_cap: int = _setting(
        30,
        "参加者ページを同時に開ける台数の上限（前もって起動する数より少なくはならない）",
        minimum=1,
        maximum=1000,
    )
    import_max_mb: int = _setting(
        50, "事務局：結果ファイル 1 つを展開してよい大きさの上限（MB。超えたら読まずに理由を表示）"
    )
    import_max_rows: int = _setting(50_000, "事務局：結果ファイルの CSV 1 つあたりの行数の上限")
    kernels_per_address: int = _setting(
        3, "このパソコン以外の 1 つのアドレスから同時に開ける参加者ページの数", minimum=1
    )

    @classmethod
    def help_rows(cls) -> list[tuple[str, str, str]]:
        """(name, default as the docs show it, help) for every setting."""
        return [(f.name, shown_default(f), f.metadata["help"]) for f in fields(cls)]


def setting_fields() -> tuple[Field, ...]:
    return fields(Settings)


def flag_of(f: Field) -> str:
    return f.metadata["flag"] or "--" + f.name.replace("_", "-")


def commands_of(f: Field) -> tuple[str, ...]:
    return (*f.metadata["commands"], "settings")


def metavar_of(f: Field) -> str | None:
    """How the flag's value reads in ``--help``."""
    if f.metadata["choices"]:
        return "{" + ",".join(f.metadata["choices"]) + "}"
    if f.metadata["metavar"]:
        return f.metadata["metavar"]
    if isinstance(f.default, Path):
        return "PATH"
    return {int: "N", float: "SECONDS", bool: "0/1"}.get(type(f.default), "TEXT")


def shown_value(f: Field, value) -> str:
    """A value as ``tasukeai settings`` prints it (a secret is not shown)."""
    if f.metadata["secret"] and value:
        return "（設定済み・表示しません）"
    return str(value)


def shown_default(f: Field) -> str:
    """The default as a reader should see it (``~`` for the home folder, words for magic)."""
    if f.metadata["shown"]:
        return f.metadata["shown"]
    if isinstance(f.default, Path):
        try:
            return "~/" + f.default.relative_to(HOME).as_posix()
        except ValueError:
            return str(f.default)
    return str(f.default)


def env_name(name: str) -> str:
    return "TASUKEAI_" + name.upper()


def parse_value(f: Field, raw, where: str):
    """``raw`` (text from the environment or a flag, or a value) as the setting's type."""
    kind = type(f.default)
    try:
        if isinstance(f.default, Path):
            value = Path(raw).expanduser()
        elif kind is bool:
            text = str(raw).strip().lower()
            if text not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(text)
            value = text in ("1", "true", "yes", "on")
        else:
            value = kind(raw)
    except (TypeError, ValueError):
        raise SettingsError(
            f"{where}の値「{raw}」は使えません（{_kind_words(kind)}で指定してください）。"
        ) from None
    if f.metadata["choices"] and value not in f.metadata["choices"]:
        raise SettingsError(
            f"{where}の値「{raw}」は使えません（{'・'.join(f.metadata['choices'])} のどれか）。"
        )
    low, high = f.metadata["minimum"], f.metadata["maximum"]
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"{low if low is not None else ''}〜{high if high is not None else ''}"
        raise SettingsError(f"{where}の値「{raw}」は範囲の外です（{bounds}）。")
    return value


def _kind_words(kind: type) -> str:
    return {int: "整数", float: "数", bool: "1 か 0"}.get(kind, "文字")


def load_settings_with_sources(
    environ: dict[str, str] | None = None, **overrides
) -> tuple[Settings, dict[str, str]]:
    """Like :func:`load_settings`, and where each value came from:
    ``"既定"`` (default), ``"環境変数 TASUKEAI_…"`` or ``"引数"`` (a flag / an override)."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    sources = {f.name: "既定" for f in setting_fields()}
    for f in setting_fields():
        raw = environ.get(env_name(f.name))
        if raw is not None and raw != "":
            values[f.name] = parse_value(f, raw, f"環境変数 {env_name(f.name)} ")
            sources[f.name] = f"環境変数 {env_name(f.name)}"
    by_name = {f.name: f for f in setting_fields()}
    for name, value in overrides.items():
        if value is None:
            continue
        if name not in by_name:
            raise TypeError(f"unknown setting: {name}")
        values[name] = parse_value(by_name[name], value, f"{flag_of(by_name[name])} ")
        sources[name] = "引数"
    return replace(Settings(), **values), sources


def load_settings(environ: dict[str, str] | None = None, **overrides) -> Settings:
    """Defaults, then ``TASUKEAI_*`` environment variables, then explicit overrides."""
    return load_settings_with_sources(environ, **overrides)[0]


def settings_environ(settings: Settings) -> dict[str, str]:
    """The environment variables that carry ``settings`` to every Voila kernel."""
    return {env_name(f.name): str(getattr(settings, f.name)) for f in setting_fields()}


# Set by ``tasukeai serve`` for its kernels: the kit's own server, whose guard binds every
# page's kernel to its device (plain Voila, the benchmarks' baseline, has no devices).
KIT_SERVER_ENV = "TK_KIT_SERVER"


def served_by_kit_server(environ: dict[str, str] | None = None) -> bool:
    """True in a kernel that ``tasukeai serve`` started.

    >>> served_by_kit_server({KIT_SERVER_ENV: "1"}), served_by_kit_server({})
    (True, False)
    """
    environ = os.environ if environ is None else environ
    return environ.get(KIT_SERVER_ENV) == "1"
