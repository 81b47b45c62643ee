"""The README's list of stable CSS classes (``tk-…``) matches the classes the code sets."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLASS = re.compile(r"tk-[a-z0-9]+(?:-[a-z0-9{}_]+)*")


def readme_classes() -> set[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Stable CSS classes", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`(tk-[^`\s]+)`", section))


def code_classes() -> set[str]:
    """Literal class names in kit/ (f-string templates as ``tk-x-{…}``), Python and page scripts."""
    found = set()
    for path in [*(REPO / "kit").rglob("*.py"), *(REPO / "kit").rglob("*.js")]:
        text = path.read_text(encoding="utf-8")
        for literal in re.findall(r"""f?["'](tk-[^"'\s<>]*)["']""", text):
            found.add(re.sub(r"\{[^}]*\}", "{}", literal))
        for literal in re.findall(r"""class=\\?["']([^"']*)["']""", text):
            found.update(
                re.sub(r"\{[^}]*\}", "{}", c) for c in literal.split() if c.startswith("tk-")
            )
        for literal in re.findall(r"""f?["']([^"'\n]*\btk-[^"'\n]*)["']""", text):
            found.update(  # space-separated class lists, e.g. f"tk-a tk-b-{size}"
                re.sub(r"\{[^}]*\}", "{}", c) for c in literal.split() if c.startswith("tk-")
            )
    return {c for c in found if CLASS.fullmatch(c.replace("{}", "x"))}


def _listed_forms(name: str) -> list[re.Pattern]:
    """What a README entry stands for: ``tk-x[-{n}]`` is ``tk-x`` and ``tk-x-{…}``; ``{…}`` is
    any part; ``tk-map-…`` is every class starting so."""
    forms = [name]
    optional = re.fullmatch(r"(.*)\[(-\{[^}]*\})\]", name)
    if optional:
        forms = [optional[1], optional[1] + optional[2]]
    patterns = []
    for form in forms:
        body = re.escape(form).replace(re.escape("…"), ".+")
        body = re.sub(r"\\\{[^}]*\\\}", r"(?:\\{\\}|[a-z0-9_-]+)", body)
        patterns.append(re.compile(body))
    return patterns


def test_every_listed_class_is_set_by_the_code():
    """Each class the README promises (tests and custom CSS rely on them) is really set."""
    code = code_classes()
    missing = sorted(
        name
        for name in readme_classes()
        if not all(any(p.fullmatch(c) for c in code) for p in _listed_forms(name))
    )
    assert missing == [], f"the README lists classes no code sets: {missing}"


def test_the_listed_controls_are_the_ones_tests_drive():
    """The browser tests drive pages by these classes: each one they use is in the README."""
    used = set()
    for path in (REPO / "tests" / "browser").glob("*.py"):
        used.update(
            re.findall(
                r"""["'.](tk-(?:join|phase|setup|issue|vote|wrapup|handover)[a-z0-9-]*)\b""",
                path.read_text(encoding="utf-8"),
            )
        )
    patterns = [p for name in readme_classes() for p in _listed_forms(name)]
    code = code_classes()
    unlisted = sorted(c for c in used if c in code and not any(p.fullmatch(c) for p in patterns))
    assert unlisted == [], f"tests drive classes the README does not list: {unlisted}"
