"""The vote on the projector (投票・進行役): set up, open, watch turnout, enter paper, close, result.

Three views follow the store: no open vote → the set-up form (items from the meeting's
困りごと or typed 対策案, the method and its settings); open → turnout in big type
(updated by the page's poller within a second), optional partial results, the paper
ballot form (紙の投票) and the close button; closed → the result chart in plan colours
with ties flagged and spread shown, whole or per 基本計画.
"""

from __future__ import annotations

import ipywidgets as w

from kit import messages as msg
from kit.charts.votes import basic_plan_spec, vote_result_spec
from kit.meeting import voting
from kit.meeting.tally import (
    VIEW_ALL,
    VIEW_BY_PLAN,
    basic_plans_in_vote,
    result_in_view,
    tie_groups,
    vote_result,
    vote_result_by_basic_plan,
)
from kit.meeting.voting import ItemSpec, Vote, VoteItem
from kit.store import meetings as meeting_store
from kit.text import escape
from kit.ui.chart import PROJECTOR_CONFIG, Chart
from kit.ui.common import Feedback, big_button, classed, guarded, heading, later, paragraph
from kit.ui.context import PageContext

PAPER_FORM_AFTER = 1.5
"""Seconds after 投票を始める before the 紙の投票 form (a field per item, ~50 widgets) is
built: the turnout goes on the projector first. At that moment every tablet draws its
ballot on the same laptop's cores; built 0.05 s after, the form's widgets reached the
projector's browser while it was still drawing the turnout."""


def _int_field(description: str, value: int, cls: str) -> w.IntText:
    field = classed(
        w.IntText(value=value, description=description, style={"description_width": "initial"}),
        cls,
    )
    field.layout = w.Layout(width="320px")
    return field


