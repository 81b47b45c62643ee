"""事務局のページ: compile the districts' result files and look at the city views.

``OfficeApp(ctx)`` uses the office's own store (``settings.office_db_path``) and reads
result files from a folder (``settings.results_dir`` by default). Everything it shows
comes from ``kit.office.compile``, ``kit.office.views``, ``kit.charts.office`` and ``kit.office.export``.
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as w

from kit import messages as msg
from kit.charts.office import office_figure
from kit.errors import ValidationError
from kit.office import views
from kit.office.compile import CompileReport, compile_folder, import_limits
from kit.office.export import export_all
from kit.office.folders import FolderChoice
from kit.store.office import open_office_store
from kit.text import escape
from kit.ui.chart import Chart
from kit.ui.common import Feedback, big_button, classed, guarded, heading, kernel_loop, paragraph
from kit.ui.context import PageContext

ALL = ""
"""The dropdown value of すべての年度／すべての地区 (``None`` would show an empty dropdown)."""
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
REPORT_ROWS_SHOWN = 300
VIEWS = (
    ("heatmap", "heatmap", msg.OFFICE_TAB_HEATMAP, ("heatmap", "issues")),
    ("priorities", "priorities", msg.OFFICE_TAB_PRIORITIES, ("priorities", "top_items")),
    ("coverage", "coverage", msg.OFFICE_TAB_COVERAGE, ("coverage",)),
    ("actions", "actions", msg.OFFICE_TAB_ACTIONS, ("actions", "action_list")),
    ("turnout", "turnout", msg.OFFICE_TAB_TURNOUT, ("turnout",)),
    ("map", "map_counts", msg.OFFICE_TAB_MAP, ("map_counts",)),
    ("meetings", None, msg.OFFICE_TAB_MEETINGS, ("meetings",)),
)
"""(view, the table whose chart it shows, tab title, tables shown under the chart), by table key."""


def html_output(text: str) -> dict:
    return {"output_type": "display_data", "data": {"text/html": text}, "metadata": {}}


def table_html(table: views.Table, limit: int = 500) -> str:
    """A table as escaped HTML (every cell is text from the result files)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in table.headers())
    body = "".join(
        "<tr>" + "".join(f"<td>{escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
        for row in table.rows[:limit]
    )
    more = (
        f"<p>{escape(msg.OFFICE_TABLE_MORE.format(shown=limit, total=len(table)))}</p>"
        if len(table) > limit
        else ""
    )
    note = f'<p class="tk-office-note">{escape(table.note)}</p>' if table.note else ""
    return (
        f'<div class="tk-office-table"><h3>{escape(table.title)}</h3>{note}'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}</div>"
    )


def report_html(report: CompileReport, limit: int = REPORT_ROWS_SHOWN) -> str:
    """The per-file report as an escaped HTML table, problems first (the summary is shown above)."""
    order = {"error": 0, "unrelated": 1, "older": 2, "duplicate": 3, "replaced": 4, "ok": 5}
    files = sorted(report.files, key=lambda f: order.get(f.status, 9))
    rows = "".join(
        f'<tr class="tk-report-{f.status}"><td>{escape(f.label)}</td><td>{escape(f.name)}</td>'
        f"<td>{escape(f.message)}"
        + (f"<br><small>{escape('、'.join(f.details[:5]))}</small>" if f.details else "")
        + "</td></tr>"
        for f in files[:limit]
    )
    more = (
        f"<p>{escape(msg.OFFICE_TABLE_MORE.format(shown=limit, total=len(files)))}</p>"
        if len(files) > limit
        else ""
    )
    head = "".join(f"<th>{escape(h)}</th>" for h in msg.OFFICE_REPORT_HEADERS)
    if not files:
        return ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{more}"


