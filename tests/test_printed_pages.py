"""Printed and offline pages looked at in a real browser: the map handout's first page, the
office report's heatmap headers."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from kit import messages as msg
from kit.charts.office import HEADER_WRAP, heatmap_figure
from kit.office.compile import compile_folder
from kit.office.export import write_html_report
from kit.office.views import goal_heatmap
from kit.resultfile.write import save_result_file
from kit.store.office import open_office_store
from kit.supportmap.handout import write_handout
from tests.office_helpers import full_meeting


def test_heatmap_headers_are_short_lines_with_the_goal_id_last(conn, plan, tmp_path):
    meeting_id = full_meeting(conn, plan)
    save_result_file(conn, plan, meeting_id, tmp_path / "results")
    office = open_office_store(tmp_path / "office.sqlite")
    compile_folder(office, tmp_path / "results", plan)
    fig = heatmap_figure(goal_heatmap(office, plan), plan)
    office.close()
    labels = list(fig.data[0].x)
    assert len(labels) == len(plan.goals())
    for label, goal in zip(labels, plan.goals(), strict=True):
        lines = label.split("<br>")
        assert lines[-1] == f"<b>{goal.id}</b>"
        assert all(len(line) <= HEADER_WRAP for line in lines[:-1])
        assert "".join(lines[:-1]) == goal.name
    assert fig.layout.margin.t >= 70 + 3 * 16  # room for the longest name above the grid


def _offline(page) -> list[str]:
    outside: list[str] = []

    def route(r):
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return outside


@pytest.mark.browser
@pytest.mark.parametrize("width", [900, 1280])
def test_report_heatmap_headers_do_not_overlap(chromium, conn, plan, tmp_path, width):
    meeting_id = full_meeting(conn, plan)
    save_result_file(conn, plan, meeting_id, tmp_path / "results")
    office = open_office_store(tmp_path / "office.sqlite")
    compile_folder(office, tmp_path / "results", plan)
    report = write_html_report(office, plan, tmp_path / "report.html")
    office.close()
    page = chromium.new_page(viewport={"width": width, "height": 900})
    try:
        outside = _offline(page)
        page.goto(report.as_uri())
        page.wait_for_selector(".js-plotly-plot .xtick text")
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('.js-plotly-plot')][0]
                 .querySelectorAll('.xtick text').length ? [...[...document.querySelectorAll(
                 '.js-plotly-plot')][0].querySelectorAll('.xtick text')].map(t => {
                   const r = t.getBoundingClientRect();
                   return [r.left, r.right, r.top, r.bottom]; }) : []"""
        )
        title = page.evaluate(
            """() => { const t = document.querySelector('.js-plotly-plot .gtitle');
                       const r = t.getBoundingClientRect(); return [r.top, r.bottom]; }"""
        )
    finally:
        page.close()
    assert outside == []
    assert len(boxes) == len(plan.goals())
    boxes.sort()
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert left[1] <= right[0] + 0.5, (left, right)  # neighbours never run together
    assert all(title[1] <= box[2] + 0.5 for box in boxes)  # the title stays above them


@pytest.mark.browser
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_the_handouts_first_printed_page_carries_the_map(chromium, conn, plan, tmp_path):
    full_meeting(conn, plan)
    path = write_handout(conn, "d01", tmp_path, today=dt.date(2026, 6, 13))
    pdf = tmp_path / "handout.pdf"
    page = chromium.new_page()
    try:
        outside = _offline(page)
        page.goto(path.as_uri())
        page.wait_for_selector(".js-plotly-plot .legend")
        page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True)
    finally:
        page.close()
    assert outside == []
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert msg.MAP_HANDOUT_TITLE.format(district="テスト地区") in first
    assert msg.MAP_PRIVACY_NOTE in first
    # the map itself: a person's label drawn on it and the legend of its lines
    assert "世話焼きの人" in first
    assert msg.MAP_LINK_KIND_LABELS["watch"] in first
