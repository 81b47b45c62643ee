"""City-wide tables for the council office (市全体の集計表): pure functions over the office store.

Each function takes the office connection, the plan and an :class:`OfficeFilter` (年度 and
地区) and returns a :class:`Table` — plain rows with Japanese column headers — that the
charts (``kit.charts.office``), the page and the exports (Excel, CSV, HTML) all share.

>>> table = goal_heatmap(office_conn, plan, OfficeFilter())
>>> table.headers()[:3]
['地区ID', '地区', '重点目標ID']
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kit import messages as msg
from kit.plan import Plan
from kit.store import office as store

TOP_N = 3
"""Items ranked this high or better in a closed vote count as a district's top priority."""

MAP_FOCUS = ("finding:isolated", "finding:watch_gap")
"""Map categories followed over time: 孤立している人 and 見守りの空白."""


@dataclass(frozen=True)
class OfficeFilter:
    """絞り込み: 年度 (April–March; ``None`` = every year) and 地区 (``None`` = every district)."""

    year: int | None = None
    district_id: str | None = None

    def describe(self) -> str:
        year = (
            msg.OFFICE_FILTER_YEAR_VALUE.format(year=self.year)
            if self.year
            else msg.OFFICE_ALL_YEARS
        )
        district = self.district_id or msg.OFFICE_ALL_DISTRICTS
        return msg.OFFICE_FILTER_DESCRIBE.format(year=year, district=district)


EVERYTHING = OfficeFilter()
"""No filter: every year, every district."""


COLUMN_KINDS = ("text", "code", "int", "number", "rate", "date", "flag")
"""What a column holds, read by the Excel writer (cell type and format), the CSV and the
DataFrames: ``text`` free text; ``code`` an id or vocabulary word (a number-looking id such as
a 基本計画 ``1`` is a number in Excel); ``int`` and ``number`` numbers; ``rate`` a fraction
0–1 (shown as %); ``date`` an ISO date (a date cell, ``datetime64`` in pandas); ``flag`` ○ or
empty (``bool`` in pandas)."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    """One table of the city views: ``key`` is how code names it, ``name`` (from
    :data:`SHEET_NAMES`) the Excel sheet and CSV file name a person sees."""

    key: str
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""

    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def records(self) -> list[dict[str, Any]]:
        keys = self.keys()
        return [dict(zip(keys, row, strict=True)) for row in self.rows]

    def column(self, key: str) -> list[Any]:
        index = self.keys().index(key)
        return [row[index] for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)


SHEET_NAMES: dict[str, str] = {
    "meetings": "会議一覧",
    "heatmap": "地区×重点目標",
    "heatmap_grid": "地区×重点目標の表",
    "issues": "困りごとの一覧",
    "top_items": "各地区の上位項目",
    "priorities": "優先課題",
    "coverage": "計画のカバー状況",
    "actions": "取組の状況",
    "action_list": "取組の一覧",
    "turnout": "参加と投票率",
    "map_counts": "支え合いマップの数",
    "map_grid": "支え合いマップの数の表",
}
"""Each table's key → its sheet (and CSV file) name: the one place these names are written."""
HEATMAP_GRID = SHEET_NAMES["heatmap_grid"]
MAP_GRID = SHEET_NAMES["map_grid"]


def _table(
    key: str, title: str, spec: Sequence[tuple[str, str, str]], records: list[dict], note: str = ""
) -> Table:
    columns = tuple(Column(k, h, kind) for k, h, kind in spec)
    rows = tuple(tuple(r.get(c.key) for c in columns) for r in records)
    return Table(key=key, name=SHEET_NAMES[key], title=title, columns=columns, rows=rows, note=note)


def _args(f: OfficeFilter) -> tuple[int | None, str | None]:
    return f.year, f.district_id


# --- filters ----------------------------------------------------------------------------------------
def available_years(conn: sqlite3.Connection) -> list[int]:
    """年度 that have compiled meetings, oldest first."""
    return store.list_fiscal_years(conn)


