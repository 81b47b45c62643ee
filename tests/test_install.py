"""``pip install`` gives a working kit: the wheel in a fresh venv, used from another folder.

The plan, the notebooks, the CSS and the template ship inside the package; nothing reads
this checkout (the commands run in an empty folder with no PYTHONPATH).
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.browser.helpers import free_port
from tests.installed_kit import clean_env, installed_venv

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bin_dir():
    return installed_venv()


def run(bin_dir: Path, *args: str, cwd: Path, timeout: float = 120):
    return subprocess.run(
        [str(bin_dir / "tasukeai"), *args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_wheel_holds_what_runs():
    from tests.installed_kit import REPO  # noqa: F401 - the wheel was built from it

    wheel = next(installed_venv().parent.parent.glob("dist/tasukeai_kit-*.whl"), None)
    if wheel is None:
        pytest.skip("a prebuilt venv was given (KIT_TEST_INSTALLED_BIN)")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "kit/sample/plan_okegawa_6.json",
        "kit/ui/tasukeai.css",
        "kit/serving/notebooks/member.ipynb",
        "kit/serving/notebooks/facilitator.ipynb",
        "kit/serving/notebooks/map.ipynb",
        "kit/serving/notebooks/office.ipynb",
    ):
        assert needed in names, needed


def test_plan_and_sample_data_from_another_folder(bin_dir, tmp_path):
    result = run(bin_dir, "plan", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "みんなでたすけあい" in result.stdout
    result = run(bin_dir, "sample-data", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "sample_city_summary.json").exists()
    assert list((tmp_path / "results").glob("*.zip"))
    site = next((bin_dir.parent / "lib").glob("python*/site-packages"))
    assert not list(site.rglob("sample_city_summary.json"))  # nothing written into the install


def wait_for_page(port: int, path: str, timeout: float = 120) -> str:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.3)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
        return response.read().decode("utf-8", errors="replace")


@pytest.mark.parametrize("command", ["demo", "serve"])
def test_demo_and_serve_from_another_folder(bin_dir, tmp_path, command):
    port = free_port()
    db = tmp_path / "data" / "meetings.sqlite"
    args = [command, "--db", str(db), "--port", str(port), "--host", "127.0.0.1", "--pool", "0"]
    proc = subprocess.Popen(
        [str(bin_dir / "tasukeai"), *args],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        page = wait_for_page(port, "/voila/render/member.ipynb")
        assert "参加者のページ" in page and 'lang="ja"' in page
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert "参加者のページ（タブレット用）" in out, out + err
    assert "Traceback" not in out + err and "DeprecationWarning" not in out + err
    assert db.exists()
