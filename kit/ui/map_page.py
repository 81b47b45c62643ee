"""The 支え合いマップ page on the projector (``map.ipynb``, facilitator key only).

The map is sealed at rest: the page first shows :class:`~kit.ui.map_gate.PassphraseGate`
(the district's passphrase, or choosing it the first time); only then is anything read, and
the key stays in this kernel until 「地図を閉じる」 or the page closes.

The district's map is a plotly figure drawn by :class:`~kit.ui.map_figure.MapFigure` (plotly.js
cached by the browser; only the figure and the clicks go through the websocket): click to
place a person or a place, pick two to draw a line, edit flags and notes in the side form,
delete and undo. Every action calls :mod:`kit.supportmap.model` and is committed at once; the
page then re-reads the store, so a reload or a restarted server shows exactly what was saved.

While the passphrase is typed, the browser loads plotly.js and this kernel imports what the
map needs (networkx, plotly's figure classes) in a background thread, so 「開く」 only costs
the key, reading the map and drawing it; until it is drawn, 「地図を読み込み中…」 shows.
"""

from __future__ import annotations

import threading

import ipywidgets as w

from kit import messages as msg
from kit.charts.supportmap import map_figure
from kit.errors import KitError, NotFoundError, ValidationError
from kit.store import meetings as meeting_store
from kit.supportmap import model as sm
from kit.supportmap import retention, vault
from kit.supportmap.analysis import MapAnalysis, analyse_map
from kit.supportmap.handout import write_handout
from kit.supportmap.render import changes_html, changes_since_baseline, findings_html
from kit.text import escape
from kit.ui.common import Feedback, StorePoller, big_button, classed, guarded, heading
from kit.ui.context import PageContext
from kit.ui.map_figure import MapFigure
from kit.ui.map_gate import PassphraseGate

MODES = tuple(msg.MAP_MODES)
PLOTLY_CONFIG = {"displayModeBar": False, "scrollZoom": False, "doubleClick": False}
NODE_TRACES = ("places", "persons:concern", "persons:helper")


