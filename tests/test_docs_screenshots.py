"""The README's pictures exist: every screenshot, link and script it names is in the repository,
and docs/screenshots/ holds every phase at tablet, phone and both projector sizes (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "docs" / "screenshots"
README = (REPO / "README.md").read_text(encoding="utf-8")
MEMBER_STATES = (
    "join",
    "setup",
    "issue_form",
    "my_issues",
    "timer",
    "map",
    "vote_waiting",
    "ballot_approval",
    "ballot_ranking",
    "ballot_dots",
    "vote_closed",
    "wrapup",
    "closed",
)
PROJECTOR_STATES = ("setup", "issues", "timer", "map", "vote_setup", "vote_open", "paper_ballot")
PROJECTOR_STATES += ("vote_result", "wrapup", "closed", "map_page", "map_findings")


def test_every_picture_the_readme_names_exists():
    names = set(re.findall(r"[\w*{}-]+\.png", README))
    assert len(names) >= 10, names
    missing = []
    for name in names:
        found = list(SHOTS.glob(name)) + list(REPO.glob(name))
        if not found:
            missing.append(name)
    assert not missing, missing


def test_every_link_image_and_docs_path_in_the_readme_exists():
    links = re.findall(r"!?\[[^\]]*\]\(([^)\s#]+)[^)]*\)", README)
    paths = re.findall(r"`((?:docs|notebooks|sample_data|scripts|tests)/[^`\s]+)`", README)
    local = [p for p in [*links, *paths] if not re.match(r"[a-z]+:", p)]
    assert any(p.startswith("docs/make_screenshots") for p in local), local
    missing = [p for p in local if not list(REPO.glob(p.split("#")[0]))]
    assert not missing, missing


def test_every_phase_has_its_pictures_at_each_size():
    missing = [
        f"{device}_{state}.png"
        for state in MEMBER_STATES
        for device in ("tablet", "phone")
        if not (SHOTS / f"{device}_{state}.png").exists()
    ]
    missing += [
        f"projector{height}_{state}.png"
        for state in PROJECTOR_STATES
        for height in (1080, 720)
        if not (SHOTS / f"projector{height}_{state}.png").exists()
    ]
    big = {p.name.removeprefix("projector1080_") for p in SHOTS.glob("projector1080_*.png")}
    small = {p.name.removeprefix("projector720_") for p in SHOTS.glob("projector720_*.png")}
    assert not missing and big == small, (missing, big ^ small)
