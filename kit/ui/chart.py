"""A plotly chart on the kit's pages: a small anywidget in place of plotly's page extension.

The projector's and the office's charts used to be plotly output, drawn by plotly's JupyterLab
extension: its 4.7 MB chunk was evaluated as the page loaded (1.3 s of the browser's main
thread) although the first screen has no chart. :class:`Chart` sends only the figure, as
JSON, and its front end (``chart.js``, shared with :class:`~kit.ui.map_figure.MapFigure`) draws
it with the plotly.js file the kit's server serves and the browser caches
(:data:`kit.resources.PLOTLY_JS_ROUTE`), loaded once the page is idle; outside the kit's
server (plain Voila, JupyterLab) the front end asks this kernel for plotly.js, once per page.

A redraw is one message: the figure (``chart.figure = spec``, or :meth:`Chart.show`).
"""

from __future__ import annotations

import json
import logging

import anywidget
import traitlets as t

from kit import messages as msg
from kit.resources import chart_script_path, plotly_js_path, plotly_js_url

log = logging.getLogger("tasukeai")

MAX_PLOTLY_SENDS = 3  # plotly.js through the websocket, per page (outside the kit's server)
PROJECTOR_CONFIG = {"displayModeBar": False, "responsive": True}
"""plotly's config on the projector: no toolbar over the chart."""


def plain_figure(figure) -> dict:
    """``figure`` as the front end draws it: a plain dict (``kit.charts.*_spec``: sent as it
    is, no plotly import, no validation) or a plotly Figure (as its JSON)."""
    if isinstance(figure, dict):
        return {"data": figure.get("data", []), "layout": figure.get("layout", {})}
    return json.loads(figure.to_json())


class Chart(anywidget.AnyWidget):
    """A plotly figure drawn in the browser with cached plotly.js (``figure``: a plain dict)."""

    _esm = chart_script_path().read_text(encoding="utf-8")
    kind = t.Unicode("chart").tag(sync=True)
    figure = t.Dict().tag(sync=True)
    config = t.Dict().tag(sync=True)
    plotly_url = t.Unicode("").tag(sync=True)
    loading_text = t.Unicode(msg.CHART_LOADING).tag(sync=True)
    failed_text = t.Unicode(msg.CHART_DRAW_FAILED).tag(sync=True)

    def __init__(self, config: dict | None = None, **kwargs) -> None:
        super().__init__(config=dict(config or {}), plotly_url=plotly_js_url(), **kwargs)
        self._plotly_sent = 0
        self.on_msg(self._message)

    def show(self, figure) -> None:
        """Draw ``figure`` (a plain dict or a plotly Figure) in place of the one shown."""
        self.figure = plain_figure(figure)

    def clear(self) -> None:
        """Nothing drawn any more: the browser forgets the figure too."""
        self.figure = {}

    def _message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("event") == "plotly":
            self._send_plotly()

    def _send_plotly(self) -> None:
        """plotly.js for a page served without the kit's static file (plain Voila, JupyterLab)."""
        if self._plotly_sent >= MAX_PLOTLY_SENDS:
            return
        self._plotly_sent += 1
        try:
            source = plotly_js_path().read_bytes()
        except OSError:
            log.exception("plotly.js not found")
            return
        self.send({"event": "plotly"}, buffers=[source])
