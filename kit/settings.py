"""Settings, each declared once with its default and help.

Read by the CLI (``tasukeai serve --help``), the notebooks (through environment variables
that ``tasukeai serve`` sets for every kernel) and the README. An environment variable
``TASUKEAI_<NAME>`` overrides a default; a CLI flag overrides both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from kit.resources import default_plan_path

REPO_ROOT = Path(__file__).resolve().parent.parent  # a checkout's root (sample-data only)


def _setting(default, help: str):  # noqa: A002 - "help" reads best here
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Everything a deployment may change. Defaults suit one laptop in a community centre."""

    db_path: Path = _setting(
        Path.home() / ".tasukeai" / "meetings.sqlite", "会議データ（SQLite）のファイル"
    )
    plan_path: Path = _setting(default_plan_path(), "活動計画ファイル（JSON）")
    office_db_path: Path = _setting(
        Path.home() / ".tasukeai" / "office.sqlite", "事務局の集計データ（SQLite）のファイル"
    )
    results_dir: Path = _setting(
        Path.home() / ".tasukeai" / "results", "会議結果ファイルを保存・集計するフォルダー"
    )
    records_dir: Path = _setting(
        Path.home() / ".tasukeai" / "records", "会議録（A4 で印刷できる HTML）を保存するフォルダー"
    )
    host: str = _setting("0.0.0.0", "待ち受けるアドレス（会場の Wi-Fi から届くように）")
    port: int = _setting(8866, "待ち受けるポート番号")
    public_host: str = _setting("", "タブレットに見せるアドレス（空なら自動で調べる）")
    facilitator_key: str = _setting("", "進行役の鍵（空なら初回に作ってデータベースに保存）")
    member_pool_size: int = _setting(
        20, "参加者ページ用に前もって起動しておくカーネルの数（来るタブレットの台数に合わせる）"
    )
    iopub_timeout: int = _setting(60, "ページの実行がこの秒数より遅いと失敗とみなす")
    cull_idle_timeout: int = _setting(
        600, "閉じたタブのカーネルをこの秒数で片付ける（0 なら片付けない）"
    )
    issue_max_chars: int = _setting(200, "困りごと本文の最大文字数")
    name_max_chars: int = _setting(20, "参加者の呼び名の最大文字数")
    poll_seconds: float = _setting(0.5, "ページが会議の変化を確かめる間隔（秒）")
    open_browser: bool = _setting(
        True, "起動したら、このパソコンのブラウザーで進行役のページを開く（画面がなければ開かない）"
    )
    keyed_page_addresses: str = _setting(
        "", "進行役・マップ・事務局のページを開いてよい、このパソコン以外のアドレス（カンマ区切り）"
    )
    member_kernel_cap: int = _setting(
        30, "参加者ページを同時に開ける台数の上限（前もって起動する数より少なくはならない）"
    )
    kernels_per_address: int = _setting(
        3, "このパソコン以外の 1 つのアドレスから同時に開ける参加者ページの数"
    )

    @classmethod
    def help_rows(cls) -> list[tuple[str, str, str]]:
        """(name, default, help) for every setting, for the CLI and the README."""
        return [(f.name, str(f.default), f.metadata["help"]) for f in fields(cls)]


def env_name(name: str) -> str:
    return "TASUKEAI_" + name.upper()


def load_settings(environ: dict[str, str] | None = None, **overrides) -> Settings:
    """Defaults, then ``TASUKEAI_*`` environment variables, then explicit overrides."""
    environ = os.environ if environ is None else environ
    values = {}
    for f in fields(Settings):
        raw = environ.get(env_name(f.name))
        if raw is not None and raw != "":
            kind = type(f.default)
            if isinstance(f.default, Path):
                values[f.name] = Path(raw)
            elif kind is bool:
                values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            else:
                values[f.name] = kind(raw)
    values.update({k: v for k, v in overrides.items() if v is not None})
    for f in fields(Settings):
        if isinstance(f.default, Path) and f.name in values:
            values[f.name] = Path(values[f.name]).expanduser()
    return replace(Settings(), **values)


def settings_environ(settings: Settings) -> dict[str, str]:
    """The environment variables that carry ``settings`` to every Voila kernel."""
    return {env_name(f.name): str(getattr(settings, f.name)) for f in fields(Settings)}
