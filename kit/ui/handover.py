"""事務局へ提出: the facilitator's one-button save of the meeting result file (終了 / まとめ).

The file goes to ``settings.results_dir``; each save is a new revision (版). The panel
only calls :func:`kit.resultfile.write.save_result_file`, which checks the phase itself.
"""

from __future__ import annotations

import ipywidgets as w

from kit import messages as msg
from kit.resultfile.format import SavedResult
from kit.resultfile.write import save_result_file, saved_result_files
from kit.text import escape
from kit.ui.common import Feedback, big_button, classed, guarded, heading, paragraph
from kit.ui.context import PageContext
from kit.ui.record import RecordPanel


class HandoverPanel:
    """One big button 「事務局へ提出するファイルを保存」 and where the file went."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.last: SavedResult | None = None
        self.feedback = Feedback("tk-handover-feedback")
        self.save_button = big_button(msg.HANDOVER_SAVE, "tk-handover-save", icon="save")
        self.save_button.layout.min_height = "72px"
        self.save_button.on_click(guarded(self.feedback)(self.save))
        self.saved_info = classed(w.HTML(), "tk-handover-saved")
        self.earlier = classed(w.HTML(), "tk-handover-earlier")
        self.record = RecordPanel(ctx)  # the 会議録 is saved from the same phases
        self.widget = classed(
            w.VBox(
                [
                    heading(msg.HANDOVER_TITLE, level=2),
                    paragraph(msg.HANDOVER_INTRO),
                    paragraph(msg.HANDOVER_PRIVACY, cls="tk-handover-privacy"),
                    self.save_button,
                    self.feedback,
                    self.saved_info,
                    self.earlier,
                    self.record.widget,
                ]
            ),
            "tk-handover",
        )
        self.refresh()

    def save(self, _button=None) -> SavedResult:
        """Save now (a new revision each time) and show the folder and the file name."""
        saved = save_result_file(
            self.ctx.conn, self.ctx.plan, self.ctx.meeting_id, self.ctx.settings.results_dir
        )
        self.last = saved
        self.feedback.ok(msg.HANDOVER_SAVED.format(revision=saved.revision))
        counts = msg.HANDOVER_SAVED_COUNTS.format(
            issues=saved.counts.get("issues", 0),
            votes=saved.counts.get("votes", 0),
            actions=saved.counts.get("actions", 0),
        )
        lines = (
            msg.HANDOVER_SAVED_NAME.format(name=saved.name),
            msg.HANDOVER_SAVED_WHERE.format(folder=saved.path.parent),
            counts,
        )
        self.saved_info.value = "".join(
            f'<div class="tk-handover-line">{escape(line)}</div>' for line in lines
        )
        self.refresh()
        return saved

    def refresh(self) -> None:
        """List files of this meeting already in the results folder (newest last)."""
        if self.ctx.meeting_id is None:
            return
        names = saved_result_files(
            self.ctx.conn, self.ctx.meeting_id, self.ctx.settings.results_dir
        )
        if not names:
            self.earlier.value = f"<p>{escape(msg.HANDOVER_NOT_SAVED_YET)}</p>"
            return
        items = "".join(f"<li>{escape(name)}</li>" for name in names[-5:])
        self.earlier.value = f"<p>{escape(msg.HANDOVER_EARLIER)}</p><ul>{items}</ul>"
