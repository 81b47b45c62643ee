"""Counting (集計): hand-computed examples for each method, ties, empty votes, changed ballots."""

from __future__ import annotations

import pytest

from kit.meeting.tally import (
    RESULT_COLUMNS,
    last_ballots,
    tally,
    tally_by_basic_plan,
    tie_groups,
    top_items,
    with_plan,
)
from kit.store.votes import Ballot, VoteItem

A, B, C, D = 11, 12, 13, 14


def items(*goals):
    names = {A: "見守り当番", B: "サロン", C: "広報", D: "送迎"}
    ids = [A, B, C, D][: len(goals)]
    return [
        VoteItem(i, 1, pos, names[i], goal)
        for pos, (i, goal) in enumerate(zip(ids, goals, strict=True), 1)
    ]


def ballot(member, choices, at="2026-01-01T10:00:00.000Z"):
    return Ballot(id=0, vote_id=1, member_id=member, is_paper=False, choices=choices, cast_at=at)


def rows(df, *columns):
    return {int(r.item_id): tuple(getattr(r, c) for c in columns) for r in df.itertuples()}


def test_dots_scores_spread_and_a_tie():
    # A: 3 + 1 = 4, B: 2 + 5 = 7, C: 4 → B first, A and C tied for second.
    result = tally(
        "dots",
        items(None, None, None),
        [ballot(1, {A: 3, B: 2}), ballot(2, {B: 5}), ballot(3, {A: 1, C: 4})],
    )
    assert list(result.columns) == RESULT_COLUMNS
    assert list(result["item_id"]) == [B, A, C]  # ties shown in vote order, not broken
    assert rows(result, "score", "spread", "rank", "tied", "tie_group") == {
        B: (7, 2, 1, False, 0),
        A: (4, 2, 2, True, 1),
        C: (4, 1, 2, True, 1),
    }
    assert result.attrs == {"method": "dots", "voters": 3, "total": 15}
    assert tie_groups(result) == [["見守り当番", "広報"]]


def test_approval_counts_members():
    # A: m1, m4 = 2; B: m1, m2, m3 = 3; C: m2 = 1.
    result = tally(
        "approval",
        items(None, None, None),
        [ballot(1, {A: 1, B: 1}), ballot(2, {B: 1, C: 1}), ballot(3, {B: 1}), ballot(4, {A: 1})],
    )
    assert rows(result, "score", "spread", "rank", "tied") == {
        B: (3, 3, 1, False),
        A: (2, 2, 2, False),
        C: (1, 1, 3, False),
    }
    assert tie_groups(result) == []


def test_ranking_borda_with_partial_ballot():
    # K = 3: rank 1 → 3 points, rank 2 → 2, rank 3 → 1.
    # m1 A>B>C: A3 B2 C1; m2 B>A>D: B3 A2 D1; m3 C>A (two ranks only): C3 A2.
    # A = 7, B = 5, C = 4, D = 1.
    result = tally(
        "ranking",
        items(None, None, None, None),
        [
            ballot(1, {A: 1, B: 2, C: 3}),
            ballot(2, {B: 1, A: 2, D: 3}),
            ballot(3, {C: 1, A: 2}),
        ],
        rank_k=3,
    )
    assert rows(result, "score", "spread", "first_choices", "rank") == {
        A: (7, 3, 1, 1),
        B: (5, 2, 1, 2),
        C: (4, 2, 1, 3),
        D: (1, 1, 0, 4),
    }


def test_ranking_tie_is_flagged():
    # K = 2: m1 A>B (A2 B1), m2 B>A (B2 A1) → 3 : 3.
    result = tally(
        "ranking", items(None, None), [ballot(1, {A: 1, B: 2}), ballot(2, {B: 1, A: 2})], rank_k=2
    )
    assert rows(result, "score", "rank", "tied") == {A: (3, 1, True), B: (3, 1, True)}
    assert len(top_items(result, 1)) == 2  # a tie at the boundary keeps both


