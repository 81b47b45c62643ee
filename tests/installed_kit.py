"""The kit as a new user gets it: the wheel built from this checkout, installed in a fresh venv.

Built once per test run (both the install test and the first-meeting browser test use it).
The venv has no access to this checkout: commands run from another folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_built: Path | None = None


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without this checkout on the path or any TASUKEAI_* setting."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TASUKEAI_") and k not in ("PYTHONPATH", "VIRTUAL_ENV", "QUERY_STRING")
    }
    env.update(extra)
    return env


def installed_venv() -> Path:
    """A fresh venv with the kit's wheel installed; returns its ``bin`` (``Scripts``) folder."""
    global _built
    if _built is not None:
        return _built
    reuse = os.environ.get("KIT_TEST_INSTALLED_BIN")  # a developer's shortcut: a venv made before
    if reuse:
        _built = Path(reuse)
        return _built
    root = Path(tempfile.mkdtemp(prefix="tasukeai-install-"))
    dist = root / "dist"
    run = {"check": True, "capture_output": True, "text": True, "env": clean_env(), "timeout": 900}
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(REPO)],
        **run,
    )
    wheels = list(dist.glob("tasukeai_kit-*.whl"))
    assert len(wheels) == 1, wheels
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], **run)
    bin_dir = root / "venv" / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheels[0])], **run)
    _built = bin_dir
    return bin_dir