class VoteSetup:
    """投票の準備: which items, which method, which settings; then open."""

    def __init__(self, ctx: PageContext, feedback: Feedback, on_opened) -> None:
        self.ctx = ctx
        self.feedback = feedback
        self.on_opened = on_opened
        self.title = classed(
            w.Text(
                value=msg.VOTE_DEFAULT_TITLE,
                description=msg.VOTE_SETUP_NAME,
                style={"description_width": "initial"},
            ),
            "tk-vote-setup-title",
        )
        self.issue_checks: dict[int, w.Checkbox] = {}
        self._issue_key: tuple | None = None
        self.select_all = big_button(msg.VOTE_SETUP_ALL, "tk-vote-issues-all", style="")
        self.select_none = big_button(msg.VOTE_SETUP_NONE, "tk-vote-issues-none", style="")
        self.select_all.on_click(lambda _b: self._check_all(True))
        self.select_none.on_click(lambda _b: self._check_all(False))
        self.issue_area = classed(w.VBox(), "tk-vote-setup-issues")
        self.refresh()
        self.proposals: list[ItemSpec] = []
        self.proposal_text = classed(
            w.Text(placeholder=msg.VOTE_SETUP_PROPOSAL_PLACEHOLDER), "tk-vote-proposal-text"
        )
        goal_options = [(msg.VOTE_SETUP_PROPOSAL_NO_GOAL, "")] + [
            (f"{g.id} {g.plain}", g.id) for g in ctx.plan.goals()
        ]
        self.proposal_goal = classed(
            w.Dropdown(
                options=goal_options,
                value="",
                description=msg.VOTE_SETUP_PROPOSAL_GOAL,
                style={"description_width": "initial"},
            ),
            "tk-vote-proposal-goal",
        )
        add = big_button(msg.VOTE_SETUP_PROPOSAL_ADD, "tk-vote-proposal-add", style="info")
        add.on_click(guarded(feedback)(self._add_proposal))
        self.proposal_list = classed(w.VBox(), "tk-vote-proposal-list")
        self.method = classed(
            w.ToggleButtons(
                options=[(label, key) for key, label in msg.VOTE_METHOD_LABELS.items()],
                value="dots",
            ),
            "tk-vote-method",
        )
        self.dots = _int_field(msg.VOTE_SETUP_DOTS, voting.DEFAULT_DOTS, "tk-vote-dots")
        self.cap = _int_field(msg.VOTE_SETUP_CAP, 0, "tk-vote-cap")
        self.rank_k = _int_field(msg.VOTE_SETUP_RANK_K, voting.DEFAULT_RANK_K, "tk-vote-rank-k")
        self.settings_box = classed(w.HBox(), "tk-vote-settings")
        self.method.observe(lambda _c: self._show_settings(), "value")
        self._show_settings()
        self.open_button = big_button(msg.VOTE_SETUP_OPEN, "tk-vote-open", style="success")
        self.open_button.on_click(guarded(feedback)(self._open))
        self.widget = classed(
            w.VBox(
                [
                    heading(msg.VOTE_SETUP_TITLE, level=2),
                    self.title,
                    heading(msg.VOTE_SETUP_ITEMS, level=3),
                    self.issue_area,
                    paragraph(msg.VOTE_SETUP_PROPOSALS),
                    w.HBox(
                        [self.proposal_text, self.proposal_goal, add],
                        layout=w.Layout(flex_flow="row wrap"),
                    ),
                    self.proposal_list,
                    heading(msg.VOTE_SETUP_METHOD, level=3),
                    self.method,
                    self.settings_box,
                    self.open_button,
                ]
            ),
            "tk-vote-setup",
        )

    def refresh(self) -> None:
        """Follow the meeting's open issues (the form may be built before the vote phase):
        a new issue comes in checked, a merged or hidden one goes; choices made stay."""
        issues = voting.open_issues(self.ctx.conn, self.ctx.meeting_id)
        key = tuple((issue.id, issue.text) for issue in issues)
        if key == self._issue_key:
            return
        self._issue_key = key
        checks: dict[int, w.Checkbox] = {}
        for issue in issues:
            box = self.issue_checks.get(issue.id)
            if box is None:
                box = classed(
                    w.Checkbox(value=True, description=issue.text, indent=False),
                    "tk-vote-issue-check",
                    f"tk-vote-issue-{issue.id}",
                )
                box.layout = w.Layout(width="100%")
            elif box.description != issue.text:
                box.description = issue.text
            checks[issue.id] = box
        self.issue_checks = checks
        self.issue_area.children = (
            [
                paragraph(msg.VOTE_SETUP_ISSUES),
                w.HBox([self.select_all, self.select_none]),
                *checks.values(),
            ]
            if issues
            else [paragraph(msg.VOTE_SETUP_NO_ISSUES, cls="tk-vote-no-issues")]
        )

    def _check_all(self, value: bool) -> None:
        for box in self.issue_checks.values():
            box.value = value

    def _show_settings(self) -> None:
        self.settings_box.children = {
            "dots": [self.dots, self.cap],
            "approval": [],
            "ranking": [self.rank_k],
        }[self.method.value]

    def _add_proposal(self, _button=None) -> None:
        spec = voting.proposal(self.proposal_text.value, self.proposal_goal.value or None)
        # Checked again in create_vote; checked here so the mistake shows at once.
        from kit.text import clean_text

        label = clean_text(
            spec.label,
            max_chars=voting.ITEM_MAX_CHARS,
            empty_message=msg.VOTE_ITEM_EMPTY,
            too_long_message=msg.VOTE_ITEM_TOO_LONG,
            control_message=msg.TEXT_CONTROL_CHARS,
        )
        self.proposals.append(voting.proposal(label, spec.goal_id))
        self.proposal_text.value = ""
        self.feedback.clear()
        self._show_proposals()

    def _show_proposals(self) -> None:
        rows = []
        for index, spec in enumerate(self.proposals):
            remove = classed(
                big_button(msg.VOTE_SETUP_PROPOSAL_REMOVE, "tk-vote-proposal-remove", style=""),
                f"tk-vote-proposal-remove-{index}",
            )
            remove.on_click(lambda _b, i=index: self._remove_proposal(i))
            goal = f"（{spec.goal_id}）" if spec.goal_id else ""
            rows.append(
                classed(
                    w.HBox([w.Label(f"{index + 1}. {spec.label}{goal}"), remove]),
                    "tk-vote-proposal-row",
                )
            )
        self.proposal_list.children = rows

    def _remove_proposal(self, index: int) -> None:
        if 0 <= index < len(self.proposals):
            del self.proposals[index]
        self._show_proposals()

    def items(self) -> list[ItemSpec]:
        chosen = [voting.issue_item(i) for i, box in self.issue_checks.items() if box.value]
        return chosen + list(self.proposals)

    def _open(self, _button=None) -> None:
        vote = voting.create_vote(
            self.ctx.conn,
            self.ctx.meeting_id,
            self.items(),
            plan=self.ctx.plan,
            method=self.method.value,
            title=self.title.value,
            dots=self.dots.value,
            per_item_cap=self.cap.value or None,
            rank_k=self.rank_k.value,
            open_now=True,
        )
        self.feedback.ok(msg.VOTE_OPENED)
        self.on_opened(vote)


