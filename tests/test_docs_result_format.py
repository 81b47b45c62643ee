"""``docs/result_file_format.md`` stays true to the one declaration in ``kit/resultfile/format.py``.

Every CSV of :data:`TABLES` has its section, its columns in the declared order and, for each
column, the type word its declared kind stands for; every manifest field is in the manifest
table with its JSON type. A column added, renamed, retyped or dropped in the code fails here
until the document says the same.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kit.resultfile.format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    KINDS,
    REQUIRED_MANIFEST,
    SIGNED_MANIFEST,
    TABLES,
)

DOC = Path(__file__).resolve().parents[1] / "docs" / "result_file_format.md"

TYPE_WORDS = {
    "text": ("*text*",),
    "code": ("string",),
    "int": ("integer", "0/1"),
    "optional_int": ("integer or empty",),
    "number": ("number",),
    "json": ("JSON object",),
    "timestamp": ("timestamp or empty",),
    "date": ("date or empty",),
}
"""What the document's type column says for each kind (the first word of the cell)."""

JSON_TYPES = {str: "string", int: "integer", dict: "object"}


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^#{2,3} ", text, flags=re.M)
    return {part.splitlines()[0]: part for part in parts[1:]}


def _table_rows(section: str) -> list[tuple[list[str], str]]:
    """(column names, type cell) of each row of the section's first markdown table."""
    rows = []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows.append((re.findall(r"`([^`]+)`", cells[0]), cells[1]))
    return rows


def test_every_kind_has_its_word_in_the_document():
    assert set(TYPE_WORDS) == set(KINDS)


def test_the_title_names_the_format_and_version():
    first = DOC.read_text(encoding="utf-8").splitlines()[0]
    assert f"`{FORMAT_NAME}` 版 {FORMAT_VERSION}" in first


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_each_csv_is_documented_as_declared(table):
    sections = _sections(DOC.read_text(encoding="utf-8"))
    heading = next((h for h in sections if h.startswith(f"`{table.name}`")), None)
    assert heading is not None, f"no section for {table.name}"
    documented: list[tuple[str, str]] = []
    for names, type_cell in _table_rows(sections[heading]):
        documented += [(name, type_cell) for name in names]
    assert [name for name, _ in documented] == list(table.columns)
    for column, (_name, type_cell) in zip(table.fields, documented, strict=True):
        assert type_cell.startswith(TYPE_WORDS[column.kind]), (
            f"{table.name} {column.name}: declared {column.kind}, documented {type_cell!r}"
        )


def test_the_manifest_fields_are_documented_with_their_types():
    section = _sections(DOC.read_text(encoding="utf-8"))["`manifest.json`"]
    documented = {names[0]: type_cell for names, type_cell in _table_rows(section)}
    fields = {**REQUIRED_MANIFEST, **SIGNED_MANIFEST}
    assert list(documented) == list(fields)
    for name, kind in fields.items():
        assert documented[name] == JSON_TYPES[kind], name
