"""Counting a priority vote (集計): a pure function from ballots to a pandas result table.

Input is what the store holds: the vote's items (``id``, ``label``, ``goal_id``,
``position``) and ballots (``member_id``, ``choices`` = ``{item id: value}``, ``cast_at``).

How each method scores an item
  - ``dots`` (持ち点): the sum of the dots members gave it;
  - ``approval`` (賛成するものすべて): the number of members who approved it;
  - ``ranking`` (順位付け): Borda count over K places — rank 1 earns K points, rank 2
    K−1, …, rank K one point; unranked items earn nothing. A ballot that ranks fewer
    than K items still gives its ranks the same points (rank 1 is always worth K).

``spread`` is how many members gave the item anything (a dot, an approval, a rank):
a top item backed by two enthusiasts shows a small spread next to a big score.

One ballot per member: when several ballots of a member are given (a member who changed
their ballot), only the last counts — the latest ``cast_at``, and among equal stamps the
later one in the input. Values for items not in the vote, and values ≤ 0, are ignored.

Ties are flagged, never broken silently: ``rank`` is the competition rank ("1224": items
with equal scores share the better rank, the next rank skips), ``tied`` is True for every
item that shares its score with another item (score > 0; items nobody voted for are not
flagged), and ``tie_group`` numbers each set of tied items. Rows are ordered by score,
then by the item's position in the vote — a display order only; spread never decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kit.ids import checked_ids
from kit.plan import Plan

if TYPE_CHECKING:  # pandas (~45 MiB) is imported when a vote is first counted, not before
    import pandas as pd

RESULT_COLUMNS = [
    "item_id",
    "position",
    "label",
    "goal_id",
    "score",
    "spread",
    "first_choices",
    "rank",
    "tied",
    "tie_group",
]
PLAN_COLUMNS = [
    "basic_plan_id",
    "basic_plan",
    "color",
    "score",
    "spread",
    "items",
    "top_item",
]
NO_PLAN = ""  # basic_plan_id of items without a focus goal


def last_ballots(ballots: Iterable[Any]) -> dict[int, Mapping[int, int]]:
    """Each member's ballot that counts: the last one cast (see module docstring)."""
    latest: dict[int, tuple[str, int, Mapping[int, int]]] = {}
    for order, ballot in enumerate(ballots):
        stamp = str(getattr(ballot, "cast_at", "") or "")
        previous = latest.get(ballot.member_id)
        if previous is None or (stamp, order) >= previous[:2]:
            latest[ballot.member_id] = (stamp, order, ballot.choices)
    return {member: entry[2] for member, entry in latest.items()}


def _points(method: str, value: int, rank_k: int) -> int:
    if method == "dots":
        return value
    if method == "approval":
        return 1
    if method == "ranking":
        return max(rank_k + 1 - value, 0)
    raise ValueError(f"unknown method {method!r}")


def tally(
    method: str,
    items: Sequence[Any],
    ballots: Iterable[Any],
    *,
    rank_k: int | None = None,
) -> pd.DataFrame:
    """The result table of a vote, best first (columns :data:`RESULT_COLUMNS`).

    ``rank_k`` is K of a ranking vote (default: the number of items). ``df.attrs`` holds
    ``method``, ``voters`` (members counted) and ``total`` (all points given).

    >>> from kit.meeting.voting import ballots, cast_ballot, create_vote, proposal, vote_items
    >>> vote = create_vote(conn, meeting_id, [proposal("見守り"), proposal("サロン")],
    ...                    plan=plan, method="approval", open_now=True)
    >>> items = vote_items(conn, vote.id)
    >>> _ = cast_ballot(conn, vote.id, member_id, [items[1].id])
    >>> result = tally("approval", items, ballots(conn, vote.id))
    >>> list(result["label"]), list(result["score"]), list(result["rank"])
    (['サロン', '見守り'], [1, 0], [1, 2])
    """
    counted = last_ballots(ballots)
    k = rank_k or len(items)
    known = {item.id for item in items}
    score = dict.fromkeys(known, 0)
    spread = dict.fromkeys(known, 0)
    firsts = dict.fromkeys(known, 0)
    for choices in counted.values():
        for item_id, value in choices.items():
            if item_id not in known or value <= 0:
                continue
            points = _points(method, int(value), k)
            if points <= 0:
                continue
            score[item_id] += points
            spread[item_id] += 1
            if method == "ranking" and value == 1:
                firsts[item_id] += 1
    rows = [
        {
            "item_id": item.id,
            "position": item.position,
            "label": item.label,
            "goal_id": item.goal_id,
            "score": score[item.id],
            "spread": spread[item.id],
            "first_choices": firsts[item.id],
        }
        for item in items
    ]
    import pandas as pd

    df = pd.DataFrame(rows, columns=RESULT_COLUMNS[:7])
    # An item without a focus goal keeps ``None`` (pandas would infer a string column and
    # turn it into NaN, which is truthy and was once written to the result file as "nan").
    df["goal_id"] = pd.Series([item.goal_id or None for item in items], dtype=object)
    df = _rank(df)
    df.attrs.update(
        method=method, voters=len(counted), total=int(df["score"].sum()) if len(df) else 0
    )
    return df


def _rank(df: pd.DataFrame) -> pd.DataFrame:
    if df.empty:
        import pandas as pd

        for column in RESULT_COLUMNS[7:]:
            df[column] = pd.Series(dtype="int64" if column != "tied" else "bool")
        return df[RESULT_COLUMNS]
    df = df.sort_values(["score", "position"], ascending=[False, True], kind="stable")
    df["rank"] = df["score"].rank(method="min", ascending=False).astype("int64")
    counts = df["score"].map(df["score"].value_counts())
    df["tied"] = (counts > 1) & (df["score"] > 0)
    groups = {
        s: n for n, s in enumerate(sorted(df.loc[df["tied"], "score"].unique(), reverse=True), 1)
    }
    df["tie_group"] = df["score"].map(groups).where(df["tied"], 0).astype("int64")
    return df.reset_index(drop=True)[RESULT_COLUMNS]


