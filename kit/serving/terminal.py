"""What ``tasukeai serve`` writes on the facilitator's terminal: safe on any console.

- The QR code is drawn with half-block characters in black on an explicit white
  background (ANSI colours), so it reads the same on a light and on a dark terminal, with
  its quiet zone. Without colours (output not a terminal, ``NO_COLOR``) it is drawn for a
  light background.
- A console that cannot show the block characters (Windows' cp932 console, an ASCII
  locale) gets no QR code, only the URL; no text ever raises ``UnicodeEncodeError``:
  characters the console cannot show are replaced.
"""

from __future__ import annotations

import os
import sys

import segno

QUIET_ZONE = 4  # modules of light margin around the code, as the QR standard asks
BLOCKS = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
# Black foreground on a bright white background, then back to the terminal's own colours.
ON_WHITE = "\x1b[30;107m"
RESET = "\x1b[0m"


def make_streams_safe(*streams) -> None:
    """Characters a console cannot encode are replaced, never an exception."""
    for stream in streams or (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):  # a closed or odd stream: leave it
                pass


def can_show(stream, text: str) -> bool:
    """True when ``stream``'s encoding can write ``text`` as it is."""
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def wants_colour(stream, environ=None) -> bool:
    """Colours only on a real terminal that did not ask for none (``NO_COLOR``)."""
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        return False
    return enable_windows_ansi() if sys.platform == "win32" else True


def enable_windows_ansi() -> bool:  # pragma: no cover - runs on Windows only
    """Turn on ANSI colour codes in a Windows console (Windows 10 and later)."""
    try:
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.GetStdHandle(-11)  # STD_OUTPUT_HANDLE
        mode = ctypes.c_uint32()
        if not kernel32.GetConsoleMode(handle, ctypes.byref(mode)):
            return False
        return bool(kernel32.SetConsoleMode(handle, mode.value | 0x0004))
    except Exception:  # noqa: BLE001 - no console API: no colours
        return False


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR code of ``data`` (error correction M) as rows of dark modules, with its quiet zone."""
    code = segno.make(data, error="m")
    return [[bool(v) for v in row] for row in code.matrix_iter(border=QUIET_ZONE)]


def qr_text(data: str, *, colour: bool) -> str:
    """The QR code as terminal text: two module rows per line, black on white."""
    rows = qr_matrix(data)
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))
    lines = []
    for top, bottom in zip(rows[0::2], rows[1::2], strict=True):
        line = "".join(BLOCKS[(t, b)] for t, b in zip(top, bottom, strict=True))
        lines.append(f"{ON_WHITE}{line}{RESET}" if colour else line)
    return "\n".join(lines)


def print_qr(data: str, stream=None) -> bool:
    """Print the QR code of ``data`` if this console can show it; return whether it did."""
    stream = sys.stdout if stream is None else stream
    if not can_show(stream, "".join(BLOCKS.values())):
        return False
    stream.write(qr_text(data, colour=wants_colour(stream)) + "\n")
    return True
