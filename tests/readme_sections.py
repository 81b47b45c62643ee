"""The README's generated sections: the settings table and ``tasukeai --help`` of every command.

Both come from their one declaration (``kit/settings.py``, ``kit/cli.py``); a test fails when
the README drifts. Regenerate with ``.venv/bin/python -m tests.readme_sections``.
"""

from __future__ import annotations

import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
HELP_COLUMNS = "100"


def settings_table() -> str:
    from kit.settings import env_name, flag_of, setting_fields, shown_default

    rows = [
        "| 名前 | 引数 | 環境変数 | 既定値 | 説明 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for f in setting_fields():
        rows.append(
            f"| `{f.name}` | `{flag_of(f)}` | `{env_name(f.name)}` | {shown_default(f)} | "
            f"{f.metadata['help']} |"
        )
    return "\n".join(rows)


def command_paths() -> list[list[str]]:
    """Every command and subcommand of ``tasukeai``, in the parser's order."""
    from kit.cli import build_parser

    paths: list[list[str]] = [[]]

    def walk(parser, prefix: list[str]) -> None:
        for action in parser._actions:  # argparse keeps subparsers here
            choices = getattr(action, "choices", None)
            if isinstance(choices, dict):
                for name, sub in choices.items():
                    paths.append([*prefix, name])
                    walk(sub, [*prefix, name])

    walk(build_parser(), [])
    return paths


@contextmanager
def fixed_width():
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_COLUMNS
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved


def help_text(path: list[str]) -> str:
    from kit.cli import build_parser

    with fixed_width():
        parser = build_parser()
        for name in path:
            sub = next(a for a in parser._actions if isinstance(getattr(a, "choices", None), dict))
            parser = sub.choices[name]
        return parser.format_help().rstrip()


def cli_reference() -> str:
    parts = []
    for path in command_paths():
        command = " ".join(["tasukeai", *path, "--help"])
        parts.append(f"`{command}`\n\n```text\n{help_text(path)}\n```")
    return "\n\n".join(parts)


SECTIONS = {"settings-table": settings_table, "cli-help": cli_reference}


def marker(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- {name}:start[^>]*-->)(.*?)(<!-- {name}:end -->)", re.DOTALL)


def current(text: str, name: str) -> str | None:
    found = marker(name).search(text)
    return None if found is None else found.group(2).strip("\n")


def updated(text: str) -> str:
    for name, build in SECTIONS.items():
        text = marker(name).sub(
            lambda m, b=build: m.group(1) + "\n" + b() + "\n" + m.group(3), text
        )
    return text


if __name__ == "__main__":
    README.write_text(updated(README.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated {README}", file=sys.stderr)