class PaperBallotForm:
    """紙の投票: the facilitator types in the ballot of a member without a tablet."""

    def __init__(
        self, ctx: PageContext, vote: Vote, items: list[VoteItem], on_saved=lambda: None
    ) -> None:
        self.ctx = ctx
        self.on_saved = on_saved
        self.vote = vote
        self.items = items
        self.feedback = Feedback("tk-vote-paper-feedback")
        self.member = classed(
            w.Dropdown(description=msg.VOTE_PAPER_MEMBER, style={"description_width": "initial"}),
            "tk-vote-paper-member",
        )
        self.new_name = classed(
            w.Text(
                description=msg.VOTE_PAPER_NEW_NAME,
                placeholder=msg.VOTE_PAPER_NEW_PLACEHOLDER,
                style={"description_width": "initial"},
            ),
            "tk-vote-paper-name",
        )
        self.inputs: dict[int, w.Widget] = {}
        self.rank_inputs: list[w.Dropdown] = []
        rows: list[w.Widget] = []
        if vote.method == "dots":
            for item in items:
                field = classed(
                    w.IntText(
                        value=0,
                        description=f"{item.position}. {item.label}",
                        style={"description_width": "initial"},
                    ),
                    "tk-vote-paper-dots",
                    f"tk-vote-paper-dots-{item.position}",
                )
                self.inputs[item.id] = field
                rows.append(field)
        elif vote.method == "approval":
            for item in items:
                box = classed(
                    w.Checkbox(
                        value=False, description=f"{item.position}. {item.label}", indent=False
                    ),
                    "tk-vote-paper-approve",
                    f"tk-vote-paper-approve-{item.position}",
                )
                self.inputs[item.id] = box
                rows.append(box)
        else:
            options = [(msg.VOTE_PAPER_RANK_NONE, None)] + [
                (f"{item.position}. {item.label}", item.id) for item in items
            ]
            for rank in range(1, voting.rank_k_of(vote, len(items)) + 1):
                field = classed(
                    w.Dropdown(
                        options=options,
                        value=None,
                        description=msg.VOTE_PAPER_RANK.format(rank=rank),
                    ),
                    "tk-vote-paper-rank",
                    f"tk-vote-paper-rank-{rank}",
                )
                self.rank_inputs.append(field)
                rows.append(field)
        self.save = big_button(msg.VOTE_PAPER_SAVE, "tk-vote-paper-save")
        self.save.on_click(guarded(self.feedback)(self._save))
        self.widget = classed(
            w.Accordion(
                children=[w.VBox([self.member, self.new_name, *rows, self.save, self.feedback])],
                titles=(msg.VOTE_PAPER_TITLE,),
                selected_index=None,
            ),
            "tk-vote-paper",
        )
        self.refresh()

    def refresh(self) -> None:
        voted = {b.member_id for b in voting.ballots(self.ctx.conn, self.vote.id)}
        members = meeting_store.list_members(self.ctx.conn, self.vote.meeting_id)
        # Everyone of the meeting: a member who joined by tablet may still hand in paper
        # (a flat battery), and typing their name again must find them here afterwards.
        options = [("", None)] + [
            (
                m.display_name
                + (msg.VOTE_PAPER_TABLET_MARK if m.has_tablet else "")
                + (msg.VOTE_PAPER_DONE_MARK if m.id in voted else ""),
                m.id,
            )
            for m in members
        ]
        if options != list(self.member.options):
            current = self.member.value
            self.member.options = options
            self.member.value = current if current in [v for _, v in options] else None

    def choices(self) -> object:
        if self.vote.method == "dots":
            return {item_id: field.value for item_id, field in self.inputs.items() if field.value}
        if self.vote.method == "approval":
            return [item_id for item_id, box in self.inputs.items() if box.value]
        return [field.value for field in self.rank_inputs if field.value is not None]

    def _save(self, _button=None) -> None:
        member, _ballot = voting.cast_paper_ballot(
            self.ctx.conn,
            self.vote.id,
            self.choices(),
            member_id=self.member.value,
            new_name=self.new_name.value,
        )
        self.feedback.ok(msg.VOTE_PAPER_SAVED.format(name=member.display_name))
        self.new_name.value = ""
        for field in self.inputs.values():
            field.value = 0 if isinstance(field, w.IntText) else False
        for field in self.rank_inputs:
            field.value = None
        self.refresh()
        if member.id in [value for _, value in self.member.options]:
            self.member.value = member.id
        self.on_saved()