def test_ranking_default_k_is_item_count_and_ranks_beyond_k_earn_nothing():
    result = tally("ranking", items(None, None, None), [ballot(1, {A: 1, B: 2, C: 3})])
    assert rows(result, "score") == {A: (3,), B: (2,), C: (1,)}
    result = tally("ranking", items(None, None, None), [ballot(1, {A: 1, B: 5})], rank_k=2)
    assert rows(result, "score", "spread") == {A: (2, 1), B: (0, 0), C: (0, 0)}


def test_empty_vote_no_ballots():
    result = tally("dots", items(None, None, None), [])
    assert list(result["score"]) == [0, 0, 0]
    assert list(result["rank"]) == [1, 1, 1]
    assert not result["tied"].any()  # nobody voted: nothing to break, nothing flagged
    assert result.attrs["voters"] == 0 and result.attrs["total"] == 0
    assert top_items(result).empty


def test_empty_vote_no_items():
    result = tally("approval", [], [ballot(1, {A: 1})])
    assert result.empty
    assert list(result.columns) == RESULT_COLUMNS


def test_member_who_changed_their_ballot_three_times_counts_once():
    ballots = [
        ballot(1, {A: 5}, "2026-01-01T10:00:01.000Z"),
        ballot(2, {C: 1}, "2026-01-01T10:00:02.000Z"),
        ballot(1, {B: 5}, "2026-01-01T10:00:03.000Z"),
        ballot(1, {C: 5}, "2026-01-01T10:00:04.000Z"),
        ballot(1, {A: 2, B: 3}, "2026-01-01T10:00:05.000Z"),  # the third change: this counts
    ]
    expected = {A: (2, 1), B: (3, 1), C: (1, 1)}
    result = tally("dots", items(None, None, None), ballots)
    assert rows(result, "score", "spread") == expected
    assert result.attrs["voters"] == 2
    # The order of the list does not matter: the latest cast_at wins …
    assert (
        rows(tally("dots", items(None, None, None), list(reversed(ballots))), "score", "spread")
        == expected
    )
    # … and with equal stamps the later one in the list.
    same = [ballot(1, {A: 5}), ballot(1, {B: 5}), ballot(1, {C: 1}), ballot(1, {B: 2})]
    assert last_ballots(same) == {1: {B: 2}}


def test_unknown_items_and_non_positive_values_are_ignored():
    result = tally("dots", items(None, None), [ballot(1, {A: 2, 999: 3, B: 0}), ballot(2, {B: -4})])
    assert rows(result, "score", "spread") == {A: (2, 1), B: (0, 0)}


def test_by_basic_plan_sums_and_counts_distinct_supporters(plan):
    its = items("1-(1)", "1-(2)", "2-(1)", None)
    ballots = [ballot(1, {A: 3, B: 2}), ballot(2, {B: 5}), ballot(3, {C: 4, D: 1})]
    by_plan = tally_by_basic_plan("dots", its, ballots, plan)
    got = {r.basic_plan_id: (r.score, r.spread, r.items, r.top_item) for r in by_plan.itertuples()}
    # Basic plan 1 (A, B): 3 + 2 + 5 = 10 from members 1 and 2 (member 1 counted once).
    assert got == {"1": (10, 2, 2, "サロン"), "2": (4, 1, 1, "広報"), "": (1, 1, 1, "送迎")}
    assert (
        by_plan.loc[by_plan["basic_plan_id"] == "1", "color"].item() == plan.basic_plan("1").color
    )


def test_with_plan_colours(plan):
    df = with_plan(tally("dots", items("3-(1)", None), []), plan)
    assert list(df["basic_plan_id"]) == ["3", ""]
    assert df["color"].iloc[0] == plan.basic_plan("3").color


@pytest.mark.parametrize("method", ["dots", "approval", "ranking"])
def test_tally_is_pure(method):
    its = items(None, None)
    ballots = [ballot(1, {A: 1})]
    first = tally(method, its, ballots)
    assert tally(method, its, ballots).equals(first)
    assert ballots[0].choices == {A: 1}
