"""A corpus of hostile inputs, shared by the security tests (store, widgets, browser, websocket).

Script payloads all try to set ``window.__pwned`` (the browser tests trap it), so "nothing
executes" is one check. ``TEXT`` is what a member could type; ``NOT_TEXT`` and
``OUT_OF_RANGE`` are what only a crafted widget message can carry.
"""

from __future__ import annotations

SCRIPT = [
    '<img src=x onerror="window.__pwned=1">',
    "<script>window.__pwned=1</script>",
    '"><svg onload="window.__pwned=1">',
    "<details open ontoggle=window.__pwned=1>",
    '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
    '<a href="javascript:window.__pwned=1">押してください</a>',
    "</textarea><script>window.__pwned=1</script>",
    "<style>*{display:none}</style>非表示",
    "<b onmouseover=window.__pwned=1>太字</b>",
    "'-alert(window.__pwned=1)-'",
    "{{7*7}} ${7*7} <%= 7*7 %>",
]
SQL = [
    "'; DROP TABLE issues; --",
    "Robert'); DROP TABLE members;--",
    "1 OR 1=1",
    '" OR ""="',
    "%' OR name LIKE '%",
    "NULL",
    "\\",
]
CONTROL = [
    "a\x00b",
    "\x1b[2J画面消去",
    "\u202eevil.exe",
    "ゼロ\u200b幅",
    "\x07ベル",
    "\x7f",
]
ODD_BUT_FINE = [
    "👵🏻🏠 絵文字",
    "ｺﾝﾆﾁﾊ 半角カナ",
    "𠮷野家の前",
    "  前後に空白  ",
    "改行\nあり",
    "タブ\tあり",
]
LONG = [
    "あ" * 201,
    "長" * 5_000,
    "x" * 200_000,
]
EMPTY = ["", "   ", "\n\n"]

TEXT = SCRIPT + SQL + CONTROL + ODD_BUT_FINE + LONG + EMPTY

NOT_TEXT = [None, 0, -1, 10**30, 3.5, float("nan"), True, [], {}, ["<script>"], {"a": 1}]
OUT_OF_RANGE = [-1, 0, 6, 99, 10**9, -(10**9), 2.5, "3", None, True, [3], {"v": 3}]

MARKERS = ("<script", "<img", "<svg", "<iframe", "<details", "<a href", "<b on", "<style")


def short(value: object) -> str:
    """A readable id for a parametrized test."""
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "…"
