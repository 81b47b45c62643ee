"""Hostile inputs (``tests/hostile_inputs.py``) through every function that takes input, and
every page built over hostile data: nothing crashes, nothing half-written, nothing runs.

Each call either succeeds or raises a :class:`KitError` with a Japanese message, in which
case the database is byte-for-byte what it was. Any other exception fails the test. Then the
pages (tablet, projector in every phase, map) are built over a meeting full of script
payloads, and no HTML the pages produce contains a payload unescaped.
"""

from __future__ import annotations

import hashlib
import math
import re

import ipywidgets as w
import pytest

from kit.errors import KitError
from kit.meeting import actions, issues, meetings, voting
from kit.store import issues as issue_store
from kit.supportmap import model as supportmap
from kit.ui.context import PageContext
from tests.hostile_inputs import (
    NOT_TEXT,
    OUT_OF_RANGE,
    SCRIPT,
    SQL,
    TEXT,
    short,
)

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
HOSTILE = TEXT + NOT_TEXT
# Ids reach kit functions from the page's own state or from a dropdown's options, never as
# free values from the browser (a crafted message can only move a dropdown's index), so
# only stale or unknown ids are tried for them.
UNKNOWN_IDS = [-1, 0, 10**9, 2**63, 10**30, "1", None, [1], 1.5, True]


def dump(conn) -> str:
    return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()


def attempt(conn, call):
    """Run ``call``: a result, or a KitError with a Japanese message and nothing written."""
    before = dump(conn)
    try:
        return call()
    except KitError as exc:
        assert JAPANESE.search(str(exc)), f"message not in Japanese: {exc!r}"
        assert dump(conn) == before, "a refused call changed the database"
        return exc


def refused(conn, call) -> KitError:
    """Run ``call``, which must be refused: a KitError in Japanese, nothing written."""
    result = attempt(conn, call)
    assert isinstance(result, KitError), f"accepted instead of refused: {result!r}"
    return result


@pytest.fixture
def issues_phase(conn, meeting, members):
    meetings.set_phase(conn, meeting.id, "issues")
    return meeting


def open_dot_vote(conn, plan, meeting, labels=("見守り", "サロン", "買い物")):
    meetings.set_phase(conn, meeting.id, "vote")
    specs = [voting.proposal(label) for label in labels]
    return voting.create_vote(conn, meeting.id, specs, plan=plan, method="dots", open_now=True)


# --- every input, every hostile value -------------------------------------------------------------
@pytest.mark.parametrize("value", HOSTILE, ids=short)
def test_join_name_and_code(conn, meeting, value):
    attempt(conn, lambda: meetings.join_meeting(conn, meeting.join_code, value))
    attempt(conn, lambda: meetings.join_meeting(conn, value, "なまえ"))


@pytest.mark.parametrize("value", HOSTILE, ids=short)
def test_meeting_title_agenda_date(conn, district, plan, value):
    for fields in ({"title": value}, {"agenda": value}, {"held_on": value}):
        args = {"title": "会議", "held_on": "2026-11-26", "agenda": ""} | fields
        attempt(
            conn,
            lambda a=args: meetings.create_meeting(
                conn, district_id=district.id, plan_id=plan.plan_id, **a
            ),
        )
    if isinstance(value, str):
        attempt(
            conn,
            lambda: meetings.create_meeting(
                conn, district_id=value, title="会議", held_on="2026-11-26", plan_id=plan.plan_id
            ),
        )


@pytest.mark.parametrize("value", HOSTILE, ids=short)
def test_issue_text_place_goal(conn, plan, issues_phase, members, value):
    m = members[0]
    base = {"text": "夜道が暗い", "goal_id": "1-(1)", "seriousness": 3, "reach": 3, "place": ""}
    for field in ("text", "place", "goal_id"):
        fields = base | {field: value}
        result = attempt(
            conn, lambda f=fields: issues.submit_issue(conn, plan, issues_phase.id, m.id, **f)
        )
        if not isinstance(result, KitError):
            stored = issue_store.get_issue(conn, result.id)
            assert stored.text == result.text and stored.place == result.place


