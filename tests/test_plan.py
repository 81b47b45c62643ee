"""Tests for kit.plan: the Okegawa plan file against its source text, lookups and validation."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest

from kit.errors import NotFoundError, PlanError
from kit.plan import (
    DEFAULT_PLAN_PATH,
    PLAN_FORMAT,
    BasicPlan,
    FocusGoal,
    Plan,
    Policy,
    default_plan,
    load_plan,
    plan_from_dict,
)

SEED_PATH = Path(__file__).resolve().parents[2] / "shared/seeds/000_a629d125a7c41f92.txt"

CIRCLED = "①②③④⑤⑥⑦⑧⑨"

# The plan's names, written out here so the names are checked even where the seed text is absent.
EXPECTED_BASIC_PLANS = {
    "1": "住んでいる地域を大切に",
    "2": "できることをできるときに",
    "3": "地域で安心して暮らすために",
    "4": "地域福祉推進体制の強化",
}
EXPECTED_GOALS = {
    "1-(1)": "地域でのつながりを深めよう",
    "1-(2)": "たすけあいを進めよう",
    "2-(1)": "ボランティア・市民活動を広げよう",
    "2-(2)": "いろいろな人に情報を伝えよう",
    "3-(1)": "生活の困りごとを支えよう",
    "3-(2)": "一人ひとりを大切にした支援を進めよう",
    "4-(1)": "地域資源を拡充していこう",
    "4-(2)": "市社協の基盤強化を進めよう",
}
EXPECTED_POLICIES = {
    "1-(1)-①": "地域住民との地域づくりを進めます",
    "1-(1)-②": "交流・参加の場づくりを進めます",
    "1-(2)-①": "地域によるたすけあい活動を進めます",
    "1-(2)-②": "様々な居場所づくりを広めます",
    "2-(1)-①": "地域福祉の担い手を増やします",
    "2-(1)-②": "市民活動を応援します",
    "2-(2)-①": "地域の福祉情報を発信します",
    "2-(2)-②": "福祉の心を育みます",
    "3-(1)-①": "困りごとの解決を目指します",
    "3-(1)-②": "困窮した方の生活を支えます",
    "3-(2)-①": "暮らしを支えるサービスを充実します",
    "3-(2)-②": "権利擁護支援を充実します",
    "4-(1)-①": "地域貢献活動を広めます",
    "4-(2)-①": "財源の確保に努めます",
    "4-(2)-②": "組織の強化を図ります",
}


# -- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan()


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEED_PATH.is_file():
        pytest.skip(
            f"seed text not found at {SEED_PATH} (it lives in the shared folder next to the repo); "
            "the names are still checked against the lists in this file"
        )
    return SEED_PATH.read_text(encoding="utf-8")


def _sample_dict() -> dict[str, Any]:
    return json.loads(DEFAULT_PLAN_PATH.read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def _policy_dict(data: dict[str, Any], policy_id: str) -> dict[str, Any]:
    for bp in data["basic_plans"]:
        for goal in bp["goals"]:
            for policy in goal["policies"]:
                if policy["id"] == policy_id:
                    return policy
    raise KeyError(policy_id)


def _parse_seed_body(text: str) -> dict[str, dict[str, Any]]:
    """Section 2 (実施計画) of the seed, goal by goal: headings, 現状と課題, bullets."""
    goals: dict[str, dict[str, Any]] = {}
    goal: dict[str, Any] | None = None
    policy: dict[str, Any] | None = None
    mode = None
    for line in text.splitlines():
        line = line.strip()
        if m := re.fullmatch(r"重点目標 (\d)\s*[-–]\s*\((\d)\)\s*(.+)", line):
            goal = {"name": m[3], "situation": [], "resident_actions": [], "policies": []}
            goals[f"{m[1]}-({m[2]})"] = goal
            mode = None
        elif goal is None or not line:
            continue
        elif re.fullmatch(r"[<＜]現状と課題[>＞]", line):
            mode = "situation"
        elif m := re.fullmatch(r"活動方針 ([①-⑨])\s*(.+)", line):
            policy = {"mark": m[1], "name": m[2], "actions": []}
            goal["policies"].append(policy)
            mode = None
        elif line == "具体的な取組":
            mode = "actions"
        elif line == "地域住民のみなさんや団体は":
            mode = "resident_actions"
        elif mode == "situation":
            goal["situation"].append(line)
        elif line.startswith(("- ", "○")):
            item = line[2:] if line.startswith("- ") else line[1:]
            if mode == "actions":
                assert policy is not None
                policy["actions"].append(item)
            else:
                assert mode == "resident_actions", line
                goal["resident_actions"].append(item)
        else:
            raise AssertionError(f"unexpected line in the seed: {line!r}")
    return goals


# -- shape and names ---------------------------------------------------------------------


def test_counts(plan: Plan) -> None:
    assert len(plan.basic_plans) == 4
    assert len(plan.goals()) == 8
    assert len(plan.policies()) == 15
    assert [len(bp.goals) for bp in plan.basic_plans] == [2, 2, 2, 2]


def test_header(plan: Plan) -> None:
    assert plan.plan_id == "okegawa-6"
    assert plan.city == "桶川市"
    assert plan.title == "桶川市社会福祉協議会 第6期活動計画"
    assert plan.slogan == "みんなでたすけあい 笑顔でつながるまちづくり"


def test_names_match_expected_lists(plan: Plan) -> None:
    assert {bp.id: bp.name for bp in plan.basic_plans} == EXPECTED_BASIC_PLANS
    assert {g.id: g.name for g in plan.goals()} == EXPECTED_GOALS
    assert {p.id: p.name for p in plan.policies()} == EXPECTED_POLICIES
    assert list(EXPECTED_POLICIES) == [p.id for p in plan.policies()]


def test_only_known_alias(plan: Plan) -> None:
    aliases = {p.id: p.aliases for p in plan.policies() if p.aliases}
    assert aliases == {"2-(2)-①": ("地域に福祉情報を発信します",)}


def test_names_match_seed_diagram(plan: Plan, seed_text: str) -> None:
    diagram = seed_text.split("基本理念")[0]
    rows = [line for line in diagram.splitlines() if "\t" in line][1:]  # skip the header row
    assert len(rows) == 8
    for row, goal in zip(rows, plan.goals(), strict=True):
        bp = plan.basic_plan_of(goal.id)
        if goal.number == 1:
            assert row.startswith(f"{bp.number} {bp.name}\t")
        else:
            assert row.startswith("\t")
        cells = row.split("\t")
        assert cells[1] == f"({goal.number}){goal.name}"
        assert cells[2] == " ".join(f"{CIRCLED[p.number - 1]}{p.name}" for p in goal.policies)


def test_names_match_seed_body(plan: Plan, seed_text: str) -> None:
    body = _parse_seed_body(seed_text)
    assert list(body) == [g.id for g in plan.goals()]
    for goal in plan.goals():
        section = body[goal.id]
        assert section["name"] == goal.name
        assert [p["mark"] for p in section["policies"]] == [
            CIRCLED[p.number - 1] for p in goal.policies
        ]
        for policy, seed_policy in zip(goal.policies, section["policies"], strict=True):
            assert seed_policy["name"] in (policy.name, *policy.aliases)


def test_slogan_in_seed(plan: Plan, seed_text: str) -> None:
    lines = [line.strip() for line in seed_text.splitlines() if line.strip()]
    assert plan.slogan.split() == lines[lines.index("(スローガン)") + 1 : lines.index("2 実施計画")]


def test_every_item_appears_in_seed(plan: Plan, seed_text: str) -> None:
    seed_lines = {line.strip() for line in seed_text.splitlines()}
    for goal in plan.goals():
        for item in goal.resident_actions:
            assert f"- {item}" in seed_lines or f"○{item}" in seed_lines, item
        for paragraph in goal.situation.split("\n"):
            assert paragraph in seed_lines, paragraph
        for policy in goal.policies:
            for item in policy.actions:
                assert f"- {item}" in seed_lines, item


def test_sections_transcribed_completely_and_in_order(plan: Plan, seed_text: str) -> None:
    body = _parse_seed_body(seed_text)
    for goal in plan.goals():
        section = body[goal.id]
        assert goal.situation == "\n".join(section["situation"])
        assert list(goal.resident_actions) == section["resident_actions"]
        for policy, seed_policy in zip(goal.policies, section["policies"], strict=True):
            assert list(policy.actions) == seed_policy["actions"]
    bullets = [line for line in seed_text.splitlines() if line.strip().startswith(("- ", "○"))]
    actions = [a for p in plan.policies() for a in p.actions]
    resident_actions = [a for g in plan.goals() for a in g.resident_actions]
    assert (len(actions), len(resident_actions)) == (50, 23)
    assert len(bullets) == len(actions) + len(resident_actions)


# -- ids, colours, plain words ---------------------------------------------------------------


def test_ids_unique_and_well_formed(plan: Plan) -> None:
    ids = [bp.id for bp in plan.basic_plans]
    ids += [g.id for g in plan.goals()]
    ids += [p.id for p in plan.policies()]
    assert len(ids) == len(set(ids)) == 27
    for bp in plan.basic_plans:
        assert bp.id == str(bp.number)
        for goal in bp.goals:
            assert goal.basic_plan_id == bp.id
            assert goal.id == f"{bp.id}-({goal.number})"
            for policy in goal.policies:
                assert policy.goal_id == goal.id
                assert policy.id == f"{goal.id}-{CIRCLED[policy.number - 1]}"
                assert re.fullmatch(r"\d-\(\d\)-[①-⑨]", policy.id)


def test_colours_distinct_hex(plan: Plan) -> None:
    colours = [bp.color for bp in plan.basic_plans]
    assert len({c.lower() for c in colours}) == 4
    for colour in colours:
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", colour)


def test_plain_words_and_summaries(plan: Plan) -> None:
    plains = [g.plain for g in plan.goals()]
    assert len(set(plains)) == 8
    for goal in plan.goals():
        assert goal.plain.strip() and goal.summary.strip() and goal.situation.strip()
        assert len(goal.summary) <= 40, goal.summary
        assert goal.resident_actions
        for policy in goal.policies:
            assert policy.actions


# -- lookups and output ----------------------------------------------------------------------


def test_lookups(plan: Plan) -> None:
    assert plan.goal("2-(2)").name == "いろいろな人に情報を伝えよう"
    assert plan.policy("2-(2)-①").aliases == ("地域に福祉情報を発信します",)
    assert plan.basic_plan_of("3-(2)").id == "3"
    assert plan.basic_plan("4").name == "地域福祉推進体制の強化"
    assert plan.goal_of("4-(1)-①").id == "4-(1)"
    assert plan.has_goal("1-(1)") and not plan.has_goal("5-(1)")
    assert plan.has_policy("4-(2)-②") and not plan.has_policy("4-(1)-②")
    assert [g.id for g in plan.goals()] == list(EXPECTED_GOALS)


@pytest.mark.parametrize(
    ("call", "arg"),
    [
        ("goal", "9-(9)"),
        ("policy", "1-(1)-⑨"),
        ("basic_plan_of", "nope"),
        ("basic_plan", "5"),
        ("goal_of", "1-(1)"),
    ],
)
def test_unknown_ids_raise_not_found(plan: Plan, call: str, arg: str) -> None:
    with pytest.raises(NotFoundError) as info:
        getattr(plan, call)(arg)
    assert arg in info.value.message
    assert "ありません" in info.value.message


def test_dataclasses_are_frozen_with_tuples(plan: Plan) -> None:
    assert isinstance(plan.basic_plans, tuple)
    goal = plan.goal("1-(1)")
    assert isinstance(goal, FocusGoal)
    assert isinstance(goal.resident_actions, tuple) and isinstance(goal.policies, tuple)
    assert isinstance(goal.policies[0], Policy) and isinstance(goal.policies[0].actions, tuple)
    assert isinstance(plan.basic_plans[0], BasicPlan)
    with pytest.raises(dataclasses.FrozenInstanceError):
        goal.name = "x"  # type: ignore[misc]


def test_to_dict_round_trips(plan: Plan) -> None:
    data = plan.to_dict()
    assert plan_from_dict(json.loads(json.dumps(data, ensure_ascii=False))) == plan
    assert data == _sample_dict()  # the file is exactly what to_dict writes


def test_default_plan(plan: Plan) -> None:
    assert default_plan() is default_plan()
    assert (
        default_plan() == plan == load_plan(DEFAULT_PLAN_PATH) == load_plan(str(DEFAULT_PLAN_PATH))
    )


def test_format_tree(plan: Plan) -> None:
    tree = plan.format_tree()
    lines = tree.splitlines()
    assert "みんなでたすけあい 笑顔でつながるまちづくり" in lines[1]
    assert "基本計画 1 住んでいる地域を大切に" in lines
    assert "  重点目標 1-(1) 地域でのつながりを深めよう" in lines
    assert "    活動方針 1-(1)-① 地域住民との地域づくりを進めます" in lines
    assert len(lines) == 2 + 4 + 8 + 15
    with_actions = plan.format_tree(actions=True)
    assert "財源確保に努めます。" in with_actions and "財源確保に努めます。" not in tree


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + DEFAULT_PLAN_PATH.read_bytes())
    assert load_plan(path) == load_plan()


def test_minimal_plan_fills_optional_fields() -> None:
    plan = plan_from_dict(
        {
            "format": PLAN_FORMAT,
            "plan_id": "demo",
            "city": "見本市",
            "title": "見本の計画",
            "basic_plans": [
                {
                    "id": "A",
                    "number": 1,
                    "name": "基本",
                    "color": "#000000",
                    "goals": [
                        {
                            "id": "A-1",
                            "number": 1,
                            "name": "目標",
                            "policies": [{"id": "A-1-a", "number": 1, "name": "方針"}],
                        }
                    ],
                }
            ],
        }
    )
    goal = plan.goal("A-1")
    assert (plan.slogan, goal.plain, goal.summary, goal.situation) == ("", "目標", "目標", "")
    assert goal.resident_actions == () and plan.policy("A-1-a").actions == ()


# -- broken files ----------------------------------------------------------------------------


def _missing_name(data: dict[str, Any]) -> None:
    del _policy_dict(data, "1-(2)-②")["name"]


def _empty_goal_name(data: dict[str, Any]) -> None:
    data["basic_plans"][2]["goals"][1]["name"] = "  "


def _duplicate_policy_id(data: dict[str, Any]) -> None:
    _policy_dict(data, "1-(1)-②")["id"] = "1-(1)-①"


def _duplicate_across_levels(data: dict[str, Any]) -> None:
    data["basic_plans"][3]["goals"][0]["id"] = "3-(1)"


def _policy_under_unknown_goal(data: dict[str, Any]) -> None:
    _policy_dict(data, "1-(1)-②")["id"] = "9-(1)-②"


def _goal_not_under_basic_plan(data: dict[str, Any]) -> None:
    data["basic_plans"][1]["goals"][1]["id"] = "3-(5)"


def _wrong_format(data: dict[str, Any]) -> None:
    data["format"] = "tasukeai-plan/2"


def _no_format(data: dict[str, Any]) -> None:
    del data["format"]


def _no_basic_plans(data: dict[str, Any]) -> None:
    data["basic_plans"] = []


def _number_as_text(data: dict[str, Any]) -> None:
    data["basic_plans"][0]["goals"][0]["number"] = "1"


def _actions_not_a_list(data: dict[str, Any]) -> None:
    _policy_dict(data, "3-(1)-②")["actions"] = "困窮した方を支えます"


def _bad_colour(data: dict[str, Any]) -> None:
    data["basic_plans"][0]["color"] = "orange"


def _goal_not_an_object(data: dict[str, Any]) -> None:
    data["basic_plans"][1]["goals"][0] = "ボランティア"


def _duplicate_number(data: dict[str, Any]) -> None:
    _policy_dict(data, "2-(2)-②")["number"] = 1


@pytest.mark.parametrize(
    ("breaker", "fragments"),
    [
        (_missing_name, ["1-(2)-②", "「name」がありません"]),
        (_empty_goal_name, ["3-(2)", "「name」が空です"]),
        (_duplicate_policy_id, ["「1-(1)-①」が重複", "活動方針 2 番目"]),
        (_duplicate_across_levels, ["「3-(1)」が重複"]),
        (_policy_under_unknown_goal, ["9-(1)-②", "重点目標の id「1-(1)」で始まっていません"]),
        (_goal_not_under_basic_plan, ["3-(5)", "基本計画の id「2」で始まっていません"]),
        (_wrong_format, ["format", '"tasukeai-plan/2"', "新しい版"]),
        (_no_format, ["「format」がありません"]),
        (_no_basic_plans, ["基本計画が一つもありません"]),
        (_number_as_text, ["1-(1)", "「number」は整数"]),
        (_actions_not_a_list, ["3-(1)-②", "「actions」は文字列のリスト"]),
        (_bad_colour, ["color", "orange", "#RRGGBB"]),
        (_goal_not_an_object, ["重点目標 1 番目", "オブジェクト"]),
        (_duplicate_number, ["2-(2)-②", "number 1 が重複"]),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else "",
)
def test_broken_plan_names_the_problem(tmp_path: Path, breaker: Any, fragments: list[str]) -> None:
    data = _sample_dict()
    breaker(data)
    path = _write(tmp_path, data)
    with pytest.raises(PlanError) as info:
        load_plan(path)
    error = info.value
    assert str(path) in error.message
    assert error.details, "a broken plan must say what is wrong"
    for fragment in fragments:
        assert any(fragment in detail for detail in error.details), (fragment, error.details)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    data = _sample_dict()
    for breaker in (_missing_name, _duplicate_policy_id, _bad_colour, _wrong_format):
        breaker(data)
    with pytest.raises(PlanError) as info:
        load_plan(_write(tmp_path, data))
    assert len(info.value.details) == 4
    assert "4 件" in info.value.message


@pytest.mark.parametrize(
    ("content", "message_part", "detail_part"),
    [
        (b"", "空です", "何も書かれていません"),
        (b"  \n\t\n", "空です", "何も書かれていません"),
        ("これは計画ではありません".encode(), "JSON として読めません", "1 行目"),
        (b"[1, 2, 3]", "問題があります", "オブジェクト"),
        ("計画".encode("shift_jis"), "壊れています", "UTF-8"),
    ],
    ids=["empty", "blank", "not-json", "not-an-object", "not-utf8"],
)
def test_unreadable_files(
    tmp_path: Path, content: bytes, message_part: str, detail_part: str
) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert message_part in info.value.message
    assert any(detail_part in d for d in info.value.details), info.value.details


def test_truncated_file(tmp_path: Path) -> None:
    text = DEFAULT_PLAN_PATH.read_text(encoding="utf-8")
    path = tmp_path / "plan.json"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert "JSON として読めません" in info.value.message
    assert "途中で切れている" in info.value.details[0]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path / "nai.json")
    assert "見つかりません" in info.value.message and "nai.json" in info.value.message
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path)
    assert "フォルダ" in info.value.details[0]


def test_plan_from_dict_rejects_non_mapping() -> None:
    with pytest.raises(PlanError) as info:
        plan_from_dict(None)
    assert "オブジェクト" in str(info.value)
