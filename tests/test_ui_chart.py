"""The kit's chart widget (kit/ui/chart.py): what the projector's and the office's charts send.

They are drawn in the browser by ``chart.js`` with the plotly.js file the kit's server serves
(no plotly page extension); a redraw is one message with the figure only.
"""

from __future__ import annotations

import subprocess
import sys

from kit.charts.issues import goal_counts_spec
from kit.resources import plotly_js_url
from kit.ui.chart import PROJECTOR_CONFIG, Chart
from kit.ui.context import PageContext
from kit.ui.facilitator import PLOTLY_WARM, FacilitatorApp


def sent_messages(widget) -> list[dict]:
    """Every message the widget sends to the browser from now on."""
    sent: list[dict] = []
    widget._send = lambda content, buffers=None: sent.append(content)
    return sent


def goal_spec(plan, counts=1) -> dict:
    from kit.meeting.issues import GoalCount

    goals = list(plan.goals())[:2]
    return goal_counts_spec(
        [
            GoalCount(g.id, g.plain or g.name, g.basic_plan_id, "計画", "#0072B2", counts)
            for g in goals
        ]
    )


def test_a_redraw_is_one_message_with_the_figure_only(plan):
    chart = Chart(config=PROJECTOR_CONFIG)
    sent = sent_messages(chart)
    spec = goal_spec(plan)
    chart.show(spec)
    assert len(sent) == 1 and sent[0]["method"] == "update"
    assert set(sent[0]["state"]) == {"figure"}
    assert chart.figure == {"data": spec["data"], "layout": spec["layout"]}
    chart.show(goal_spec(plan))  # the same figure again: nothing sent
    assert len(sent) == 1
    chart.clear()
    assert len(sent) == 2 and sent[1]["state"] == {"figure": {}}


def test_a_plotly_figure_goes_as_its_json(plan):
    import plotly.graph_objects as go

    chart = Chart()
    chart.show(go.Figure(goal_spec(plan)))
    assert chart.figure["data"][0]["type"] == "bar" and "template" in chart.figure["layout"]


def test_the_front_end_is_small_and_plotly_comes_from_the_kits_server():
    chart = Chart(config=PROJECTOR_CONFIG)
    assert len(chart._esm) < 20_000  # not plotly's bundle
    assert "cdn" not in chart._esm.lower() and "https://" not in chart._esm
    assert chart.kind == "chart" and chart.plotly_url == plotly_js_url()
    assert chart.config == {"displayModeBar": False, "responsive": True}
    assert chart.loading_text == "グラフを読み込み中…"


def test_outside_the_kits_server_the_kernel_sends_plotly_js_a_few_times_at_most():
    chart = Chart()
    sent = []
    chart.send = lambda content, buffers=None: sent.append((content, buffers))
    for content in (None, "plotly", {"event": "click", "points": []}):
        chart._message(chart, content, [])
    assert sent == []  # a chart takes no clicks
    for _ in range(5):
        chart._message(chart, {"event": "plotly"}, [])
    assert len(sent) == 3 and len(sent[0][1][0]) > 1_000_000


def test_the_facilitator_page_adds_its_plotly_warm_up_once_after_it_is_up(
    conn, settings, plan, meeting
):
    app = FacilitatorApp(PageContext(conn=conn, settings=settings, plan=plan))
    assert app.plotly_warm is None and not [c for c in app.widget.children if isinstance(c, Chart)]
    app.prepare_next()
    app.prepare_next()
    warm = [c for c in app.widget.children if isinstance(c, Chart)]
    assert warm == [app.plotly_warm] and app.plotly_warm.figure == PLOTLY_WARM
    assert (
        app.plotly_warm.layout.display == "none"
        and app.plotly_warm.config["displayModeBar"] is False
    )


def test_the_facilitator_page_opens_without_anywidget_or_plotly():
    code = (
        "import sys; import kit.ui.facilitator, kit.ui.pages; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('anywidget', 'plotly')]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
