"""How members join, on the projector: the QR code and the join code (参加コード).

In 準備 the join screen fills the projector like Mentimeter's: a QR code more than half
the screen's height beside a join code in very large type. In every later phase a smaller,
complete QR code and the code stay in the header's corner for latecomers.

The QR code is inline SVG scaled by its ``viewBox`` (no ``width``/``height``, which would
make the browser clip it instead of scaling it), with its quiet zone of four light
modules and crisp module edges; nothing is fetched.
"""

from __future__ import annotations

import functools

import segno

from kit import messages as msg
from kit.text import escape

QUIET_ZONE = 4


@functools.lru_cache(maxsize=16)
def qr_svg(url: str, *, css_class: str = "tk-qr-svg") -> str:
    """The QR code of ``url`` as inline SVG that scales to whatever size CSS gives it.

    Kept per (URL, class): the projector redraws its header whenever a tablet writes, and
    encoding the same URL again took ~30 ms each time."""
    svg = segno.make(url, error="m").svg_inline(
        scale=1,
        border=QUIET_ZONE,
        dark="#000",
        light="#fff",
        omitsize=True,
        svgclass=css_class,
    )
    label = escape(msg.QR_LABEL.format(url=url))
    return svg.replace(
        "<svg ",
        f'<svg role="img" aria-label="{label}" shape-rendering="crispEdges"'
        ' preserveAspectRatio="xMidYMid meet" ',
        1,
    )


def join_screen_html(url: str, code: str) -> str:
    """準備 on the projector: the big QR code, the join code, the steps and the URL."""
    return (
        '<div class="tk-join-screen">'
        f'<div class="tk-join-screen-qr">{qr_svg(url, css_class="tk-qr-svg tk-qr-big")}</div>'
        '<div class="tk-join-screen-side">'
        f'<h2 class="tk-join-screen-title">{escape(msg.JOIN_SCREEN_TITLE)}</h2>'
        f'<div class="tk-join-screen-code-label">{escape(msg.JOIN_SCREEN_CODE)}</div>'
        f'<div class="tk-join-screen-code" data-code="{escape(code)}">{escape(code)}</div>'
        f'<div class="tk-join-screen-steps">{msg.JOIN_SCREEN_STEPS}</div>'
        f'<div class="tk-join-screen-url">{escape(url)}</div>'
        "</div></div>"
    )


def join_corner_html(url: str, code: str) -> str:
    """The header's corner in later phases: the code and a smaller, complete QR code."""
    return msg.JOIN_INFO.format(
        code=escape(code), url=escape(url), qr=qr_svg(url, css_class="tk-qr-svg tk-qr-small")
    )
