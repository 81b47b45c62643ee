"""Where the files the served app needs at run time are, in an installed kit or a checkout.

They ship inside the package (see ``[tool.setuptools.package-dir]`` in pyproject.toml): the
notebooks as ``kit.serving.notebooks`` (the repository's top-level ``notebooks/``), the default
plan file in ``kit.sample``, the CSS in ``kit.ui``. Nothing here depends on the current folder
or on a repository being present.
"""

from __future__ import annotations

import importlib.util
from importlib.resources import files
from pathlib import Path

DEFAULT_PLAN_FILE = "plan_okegawa_6.json"


def _package_folder(package: str) -> Path:
    root = files(package)
    if isinstance(root, Path):
        return root
    # A folder without __init__.py (the notebooks) is a namespace package: importlib gives a
    # MultiplexedPath, whose str() is not a path; its spec names the folder.
    spec = importlib.util.find_spec(package)
    for location in (spec.submodule_search_locations or []) if spec else []:
        if Path(location).is_dir():
            return Path(location)
    return Path(str(root))


def notebooks_dir() -> Path:
    """The folder of the served notebooks (member, facilitator, map, office, …)."""
    try:
        return _package_folder("kit.serving.notebooks")
    except ModuleNotFoundError:  # a checkout used without installing: the top-level folder
        return Path(__file__).resolve().parents[1] / "notebooks"


def default_plan_path() -> Path:
    """The plan file the kit ships with (Okegawa City's 6th activity plan, chapter 3)."""
    return _package_folder("kit.sample") / DEFAULT_PLAN_FILE


def stylesheet_path() -> Path:
    """The kit's CSS (large text and touch targets), served with every page."""
    return _package_folder("kit.ui") / "tasukeai.css"


def page_script_path() -> Path:
    """The kit's small page script (names slider handles, makes scroll boxes focusable)."""
    return _package_folder("kit.ui") / "tasukeai.js"


# plotly.js as a static file of the kit's server (gzipped once, cached by the browser for a
# year: the URL names plotly's version), so the kit's charts and the map page's figure never
# bring it through the websocket. The route is relative to the server's base URL.
PLOTLY_JS_ROUTE = "tasukeai/static/plotly.min.js"


def plotly_js_path() -> Path:
    """plotly.js as the installed plotly package ships it (the same file its HTML export inlines)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("plotly")
    return Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"


def plotly_js_url() -> str:
    """The route of :func:`plotly_js_path` with plotly's version (a new version: a new URL)."""
    from importlib.metadata import version

    return f"{PLOTLY_JS_ROUTE}?v={version('plotly')}"


def chart_script_path() -> Path:
    """The small front end of the kit's charts and the map figure (an ES module for anywidget)."""
    return _package_folder("kit.ui") / "chart.js"
