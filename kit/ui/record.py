"""会議録を保存: the facilitator's button for the meeting record (まとめ and 終了).

It writes the A4 printable, offline HTML of :mod:`kit.record` to ``settings.records_dir``
and offers the same file as a download link, to open and print at once.
"""

from __future__ import annotations

import base64
from pathlib import Path

import ipywidgets as w

from kit import messages as msg
from kit.record.page import write_record
from kit.text import escape
from kit.ui.common import Feedback, big_button, classed, guarded, heading, paragraph
from kit.ui.context import PageContext


class RecordPanel:
    """One button 「会議録を保存」, where the file went, and a link that opens it."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.last: Path | None = None
        self.feedback = Feedback("tk-record-feedback")
        self.save_button = big_button(msg.RECORD_SAVE, "tk-record-save", style="info", icon="print")
        self.save_button.on_click(guarded(self.feedback)(self.save))
        self.saved_info = classed(w.HTML(), "tk-record-saved")
        self.widget = classed(
            w.VBox(
                [
                    heading(msg.RECORD_SECTION, level=2),
                    paragraph(msg.RECORD_INTRO),
                    self.save_button,
                    self.feedback,
                    self.saved_info,
                ]
            ),
            "tk-record",
        )

    def save(self, _button=None) -> Path:
        """Write the record now (the latest state of the meeting) and link to it."""
        path = write_record(
            self.ctx.conn, self.ctx.plan, self.ctx.meeting_id, self.ctx.settings.records_dir
        )
        self.last = path
        self.feedback.ok(msg.RECORD_SAVED)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        self.saved_info.value = (
            f'<div class="tk-record-line">{escape(msg.RECORD_SAVED_WHERE.format(path=path))}</div>'
            f'<a class="tk-record-open" download="{escape(path.name)}" '
            f'href="data:text/html;charset=utf-8;base64,{data}">{escape(msg.RECORD_OPEN_LINK)}</a>'
        )
        return path

    def refresh(self) -> None:
        """Nothing follows the store here: the record is written when the button is pressed."""
