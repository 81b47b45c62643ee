"""The result file's format (会議結果ファイル): the one declaration of its tables, columns and types.

One zip per meeting, readable without the kit (see ``docs/result_file_format.md``, which a
test keeps true against :data:`TABLES`):

- ``manifest.json`` — format and kit version, plan, district, meeting date, title,
  revision, member counts, the SHA-256 of every CSV and ``content_sha256`` over the
  manifest itself;
- UTF-8 CSVs (with BOM, so Excel opens them): ``issues.csv``, ``votes.csv``,
  ``tallies.csv``, ``ballots.csv`` (anonymous ballot numbers), ``actions.csv`` and
  ``map_counts.csv`` (the 支え合いマップ as counts by category only).

The writer (:mod:`kit.resultfile.write`), the reader (:mod:`kit.resultfile.read`) and the
office's compile (:mod:`kit.office.compile`) all read :data:`TABLES`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.errors import ResultFileError
from kit.files import safe_name_part

FORMAT_NAME = "tasukeai-result"
FORMAT_VERSION = 2
"""The version this kit writes and the newest it reads. Version 2 is signed (``public_key``,
``signature``: see :mod:`kit.resultfile.signing`); version 1 files (unsigned) still import,
marked 「署名なし」."""
UNSIGNED_FORMAT_VERSION = 1

MANIFEST_NAME = "manifest.json"
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
"""Text starting with these could become a spreadsheet formula; ``'`` is escaped too."""

VOTE_METHODS = ("dots", "approval", "ranking")
VOTE_STATUSES = ("open", "closed")
ACTION_STATUSES = ("not_started", "in_progress", "done")

KINDS = ("text", "code", "int", "optional_int", "number", "json", "timestamp", "date")
"""Column kinds: ``text`` is free text (escaped against formulas), ``code`` an identifier or
vocabulary word, ``int``/``optional_int`` whole numbers (optional: may be empty), ``number``
a decimal, ``json`` a JSON object, ``timestamp`` an ISO time or empty, ``date`` YYYY-MM-DD or
empty."""


@dataclass(frozen=True)
class Column:
    """One CSV column: its name, its kind (:data:`KINDS`) and whether the office keeps it."""

    name: str
    kind: str
    office: bool = True
    """False for columns the office derives again from the plan (names of goals, policies)."""


@dataclass(frozen=True)
class CsvTable:
    """One CSV in the result file and the office table that holds its rows."""

    name: str
    office_table: str
    fields: tuple[Column, ...]
    unique_key: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.fields)

    def _of(self, *kinds: str) -> frozenset[str]:
        return frozenset(c.name for c in self.fields if c.kind in kinds)

    @property
    def text(self) -> frozenset[str]:
        return self._of("text")

    @property
    def ints(self) -> frozenset[str]:
        return self._of("int")

    @property
    def optional_ints(self) -> frozenset[str]:
        return self._of("optional_int")

    @property
    def numbers(self) -> frozenset[str]:
        return self._of("number")

    @property
    def office_columns(self) -> tuple[str, ...]:
        """The columns the office store keeps (``meeting_uid`` is added on import)."""
        return tuple(c.name for c in self.fields if c.office)


def _cols(spec: str) -> tuple[Column, ...]:
    """``"name:kind name:kind!"`` → columns; ``!`` marks a column the office does not keep."""
    out = []
    for item in spec.split():
        name, kind = item.split(":")
        office = not kind.endswith("!")
        kind = kind.rstrip("!")
        assert kind in KINDS, kind
        out.append(Column(name, kind, office))
    return tuple(out)


TABLES: tuple[CsvTable, ...] = (
    CsvTable(
        "issues.csv",
        "issues",
        _cols(
            "issue_no:int text:text goal_id:code goal_name:text! basic_plan_id:code! "
            "seriousness:int reach:int place:text raised_count:int"
        ),
        ("issue_no",),
    ),
    CsvTable(
        "votes.csv",
        "votes",
        _cols(
            "vote_no:int title:text method:code settings_json:json status:code "
            "opened_at:timestamp closed_at:timestamp eligible:int ballots:int paper_ballots:int"
        ),
        ("vote_no",),
    ),
    CsvTable(
        "tallies.csv",
        "tallies",
        _cols(
            "vote_no:int position:int label:text issue_no:optional_int goal_id:code "
            "score:number spread:int rank:int tied:int"
        ),
        ("vote_no", "position"),
    ),
    CsvTable(
        "ballots.csv",
        "ballots",
        _cols("vote_no:int ballot_no:int is_paper:int choices:json"),
        ("vote_no", "ballot_no"),
    ),
    CsvTable(
        "actions.csv",
        "actions",
        _cols(
            "action_no:int title:text owner:text due_on:date policy_id:code policy_name:text! "
            "goal_id:code status:code source_issue_no:optional_int"
        ),
        ("action_no",),
    ),
    CsvTable(
        "map_counts.csv",
        "map_counts",
        _cols("category:text label:text count:int"),
        ("category",),
    ),
)
TABLES_BY_NAME = {t.name: t for t in TABLES}
UNIQUE_KEYS: dict[str, tuple[str, ...]] = {t.name: t.unique_key for t in TABLES}