@pytest.mark.parametrize("value", OUT_OF_RANGE + NOT_TEXT, ids=short)
def test_issue_scales(conn, plan, issues_phase, members, value):
    base = {"text": "夜道が暗い", "goal_id": "1-(1)", "seriousness": 3, "reach": 3}
    for field in ("seriousness", "reach"):
        result = attempt(
            conn,
            lambda f=field: issues.submit_issue(
                conn, plan, issues_phase.id, members[0].id, **(base | {f: value})
            ),
        )
        if not isinstance(result, KitError):
            assert 1 <= result.seriousness <= 5 and 1 <= result.reach <= 5


@pytest.mark.parametrize("value", UNKNOWN_IDS, ids=short)
def test_unknown_ids(conn, plan, issues_phase, members, value):
    base = {"text": "夜道が暗い", "goal_id": "1-(1)", "seriousness": 3, "reach": 3}
    refused(conn, lambda: issues.submit_issue(conn, plan, issues_phase.id, value, **base))
    refused(conn, lambda: issues.submit_issue(conn, plan, value, members[0].id, **base))
    refused(conn, lambda: issues.facilitator_edit_issue(conn, plan, value, None, text="あ"))
    refused(conn, lambda: issues.withdraw_issue(conn, value, members[0].id, None))
    vote = open_dot_vote(conn, plan, issues_phase)
    first = voting.vote_items(conn, vote.id)[0].id
    refused(conn, lambda: voting.cast_ballot(conn, vote.id, value, {first: 1}))
    refused(conn, lambda: voting.cast_ballot(conn, value, members[0].id, {first: 1}))
    refused(conn, lambda: voting.cast_paper_ballot(conn, vote.id, {first: 1}, member_id=value))
    refused(conn, lambda: meetings.set_phase(conn, value, "issues"))


@pytest.mark.parametrize("value", HOSTILE, ids=short)
def test_spoken_issue_and_facilitator_edit(conn, plan, issues_phase, members, value):
    attempt(
        conn,
        lambda: issues.add_spoken_issue(
            conn, plan, issues_phase.id, text="口頭の困りごと", goal_id="2-(1)", speaker_name=value
        ),
    )
    issue = issues.submit_issue(
        conn, plan, issues_phase.id, members[1].id, text="元の文", goal_id="1-(1)",
        seriousness=3, reach=3,
    )  # fmt: skip
    attempt(conn, lambda: issues.facilitator_edit_issue(conn, plan, issue.id, None, text=value))


@pytest.mark.parametrize("value", HOSTILE, ids=short)
def test_vote_title_and_proposals(conn, plan, meeting, members, value):
    meetings.set_phase(conn, meeting.id, "vote")
    attempt(
        conn,
        lambda: voting.create_vote(
            conn, meeting.id, [voting.proposal("あ"), voting.proposal("い")], plan=plan, title=value
        ),
    )
    attempt(
        conn,
        lambda: voting.create_vote(
            conn, meeting.id, [voting.proposal(value), voting.proposal("い")], plan=plan
        ),
    )
    attempt(
        conn,
        lambda: voting.create_vote(
            conn, meeting.id, [voting.proposal("あ", value), voting.proposal("い")], plan=plan
        ),
    )
    attempt(conn, lambda: voting.create_vote(conn, meeting.id, value, plan=plan))


@pytest.mark.parametrize("value", OUT_OF_RANGE + NOT_TEXT, ids=short)
def test_vote_settings(conn, plan, meeting, value):
    meetings.set_phase(conn, meeting.id, "vote")
    specs = [voting.proposal("あ"), voting.proposal("い"), voting.proposal("う")]
    for settings in (
        {"dots": value},
        {"per_item_cap": value},
        {"method": "ranking", "rank_k": value},
    ):
        vote = attempt(
            conn, lambda s=settings: voting.create_vote(conn, meeting.id, specs, plan=plan, **s)
        )
        if not isinstance(vote, KitError):
            voting.get_vote(conn, vote.id)  # readable back