class MapApp:
    """支え合いマップ editor: figure on the left, tools, form and findings on the right."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.conn = ctx.conn
        self.district_id: str | None = None
        self.meeting_id: int | None = None
        self.data: sm.MapData = sm.MapData((), ())
        self.analysis: MapAnalysis | None = None
        self.selected_id: int | None = None
        self.link_from_id: int | None = None
        self.move_id: int | None = None
        self._background_stamp: object = object()
        self._background: sm.MapBackground | None = None
        self._warmed = False
        self._loading = False
        self._delete_pending: int | None = None
        self._retention_pending = False
        self._polling = False

        self.feedback = Feedback("tk-map-feedback")
        self.title = classed(w.HTML(), "tk-map-title")
        # The figure's widget is there from the start (empty), so the browser loads plotly.js
        # while the passphrase is typed; ``figure`` is it once a map is drawn, else None.
        self.figure_widget = classed(MapFigure(config=PLOTLY_CONFIG), "tk-map-figure")
        self.figure_widget.on_click(self._figure_clicked)
        self.figure_widget.on_ready(self._warm_up)
        self.figure: MapFigure | None = None
        self.figure_box = classed(w.Box([self.figure_widget]), "tk-map-figure-box")
        self._build_tools()
        self._build_form()
        self._build_reading()
        self._build_chooser()
        side = classed(
            w.Tab(
                children=[self.edit_tab, self.reading_tab, self.files_tab],
                titles=(msg.MAP_TAB_EDIT, msg.MAP_TAB_READING, msg.MAP_TAB_FILES),
            ),
            "tk-map-side",
        )
        self.side = side
        self.main = classed(w.HBox([self.figure_box, side]), "tk-map-main")
        self.gate = PassphraseGate(self.conn, self._unlocked)
        self.lock_button = big_button(msg.MAP_LOCK, "tk-map-lock", style="")
        self.lock_button.on_click(self._guarded(self._lock_clicked))
        self.widget = classed(
            w.VBox(
                [
                    heading(msg.MAP_APP_TITLE, cls="tk-app-title"),
                    self.gate.widget,
                    self.lock_button,
                    self.title,
                    self.chooser,
                    self.feedback,
                    self.main,
                ]
            ),
            "tk-page",
            "tk-projector-page",
            "tk-map-page",
        )
        self.poller = StorePoller(self.conn, self.refresh, ctx.settings.poll_seconds)
        if vault.is_unlocked(self.conn):
            self._unlocked()
        else:
            self._show_locked()

    # --- the passphrase -----------------------------------------------------------------------------
    def _guarded(self, callback):
        """Like :func:`guarded`, and a callback that finds the map locked (the passphrase was
        changed on another page) closes the map here: nothing stays shown without the key."""

        def run(*args, **kwargs):
            try:
                return callback(*args, **kwargs)
            except vault.MapLockedError:
                self._lock()
                raise

        return guarded(self.feedback)(run)

    def _show_locked(self) -> None:
        for part in (self.lock_button, self.title, self.chooser, self.main):
            part.layout.display = "none"
        self.gate.show()

    def _unlocked(self) -> None:
        """The gate has the key: show the map (and keep following the store)."""
        self.lock_button.layout.display = None
        self.title.layout.display = None
        self.chooser.layout.display = None
        self._choose_initial()
        if not self._polling:
            self.poller.start()
            self._polling = True

    def _lock_clicked(self, _button=None) -> None:
        self._lock()
        self.feedback.ok(msg.MAP_LOCKED_NOW)

    def _lock(self) -> None:
        """Forget the key and everything read with it (the figure, the form, the lists)."""
        self.poller.stop()
        self._polling = False
        vault.lock(self.conn)
        self.district_id = self.meeting_id = None
        self.data, self.analysis = sm.MapData((), ()), None
        self.selected_id = self.link_from_id = self.move_id = self._delete_pending = None
        self._retention_pending = False
        self.figure = None
        self.figure_widget.clear()
        self._background_stamp, self._background = object(), None
        self._loading = True
        try:
            for field in (self.label, self.area, self.note, self.opening):
                field.value = ""
            self.links_list.options = []
        finally:
            self._loading = False
        for html in (self.summary, self.changes, self.title, self.form_title, self.handout_result):
            html.value = ""
        self._show_locked()

    # --- building ---------------------------------------------------------------------------------
    def _build_tools(self) -> None:
        guard = self._guarded
        self.mode = classed(
            w.ToggleButtons(options=[(msg.MAP_MODES[m], m) for m in MODES], value="select"),
            "tk-map-mode",
        )
        self.mode.observe(guard(self._mode_changed), "value")
        self.hint = classed(w.HTML(), "tk-map-hint")
        self.link_kind = classed(
            w.Dropdown(
                options=[(t.label, t.id) for t in sm.LINK_KINDS],
                value="watch",
                description=msg.MAP_NEW_LINK_KIND,
            ),
            "tk-map-link-kind",
        )
        self.link_strength = classed(
            w.ToggleButtons(
                options=[(t.label, t.id) for t in sm.STRENGTHS],
                value="strong",
                description=msg.MAP_NEW_LINK_STRENGTH,
            ),
            "tk-map-link-strength",
        )
        self.place_kind = classed(
            w.Dropdown(
                options=[(t.label, t.id) for t in sm.PLACE_KINDS],
                value="salon",
                description=msg.MAP_NEW_PLACE_KIND,
            ),
            "tk-map-place-kind",
        )
        self.undo_button = big_button(msg.MAP_UNDO, "tk-map-undo", style="warning")
        self.undo_button.on_click(guard(self._undo))
        self.undo_what = classed(w.Label(), "tk-map-undo-what")
        self.findings_toggle = classed(
            w.ToggleButton(description=msg.MAP_FINDINGS_TOGGLE, value=False, icon="eye"),
            "tk-map-findings",
        )
        self.findings_toggle.layout = w.Layout(width="auto", min_height="56px")
        self.findings_toggle.observe(guard(self._findings_toggled), "value")
        self.tools = classed(
            w.VBox(
                [
                    self.findings_toggle,
                    w.HTML(f"<b>{escape(msg.MAP_MODE_LABEL)}</b>"),
                    self.mode,
                    self.hint,
                    self.link_kind,
                    self.link_strength,
                    self.place_kind,
                    classed(
                        w.HBox(
                            [self.undo_button, self.undo_what],
                            layout=w.Layout(align_items="center"),
                        ),
                        "tk-map-undo-row",
                    ),
                ]
            ),
            "tk-map-tools",
        )
        self._mode_changed()

    def _build_form(self) -> None:
        guard = self._guarded
        self.form_title = classed(w.HTML(), "tk-map-form-title")
        self.label = classed(
            w.Text(description=msg.MAP_FORM_LABEL, continuous_update=False), "tk-map-label"
        )
        self.flag_boxes = {
            t.id: classed(
                w.Checkbox(description=t.label, indent=False), "tk-map-flag", f"tk-map-flag-{t.id}"
            )
            for t in sm.FLAGS
        }
        for box in self.flag_boxes.values():
            box.observe(guard(self._flags_changed), "value")
        self.flags_box = classed(
            w.VBox(
                [
                    w.HTML(f"<b>{escape(msg.MAP_FORM_FLAGS)}</b>"),
                    w.GridBox(
                        list(self.flag_boxes.values()),
                        layout=w.Layout(grid_template_columns="repeat(2, 1fr)"),
                    ),
                ]
            ),
            "tk-map-flags",
        )
        self.area = classed(
            w.Text(description=msg.MAP_FORM_AREA, continuous_update=False), "tk-map-area"
        )
        self.note = classed(
            w.Textarea(description=msg.MAP_FORM_NOTE, continuous_update=False), "tk-map-note"
        )
        self.kind = classed(
            w.Dropdown(
                options=[(t.label, t.id) for t in sm.PLACE_KINDS], description=msg.MAP_FORM_KIND
            ),
            "tk-map-kind",
        )
        self.opening = classed(
            w.Text(description=msg.MAP_FORM_OPENING, continuous_update=False), "tk-map-opening"
        )
        for field in (self.label, self.area, self.note, self.opening):
            field.observe(guard(self._field_changed), "value")
        self.kind.observe(guard(self._field_changed), "value")
        self.save_button = big_button(msg.MAP_FORM_SAVE, "tk-map-save")
        self.save_button.on_click(guard(self._save))
        self.delete_button = big_button(msg.MAP_FORM_DELETE, "tk-map-delete", style="danger")
        self.delete_button.on_click(guard(self._delete))
        self.delete_question = classed(w.HTML(), "tk-map-delete-question")
        self.delete_yes = big_button(msg.MAP_DELETE_YES, "tk-map-delete-yes", style="danger")
        self.delete_yes.on_click(guard(self._delete_confirmed))
        self.delete_no = big_button(msg.MAP_DELETE_NO, "tk-map-delete-no", style="")
        self.delete_no.on_click(guard(self._delete_cancelled))
        self.delete_confirm = classed(
            w.VBox([self.delete_question, w.HBox([self.delete_yes, self.delete_no])]),
            "tk-map-delete-confirm",
        )
        self.delete_confirm.layout.display = "none"
        self.links_list = classed(w.Select(options=[], rows=5), "tk-map-links")
        self.link_delete = big_button(msg.MAP_FORM_LINK_DELETE, "tk-map-link-delete", style="")
        self.link_delete.on_click(guard(self._delete_link))
        self.form_fields = classed(
            w.VBox(
                [
                    self.label,
                    classed(
                        w.HTML(f"<small>{escape(msg.MAP_FORM_LABEL_HINT)}</small>"),
                        "tk-map-label-hint",
                    ),
                    self.flags_box,
                    self.kind,
                    self.opening,
                    self.area,
                    self.note,
                    w.HBox([self.save_button, self.delete_button]),
                    self.delete_confirm,
                    w.HTML(f"<b>{escape(msg.MAP_FORM_LINKS)}</b>"),
                    self.links_list,
                    self.link_delete,
                ]
            ),
            "tk-map-form-fields",
        )
        self.form = classed(w.VBox([self.form_title, self.form_fields]), "tk-map-form")
        self.edit_tab = classed(w.VBox([self.tools, self.form]), "tk-map-edit-tab")

    def _build_reading(self) -> None:
        self.summary = classed(w.HTML(), "tk-map-summary")
        self.changes = classed(w.HTML(), "tk-map-changes")
        self.reading_tab = classed(
            w.VBox([heading(msg.MAP_SUMMARY_TITLE, level=3), self.summary, self.changes]),
            "tk-map-reading-tab",
        )
        guard = self._guarded
        self.upload = classed(
            w.FileUpload(
                accept=".png,.jpg,.jpeg,image/png,image/jpeg",
                multiple=False,
                description=msg.MAP_BACKGROUND_UPLOAD.format(
                    limit_mb=sm.BACKGROUND_MAX_BYTES // 1024 // 1024
                ),
            ),
            "tk-map-upload",
        )
        self.upload.layout = w.Layout(width="auto", min_height="56px")
        self.upload.observe(guard(self._uploaded), "value")
        self.background_remove = big_button(
            msg.MAP_BACKGROUND_REMOVE, "tk-map-background-remove", style=""
        )
        self.background_remove.on_click(guard(self._remove_background))
        self.handout_button = big_button(msg.MAP_HANDOUT, "tk-map-handout", style="success")
        self.handout_button.on_click(guard(self._handout))
        self.handout_result = classed(w.HTML(), "tk-map-handout-result")
        self.backup_button = big_button(msg.MAP_BACKUP, "tk-map-backup", style="")
        self.backup_button.on_click(guard(self._backup))
        self._build_keeping()
        self.files_tab = classed(
            w.VBox(
                [
                    w.HTML(f"<b>{escape(msg.MAP_BACKGROUND_TITLE)}</b>"),
                    self.upload,
                    self.background_remove,
                    w.HTML("<hr>"),
                    self.handout_button,
                    self.backup_button,
                    self.handout_result,
                    classed(w.HTML(f"<p>{escape(msg.MAP_PRIVACY_NOTE)}</p>"), "tk-map-privacy"),
                    classed(
                        w.HTML(f"<p>{escape(msg.MAP_FORGET_WARNING)}</p>"), "tk-map-forget-note"
                    ),
                    w.HTML("<hr>"),
                    self.retention_box,
                    w.HTML("<hr>"),
                    self.passphrase_box,
                ]
            ),
            "tk-map-files-tab",
        )

    def _build_keeping(self) -> None:
        """The retention period (with a confirmation) and changing the passphrase."""
        guard = self._guarded
        self.retention_status = classed(w.HTML(), "tk-map-retention-status")
        self.retention_button = big_button(
            msg.MAP_RETENTION_DELETE, "tk-map-retention-delete", style="danger"
        )
        self.retention_button.on_click(guard(self._retention_clicked))
        self.retention_confirm = classed(w.HTML(), "tk-map-retention-confirm")
        self.retention_box = classed(
            w.VBox(
                [
                    w.HTML(f"<b>{escape(msg.MAP_RETENTION_TITLE)}</b>"),
                    self.retention_status,
                    self.retention_confirm,
                    self.retention_button,
                ]
            ),
            "tk-map-retention",
        )
        self.old_passphrase = classed(
            w.Password(description=msg.MAP_PASS_CHANGE_OLD), "tk-map-passphrase-old"
        )
        self.new_passphrase = classed(
            w.Password(description=msg.MAP_PASS_CHANGE_NEW), "tk-map-passphrase-new"
        )
        self.new_passphrase_again = classed(
            w.Password(description=msg.MAP_PASS_CHANGE_CONFIRM), "tk-map-passphrase-new-confirm"
        )
        self.passphrase_button = big_button(
            msg.MAP_PASS_CHANGE, "tk-map-passphrase-change", style=""
        )
        self.passphrase_button.on_click(guard(self._change_passphrase))
        self.passphrase_box = classed(
            w.VBox(
                [
                    w.HTML(f"<b>{escape(msg.MAP_PASS_CHANGE_TITLE)}</b>"),
                    self.old_passphrase,
                    self.new_passphrase,
                    self.new_passphrase_again,
                    self.passphrase_button,
                ]
            ),
            "tk-map-passphrase-box",
        )

    def _build_chooser(self) -> None:
        guard = self._guarded
        self.district_choice = classed(
            w.Dropdown(description=msg.MAP_CHOOSE_DISTRICT), "tk-map-district"
        )
        self.meeting_choice = classed(
            w.Dropdown(description=msg.MAP_CHOOSE_MEETING), "tk-map-meeting"
        )
        self.district_choice.observe(guard(self._district_picked), "value")
        self.open_button = big_button(msg.MAP_CHOOSE_OPEN, "tk-map-open", style="")
        self.open_button.on_click(guard(self._open_chosen))
        self.chooser = classed(
            w.Accordion(
                children=[w.VBox([self.district_choice, self.meeting_choice, self.open_button])],
                titles=(msg.MAP_CHOOSE_TITLE,),
                selected_index=None,
            ),
            "tk-map-choose",
        )

    # --- choosing the map -----------------------------------------------------------------------
    def _choose_initial(self) -> None:
        districts = meeting_store.list_districts(self.conn)
        self.district_choice.options = [(d.name, d.id) for d in districts]
        meeting = None
        if self.ctx.meeting_id is not None:
            meeting = meeting_store.get_meeting(self.conn, self.ctx.meeting_id)
        else:
            meeting = meeting_store.current_meeting(self.conn)
        if meeting is not None:
            self.open_map(meeting.district_id, meeting.id)
        else:
            self.main.layout.display = "none"
            self.chooser.selected_index = 0
            self.title.value = f"<p>{escape(msg.MAP_NO_DISTRICT)}</p>"

    def _district_picked(self, _change=None) -> None:
        district_id = self.district_choice.value
        if district_id is None:
            self.meeting_choice.options = []
            return
        meetings = list(reversed(meeting_store.list_meetings(self.conn, district_id)))
        self.meeting_choice.options = [(msg.MAP_CHOOSE_NO_MEETING, None)] + [
            (f"{m.held_on} {m.title}（{msg.PHASE_LABELS[m.phase]}）", m.id) for m in meetings
        ]
        open_ones = [m for m in meetings if m.phase != "closed"]
        self.meeting_choice.value = open_ones[0].id if open_ones else None

    def _open_chosen(self, _button=None) -> None:
        if self.district_choice.value is None:
            raise ValidationError(msg.MAP_NO_DISTRICT)
        self.open_map(self.district_choice.value, self.meeting_choice.value)
        self.chooser.selected_index = None

    def open_map(self, district_id: str, meeting_id: int | None) -> None:
        """Show the map of ``district_id``; changes are compared with ``meeting_id``'s start."""
        district = meeting_store.get_district(self.conn, district_id)
        meeting = (
            meeting_store.get_meeting(self.conn, meeting_id) if meeting_id is not None else None
        )
        if meeting is not None and meeting.district_id != district.id:
            raise ValidationError(msg.MAP_NO_DISTRICT)
        # no baseline here: the meeting takes it itself (entering the map phase, first edit)
        self.district_id = district.id
        self.meeting_id = meeting.id if meeting else None
        self.ctx.meeting_id = self.meeting_id
        self.selected_id = self.link_from_id = self.move_id = None
        self._background_stamp, self._background = object(), None
        self.title.value = escape(
            msg.MAP_APP_DISTRICT.format(
                district=district.name,
                meeting=f"{meeting.held_on} {meeting.title}" if meeting else msg.MAP_APP_NO_MEETING,
            )
        ).join(("<h2>", "</h2>"))
        if self.district_choice.value != district.id:
            self.district_choice.value = district.id
        self.main.layout.display = None
        self.refresh()

    # --- reading the store --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the map from the store and redraw everything (after any write, by anyone)."""
        if self.district_id is None:
            return
        try:
            self._refresh()
        except vault.MapLockedError as exc:
            self._lock()
            self.feedback.error(exc.message)

    def _refresh(self) -> None:
        self.data = sm.load_map(self.conn, self.district_id)
        self.analysis = analyse_map(self.data)
        alive = {n.id for n in self.data.nodes}
        if self.selected_id not in alive:
            self.selected_id = None
        if self.link_from_id not in alive:
            self.link_from_id = None
        if self.move_id not in alive:
            self.move_id = None
        self._draw()
        self.summary.value = findings_html(self.analysis)
        self.changes.value = changes_html(
            changes_since_baseline(self.conn, self.meeting_id, self.data)
        )
        what = sm.undo_description(self.conn, self.district_id)
        self.undo_button.disabled = what is None
        self.undo_what.value = msg.MAP_UNDO_WHAT.format(what=what) if what else ""
        self._load_form()
        self._show_retention()

    def _draw(self) -> None:
        stamp = sm.background_stamp(self.conn, self.district_id)
        if stamp != self._background_stamp:  # read (and decrypted) only when it changed
            self._background = sm.get_background(self.conn, self.district_id)
            self._background_stamp = stamp
        fig = map_figure(
            self.data,
            analysis=self.analysis,
            show_findings=self.findings_toggle.value,
            background=self._background,
            selected_id=self.selected_id,
            link_from_id=self.link_from_id or self.move_id,
            clickable=True,
        )
        self.figure_widget.show(fig)
        self.figure = self.figure_widget

    def _warm_up(self) -> None:
        """Once the page is shown: import what drawing a map needs, off the main thread."""
        if self._warmed:
            return
        self._warmed = True
        threading.Thread(target=warm_up, name="tk-map-warm-up", daemon=True).start()

    def _after_write(self) -> None:
        """Redraw now: the poller sees our own commit and refreshes (updating its token)."""
        if not self.poller.check():
            self.refresh()

    # --- clicks on the figure ---------------------------------------------------------------------
    def _figure_clicked(self, trace, points) -> None:
        """A click the browser reported on ``trace`` (looked up in the kernel's figure)."""
        if trace.meta == "click":
            self._clicked_empty(trace, points)
        elif trace.meta in NODE_TRACES or str(trace.meta).startswith("finding:"):
            self._clicked_node(trace, points)

    def _clicked_empty(self, _trace, points, _state=None) -> None:
        """Plotly's click on the invisible layer (it calls every trace: most get no point)."""
        if points.point_inds:
            self._guarded(self.on_map_click)(points.xs[0], points.ys[0])

    def _clicked_node(self, trace, points, _state=None) -> None:
        if points.point_inds:
            self._guarded(self._node_at)(trace, points.point_inds[0])

    def _node_at(self, trace, index: int) -> None:
        try:
            node_id = int(trace.customdata[index])
        except (IndexError, TypeError, ValueError) as exc:
            raise NotFoundError(msg.MAP_NODE_NOT_FOUND) from exc
        self.on_node_click(node_id)

    def on_map_click(self, x: float, y: float) -> None:
        """A click on an empty spot of the map at (x, y), according to the mode."""
        if self.district_id is None:
            raise ValidationError(msg.MAP_NO_DISTRICT)
        mode = self.mode.value
        self.feedback.clear()
        if mode == "person":
            node = sm.add_person(self.conn, self.district_id, x, y)
            self._select(node.id)
            self.feedback.ok(msg.MAP_ADDED_NODE.format(label=node.label))
        elif mode == "place":
            node = sm.add_place(self.conn, self.district_id, x, y, kind=self.place_kind.value)
            self._select(node.id)
            self.feedback.ok(msg.MAP_ADDED_NODE.format(label=node.label))
        elif mode == "move" and self.move_id is not None:
            node = sm.move_node(self.conn, self.move_id, x, y)
            self.move_id = None
            self.feedback.ok(msg.MAP_MOVED.format(label=node.label))
        else:
            self.selected_id = None
            self.link_from_id = None
            self._show_hint()
        self._after_write()

    def on_node_click(self, node_id: int) -> None:
        """A click on a person or place, according to the mode."""
        node = sm.get_node(self.conn, node_id)
        mode = self.mode.value
        self.feedback.clear()
        if mode == "link":
            if self.link_from_id is None:
                self.link_from_id = node.id
                self.feedback.ok(msg.MAP_LINK_FROM_PICKED.format(label=node.label))
            else:
                source_id, self.link_from_id = self.link_from_id, None
                try:
                    link = sm.add_link(
                        self.conn,
                        source_id,
                        node.id,
                        kind=self.link_kind.value,
                        strength=self.link_strength.value,
                    )
                except KitError:
                    self._after_write()  # the start marker goes even when the link is refused
                    raise
                source = sm.get_node(self.conn, source_id)
                self.selected_id = node.id
                self.feedback.ok(
                    msg.MAP_ADDED_LINK.format(
                        source=source.label, target=node.label, kind=sm.LINK_KIND_LABELS[link.kind]
                    )
                )
        elif mode == "move":
            self.move_id = node.id
            self.feedback.ok(msg.MAP_MOVE_PICKED.format(label=node.label))
        self._select(node.id)
        self._after_write()

    def _select(self, node_id: int | None) -> None:
        if node_id != self._delete_pending:
            self._delete_cancelled()
        self.selected_id = node_id
        if node_id is not None and self.side.selected_index != 0:
            self.side.selected_index = 0

    # --- tools --------------------------------------------------------------------------------------
    def _mode_changed(self, _change=None) -> None:
        self.link_from_id = None
        self.move_id = None
        mode = self.mode.value
        self.link_kind.layout.display = None if mode == "link" else "none"
        self.link_strength.layout.display = None if mode == "link" else "none"
        self.place_kind.layout.display = None if mode == "place" else "none"
        self._show_hint()
        if self.district_id is not None:
            self._draw()

    def _show_hint(self) -> None:
        self.hint.value = f"<p>{escape(msg.MAP_MODE_HINTS[self.mode.value])}</p>"

    def _findings_toggled(self, change=None) -> None:
        if self.findings_toggle.value:
            self.side.selected_index = 1
        if self.district_id is not None:
            self._draw()

    def _undo(self, _button=None) -> None:
        if self.district_id is None:
            raise ValidationError(msg.MAP_NO_DISTRICT)
        try:
            what = sm.undo(self.conn, self.district_id)
        finally:
            self._after_write()
        self.feedback.ok(msg.MAP_UNDONE.format(what=what))

    # --- the side form ------------------------------------------------------------------------------
    def _load_form(self) -> None:
        node = self.data.node(self.selected_id) if self.selected_id is not None else None
        self._loading = True
        try:
            if node is None:
                self.form_title.value = f"<p>{escape(msg.MAP_FORM_NOTHING)}</p>"
                self.form_fields.layout.display = "none"
                return
            self.form_fields.layout.display = None
            kind_text = sm.PLACE_KIND_LABELS.get(node.kind, "") if node.node_type == "place" else ""
            self.form_title.value = (
                f"<h3>{escape(msg.MAP_FORM_TITLE)}：{escape(node.label)} {escape(kind_text)}</h3>"
            )
            is_place = node.node_type == "place"
            self.flags_box.layout.display = "none" if is_place else None
            self.kind.layout.display = None if is_place else "none"
            self.opening.layout.display = None if is_place else "none"
            self.label.value = node.label
            self.area.value = node.area
            self.note.value = node.note
            self.opening.value = node.opening_days
            if is_place and node.kind in sm.PLACE_KIND_LABELS:
                self.kind.value = node.kind
            for flag, box in self.flag_boxes.items():
                box.value = flag in node.flags
            labels = {n.id: n.label for n in self.data.nodes}
            options = [
                (
                    msg.MAP_FORM_LINK_OPTION.format(
                        source=labels.get(link.source_id, "?"),
                        target=labels.get(link.target_id, "?"),
                        kind=sm.LINK_KIND_LABELS.get(link.kind, link.kind),
                        strength=sm.STRENGTH_LABELS.get(link.strength, link.strength),
                    ),
                    link.id,
                )
                for link in self.data.links
                if node.id in (link.source_id, link.target_id)
            ]
            if options != list(self.links_list.options):
                self.links_list.options = options
        finally:
            self._loading = False

    def _flags_changed(self, _change=None) -> None:
        if self._loading or self.selected_id is None:
            return
        node = sm.get_node(self.conn, self.selected_id)
        if node.node_type != "person":
            return
        flags = [flag for flag, box in self.flag_boxes.items() if box.value]
        sm.update_node(self.conn, node.id, flags=flags)
        self._after_write()

    def _field_changed(self, change=None) -> None:
        if self._loading or self.selected_id is None:
            return
        owner = change["owner"] if change else None
        node = sm.get_node(self.conn, self.selected_id)
        fields = {
            self.label: "label",
            self.area: "area",
            self.note: "note",
            self.opening: "opening_days",
            self.kind: "kind",
        }
        name = fields.get(owner)
        if name is None:
            return
        if name in ("opening_days", "kind") and node.node_type != "place":
            return
        sm.update_node(self.conn, node.id, **{name: owner.value})
        self._after_write()

    def _save(self, _button=None) -> None:
        if self.selected_id is None:
            return
        node = sm.get_node(self.conn, self.selected_id)
        fields = {"label": self.label.value, "area": self.area.value, "note": self.note.value}
        if node.node_type == "place":
            fields.update(kind=self.kind.value, opening_days=self.opening.value)
        else:
            fields["flags"] = [flag for flag, box in self.flag_boxes.items() if box.value]
        saved = sm.update_node(self.conn, node.id, **fields)
        self._after_write()
        self.feedback.ok(msg.MAP_SAVED.format(label=saved.label))

    def _delete(self, _button=None) -> None:
        """First click: ask (deleting is for good); 「完全に削除する」 then deletes."""
        if self.selected_id is None:
            return
        node = sm.get_node(self.conn, self.selected_id)
        self._delete_pending = node.id
        self.delete_question.value = (
            f'<p class="tk-warning">{escape(msg.MAP_DELETE_CONFIRM.format(label=node.label))}</p>'
        )
        self.delete_confirm.layout.display = None

    def _delete_confirmed(self, _button=None) -> None:
        pending, self._delete_pending = self._delete_pending, None
        self.delete_confirm.layout.display = "none"
        if pending is None or pending != self.selected_id:
            return
        node = sm.delete_node(self.conn, pending)
        self.selected_id = None
        self._after_write()
        self.feedback.ok(msg.MAP_DELETED.format(label=node.label))

    def _delete_cancelled(self, _button=None) -> None:
        self._delete_pending = None
        self.delete_confirm.layout.display = "none"

    def _delete_link(self, _button=None) -> None:
        if self.links_list.value is None:
            return
        sm.delete_link(self.conn, self.links_list.value)
        self._after_write()
        self.feedback.ok(msg.MAP_LINK_DELETED)

    # --- background and handout ---------------------------------------------------------------------
    def _uploaded(self, change=None) -> None:
        files = self.upload.value
        if not files or self.district_id is None:
            return
        item = files[0]
        content = item["content"] if isinstance(item, dict) else item.content
        try:
            sm.set_background(self.conn, self.district_id, bytes(content))
        finally:
            self.upload.value = ()
        self._after_write()
        self.feedback.ok(msg.MAP_BACKGROUND_SET)

    def _remove_background(self, _button=None) -> None:
        if self.district_id is None:
            return
        sm.remove_background(self.conn, self.district_id)
        self._after_write()
        self.feedback.ok(msg.MAP_BACKGROUND_REMOVED)

    def _handout(self, _button=None) -> None:
        """The printable map, into the district-private folder (never the office's folder)."""
        if self.district_id is None:
            raise ValidationError(msg.MAP_NO_DISTRICT)
        folder = self.ctx.settings.district_dir
        path = write_handout(self.conn, self.district_id, folder, meeting_id=self.meeting_id)
        self._saved(msg.MAP_HANDOUT_SAVED_PRIVATE.format(path=path, folder=folder))

    def _backup(self, _button=None) -> None:
        """A copy of the database (the map still sealed) into the district-private folder."""
        folder = self.ctx.settings.district_dir
        path = retention.write_backup(self.conn, folder)
        self._saved(msg.MAP_BACKUP_SAVED.format(path=path, folder=folder))

    def _saved(self, text: str) -> None:
        lines = "".join(f"<p>{escape(line)}</p>" for line in text.split("\n"))
        self.handout_result.value = f'<div class="tk-ok tk-map-private-saved">{lines}</div>'
        self.feedback.ok(text)

    # --- retention and the passphrase ---------------------------------------------------------------
    def _show_retention(self) -> None:
        years = self.ctx.settings.map_retention_years
        if not years or years < 1:
            self.retention_status.value = f"<p>{escape(msg.MAP_RETENTION_OFF)}</p>"
            self.retention_button.layout.display = "none"
            self.retention_confirm.value = ""
            return
        found = retention.expired(self.conn, years)
        if not found:
            text = msg.MAP_RETENTION_NONE.format(years=years)
        else:
            text = msg.MAP_RETENTION_FOUND.format(
                years=years, items=found.items, baselines=found.baselines, images=found.images
            )
        self.retention_status.value = f"<p>{escape(text)}</p>"
        self.retention_button.layout.display = None if found else "none"
        if not found:
            self._retention_pending = False
            self.retention_confirm.value = ""

    def _retention_clicked(self, _button=None) -> None:
        """First click asks; the second (「本当に削除する」) deletes."""
        years = self.ctx.settings.map_retention_years
        if not years or years < 1:
            return
        if not self._retention_pending:
            self._retention_pending = True
            self.retention_confirm.value = (
                f'<p class="tk-warning">{escape(msg.MAP_RETENTION_CONFIRM)}</p>'
            )
            self.retention_button.description = msg.MAP_DELETE_YES
            return
        self._retention_pending = False
        self.retention_confirm.value = ""
        self.retention_button.description = msg.MAP_RETENTION_DELETE
        done = retention.delete_expired(self.conn, years)
        self._after_write()
        self.feedback.ok(msg.MAP_RETENTION_DONE.format(items=done.items, baselines=done.baselines))

    def _change_passphrase(self, _button=None) -> None:
        old, new, again = (
            self.old_passphrase.value,
            self.new_passphrase.value,
            self.new_passphrase_again.value,
        )
        for field in (self.old_passphrase, self.new_passphrase, self.new_passphrase_again):
            field.value = ""
        vault.change_passphrase(self.conn, old, new, again)
        self.feedback.ok(msg.MAP_PASS_CHANGED)


def warm_up() -> None:
    """Import networkx and numpy and make plotly's figure classes once (no store, no data)."""
    try:
        import networkx  # noqa: F401
        import numpy  # noqa: F401

        empty = sm.MapData((), ())
        map_figure(empty, analysis=analyse_map(empty), clickable=True).to_json()
    except Exception:  # noqa: BLE001 - only a head start: the first draw does it anyway
        pass
