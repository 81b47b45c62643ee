"""The terminal: a QR code that decodes on light and dark terminals; no console ever raises.

The terminal text is drawn as a terminal would (each character cell is two pixels high: the
upper and lower half block; ANSI colours applied over the terminal's own background and
text colours) and decoded with zbar's ``zbarimg``.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest

from kit.serving import terminal

URL = "http://192.168.10.4:8866/voila/render/member.ipynb"
LIGHT = {"background": (255, 255, 255), "foreground": (30, 30, 30)}
DARK = {"background": (24, 24, 24), "foreground": (220, 220, 220)}
ANSI = re.compile(r"\x1b\[([0-9;]*)m")
COLOURS = {30: (0, 0, 0), 97: (255, 255, 255), 107: (255, 255, 255), 47: (229, 229, 229)}


def render(text: str, theme: dict, cell: int = 6) -> bytes:
    """A PNG of ``text`` as a terminal with ``theme`` shows it (block characters only)."""
    from PIL import Image

    lines = text.split("\n")
    width = max(len(ANSI.sub("", line)) for line in lines)
    margin = 4
    image = Image.new("RGB", (width + 2 * margin, 2 * len(lines) + 4 * margin), theme["background"])
    pixels = image.load()
    for row, line in enumerate(lines):
        fg, bg = theme["foreground"], theme["background"]
        column = 0
        parts = ANSI.split(line)  # text, codes, text, codes, …, text
        for index, part in enumerate(parts):
            if index % 2:
                for code in (int(c) for c in part.split(";") if c):
                    if code == 0:
                        fg, bg = theme["foreground"], theme["background"]
                    elif 30 <= code <= 37 or 90 <= code <= 97:
                        fg = COLOURS.get(code, theme["foreground"])
                    elif 40 <= code <= 47 or 100 <= code <= 107:
                        bg = COLOURS.get(code, theme["background"])
                continue
            for char in part:
                top = fg if char in "█▀" else bg
                bottom = fg if char in "█▄" else bg
                x, y = column + margin, 2 * row + 2 * margin
                pixels[x, y] = top
                pixels[x, y + 1] = bottom
                column += 1
    image = image.resize((image.width * cell, image.height * cell), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def zbar(png: bytes) -> list[str]:
    if not shutil.which("zbarimg"):
        pytest.fail("zbarimg not found: install Debian's zbar-tools (scripts/test does)")
    result = subprocess.run(
        ["zbarimg", "-q", "--raw", "-"], input=png, capture_output=True, timeout=60
    )
    return result.stdout.decode().split()


def test_colour_qr_decodes_on_a_light_and_a_dark_terminal():
    text = terminal.qr_text(URL, colour=True)
    assert zbar(render(text, LIGHT)) == [URL]
    assert zbar(render(text, DARK)) == [URL]
    # why the colours are there: drawn in the terminal's own colours, a dark one inverts it
    assert zbar(render(terminal.qr_text(URL, colour=False), DARK)) == []


def test_plain_qr_decodes_on_a_light_terminal():
    assert zbar(render(terminal.qr_text(URL, colour=False), LIGHT)) == [URL]


def test_qr_has_its_quiet_zone():
    rows = terminal.qr_matrix(URL)
    size = len(rows)
    border = terminal.QUIET_ZONE
    for index in range(border):
        assert not any(rows[index]) and not any(rows[size - 1 - index])
        assert not any(row[index] or row[size - 1 - index] for row in rows)


class Console(io.TextIOWrapper):
    def __init__(self, encoding: str, tty: bool = True) -> None:
        super().__init__(io.BytesIO(), encoding=encoding)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty

    def text(self) -> str:
        self.flush()
        return self.buffer.getvalue().decode(self.encoding)


@pytest.mark.parametrize("encoding", ["cp932", "ascii", "latin-1", "cp1252"])
def test_a_console_that_cannot_show_blocks_gets_no_qr_and_never_raises(encoding):
    console = Console(encoding)
    terminal.make_streams_safe(console)
    assert terminal.print_qr(URL, console) is False
    console.write("参加者のページ（タブレット用）: " + URL + "\n")  # replaced, not raised
    assert URL in console.text()


def test_a_utf8_console_gets_the_qr():
    console = Console("utf-8")
    assert terminal.print_qr(URL, console) is True
    assert "█" in console.text()


def test_colours_only_on_a_terminal_that_wants_them():
    assert terminal.wants_colour(Console("utf-8", tty=False), {}) is False
    assert terminal.wants_colour(Console("utf-8", tty=True), {"NO_COLOR": "1"}) is False
    assert terminal.wants_colour(Console("utf-8", tty=True), {"TERM": "dumb"}) is False
