"""The activity plan (活動計画) every meeting is tagged to.

A plan is data, not code: 基本計画 (basic plans) → 重点目標 (focus goals) → 活動方針 (activity
policies), read from a JSON file in the ``tasukeai-plan/1`` format. Another city loads its own file.

>>> plan = load_plan()
>>> plan.goal("1-(1)").name
'地域でのつながりを深めよう'
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.errors import NotFoundError, PlanError
from kit.resources import default_plan_path

PLAN_FORMAT = "tasukeai-plan/1"
"""The ``format`` string a plan file must carry."""

DEFAULT_PLAN_PATH = default_plan_path()
"""The Okegawa 6th activity plan (桶川市社会福祉協議会 第6期活動計画), chapter 3."""

_COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
_PLAN_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Policy:
    """活動方針 (activity policy), with its 具体的な取組 (concrete actions)."""

    id: str
    goal_id: str
    number: int
    name: str
    aliases: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the plan file's keys (``goal_id`` is implied by nesting)."""
        return {
            "id": self.id,
            "number": self.number,
            "name": self.name,
            "aliases": list(self.aliases),
            "actions": list(self.actions),
        }


@dataclass(frozen=True)
class FocusGoal:
    """重点目標 (focus goal).

    ``plain`` is a few everyday words a member picks on a tablet, ``summary`` one short
    sentence, ``situation`` the 現状と課題 text and ``resident_actions`` the
    地域住民のみなさんや団体は list.
    """

    id: str
    basic_plan_id: str
    number: int
    name: str
    plain: str
    summary: str
    situation: str
    resident_actions: tuple[str, ...]
    policies: tuple[Policy, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the plan file's keys."""
        return {
            "id": self.id,
            "number": self.number,
            "name": self.name,
            "plain": self.plain,
            "summary": self.summary,
            "situation": self.situation,
            "resident_actions": list(self.resident_actions),
            "policies": [p.to_dict() for p in self.policies],
        }


@dataclass(frozen=True)
class BasicPlan:
    """基本計画 (basic plan); ``color`` is ``#RRGGBB`` for charts and the projector."""

    id: str
    number: int
    name: str
    color: str
    goals: tuple[FocusGoal, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the plan file's keys."""
        return {
            "id": self.id,
            "number": self.number,
            "name": self.name,
            "color": self.color,
            "goals": [g.to_dict() for g in self.goals],
        }


@dataclass(frozen=True)
class Plan:
    """活動計画 (activity plan): slogan (基本理念) and the 基本計画 → 重点目標 → 活動方針 tree."""

    plan_id: str
    city: str
    title: str
    slogan: str
    basic_plans: tuple[BasicPlan, ...]

    def goals(self) -> tuple[FocusGoal, ...]:
        """All 重点目標 (focus goals), in plan order."""
        return tuple(g for bp in self.basic_plans for g in bp.goals)

    def policies(self) -> tuple[Policy, ...]:
        """All 活動方針 (activity policies), in plan order."""
        return tuple(p for g in self.goals() for p in g.policies)

    def basic_plan(self, basic_plan_id: str) -> BasicPlan:
        """The 基本計画 with this id; ``NotFoundError`` if there is none."""
        for bp in self.basic_plans:
            if bp.id == basic_plan_id:
                return bp
        raise NotFoundError(f"基本計画「{basic_plan_id}」は計画にありません。")

    def goal(self, goal_id: str) -> FocusGoal:
        """The 重点目標 with this id, e.g. ``"1-(2)"``; ``NotFoundError`` if there is none."""
        for g in self.goals():
            if g.id == goal_id:
                return g
        raise NotFoundError(f"重点目標「{goal_id}」は計画にありません。")

    def policy(self, policy_id: str) -> Policy:
        """The 活動方針 with this id, e.g. ``"1-(2)-①"``; ``NotFoundError`` if there is none."""
        for p in self.policies():
            if p.id == policy_id:
                return p
        raise NotFoundError(f"活動方針「{policy_id}」は計画にありません。")

    def basic_plan_of(self, goal_id: str) -> BasicPlan:
        """The 基本計画 a 重点目標 belongs to; ``NotFoundError`` for an unknown goal."""
        return self.basic_plan(self.goal(goal_id).basic_plan_id)

    def goal_of(self, policy_id: str) -> FocusGoal:
        """The 重点目標 an 活動方針 belongs to; ``NotFoundError`` for an unknown policy."""
        return self.goal(self.policy(policy_id).goal_id)

    def has_goal(self, goal_id: str) -> bool:
        """Whether a 重点目標 with this id exists."""
        return any(g.id == goal_id for g in self.goals())

    def has_policy(self, policy_id: str) -> bool:
        """Whether an 活動方針 with this id exists."""
        return any(p.id == policy_id for p in self.policies())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict in the plan file format; ``plan_from_dict`` reads it back."""
        return {
            "format": PLAN_FORMAT,
            "plan_id": self.plan_id,
            "city": self.city,
            "title": self.title,
            "slogan": self.slogan,
            "basic_plans": [bp.to_dict() for bp in self.basic_plans],
        }

    def format_tree(self, *, actions: bool = False) -> str:
        """The plan as an indented text tree for a terminal; ``actions=True`` adds 具体的な取組."""
        lines = [self.title]
        if self.slogan:
            lines.append(f"スローガン: {self.slogan}")
        for bp in self.basic_plans:
            lines.append(f"基本計画 {bp.id} {bp.name}")
            for g in bp.goals:
                lines.append(f"  重点目標 {g.id} {g.name}")
                for p in g.policies:
                    lines.append(f"    活動方針 {p.id} {p.name}")
                    if actions:
                        lines.extend(f"      ・{a}" for a in p.actions)
        return "\n".join(lines)


def load_plan(path: str | Path | None = None) -> Plan:
    """Read and check a plan file (default: ``DEFAULT_PLAN_PATH``).

    Raises ``PlanError`` when the file is missing, not JSON or inconsistent; ``details`` lists
    every problem found, not just the first.
    """
    path = DEFAULT_PLAN_PATH if path is None else Path(path)
    where = f"計画ファイル（{path}）"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PlanError(
            f"計画ファイルが見つかりません: {path}",
            details=[f"{path} というファイルはありません。場所と名前を確かめてください。"],
        ) from None
    except IsADirectoryError:
        raise PlanError(
            f"計画ファイルを読み込めません: {path}",
            details=[f"{path} はフォルダです。計画ファイル（.json）を指定してください。"],
        ) from None
    except OSError as exc:
        raise PlanError(
            f"計画ファイルを読み込めません: {path}",
            details=[f"ファイルを開けませんでした（{exc.strerror or exc}）。"],
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanError(
            f"計画ファイルが壊れています: {path}",
            details=[
                (
                    f"UTF-8 の文字として読めない部分があります（{exc.start} バイト目）。"
                    "ファイルが壊れているか、別の文字コードで保存されています。"
                )
            ],
        ) from None
    if not text.strip():
        raise PlanError(
            f"計画ファイルが空です: {path}",
            details=["ファイルに何も書かれていません。"],
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(
            f"計画ファイルが JSON として読めません: {path}",
            details=[
                (
                    f"{exc.lineno} 行目 {exc.colno} 文字目で JSON が正しくありません（{exc.msg}）。"
                    "途中で切れているか、書き方に誤りがあります。"
                )
            ],
        ) from None
    return plan_from_dict(data, source=where)


def plan_from_dict(data: Any, *, source: str = "計画データ") -> Plan:
    """Build a ``Plan`` from parsed JSON, checking everything first.

    Raises ``PlanError`` with one Japanese detail per problem; ``source`` names the input in
    the message (a file path, for example).
    """
    problems: list[str] = []
    plan = _Reader(problems).plan(data)
    if problems or plan is None:
        raise PlanError(
            f"{source}に問題があります（{len(problems)} 件）。",
            details=problems,
        )
    return plan


@functools.lru_cache(maxsize=1)
def default_plan() -> Plan:
    """The bundled Okegawa plan, read once (``Plan`` is immutable, so sharing is safe)."""
    return load_plan()


class _Reader:
    """Turns parsed JSON into dataclasses, adding every problem to ``problems``.

    It never stops at the first problem: a bad field is replaced by an empty value so the
    rest can still be checked, and ``plan_from_dict`` throws the result away if anything
    was wrong.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        self.seen_ids: dict[str, str] = {}

    def add(self, where: str, text: str) -> None:
        self.problems.append(f"{where}: {text}")

    # -- field helpers -------------------------------------------------------------------

    def text(self, obj: dict[str, Any], key: str, where: str, *, default: str | None = None) -> str:
        """A string field; required (non-empty) unless a ``default`` replaces a missing one."""
        value = obj.get(key)
        if value is None:
            if default is None:
                self.add(where, f"「{key}」がありません。")
                return ""
            return default
        if not isinstance(value, str):
            self.add(where, f"「{key}」は文字列にしてください（今は {_type_name(value)}）。")
            return ""
        if not value.strip():
            if default is not None:
                return default
            self.add(where, f"「{key}」が空です。")
        return value

    def ident(self, obj: dict[str, Any], where: str) -> str:
        """The ``id`` field: required, no spaces, unique across the whole plan."""
        value = self.text(obj, "id", where)
        if not value:
            return ""
        if any(ch.isspace() for ch in value):
            self.add(where, f"id「{value}」に空白が入っています。")
        if value in self.seen_ids:
            self.add(where, f"id「{value}」が重複しています（{self.seen_ids[value]} と同じです）。")
        else:
            self.seen_ids[value] = where
        return value

    def number(self, obj: dict[str, Any], where: str, seen: dict[int, str]) -> int:
        """The ``number`` field: an integer from 1, unique among its siblings."""
        if "number" not in obj:
            self.add(where, "「number」がありません。")
            return 0
        value = obj["number"]
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(where, f"「number」は整数にしてください（今は {_type_name(value)}）。")
            return 0
        if value < 1:
            self.add(where, f"「number」は 1 以上にしてください（今は {value}）。")
        elif value in seen:
            self.add(where, f"number {value} が重複しています（{seen[value]} と同じです）。")
        else:
            seen[value] = where
        return value

    def texts(self, obj: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        """An optional list of non-empty strings."""
        value = obj.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.add(
                where, f"「{key}」は文字列のリストにしてください（今は {_type_name(value)}）。"
            )
            return ()
        for i, item in enumerate(value, start=1):
            if not isinstance(item, str):
                self.add(
                    where, f"「{key}」の {i} 番目が文字列ではありません（{_type_name(item)}）。"
                )
            elif not item.strip():
                self.add(where, f"「{key}」の {i} 番目が空です。")
        return tuple(item for item in value if isinstance(item, str))

    def items(self, obj: dict[str, Any], key: str, where: str, label: str) -> list[Any]:
        """A required, non-empty list of children (基本計画, 重点目標 or 活動方針)."""
        if key not in obj:
            self.add(where, f"「{key}」（{label}の一覧）がありません。")
            return []
        value = obj[key]
        if not isinstance(value, list):
            self.add(
                where, f"「{key}」は{label}のリストにしてください（今は {_type_name(value)}）。"
            )
            return []
        if not value:
            self.add(where, f"{label}が一つもありません（「{key}」が空です）。")
        return value

    def mapping(self, value: Any, where: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.add(
                where, f"{{ }} で囲んだオブジェクトにしてください（今は {_type_name(value)}）。"
            )
            return None
        return value

    # -- levels --------------------------------------------------------------------------

    def plan(self, data: Any) -> Plan | None:
        where = "計画全体"
        obj = self.mapping(data, where)
        if obj is None:
            return None
        fmt = obj.get("format")
        if fmt is None:
            self.add(where, f'「format」がありません（"{PLAN_FORMAT}" と書いてください）。')
        elif fmt != PLAN_FORMAT:
            hint = (
                "新しい版のキットで作られたファイルかもしれません。"
                if isinstance(fmt, str) and fmt.startswith("tasukeai-plan/")
                else "活動計画のファイルではないようです。"
            )
            self.add(
                where,
                f"「format」が {json.dumps(fmt, ensure_ascii=False)} です。"
                f'この版で読めるのは "{PLAN_FORMAT}" だけです（{hint}）。',
            )
        plan_id = self.text(obj, "plan_id", where)
        if plan_id and not _PLAN_ID_RE.match(plan_id):
            self.add(where, f'「plan_id」"{plan_id}" には半角英数字と - _ . だけを使ってください。')
        numbers: dict[int, str] = {}
        basic_plans = [
            self.basic_plan(item, i, numbers)
            for i, item in enumerate(self.items(obj, "basic_plans", where, "基本計画"))
        ]
        return Plan(
            plan_id=plan_id,
            city=self.text(obj, "city", where),
            title=self.text(obj, "title", where),
            slogan=self.text(obj, "slogan", where, default=""),
            basic_plans=tuple(bp for bp in basic_plans if bp is not None),
        )

    def basic_plan(self, data: Any, index: int, numbers: dict[int, str]) -> BasicPlan | None:
        where = _label("基本計画", index, data)
        obj = self.mapping(data, where)
        if obj is None:
            return None
        bp_id = self.ident(obj, where)
        number = self.number(obj, where, numbers)
        name = self.text(obj, "name", where)
        color = self.text(obj, "color", where)
        if color and not _COLOR_RE.match(color):
            self.add(where, f'「color」"{color}" は #RRGGBB の形（例 #0072B2）にしてください。')
        goal_numbers: dict[int, str] = {}
        goals = [
            self.goal(item, i, goal_numbers, bp_id, where)
            for i, item in enumerate(self.items(obj, "goals", where, "重点目標"))
        ]
        return BasicPlan(
            id=bp_id,
            number=number,
            name=name,
            color=color,
            goals=tuple(g for g in goals if g is not None),
        )

    def goal(
        self, data: Any, index: int, numbers: dict[int, str], bp_id: str, parent: str
    ) -> FocusGoal | None:
        where = f"{parent} > {_label('重点目標', index, data)}"
        obj = self.mapping(data, where)
        if obj is None:
            return None
        goal_id = self.ident(obj, where)
        if goal_id and bp_id and not goal_id.startswith(f"{bp_id}-"):
            self.add(
                where,
                f"重点目標の id「{goal_id}」が基本計画の id「{bp_id}」で始まっていません"
                f"（例「{bp_id}-(1)」）。",
            )
        declared = obj.get("basic_plan_id")
        if declared is not None and declared != bp_id:
            self.add(where, f'「basic_plan_id」"{declared}" が親の基本計画「{bp_id}」と違います。')
        number = self.number(obj, where, numbers)
        name = self.text(obj, "name", where)
        policy_numbers: dict[int, str] = {}
        policies = [
            self.policy(item, i, policy_numbers, goal_id, where)
            for i, item in enumerate(self.items(obj, "policies", where, "活動方針"))
        ]
        return FocusGoal(
            id=goal_id,
            basic_plan_id=bp_id,
            number=number,
            name=name,
            plain=self.text(obj, "plain", where, default=name),
            summary=self.text(obj, "summary", where, default=name),
            situation=self.text(obj, "situation", where, default=""),
            resident_actions=self.texts(obj, "resident_actions", where),
            policies=tuple(p for p in policies if p is not None),
        )

    def policy(
        self, data: Any, index: int, numbers: dict[int, str], goal_id: str, parent: str
    ) -> Policy | None:
        where = f"{parent} > {_label('活動方針', index, data)}"
        obj = self.mapping(data, where)
        if obj is None:
            return None
        policy_id = self.ident(obj, where)
        if policy_id and goal_id and not policy_id.startswith(f"{goal_id}-"):
            self.add(
                where,
                f"活動方針の id「{policy_id}」が重点目標の id「{goal_id}」で始まっていません。"
                "計画にない重点目標の活動方針か、置き場所の誤りです。",
            )
        declared = obj.get("goal_id")
        if declared is not None and declared != goal_id:
            self.add(where, f'「goal_id」"{declared}" が親の重点目標「{goal_id}」と違います。')
        return Policy(
            id=policy_id,
            goal_id=goal_id,
            number=self.number(obj, where, numbers),
            name=self.text(obj, "name", where),
            aliases=self.texts(obj, "aliases", where),
            actions=self.texts(obj, "actions", where),
        )


def _label(kind: str, index: int, data: Any) -> str:
    """``基本計画 2 番目（id「2」）`` — where a problem is, for a person reading the file."""
    label = f"{kind} {index + 1} 番目"
    if isinstance(data, dict) and isinstance(data.get("id"), str) and data["id"].strip():
        label += f"（id「{data['id']}」）"
    return label


def _type_name(value: Any) -> str:
    """A Japanese name for a JSON value's type, for error details."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "真偽値"
    if isinstance(value, int | float):
        return "数値"
    if isinstance(value, str):
        return "文字列"
    if isinstance(value, list):
        return "リスト"
    if isinstance(value, dict):
        return "オブジェクト"
    return type(value).__name__