def tie_groups(result: pd.DataFrame) -> list[list[str]]:
    """Labels of each set of tied items, best first (for a note next to the chart)."""
    tied = result[result["tied"]]
    return [list(group["label"]) for _, group in tied.groupby("tie_group", sort=True)]


def top_items(result: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """Rows ranked ``n`` or better with a score: ties at the boundary are all included."""
    return result[(result["rank"] <= n) & (result["score"] > 0)]


def with_plan(result: pd.DataFrame, plan: Plan, *, no_goal_color: str = "#888888") -> pd.DataFrame:
    """Add ``basic_plan_id``, ``basic_plan`` (name) and ``color`` of each item's 基本計画."""
    df = result.copy()
    ids, names, colors = [], [], []
    for goal_id in df["goal_id"]:
        if goal_id and plan.has_goal(goal_id):
            basic = plan.basic_plan_of(goal_id)
            ids.append(basic.id)
            names.append(basic.name)
            colors.append(basic.color)
        else:
            ids.append(NO_PLAN)
            names.append("")
            colors.append(no_goal_color)
    df["basic_plan_id"], df["basic_plan"], df["color"] = ids, names, colors
    return df


def tally_by_basic_plan(
    method: str,
    items: Sequence[Any],
    ballots: Iterable[Any],
    plan: Plan,
    *,
    rank_k: int | None = None,
    no_goal_color: str = "#888888",
) -> pd.DataFrame:
    """基本計画ごとの結果: score summed over a basic plan's items and ``spread`` = members who
    gave anything to at least one of them. Basic plans without items are left out; items
    without a focus goal form one row with ``basic_plan_id`` ``""``."""
    ballots = list(ballots)
    result = with_plan(
        tally(method, items, ballots, rank_k=rank_k), plan, no_goal_color=no_goal_color
    )
    plan_of_item = dict(zip(result["item_id"], result["basic_plan_id"], strict=True))
    supporters: dict[str, set[int]] = {}
    for member, choices in last_ballots(ballots).items():
        for item_id, value in choices.items():
            if item_id in plan_of_item and value > 0:
                supporters.setdefault(plan_of_item[item_id], set()).add(member)
    order = [bp.id for bp in plan.basic_plans] + [NO_PLAN]
    rows = []
    for basic_plan_id in order:
        part = result[result["basic_plan_id"] == basic_plan_id]
        if part.empty:
            continue
        rows.append(
            {
                "basic_plan_id": basic_plan_id,
                "basic_plan": part["basic_plan"].iloc[0],
                "color": part["color"].iloc[0],
                "score": int(part["score"].sum()),
                "spread": len(supporters.get(basic_plan_id, ())),
                "items": len(part),
                "top_item": part["label"].iloc[0] if part["score"].iloc[0] > 0 else "",
            }
        )
    import pandas as pd

    df = pd.DataFrame(rows, columns=PLAN_COLUMNS)
    df.attrs.update(result.attrs)
    return df


# --- reading a stored vote (the only functions here that touch the store) -------------------------
VIEW_ALL = "all"
VIEW_BY_PLAN = "by_plan"
"""The facilitator's result views: every item, the totals by basic plan, or one basic plan's
items (the view is then that basic plan's id)."""


def _stored_vote(conn, vote_id: int):
    """The one place that loads a vote, its items, its ballots and its ranking depth."""
    from kit.meeting import voting

    vote = voting.get_vote(conn, vote_id)
    items = voting.vote_items(conn, vote_id)
    return vote, items, voting.ballots(conn, vote_id), voting.rank_k_of(vote, len(items))


@checked_ids
def vote_result(conn, vote_id: int) -> pd.DataFrame:
    """:func:`tally` of a stored vote; ``attrs`` also carries ``vote_id`` and ``status``."""
    vote, items, ballots, rank_k = _stored_vote(conn, vote_id)
    result = tally(vote.method, items, ballots, rank_k=rank_k)
    result.attrs.update(vote_id=vote.id, status=vote.status)
    return result


@checked_ids
def vote_result_by_basic_plan(conn, vote_id: int, plan: Plan) -> pd.DataFrame:
    """:func:`tally_by_basic_plan` of a stored vote."""
    vote, items, ballots, rank_k = _stored_vote(conn, vote_id)
    return tally_by_basic_plan(vote.method, items, ballots, plan, rank_k=rank_k)


@checked_ids
def basic_plans_in_vote(conn, vote_id: int, plan: Plan) -> list[str]:
    """Ids of the basic plans that the vote's items belong to, in plan order (one view each)."""
    from kit.meeting import voting

    present = {
        plan.basic_plan_of(i.goal_id).id
        for i in voting.vote_items(conn, vote_id)
        if i.goal_id and plan.has_goal(i.goal_id)
    }
    return [bp.id for bp in plan.basic_plans if bp.id in present]


def result_in_view(result: pd.DataFrame, plan: Plan, view: str) -> pd.DataFrame:
    """The items of ``result`` shown in ``view`` (:data:`VIEW_ALL` or a basic plan id)."""
    if view == VIEW_ALL:
        return result
    planned = with_plan(result, plan)
    shown = result[planned["basic_plan_id"] == view]
    shown.attrs.update(result.attrs)
    return shown