class VotePanel:
    """投票 phase on the projector (see module docstring)."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.feedback = Feedback("tk-vote-panel-feedback")
        self.body = classed(w.VBox(), "tk-vote-panel-body")
        self.widget = classed(w.VBox([self.body, self.feedback]), "tk-vote-panel")
        self.state: object = "unset"
        self.creating = False
        self.vote: Vote | None = None
        self.setup: VoteSetup | None = None
        self.paper: PaperBallotForm | None = None
        self.spec = None
        self.result = None
        self._turnout: tuple | None = None
        self._signature: tuple | None = None
        self.turnout = classed(w.HTML(), "tk-vote-turnout")
        self.not_voted = classed(w.HTML(), "tk-vote-not-voted")
        self.chart = classed(Chart(config=PROJECTOR_CONFIG), "tk-vote-chart")
        self.table = classed(w.HTML(), "tk-vote-result-table")
        self.ties = classed(w.HTML(), "tk-vote-ties")
        self.refresh()

    @property
    def figure(self):
        """The chart shown, as a plotly Figure (built on request: the page sends the dict)."""
        if self.spec is None:
            return None
        import plotly.graph_objects as go

        return go.Figure(self.spec)

    # --- following the store ------------------------------------------------------------------
    def refresh(self) -> None:
        state = voting.vote_state(self.ctx.conn, self.ctx.meeting_id)
        if self.creating and (state is None or state[1] != "open"):
            if self.state != "creating":
                self.state = "creating"
                self._build_setup()
            elif self.setup is not None:
                self.setup.refresh()
            return
        self.creating = False
        if state != self.state:
            self.state = state
            if state is None:
                self._build_setup()
            elif state[1] == "open":
                self._build_open(state[0])
            else:
                self._build_closed(state[0])
        elif state is not None and state[1] == "open":
            self._update_open()
        elif state is None and self.setup is not None:
            self.setup.refresh()

    def _opened(self, vote: Vote) -> None:
        self.creating = False
        self.refresh()

    def _build_setup(self) -> None:
        self.vote = None
        self.setup = VoteSetup(self.ctx, self.feedback, self._opened)
        self.body.children = [self.setup.widget]

    # --- open -----------------------------------------------------------------------------------
    def _build_open(self, vote_id: int) -> None:
        self.vote = voting.get_vote(self.ctx.conn, vote_id)
        items = voting.vote_items(self.ctx.conn, vote_id)
        self._turnout = self._signature = None
        header = classed(
            w.HTML(
                msg.VOTE_OPEN_HEADER.format(
                    title=escape(self.vote.title),
                    method=escape(msg.VOTE_METHOD_LABELS[self.vote.method]),
                    items=len(items),
                )
            ),
            "tk-vote-header",
        )
        self.partial = classed(
            w.Checkbox(
                value=self.vote.show_partial, description=msg.VOTE_SHOW_PARTIAL, indent=False
            ),
            "tk-vote-show-partial",
        )
        self.partial.observe(guarded(self.feedback)(self._partial_changed), "value")
        self.partial_note = paragraph(msg.VOTE_PARTIAL_HIDDEN, cls="tk-vote-partial-hidden")
        self.paper = None  # built just after the turnout is shown (see _add_paper)
        self.paper_slot = classed(w.VBox(), "tk-vote-paper-slot")
        close = big_button(msg.VOTE_CLOSE, "tk-vote-close", style="danger")
        confirm = big_button(msg.VOTE_CLOSE_CONFIRM, "tk-vote-close-confirm", style="danger")
        cancel = big_button(msg.VOTE_CLOSE_CANCEL, "tk-vote-close-cancel", style="")
        self.confirm_box = classed(
            w.VBox([paragraph(msg.VOTE_CLOSE_ASK), w.HBox([confirm, cancel])]), "tk-vote-close-ask"
        )
        self.confirm_box.layout.display = "none"
        close.on_click(lambda _b: setattr(self.confirm_box.layout, "display", None))
        cancel.on_click(lambda _b: setattr(self.confirm_box.layout, "display", "none"))
        confirm.on_click(guarded(self.feedback)(self._close))
        self.chart.clear()  # the last vote's chart is not left drawn
        self.spec = None
        self.table.value = self.ties.value = ""
        self.body.children = [
            header,
            self.turnout,
            self.not_voted,
            w.HBox([close, self.partial]),
            self.confirm_box,
            self.partial_note,
            self.chart,
            self.table,
            self.ties,
            self.paper_slot,
        ]
        self._update_open()
        later(PAPER_FORM_AFTER, lambda vote=self.vote, items=items: self._add_paper(vote, items))

    def _add_paper(self, vote: Vote, items: list[VoteItem]) -> None:
        """紙の投票 (a folded form with a field per item): not needed the moment the vote
        opens, so it is built once the turnout is on the projector."""
        is_open = isinstance(self.state, tuple) and self.state[1] == "open"
        if self.vote is None or self.vote.id != vote.id or not is_open or self.paper is not None:
            return
        self.paper = PaperBallotForm(self.ctx, vote, items, self._update_open)
        self.paper_slot.children = [self.paper.widget]

    def _update_open(self) -> None:
        counts = voting.turnout(self.ctx.conn, self.vote.id)
        key = (counts.voted, counts.joined, counts.paper)
        if key != self._turnout:
            self._turnout = key
            html = msg.VOTE_TURNOUT.format(voted=counts.voted, joined=counts.joined)
            if counts.paper:
                html += msg.VOTE_TURNOUT_PAPER.format(paper=counts.paper)
            self.turnout.value = (
                f'<div class="tk-vote-turnout-box" data-voted="{counts.voted}"'
                f' data-joined="{counts.joined}">{html}</div>'
            )
            missing = voting.non_voters(self.ctx.conn, self.vote.id)
            self.not_voted.value = (
                f"<p>{escape(msg.VOTE_NOT_VOTED.format(names='、'.join(m.display_name for m in missing)))}</p>"
                if missing
                else f"<p>{escape(msg.VOTE_ALL_VOTED)}</p>"
            )
            if self.paper is not None:
                self.paper.refresh()
        show = voting.get_vote(self.ctx.conn, self.vote.id).show_partial
        if show != self.partial.value:
            self.partial.value = show
        self.partial_note.layout.display = "none" if show else None
        if show:
            signature = voting.ballots_signature(self.ctx.conn, self.vote.id)
            if signature != self._signature:
                self._signature = signature
                self._draw(VIEW_ALL)
        elif self._signature is not None:
            self._signature = None
            self.chart.clear()
            self.spec = None
            self.table.value = self.ties.value = ""

    def _partial_changed(self, change) -> None:
        if self.vote is not None and change["new"] != self.vote.show_partial:
            self.vote = voting.set_show_partial(self.ctx.conn, self.vote.id, change["new"])
            self._update_open()

    def _close(self, _button=None) -> None:
        voting.close_vote(self.ctx.conn, self.vote.id)
        self.feedback.ok(msg.VOTE_CLOSED_OK)
        self.refresh()

    # --- closed ---------------------------------------------------------------------------------
    def _build_closed(self, vote_id: int) -> None:
        self.vote = voting.get_vote(self.ctx.conn, vote_id)
        self.paper = None
        counts = voting.turnout(self.ctx.conn, vote_id)
        header = classed(
            w.HTML(
                msg.VOTE_CLOSED_HEADER.format(
                    title=escape(self.vote.title),
                    method=escape(msg.VOTE_METHOD_LABELS[self.vote.method]),
                    voters=counts.voted,
                    joined=counts.joined,
                )
            ),
            "tk-vote-header",
        )
        options = [(msg.VOTE_VIEW_ALL, VIEW_ALL), (msg.VOTE_VIEW_BY_PLAN, VIEW_BY_PLAN)]
        for bp_id in basic_plans_in_vote(self.ctx.conn, vote_id, self.ctx.plan):
            bp = self.ctx.plan.basic_plan(bp_id)
            options.append((msg.VOTE_VIEW_PLAN.format(number=bp.number, name=bp.name), bp.id))
        self.view = classed(
            w.Dropdown(options=options, value=VIEW_ALL, description=msg.VOTE_VIEW), "tk-vote-view"
        )
        self.view.observe(guarded(self.feedback)(lambda c: self._draw(c["new"])), "value")
        new = big_button(msg.VOTE_NEW, "tk-vote-new", style="")
        new.on_click(guarded(self.feedback)(self._new_vote))
        # The table (what the room reads) beside the chart on a wide projector, above it on a
        # narrow one: both start right under the header, above the fold.
        result = classed(
            w.HBox(
                [
                    classed(w.VBox([self.table, self.ties]), "tk-vote-result-side"),
                    classed(w.VBox([self.chart, self.view]), "tk-vote-result-chart"),
                ]
            ),
            "tk-vote-result-row",
        )
        self.body.children = [header, result, new]
        self._draw(VIEW_ALL)

    def _new_vote(self, _button=None) -> None:
        self.creating = True
        self.feedback.clear()
        self.refresh()

    def _draw(self, view: str) -> None:
        """Draw the result (closed, or partial when the facilitator allows it)."""
        result = vote_result(self.ctx.conn, self.vote.id)
        self.result = result
        voters = result.attrs["voters"]
        if view == VIEW_BY_PLAN:
            by_plan = vote_result_by_basic_plan(self.ctx.conn, self.vote.id, self.ctx.plan)
            self.spec = basic_plan_spec(by_plan, self.ctx.plan, voters=voters)
        else:
            shown = result_in_view(result, self.ctx.plan, view)
            self.spec = vote_result_spec(shown, self.ctx.plan, voters=voters)
        # A plain dict: no plotly import, no validation between 締め切る and the chart.
        self.chart.show(self.spec)
        groups = tie_groups(result)
        if voters == 0:
            self.ties.value = f"<p>{escape(msg.VOTE_NO_BALLOTS)}</p>"
        elif groups:
            text = "／".join("・".join(labels) for labels in groups)
            self.ties.value = (
                f'<p class="tk-vote-ties-line">{escape(msg.VOTE_TIES.format(groups=text))}</p>'
            )
        else:
            self.ties.value = f"<p>{escape(msg.VOTE_TIES_NONE)}</p>"
        self.table.value = result_table_html(result)


def result_table_html(result) -> str:
    """The result as a large table (rank, item, score, spread); labels escaped."""
    rows = []
    for row in result.itertuples():
        tie = (
            f' <span class="tk-vote-tie-mark">{escape(msg.VOTE_CHART_TIE_MARK)}</span>'
            if row.tied
            else ""
        )
        rows.append(
            f'<tr data-item="{int(row.item_id)}" data-score="{int(row.score)}"'
            f' data-spread="{int(row.spread)}" data-tied="{int(bool(row.tied))}">'
            f"<td>{int(row.rank)}</td><td>{escape(row.label)}{tie}</td>"
            f"<td>{int(row.score)}</td><td>{int(row.spread)}</td></tr>"
        )
    method = result.attrs.get("method", "dots")
    head = (
        f"<tr><th>{escape(msg.VOTE_TABLE_RANK)}</th><th>{escape(msg.VOTE_TABLE_ITEM)}</th><th>{escape(msg.VOTE_CHART_SCORE[method])}</th>"
        f"<th>{escape(msg.VOTE_CHART_SPREAD.format(voters=result.attrs.get('voters', 0)))}</th></tr>"
    )
    return f'<table class="tk-vote-table">{head}{"".join(rows)}</table>'