class OfficeApp:
    """Compile button with a progress bar and per-file report; city views with filters; exports."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.settings = ctx.settings
        self.plan = ctx.plan
        self.conn = open_office_store(ctx.settings.office_db_path)
        self.report: CompileReport | None = None
        self.tables: dict[str, views.Table] = {}
        # --- compile ---
        self.compile_feedback = Feedback("tk-office-compile-feedback")
        self.folder = classed(
            w.Text(value=str(ctx.settings.results_dir), description=msg.OFFICE_FOLDER_LABEL),
            "tk-office-folder",
        )
        self.folder.layout = w.Layout(width="100%", max_width="900px")
        self.folder.style = {"description_width": "initial"}
        self.folders = FolderChoice(ctx.settings.results_dir)
        self.choose_button = big_button(
            msg.OFFICE_FOLDER_CHOOSE, "tk-office-folder-choose", style=""
        )
        self.choose_button.on_click(guarded(self.compile_feedback)(self.choose_folder))
        self.accept_district = classed(
            w.Dropdown(description=msg.OFFICE_ACCEPT_KEY_LABEL), "tk-office-accept-key-district"
        )
        self.accept_button = big_button(
            msg.OFFICE_ACCEPT_KEY_BUTTON, "tk-office-accept-key", style="warning"
        )
        self.accept_button.on_click(guarded(self.compile_feedback)(self.accept_new_key))
        self.accept_box = classed(
            w.HBox([self.accept_district, self.accept_button]), "tk-office-accept-key-box"
        )
        self.accept_box.layout.display = "none"
        self.compile_button = big_button(msg.OFFICE_COMPILE, "tk-office-compile", icon="refresh")
        self.compile_button.layout.max_width = "900px"
        self.compile_button.on_click(guarded(self.compile_feedback)(self.compile))
        self.progress = classed(
            w.IntProgress(value=0, min=0, max=1, bar_style="info"), "tk-office-progress"
        )
        self.progress.layout = w.Layout(width="100%", max_width="900px", height="28px")
        self.progress_label = classed(w.Label(value=""), "tk-office-progress-label")
        self.report_view = classed(w.HTML(), "tk-office-report")
        # --- filters ---
        self.year = classed(w.Dropdown(description=msg.OFFICE_FILTER_YEAR), "tk-office-year")
        self.district = classed(
            w.Dropdown(description=msg.OFFICE_FILTER_DISTRICT), "tk-office-district"
        )
        for dropdown in (self.year, self.district):
            dropdown.style = {"description_width": "initial"}
            dropdown.observe(self._filter_changed, "value")
        self.summary = classed(w.HTML(), "tk-office-summary")
        # --- views: each a chart (drawn with the kit's cached plotly.js) above its tables ---
        self.view_charts: dict[str, Chart] = {
            key: classed(Chart(config=PLOTLY_CONFIG), "tk-office-chart")
            for key, figure_name, *_ in VIEWS
            if figure_name
        }
        self.view_tables: dict[str, w.Output] = {
            key: classed(w.Output(), "tk-office-view-tables") for key, *_ in VIEWS
        }
        self.views: dict[str, w.VBox] = {}
        for key, *_ in VIEWS:
            parts = [self.view_charts[key]] if key in self.view_charts else []
            self.views[key] = classed(
                w.VBox([*parts, self.view_tables[key]]), "tk-office-view", f"tk-office-view-{key}"
            )
        self.tabs = classed(w.Tab(children=list(self.views.values())), "tk-office-tabs")
        self.tabs.titles = tuple(title for _, _, title, _ in VIEWS)
        self._stale: set[str] = set()  # views whose outputs are not drawn for the filter yet
        self.tabs.observe(guarded(self.compile_feedback)(self._tab_chosen), "selected_index")
        # --- exports ---
        self.export_feedback = Feedback("tk-office-export-feedback")
        self.export_excel = big_button(msg.OFFICE_EXPORT_EXCEL, "tk-office-export-excel", style="")
        self.export_csv = big_button(msg.OFFICE_EXPORT_CSV, "tk-office-export-csv", style="")
        self.export_html = big_button(msg.OFFICE_EXPORT_HTML, "tk-office-export-html", style="")
        self.export_excel.on_click(guarded(self.export_feedback)(lambda _b: self.export("excel")))
        self.export_csv.on_click(guarded(self.export_feedback)(lambda _b: self.export("csv")))
        self.export_html.on_click(guarded(self.export_feedback)(lambda _b: self.export("html")))
        self.export_path = classed(w.HTML(), "tk-office-export-path")
        self.widget = classed(
            w.VBox(
                [
                    heading(msg.OFFICE_PAGE_TITLE, cls="tk-app-title"),
                    heading(msg.OFFICE_SECTION_COMPILE, level=2),
                    paragraph(msg.OFFICE_COMPILE_HELP),
                    self.folder,
                    self.choose_button,
                    self.compile_button,
                    self.progress,
                    self.progress_label,
                    self.compile_feedback,
                    self.report_view,
                    self.accept_box,
                    heading(msg.OFFICE_SECTION_VIEWS, level=2),
                    classed(
                        w.HBox([self.year, self.district], layout=w.Layout(flex_flow="row wrap")),
                        "tk-office-filters",
                    ),
                    self.summary,
                    self.tabs,
                    heading(msg.OFFICE_SECTION_EXPORT, level=2),
                    paragraph(msg.OFFICE_EXPORT_HELP.format(folder=self.export_folder)),
                    w.HBox(
                        [self.export_excel, self.export_csv, self.export_html],
                        layout=w.Layout(flex_flow="row wrap"),
                    ),
                    self.export_feedback,
                    self.export_path,
                ]
            ),
            "tk-page",
            "tk-office-page",
        )
        self._updating = False
        self.refresh()

    # --- state --------------------------------------------------------------------------------
    @property
    def export_folder(self) -> Path:
        return self.settings.office_db_path.parent / "office_exports"

    @property
    def current_filter(self) -> views.OfficeFilter:
        return views.OfficeFilter(
            year=self.year.value or None, district_id=self.district.value or None
        )

    def filter_text(self) -> str:
        year = self.year.value or None
        district = dict(views.available_districts(self.conn)).get(self.district.value)
        return msg.OFFICE_FILTER_DESCRIBE.format(
            year=msg.OFFICE_FILTER_YEAR_VALUE.format(year=year) if year else msg.OFFICE_ALL_YEARS,
            district=district or msg.OFFICE_ALL_DISTRICTS,
        )

    def _filter_changed(self, _change) -> None:
        if not self._updating:
            self.refresh_views()

    def refresh(self) -> None:
        """Re-read the filters' choices and redraw every view."""
        self._updating = True
        try:
            self._refresh_options()
        finally:
            self._updating = False
        self.refresh_views()

    def _refresh_options(self) -> None:
        self._set_options(
            self.year,
            [(msg.OFFICE_ALL_YEARS, ALL)]
            + [
                (msg.OFFICE_FILTER_YEAR_VALUE.format(year=y), y)
                for y in views.available_years(self.conn)
            ],
        )
        self._set_options(
            self.district,
            [(msg.OFFICE_ALL_DISTRICTS, ALL)]
            + [(name, did) for did, name in views.available_districts(self.conn)],
        )

    @staticmethod
    def _set_options(dropdown: w.Dropdown, options: list) -> None:
        if list(dropdown.options) == options:
            return
        value = dropdown.value
        dropdown.options = options
        dropdown.value = value if value in {v for _, v in options} else ALL

    def refresh_views(self) -> None:
        """Re-read the tables for the filter; draw the view on screen now. Served, each other
        view is drawn when its tab is chosen (the page opens without six charts to lay
        out behind hidden tabs); in tests and scripts every view is drawn at once."""
        f = self.current_filter
        tables = views.office_tables(self.conn, self.plan, f)
        self.tables = {t.key: t for t in tables}
        counts = views.summary(self.conn, f)
        self.summary.value = (
            f"<p>{escape(msg.OFFICE_SUMMARY_LINE.format(filter=self.filter_text(), **counts))}</p>"
        )
        self._stale = {key for key, *_ in VIEWS}
        self._draw_view(VIEWS[self.tabs.selected_index or 0][0])
        if kernel_loop() is None:
            for key, *_ in VIEWS:
                self._draw_view(key)

    def _tab_chosen(self, change) -> None:
        index = change["new"]
        if isinstance(index, int) and 0 <= index < len(VIEWS):
            self._draw_view(VIEWS[index][0])

    def _draw_view(self, key: str) -> None:
        if key not in self._stale:
            return
        self._stale.discard(key)
        _key, figure_name, _title, table_names = next(v for v in VIEWS if v[0] == key)
        if key in self.view_charts:
            figure = office_figure(figure_name, self.tables, self.plan)
            if figure is None:
                self.view_charts[key].clear()
            else:
                self.view_charts[key].show(figure)
        self.view_tables[key].outputs = tuple(
            html_output(table_html(self.tables[name])) for name in table_names
        )

    # --- actions --------------------------------------------------------------------------------
    def choose_folder(self, _button=None) -> Path:
        """「このフォルダーを使う」: the clerk allows the typed folder for this page (never a
        system folder)."""
        if not self.folder.value.strip():
            raise ValidationError(msg.OFFICE_FOLDER_EMPTY_INPUT)
        chosen = self.folders.choose(self.folder.value.strip())
        self.compile_feedback.ok(msg.OFFICE_FOLDER_CHOSEN.format(folder=chosen))
        return chosen

    def accept_new_key(self, _button=None) -> CompileReport:
        """The clerk accepts, on purpose, the new signing key of the district chosen."""
        if not self.accept_district.value:
            raise ValidationError(msg.OFFICE_ACCEPT_KEY_NONE)
        return self.compile(accept_new_keys=(self.accept_district.value,))

    def compile(self, _button=None, *, accept_new_keys=()) -> CompileReport:
        """Compile the folder typed above; the bar moves file by file; then the views redraw."""
        if not self.folder.value.strip():
            raise ValidationError(msg.OFFICE_FOLDER_EMPTY_INPUT)
        folder = self.folders.check(self.folder.value.strip())
        self.compile_feedback.clear()
        self.progress.value = 0
        self.progress.bar_style = "info"
        step = {"every": 1}

        def progress(done: int, total: int, name: str) -> None:
            if done == 0:
                self.progress.max = max(total, 1)
                step["every"] = max(total // 100, 1)
            if done == total or done % step["every"] == 0:
                self.progress.value = done
                self.progress_label.value = msg.OFFICE_PROGRESS.format(
                    done=done, total=total, name=name
                )

        self.compile_button.disabled = True
        try:
            report = compile_folder(
                self.conn,
                folder,
                self.plan,
                progress=progress,
                accept_new_keys=accept_new_keys,
                limits=import_limits(self.settings),
                district_dir=self.settings.district_dir,
            )
        finally:
            self.compile_button.disabled = False
        self.report = report
        refused = sorted({f.details[0] for f in report.files if f.key_refused and f.details})
        self.accept_district.options = refused
        self.accept_box.layout.display = None if refused else "none"
        self.progress.bar_style = "danger" if report.has_errors else "success"
        self.progress.value = self.progress.max
        self.progress_label.value = msg.OFFICE_PROGRESS_DONE.format(total=len(report.files))
        self.report_view.value = report_html(report)
        if report.has_errors:
            self.compile_feedback.error(report.summary())
        else:
            self.compile_feedback.ok(report.summary())
        self.refresh()
        return report

    def export(self, kind: str) -> Path:
        """Save the Excel workbook, the CSV folder or the HTML report of the current filter."""
        paths = export_all(
            self.conn,
            self.plan,
            self.export_folder,
            self.current_filter,
            filter_text=self.filter_text(),
            kinds=(kind,),
        )
        path = paths[kind]
        self.export_feedback.ok(msg.OFFICE_EXPORTED)
        self.export_path.value = f"<p>{escape(str(path))}</p>"
        return path
