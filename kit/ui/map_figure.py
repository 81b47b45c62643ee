"""The 支え合いマップ figure on the map page: a small anywidget in place of plotly's FigureWidget.

FigureWidget sent plotly's whole widget bundle (5 MB) through the websocket on every load, and
importing it cost seconds (plotly's renderers import nbformat, hence jsonschema and its
grammars). This widget is the kit's :class:`~kit.ui.chart.Chart` (the same front end,
``chart.js``, drawing with the plotly.js file the kit's server serves and the browser caches,
or that this kernel sends outside the kit's server) that sends the figure as JSON — the
invisible click layer without its grid of zeros, the background image only when it changes.

The front end sends back clicks only: trace number, point number and (x, y). The trace is
looked up in the figure kept here and handed to the page's handler as plotly's
:class:`~plotly.callbacks.Points`, like FigureWidget's ``on_click``; what a point means (the
node id in ``customdata``) is read here, never from the message, and every rule is checked by
:mod:`kit.supportmap.model`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import plotly.graph_objects as go
import traitlets as t
from plotly.callbacks import Points

from kit import messages as msg
from kit.ui.chart import Chart

log = logging.getLogger("tasukeai")

MAX_POINTS = 10  # points of one click looked at (plotly reports one, at most a few)

ClickHandler = Callable[[object, Points], None]


class MapFigure(Chart):
    """A plotly figure drawn in the browser with cached plotly.js; clicks come back."""

    kind = t.Unicode("map").tag(sync=True)
    images = t.List().tag(sync=True)
    loading_text = t.Unicode(msg.MAP_LOADING).tag(sync=True)
    failed_text = t.Unicode(msg.MAP_DRAW_FAILED).tag(sync=True)

    def __init__(self, config: dict | None = None, **kwargs) -> None:
        super().__init__(config=config, **kwargs)
        self._figure: go.Figure | None = None
        self._on_click: list[ClickHandler] = []
        self._on_ready: list[Callable[[], None]] = []

    # --- the figure, as the page's code and tests read it ---------------------------------------
    @property
    def data(self) -> tuple:
        """The traces drawn now (``meta``, ``customdata``, ``x``… as plotly's objects)."""
        return self._figure.data if self._figure is not None else ()

    @property
    def layout(self):
        return self._figure.layout if self._figure is not None else go.Layout()

    def show(self, fig: go.Figure) -> None:
        """Draw ``fig`` in place of the figure shown (one message; the image only if changed)."""
        plain = json.loads(fig.to_json())
        layout = plain.get("layout", {})
        images = layout.pop("images", [])
        for trace in plain.get("data", []):
            if trace.get("meta") == "click":
                trace.pop("z", None)  # zeros: the front end makes them from x and y
        self._figure = fig
        with self.hold_sync():
            self.images = images
            self.figure = plain

    def clear(self) -> None:
        """Nothing drawn any more (the map was locked): the browser forgets the figure too."""
        self._figure = None
        with self.hold_sync():
            self.figure = {}
            self.images = []

    def on_click(self, handler: ClickHandler) -> None:
        """``handler(trace, points)`` for each trace a click reports a point of."""
        self._on_click.append(handler)

    def on_ready(self, handler: Callable[[], None]) -> None:
        """``handler()`` when the browser has made the view (the page is shown)."""
        self._on_ready.append(handler)

    # --- messages from the browser ----------------------------------------------------------------
    def _message(self, widget, content, buffers) -> None:
        if not isinstance(content, dict):
            return
        event = content.get("event")
        if event == "click":
            self._clicked(content.get("points"))
        elif event == "ready":
            for handler in self._on_ready:
                handler()
        else:
            super()._message(widget, content, buffers)

    def _clicked(self, points) -> None:
        if not isinstance(points, list):
            return
        traces = self.data
        for point in points[:MAX_POINTS]:
            if not isinstance(point, dict):
                continue
            number = point.get("trace")
            if type(number) is not int or not 0 <= number < len(traces):
                continue
            index = point.get("index")
            if type(index) is not int or index < 0:
                index = None  # the handler finds no such point and says so
            trace = traces[number]
            found = Points(
                point_inds=[index],
                xs=[point.get("x")],
                ys=[point.get("y")],
                trace_name=trace.name,
                trace_index=number,
            )
            for handler in self._on_click:
                handler(trace, found)