REQUIRED_MANIFEST: dict[str, type | tuple[type, ...]] = {
    "format": str,
    "format_version": int,
    "kit_version": str,
    "plan_id": str,
    "city": str,
    "district_id": str,
    "district_name": str,
    "meeting_uid": str,
    "meeting_date": str,
    "title": str,
    "revision": int,
    "created_at": str,
    "members": int,
    "members_with_tablet": int,
    "files": dict,
    "content_sha256": str,
}
SIGNED_MANIFEST: dict[str, type] = {"public_key": str, "signature": str}
"""Fields of a signed (version 2) manifest, after the required ones (see kit.resultfile.signing)."""


@dataclass(frozen=True)
class Manifest:
    """The ``manifest.json`` of a result file, checked."""

    format_version: int
    kit_version: str
    plan_id: str
    city: str
    district_id: str
    district_name: str
    meeting_uid: str
    meeting_date: str
    title: str
    revision: int
    created_at: str
    members: int
    members_with_tablet: int
    files: Mapping[str, Mapping[str, Any]]
    content_sha256: str
    public_key: str = ""
    signature: str = ""

    @property
    def signed(self) -> bool:
        return bool(self.signature)


@dataclass(frozen=True)
class ResultFile:
    """A result file read back and checked: manifest plus one list of row dicts per CSV."""

    manifest: Manifest
    tables: Mapping[str, list[dict[str, Any]]]
    sha256: str = ""

    def rows(self, name: str) -> list[dict[str, Any]]:
        return self.tables[name]


@dataclass(frozen=True)
class SavedResult:
    """Where :func:`save_result_file` wrote the file (保存先)."""

    path: Path
    name: str
    revision: int
    manifest: Manifest
    counts: Mapping[str, int] = field(default_factory=dict)


# --- identity and names --------------------------------------------------------------------------
def meeting_uid(district_id: str, held_on: str, title: str) -> str:
    """The office's key for a meeting: the same district, date and title is the same meeting."""
    key = "\x1f".join(("tasukeai-meeting", district_id, held_on, title))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def result_file_name(manifest: Manifest) -> str:
    """``開催日_地区名_地区ID_r版_識別子.zip`` — sortable by date, clear to a person."""
    return (
        f"{manifest.meeting_date}_{safe_name_part(manifest.district_name)}_"
        f"{safe_name_part(manifest.district_id, 16)}_r{manifest.revision:02d}_"
        f"{manifest.meeting_uid[:6]}.zip"
    )


# --- spreadsheet-safe text -------------------------------------------------------------------------
def escape_cell(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet could read as a formula (and to text starting with ``'``)."""
    if text and (text.startswith(FORMULA_STARTS) or text.startswith("'")):
        return "'" + text
    return text


def unescape_cell(text: str) -> str:
    """Undo :func:`escape_cell` (the result file's text columns round-trip exactly)."""
    return text[1:] if text.startswith("'") else text


def canonical_json(obj: Any) -> bytes:
    """The bytes ``content_sha256`` is taken over: sorted keys, no spaces, UTF-8."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def parse_json(text: str, default: Any) -> Any:
    try:
        return json.loads(text or "")
    except ValueError:
        return default


def manifest_from(data: Mapping[str, Any]) -> Manifest:
    return Manifest(
        format_version=data["format_version"],
        kit_version=data["kit_version"],
        plan_id=data["plan_id"],
        city=data["city"],
        district_id=data["district_id"],
        district_name=data["district_name"],
        meeting_uid=data["meeting_uid"],
        meeting_date=data["meeting_date"],
        title=data["title"],
        revision=data["revision"],
        created_at=data["created_at"],
        members=data["members"],
        members_with_tablet=data["members_with_tablet"],
        files=data["files"],
        content_sha256=data["content_sha256"],
        public_key=str(data.get("public_key") or ""),
        signature=str(data.get("signature") or ""),
    )


class NotAResultFile(ResultFileError):
    """A file that is not a meeting result file at all (skipped, not an error)."""