def available_districts(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(地区ID, 地区名) of every district with a compiled meeting."""
    return store.list_districts(conn)


def _districts(conn: sqlite3.Connection, f: OfficeFilter) -> list[tuple[str, str]]:
    names = dict(store.list_districts(conn))
    present = {m.district_id for m in store.list_meetings(conn, *_args(f))}
    return [(d, names[d]) for d in sorted(present)]


# --- summary ---------------------------------------------------------------------------------------------
def summary(conn: sqlite3.Connection, f: OfficeFilter = EVERYTHING) -> dict[str, int]:
    """How much is compiled under the filter: meetings, districts, issues, votes, actions."""
    meetings = store.list_meetings(conn, *_args(f))
    return {
        "meetings": len(meetings),
        "districts": len({m.district_id for m in meetings}),
        "members": sum(m.members for m in meetings),
        "issues": len(store.issue_rows(conn, *_args(f))),
        "votes": len(store.vote_rows(conn, *_args(f))),
        "actions": len(store.action_rows(conn, *_args(f))),
    }


def meetings_table(conn: sqlite3.Connection, plan: Plan, f: OfficeFilter = EVERYTHING) -> Table:
    """取り込んだ会議の一覧 (one row per meeting, its newest revision)."""
    records = [
        {
            "fiscal_year": m.fiscal_year,
            "held_on": m.held_on,
            "district_id": m.district_id,
            "district": m.district_name,
            "title": m.title,
            "revision": m.revision,
            "members": m.members,
            "file_name": m.file_name,
        }
        for m in store.list_meetings(conn, *_args(f))
    ]
    return _table(
        "meetings",
        msg.OFFICE_TABLE_MEETINGS,
        (
            ("fiscal_year", "年度", "int"),
            ("held_on", "開催日", "date"),
            ("district_id", "地区ID", "code"),
            ("district", "地区", "text"),
            ("title", "会議名", "text"),
            ("revision", "版", "int"),
            ("members", "参加者数", "int"),
            ("file_name", "ファイル名", "text"),
        ),
        records,
    )


# --- 地区 × 重点目標 -------------------------------------------------------------------------------------
def goal_heatmap(conn: sqlite3.Connection, plan: Plan, f: OfficeFilter = EVERYTHING) -> Table:
    """地区 × 重点目標: how many issues (困りごと) each district raised under each focus goal.

    ``issues`` counts issue cards; ``raised`` adds the members behind merged cards.
    Every district × goal pair is present (zero when nothing was raised).
    """
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in store.issue_rows(conn, *_args(f)):
        cell = counts[(row["district_id"], row["goal_id"])]
        cell[0] += 1
        cell[1] += row["raised_count"]
    records = []
    for district_id, district in _districts(conn, f):
        for goal in plan.goals():
            issues, raised = counts.get((district_id, goal.id), (0, 0))
            records.append(
                {
                    "district_id": district_id,
                    "district": district,
                    "goal_id": goal.id,
                    "goal": goal.name,
                    "basic_plan_id": goal.basic_plan_id,
                    "issues": issues,
                    "raised": raised,
                }
            )
    return _table(
        "heatmap",
        msg.OFFICE_TABLE_HEATMAP,
        (
            ("district_id", "地区ID", "code"),
            ("district", "地区", "text"),
            ("goal_id", "重点目標ID", "code"),
            ("goal", "重点目標", "text"),
            ("basic_plan_id", "基本計画", "code"),
            ("issues", "困りごとの数", "int"),
            ("raised", "挙げた人の数", "int"),
        ),
        records,
    )


def issue_list(conn: sqlite3.Connection, plan: Plan, f: OfficeFilter = EVERYTHING) -> Table:
    """困りごとの一覧: every issue with its district, date, focus goal, seriousness and count."""
    records = []
    for row in store.issue_rows(conn, *_args(f)):
        goal = plan.goal(row["goal_id"]) if plan.has_goal(row["goal_id"]) else None
        records.append(
            {
                "held_on": row["held_on"],
                "district_id": row["district_id"],
                "district": row["district_name"],
                "goal_id": row["goal_id"],
                "goal": goal.name if goal else "",
                "text": row["text"],
                "place": row["place"],
                "seriousness": row["seriousness"],
                "reach": row["reach"],
                "raised": row["raised_count"],
            }
        )
    return _table(
        "issues",
        msg.OFFICE_TABLE_ISSUES,
        (
            ("held_on", "開催日", "date"),
            ("district_id", "地区ID", "code"),
            ("district", "地区", "text"),
            ("goal_id", "重点目標ID", "code"),
            ("goal", "重点目標", "text"),
            ("text", "困りごと", "text"),
            ("place", "場所", "text"),
            ("seriousness", "深刻さ", "int"),
            ("reach", "広がり", "int"),
            ("raised", "挙げた人の数", "int"),
        ),
        records,
    )


# --- 優先順位 -------------------------------------------------------------------------------------------
def top_items(
    conn: sqlite3.Connection, plan: Plan, f: OfficeFilter = EVERYTHING, n: int = TOP_N
) -> Table:
    """各地区の上位項目: items ranked ``n`` or better (with a score) in each closed vote."""
    records = []
    for row in store.tally_rows(conn, *_args(f)):
        if row["rank"] > n or row["score"] <= 0:
            continue
        goal = (
            plan.goal(row["goal_id"]) if row["goal_id"] and plan.has_goal(row["goal_id"]) else None
        )
        total = row["vote_total"] or 0
        records.append(
            {
                "held_on": row["held_on"],
                "district_id": row["district_id"],
                "district": row["district_name"],
                "vote": row["vote_title"],
                "rank": row["rank"],
                "tied": msg.OFFICE_YES if row["tied"] else "",
                "label": row["label"],
                "goal_id": row["goal_id"],
                "goal": goal.name if goal else msg.OFFICE_NO_GOAL,
                "score": row["score"],
                "share": round(row["score"] / total, 3) if total else 0.0,
                "spread": row["spread"],
            }
        )
    return _table(
        "top_items",
        msg.OFFICE_TABLE_TOP_ITEMS,
        (
            ("held_on", "開催日", "date"),
            ("district_id", "地区ID", "code"),
            ("district", "地区", "text"),
            ("vote", "投票", "text"),
            ("rank", "順位", "int"),
            ("tied", "同点", "flag"),
            ("label", "項目", "text"),
            ("goal_id", "重点目標ID", "code"),
            ("goal", "重点目標", "text"),
            ("score", "得点", "number"),
            ("share", "得点の割合", "rate"),
            ("spread", "入れた人の数", "int"),
        ),
        records,
    )


def top_priorities(
    conn: sqlite3.Connection, plan: Plan, f: OfficeFilter = EVERYTHING, n: int = TOP_N
) -> Table:
    """市全体の優先課題: focus goals of the districts' top items, with how many districts share them.

    Sorted by the number of districts, then by the summed share of each vote's points
    (a vote's points sum to 1, so big and small meetings weigh the same).
    """
    groups: dict[str, dict[str, Any]] = {}
    for rec in top_items(conn, plan, f, n).records():
        key = rec["goal_id"] or ""
        group = groups.setdefault(key, {"districts": set(), "items": 0, "share": 0.0, "labels": []})
        group["districts"].add(rec["district"])
        group["items"] += 1
        group["share"] += rec["share"]
        if rec["label"] not in group["labels"]:
            group["labels"].append(rec["label"])
    records = []
    for goal_id, group in groups.items():
        goal = plan.goal(goal_id) if goal_id and plan.has_goal(goal_id) else None
        records.append(
            {
                "goal_id": goal_id,
                "goal": goal.name if goal else msg.OFFICE_NO_GOAL,
                "basic_plan_id": goal.basic_plan_id if goal else "",
                "districts": len(group["districts"]),
                "district_names": "、".join(sorted(group["districts"])),
                "items": group["items"],
                "share": round(group["share"], 3),
                "examples": " / ".join(group["labels"][:3]),
            }
        )
    records.sort(key=lambda r: (-r["districts"], -r["share"], r["goal_id"]))
    for rank, rec in enumerate(records, start=1):
        rec["order"] = rank
    return _table(
        "priorities",
        msg.OFFICE_TABLE_PRIORITIES,
        (
            ("order", "順", "int"),
            ("goal_id", "重点目標ID", "code"),
            ("goal", "重点目標", "text"),
            ("basic_plan_id", "基本計画", "code"),
            ("districts", "上位に挙げた地区の数", "int"),
            ("district_names", "地区", "text"),
            ("items", "上位項目の数", "int"),
            ("share", "得点の割合の合計", "number"),
            ("examples", "項目の例", "text"),
        ),
        records,
        note=msg.OFFICE_PRIORITIES_NOTE.format(n=n),
    )


# --- 計画のカバー状況 --------------------------------------------------------------------------------------
COVERAGE_NOT_RAISED = "not_raised"
COVERAGE_NO_ACTION = "no_action"
COVERAGE_ACTION = "action"


def plan_coverage(conn: sqlite3.Connection, plan: Plan, f: OfficeFilter = EVERYTHING) -> Table:
    """計画のカバー状況: for each 活動方針, the districts that raised it and that act on it.

    Issues are tagged with a 重点目標, so a policy counts as raised by a district that
    raised an issue under its focus goal or decided an action item (取組) on the policy.
    ``status`` is ``not_raised`` (no district raised it), ``no_action`` (raised, no action
    item anywhere) or ``action``.
    """
    goal_districts: dict[str, set[str]] = defaultdict(set)
    goal_issues: dict[str, int] = defaultdict(int)
    for row in store.issue_rows(conn, *_args(f)):
        goal_districts[row["goal_id"]].add(row["district_id"])
        goal_issues[row["goal_id"]] += 1
    policy_districts: dict[str, set[str]] = defaultdict(set)
    policy_actions: dict[str, int] = defaultdict(int)
    for row in store.action_rows(conn, *_args(f)):
        policy_districts[row["policy_id"]].add(row["district_id"])
        policy_actions[row["policy_id"]] += 1
    records = []
    for policy in plan.policies():
        goal = plan.goal(policy.goal_id)
        raised = goal_districts[goal.id] | policy_districts[policy.id]
        actions = policy_actions[policy.id]
        if not raised:
            status = COVERAGE_NOT_RAISED
        elif not actions:
            status = COVERAGE_NO_ACTION
        else:
            status = COVERAGE_ACTION
        records.append(
            {
                "basic_plan_id": goal.basic_plan_id,
                "goal_id": goal.id,
                "goal": goal.name,
                "policy_id": policy.id,
                "policy": policy.name,
                "raised_districts": len(raised),
                "goal_issues": goal_issues[goal.id],
                "action_districts": len(policy_districts[policy.id]),
                "actions": actions,
                "status": status,
                "status_label": msg.OFFICE_COVERAGE_LABELS[status],
            }
        )
    return _table(
        "coverage",
        msg.OFFICE_TABLE_COVERAGE,
        (
            ("basic_plan_id", "基本計画", "code"),
            ("goal_id", "重点目標ID", "code"),
            ("goal", "重点目標", "text"),
            ("policy_id", "活動方針ID", "code"),
            ("policy", "活動方針", "text"),
            ("raised_districts", "取り上げた地区の数", "int"),
            ("goal_issues", "重点目標の困りごとの数", "int"),
            ("action_districts", "取組のある地区の数", "int"),
            ("actions", "取組の数", "int"),
            ("status", "状態コード", "code"),
            ("status_label", "状態", "text"),
        ),
        records,
        note=msg.OFFICE_COVERAGE_NOTE,
    )


def policies_not_raised(coverage: Table) -> list[str]:
    """活動方針 ids that no district raised."""
    return [r["policy_id"] for r in coverage.records() if r["status"] == COVERAGE_NOT_RAISED]


def policies_without_action(coverage: Table) -> list[str]:
    """活動方針 ids with no action item (取組) in any district (raised or not)."""
    return [r["policy_id"] for r in coverage.records() if r["actions"] == 0]


# --- 取組 -------------------------------------------------------------------------------------------------
ACTION_STATUSES = ("not_started", "in_progress", "done")


def actions_by_status(conn: sqlite3.Connection, plan: Plan, f: OfficeFilter = EVERYTHING) -> Table:
    """取組の進み具合: action items per district by status (未着手・進行中・完了)."""
    counts: dict[str, dict[str, int]] = {}
    for row in store.action_rows(conn, *_args(f)):
        cell = counts.setdefault(row["district_id"], dict.fromkeys(ACTION_STATUSES, 0))
        cell[row["status"]] = cell.get(row["status"], 0) + 1
    records = []
    for district_id, district in _districts(conn, f):
        cell = counts.get(district_id, dict.fromkeys(ACTION_STATUSES, 0))
        records.append(
            {"district_id": district_id, "district": district, **cell, "total": sum(cell.values())}
        )
    labels = msg.OFFICE_ACTION_STATUS_LABELS
    return _table(
        "actions",
        msg.OFFICE_TABLE_ACTIONS,
        (
            ("district_id", "地区ID", "code"),
            ("district", "地区", "text"),
            ("not_started", labels["not_started"], "int"),
            ("in_progress", labels["in_progress"], "int"),
            ("done", labels["done"], "int"),
            ("total", "合計", "int"),
        ),
        records,
        note=msg.OFFICE_ACTIONS_NOTE,
    )


def action_list(conn: sqlite3.Connection, plan: Plan, f: OfficeFilter = EVERYTHING) -> Table:
    """取組の一覧: every action item with its district, policy, owner, due date and status."""
    records = []
    for row in store.action_rows(conn, *_args(f)):
        policy = plan.policy(row["policy_id"]).name if plan.has_policy(row["policy_id"]) else ""
        records.append(
            {
                "held_on": row["held_on"],
                "district_id": row["district_id"],
                "district": row["district_name"],
                "title": row["title"],
                "owner": row["owner"],
                "due_on": row["due_on"],
                "policy_id": row["policy_id"],
                "policy": policy,
                "status": msg.OFFICE_ACTION_STATUS_LABELS.get(row["status"], row["status"]),
            }
        )
    return _table(
        "action_list",
        msg.OFFICE_TABLE_ACTION_LIST,
        (
            ("held_on", "決めた会議の日", "date"),
            ("district_id", "地区ID", "code"),
            ("district", "地区", "text"),
            ("title", "取組", "text"),
            ("owner", "だれが", "text"),
            ("due_on", "いつまでに", "date"),
            ("policy_id", "活動方針ID", "code"),
            ("policy", "活動方針", "text"),
            ("status", "状況", "text"),
        ),
        records,
    )


# --- 参加と投票率 ----------------------------------------------------------------------------------------
def turnout(conn: sqlite3.Connection, plan: Plan, f: OfficeFilter = EVERYTHING) -> Table:
    """会議ごとの参加と投票率: members, ballots of the meeting's largest vote, and the rate."""
    votes: dict[str, list[dict]] = defaultdict(list)
    for row in store.vote_rows(conn, *_args(f)):
        votes[row["uid"]].append(row)
    records = []
    for m in store.list_meetings(conn, *_args(f)):
        own = votes.get(m.uid, [])
        ballots = max((v["ballots"] for v in own), default=0)
        paper = max((v["paper_ballots"] for v in own), default=0)
        records.append(
            {
                "held_on": m.held_on,
                "fiscal_year": m.fiscal_year,
                "district_id": m.district_id,
                "district": m.district_name,
                "title": m.title,
                "members": m.members,
                "with_tablet": m.members_with_tablet,
                "votes": len(own),
                "ballots": ballots,
                "paper": paper,
                "turnout": round(ballots / m.members, 3) if m.members and own else None,
            }
        )
    return _table(
        "turnout",
        msg.OFFICE_TABLE_TURNOUT,
        (
            ("held_on", "開催日", "date"),
            ("fiscal_year", "年度", "int"),
            ("district_id", "地区ID", "code"),
            ("district", "地区", "text"),
            ("title", "会議名", "text"),
            ("members", "参加者数", "int"),
            ("with_tablet", "タブレット参加", "int"),
            ("votes", "投票の数", "int"),
            ("ballots", "投票した人", "int"),
            ("paper", "うち紙の投票", "int"),
            ("turnout", "投票率", "rate"),
        ),
        records,
    )


# --- 支え合いマップの数 ------------------------------------------------------------------------------------
def map_counts_over_time(
    conn: sqlite3.Connection, plan: Plan, f: OfficeFilter = EVERYTHING
) -> Table:
    """支え合いマップの数の移り変わり: counts by category per district and meeting date.

    Counts only (孤立している人, 見守りの空白, …): the office never sees names or notes.
    """
    records = [
        {
            "district_id": row["district_id"],
            "district": row["district_name"],
            "held_on": row["held_on"],
            "category": row["category"],
            "label": row["label"],
            "count": row["count"],
        }
        for row in store.map_count_rows(conn, *_args(f))
    ]
    return _table(
        "map_counts",
        msg.OFFICE_TABLE_MAP,
        (
            ("district_id", "地区ID", "code"),
            ("district", "地区", "text"),
            ("held_on", "開催日", "date"),
            ("category", "区分コード", "code"),
            ("label", "区分", "text"),
            ("count", "数", "int"),
        ),
        records,
        note=msg.OFFICE_MAP_NOTE,
    )


# --- the same tables as grids, for a report ---------------------------------------------------------


def heatmap_grid(heatmap: Table, plan: Plan) -> Table:
    """地区 × 重点目標 as a grid: a row per district, a column per focus goal, and totals.

    Made from :func:`goal_heatmap` (the long form, one row per district and goal). The
    column keys are the goal ids, so a writer can colour each by its 基本計画.
    """
    goals = list(plan.goals())
    rows: dict[str, dict[str, Any]] = {}
    for rec in heatmap.records():
        row = rows.setdefault(
            rec["district_id"], {"district_id": rec["district_id"], "district": rec["district"]}
        )
        row[rec["goal_id"]] = row.get(rec["goal_id"], 0) + rec["issues"]
    records = []
    for row in rows.values():
        counts = {g.id: row.get(g.id, 0) for g in goals}
        records.append({**row, **counts, "total": sum(counts.values())})
    totals = {g.id: sum(r[g.id] for r in records) for g in goals}
    if records:
        records.append({"district": msg.OFFICE_GRID_TOTAL, **totals, "total": sum(totals.values())})
    spec = [("district_id", "地区ID", "code"), ("district", "地区", "text")]
    spec += [(g.id, f"{g.id} {g.name}", "int") for g in goals]
    spec.append(("total", msg.OFFICE_GRID_TOTAL, "int"))
    return _table("heatmap_grid", msg.OFFICE_TABLE_HEATMAP_GRID, spec, records, note=heatmap.note)


def map_counts_grid(map_counts: Table) -> Table:
    """支え合いマップの数 as a grid: a row per category, a column per district's meeting.

    Made from :func:`map_counts_over_time` (one row per district, date and category), so
    the 500-row list of a city prints on two pages.
    """
    meetings: list[tuple[str, str, str]] = []
    labels: dict[str, str] = {}
    value: dict[tuple[str, str, str], int] = {}
    for rec in map_counts.records():
        key = (rec["district_id"], rec["held_on"], rec["district"])
        if key not in meetings:
            meetings.append(key)
        labels.setdefault(rec["category"], rec["label"])
        value[(rec["category"], rec["district_id"], rec["held_on"])] = rec["count"]
    meetings.sort()
    spec = [("category", "区分コード", "code"), ("label", "区分", "text")]
    spec += [(f"{d}_{on}", f"{name}\n{on}", "int") for d, on, name in meetings]
    records = [
        {
            "category": category,
            "label": label,
            **{f"{d}_{on}": value.get((category, d, on)) for d, on, _name in meetings},
        }
        for category, label in sorted(labels.items())
    ]
    return _table("map_grid", msg.OFFICE_TABLE_MAP_GRID, spec, records, note=map_counts.note)


def report_tables(
    conn: sqlite3.Connection, plan: Plan, f: OfficeFilter = EVERYTHING
) -> list[Table]:
    """The workbook's sheets: :func:`office_tables` with the heatmap also as a grid, and the
    map counts as a grid instead of their long list (the CSV folder has both forms)."""
    tables = office_tables(conn, plan, f)
    out = []
    for table in tables:
        if table.key == "heatmap":
            out.append(heatmap_grid(table, plan))
        out.append(map_counts_grid(table) if table.key == "map_counts" else table)
    return out


# --- everything ----------------------------------------------------------------------------------------
def office_tables(
    conn: sqlite3.Connection, plan: Plan, f: OfficeFilter = EVERYTHING
) -> list[Table]:
    """Every table of the city views, in the order of the page, the workbook and the report."""
    return [
        goal_heatmap(conn, plan, f),
        issue_list(conn, plan, f),
        top_priorities(conn, plan, f),
        top_items(conn, plan, f),
        plan_coverage(conn, plan, f),
        actions_by_status(conn, plan, f),
        action_list(conn, plan, f),
        turnout(conn, plan, f),
        map_counts_over_time(conn, plan, f),
        meetings_table(conn, plan, f),
    ]
