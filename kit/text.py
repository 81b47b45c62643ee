"""Checking text that people type, before anything is stored.

Text is stored as typed (after trimming) and escaped where it is shown; it is never
"cleaned" of HTML, so a member who writes ``<b>`` sees exactly ``<b>`` on the projector.
"""

from __future__ import annotations

import html
import re
import unicodedata

from kit.errors import ValidationError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(
    value: object,
    *,
    max_chars: int,
    empty_message: str | None,
    too_long_message: str,
    control_message: str,
    multiline: bool = False,
) -> str:
    """Return ``value`` trimmed, or raise :class:`ValidationError` with a Japanese message.

    ``empty_message=None`` allows empty text. Newlines are kept only when ``multiline``.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(control_message)
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not multiline:
        text = " ".join(text.split("\n"))
    if _CONTROL.search(text) or ("\t" in text):
        text = text.replace("\t", " ")
        if _CONTROL.search(text):
            raise ValidationError(control_message)
    if not text.strip():
        if empty_message is None:
            return ""
        raise ValidationError(empty_message)
    if len(text) > max_chars:
        raise ValidationError(too_long_message.format(limit=max_chars))
    return text


def name_key(name: str) -> str:
    """Key under which a member's name is recognised on rejoin (width, case, spaces ignored)."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def escape(text: object) -> str:
    """HTML-escape text from users before it goes into any HTML widget or file."""
    return html.escape(str(text), quote=True)


def display_width(text: str) -> int:
    """Width in half-width characters: a Japanese (wide) character counts as two.

    >>> display_width("3-(1) 見守り")
    12
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


LINE_CHARS = 16
BREAK_AFTER = "・、。，）」 "
NO_LINE_START = "、。，）」・ーっゃゅょ"


def wrapped(text: str, width: int = LINE_CHARS) -> list[str]:
    """A label in lines of at most ``width`` characters, broken after 「・」「、」 or a space when
    one is near the end of a line — the whole label, never cut off with 「…」.

    >>> wrapped("3-(1) 暮らしの困りごと・相談・生活の支え", 16)
    ['3-(1) 暮らしの困りごと・', '相談・生活の支え']
    """
    text = " ".join(str(text).split())
    lines: list[str] = []
    while len(text) > width:
        cut = width
        for i in range(width, width // 2, -1):
            if text[i - 1] in BREAK_AFTER:
                cut = i
                break
        while cut < len(text) and text[cut] in NO_LINE_START:  # 「、」 never starts a line
            cut += 1
        lines.append(text[:cut].strip())
        text = text[cut:].strip()
    return [*lines, text] if text else lines or [""]