@pytest.mark.parametrize("value", OUT_OF_RANGE + NOT_TEXT + SQL[:2], ids=short)
def test_ballot_choices(conn, plan, meeting, members, value):
    vote = open_dot_vote(conn, plan, meeting)
    items = [i.id for i in voting.vote_items(conn, vote.id)]
    for choices in (
        {items[0]: value},
        {items[0]: 1, items[1]: value},
        {value: 1} if isinstance(value, (int, str)) else value,
        [value],
        value,
        {items[0]: 1, 10**9: 1},
        dict.fromkeys(range(10_000), 1),
    ):
        result = attempt(
            conn, lambda c=choices: voting.cast_ballot(conn, vote.id, members[0].id, c)
        )
        if not isinstance(result, KitError):
            assert sum(result.choices.values()) <= vote.settings.dots
            assert set(result.choices) <= set(items)


@pytest.mark.parametrize("value", HOSTILE, ids=short)
def test_paper_ballot_name(conn, plan, meeting, members, value):
    vote = open_dot_vote(conn, plan, meeting)
    first = voting.vote_items(conn, vote.id)[0].id
    attempt(conn, lambda: voting.cast_paper_ballot(conn, vote.id, {first: 1}, new_name=value))


@pytest.mark.parametrize("value", HOSTILE, ids=short)
def test_action_items(conn, plan, meeting, value):
    meetings.set_phase(conn, meeting.id, "wrapup")
    base = {
        "title": "見守り当番を決める",
        "owner": "福祉委員",
        "due_on": "2026-12-20",
        "policy_id": None,
    }
    for field in ("title", "owner", "due_on", "policy_id"):
        attempt(
            conn,
            lambda f=field: actions.add_action(conn, plan, meeting.id, **(base | {f: value})),
        )


@pytest.mark.parametrize("value", HOSTILE, ids=short)
def test_map_nodes_and_links(conn, district, value):
    attempt(conn, lambda: supportmap.add_person(conn, district.id, 0.5, 0.5, label=value))
    attempt(conn, lambda: supportmap.add_person(conn, district.id, 0.5, 0.5, note=value))
    attempt(conn, lambda: supportmap.add_person(conn, district.id, 0.5, 0.5, flags=value))
    attempt(conn, lambda: supportmap.add_place(conn, district.id, 0.2, 0.2, kind=value))
    attempt(conn, lambda: supportmap.add_place(conn, district.id, 0.2, 0.2, label=value))
    if isinstance(value, str):
        attempt(conn, lambda: supportmap.add_person(conn, value, 0.5, 0.5))


@pytest.mark.parametrize("value", OUT_OF_RANGE + NOT_TEXT + [math.inf, -math.inf], ids=short)
def test_map_positions(conn, district, value):
    node = attempt(conn, lambda: supportmap.add_person(conn, district.id, value, 0.5))
    if not isinstance(node, KitError):
        assert math.isfinite(node.x)


def test_sql_text_is_stored_verbatim_and_tables_survive(conn, plan, issues_phase, members):
    for n, text in enumerate(SQL):
        issues.submit_issue(
            conn, plan, issues_phase.id, members[n % 3].id, text=text, goal_id="1-(1)",
            seriousness=3, reach=3,
        )  # fmt: skip
    stored = [i.text for i in issue_store.list_issues(conn, issues_phase.id)]
    assert stored == [t.strip() for t in SQL]
    assert conn.execute("SELECT count(*) FROM members").fetchone()[0] == 3
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# --- pages over hostile data ----------------------------------------------------------------------
NAMES = ["<script>x</script>", "<b onclick=1>x</b>", '"><i>x</i>', "<img src=x>"]
MAP_TEXT = ["&lt;i&gt;x", 'x" onmouseover="window.__pwned=1', "javascript:alert(1)"]


def html_of(widget, seen=None) -> list[str]:
    """Every piece of HTML a widget tree gives the browser to render as HTML."""
    seen = set() if seen is None else seen
    if id(widget) in seen:
        return []
    seen.add(id(widget))
    found = []
    if isinstance(widget, (w.HTML, w.HTMLMath)):
        found.append(widget.value)
    if getattr(widget, "description_allow_html", False):
        found.append(widget.description)
    style = getattr(widget, "style", None)
    if getattr(style, "description_allow_html", False):
        found.append(widget.description)
    if isinstance(widget, w.Output):
        for output in widget.outputs:
            found += [str(v) for k, v in output.get("data", {}).items() if "html" in k]
    for child in getattr(widget, "children", ()) or ():
        if isinstance(child, w.Widget):
            found += html_of(child, seen)
    return found


def assert_no_raw_payload(html: list[str], payloads: list[str], where: str) -> None:
    joined = "\n".join(html)
    raw = [p for p in payloads if p.strip() in joined]
    assert raw == [], f"{where}: unescaped user text in HTML: {raw}"


@pytest.fixture
def hostile_meeting(conn, plan, district):
    """A meeting whose every text field a member or facilitator could fill is a payload."""
    meeting = meetings.create_meeting(
        conn, district_id=district.id, title="<img src=x onerror=1>会議", held_on="2026-11-26",
        plan_id=plan.plan_id, agenda=SCRIPT[1],
    )  # fmt: skip
    members = [meetings.join_meeting(conn, meeting.join_code, n)[1] for n in NAMES]
    meetings.set_phase(conn, meeting.id, "issues")
    for n, payload in enumerate(SCRIPT):
        issues.submit_issue(
            conn, plan, meeting.id, members[n % len(members)].id, text=payload,
            goal_id=plan.goals()[n % len(plan.goals())].id, seriousness=3, reach=3,
            place=payload[:40],
        )  # fmt: skip
    issues.add_spoken_issue(
        conn, plan, meeting.id, text=SCRIPT[0], goal_id="2-(1)", speaker_name="<u>口頭</u>"
    )
    # the map refuses < and > outright (MAP_TEXT_HTML); these still try to break out
    supportmap.add_person(conn, district.id, 0.3, 0.3, label=MAP_TEXT[0], note=MAP_TEXT[1])
    supportmap.add_place(conn, district.id, 0.6, 0.6, kind="salon", label=MAP_TEXT[2])
    return meeting, members


def test_pages_show_hostile_text_as_text(conn, plan, settings, hostile_meeting):
    from kit.ui.facilitator import FacilitatorApp
    from kit.ui.member import MemberApp

    meeting, members = hostile_meeting
    payloads = SCRIPT + NAMES + ["<u>口頭</u>"]
    projector = FacilitatorApp(PageContext(conn, settings, plan))
    tablet = MemberApp(PageContext(conn, settings, plan))
    tablet.code.value, tablet.name.value = meeting.join_code, NAMES[0]
    tablet.join_button.click()
    assert tablet.ctx.member_id == members[0].id

    shown_somewhere = []
    for phase in ("issues", "map", "vote", "wrapup", "closed"):
        meetings.set_phase(conn, meeting.id, phase)
        if phase == "vote":
            ids = [i.id for i in issues.open_issues(conn, meeting.id)][:4]
            vote = voting.create_vote(
                conn, meeting.id, [voting.issue_item(i) for i in ids], plan=plan, open_now=True
            )
            items = voting.vote_items(conn, vote.id)
            voting.cast_ballot(conn, vote.id, members[1].id, {items[0].id: 1})
            voting.cast_paper_ballot(conn, vote.id, {items[1].id: 2}, new_name="<s>紙</s>")
            payloads.append("<s>紙</s>")
        if phase == "wrapup":
            voting.close_vote(conn, vote.id)
            actions.add_action(
                conn, plan, meeting.id, title=SCRIPT[0], owner="<em>係</em>",
                due_on="2026-12-20", policy_id=plan.policies()[0].id,
            )  # fmt: skip
            payloads.append("<em>係</em>")
        projector.refresh()
        tablet.refresh()
        for name, page in (("projector", projector.widget), ("tablet", tablet.widget)):
            html = html_of(page)
            assert_no_raw_payload(html, payloads, f"{name} in {phase}")
            shown_somewhere.append("\n".join(html))
    everything = "\n".join(shown_somewhere)
    from kit.text import escape

    assert escape(SCRIPT[0]) in everything  # the payloads were on the pages, escaped
    assert escape(NAMES[1]) in everything


def test_map_page_shows_hostile_text_as_text(conn, plan, settings, hostile_meeting):
    from kit.ui.map_page import MapApp

    meeting, _ = hostile_meeting
    page = MapApp(PageContext(conn, settings, plan, meeting.id))
    html = html_of(page.widget)
    assert_no_raw_payload(html, SCRIPT + MAP_TEXT, "map page")
