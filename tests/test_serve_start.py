"""``tasukeai serve`` as a facilitator starts it: what the terminal says, and what it refuses.

Real processes on free ports: the port taken by another program, a second server on the same
database, a folder that cannot be made, read-only folders and files (a read-only mount, so
even root cannot write), a full disk (a tiny tmpfs), a broken plan file. Each must give a
Japanese message, no traceback, exit code 2, and leave the database as it was.
"""

from __future__ import annotations

import ipaddress
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kit.store import open_store
from tests.browser.helpers import free_port

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TASUKEAI_")}
    clean["PYTHONPATH"] = str(REPO)
    clean.pop("QUERY_STRING", None)
    return clean


def tasukeai(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kit.cli", *args],
        cwd=cwd,
        env=env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class Running:
    """A ``tasukeai serve`` left running until the test is done."""

    def __init__(self, *args: str, cwd: Path) -> None:
        self.out_path = cwd / "serve.out"
        self.err_path = cwd / "serve.err"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kit.cli", "serve", "--pool", "0", *args],
            cwd=cwd,
            env=env(),
            stdout=open(self.out_path, "w"),  # noqa: SIM115
            stderr=open(self.err_path, "w"),  # noqa: SIM115
            start_new_session=True,
        )

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.time() + timeout
        while time.time() < deadline:
            out = self.out_path.read_text(encoding="utf-8")
            if text in out:
                return out
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited: {out}\n{self.err_path.read_text()}")
            time.sleep(0.2)
        raise AssertionError(f"never printed {text!r}: {self.out_path.read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def assert_refused(result: subprocess.CompletedProcess, *words: str) -> None:
    text = result.stdout + result.stderr
    assert result.returncode == 2, text
    assert "Traceback" not in text and "Error" not in text, text
    for word in words:
        assert word in text, text


def test_terminal_is_plain_japanese_and_the_url_is_a_real_address(tmp_path):
    db = tmp_path / "data" / "meetings.sqlite"
    server = Running("--db", str(db), "--port", str(free_port()), cwd=tmp_path)
    try:
        server.wait_for("止めるときは")
        log_file = Path(f"{db}.log")
        deadline = time.time() + 60  # Voila's own start-up lines go to the log file
        while time.time() < deadline and "Voila is running" not in log_file.read_text("utf-8"):
            time.sleep(0.2)
        out = server.out_path.read_text(encoding="utf-8")
        err = server.err_path.read_text(encoding="utf-8")
    finally:
        server.stop()
    assert f"会議データ: {db}" in out
    assert "参加者のページ（タブレット用）: http://" in out
    assert "タブレットがつながらないとき" in out
    for noise in ("Kernel started", "DeprecationWarning", "not trusted", "Traceback", "[Voila]"):
        assert noise not in out + err, noise
    assert err.strip() == "", err
    assert "Voila is running" in log_file.read_text(encoding="utf-8")
    member = next(line for line in out.splitlines() if line.startswith("参加者のページ"))
    host = member.split("http://", 1)[1].split(":", 1)[0]
    real = subprocess.run(
        ["ip", "-4", "-o", "addr", "show", "scope", "global"], capture_output=True, text=True
    ).stdout
    if real.strip():  # the machine has an address besides loopback: the URL must use it
        assert not ipaddress.ip_address(host).is_loopback, member
        assert host in real
    assert "たすけあい会議キットを止めました" in server.out_path.read_text(encoding="utf-8")


def test_port_taken_says_so_and_serves_nothing(tmp_path):
    port = free_port()
    with socket.socket() as other:
        other.bind(("127.0.0.1", port))
        other.listen()
        result = tasukeai(
            "serve", "--db", str(tmp_path / "m.sqlite"), "--port", str(port), cwd=tmp_path
        )
    assert_refused(result, f"ポート {port}", "--port")
    assert "http://" not in result.stdout  # no URL or QR code for a port it does not serve


def test_second_server_on_the_same_database_is_refused_naming_the_first(tmp_path):
    db = tmp_path / "meetings.sqlite"
    port = free_port()
    first = Running("--db", str(db), "--port", str(port), "--host", "127.0.0.1", cwd=tmp_path)
    try:
        first.wait_for("止めるときは")
        result = tasukeai("serve", "--db", str(db), "--port", str(free_port()), cwd=tmp_path)
        assert_refused(result, "すでに", str(first.proc.pid), f":{port}/")
    finally:
        first.stop()
    # once the first has stopped, the database can be served again (the lock went with it)
    again = Running("--db", str(db), "--port", str(free_port()), cwd=tmp_path)
    try:
        again.wait_for("止めるときは")
    finally:
        again.stop()


def test_folder_that_cannot_be_made(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = tasukeai("serve", "--db", str(blocker / "sub" / "m.sqlite"), cwd=tmp_path)
    assert_refused(result, "フォルダー", "作れません")


@pytest.fixture
def mount_point(tmp_path):
    """A folder to mount a tmpfs on (needs root, as on these machines and in CI)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    target = tmp_path / "mnt"
    target.mkdir()
    mounted = []

    def mount(*options: str) -> Path:
        subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(target)],
                       check=True)  # fmt: skip
        mounted.append(target)
        return target

    yield mount
    for path in mounted:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_read_only_folder_and_file(tmp_path, mount_point):
    folder = mount_point("size=4m")
    db = folder / "m.sqlite"
    conn = open_store(db)
    conn.close()
    before = db.read_bytes()
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    result = tasukeai("serve", "--db", str(db), cwd=tmp_path)
    assert_refused(result, "読み取り専用")
    result = tasukeai("serve", "--db", str(folder / "new.sqlite"), cwd=tmp_path)
    assert_refused(result, "読み取り専用")
    assert db.read_bytes() == before and not (folder / "new.sqlite").exists()


def test_read_only_file_in_a_writable_folder(tmp_path):
    db = tmp_path / "m.sqlite"
    conn = open_store(db)
    conn.close()
    db.chmod(0o444)
    try:
        result = tasukeai("serve", "--db", str(db), cwd=tmp_path)
    finally:
        db.chmod(0o644)
    assert_refused(result, "読み取り専用", str(db))


def test_full_disk(tmp_path, mount_point):
    folder = mount_point("size=1m")
    filler = folder / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    result = tasukeai("serve", "--db", str(folder / "m.sqlite"), cwd=tmp_path)
    assert_refused(result, "ディスクがいっぱい")
    assert not (folder / "m.sqlite").exists()
    result = tasukeai("demo", "--db", str(folder / "demo.sqlite"), cwd=tmp_path, timeout=120)
    assert_refused(result, "ディスクがいっぱい")
    assert not list(folder.glob("demo.sqlite*"))


def test_broken_plan_file(tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text("{not json", encoding="utf-8")
    result = tasukeai(
        "serve", "--db", str(tmp_path / "m.sqlite"), "--plan", str(plan), cwd=tmp_path
    )
    assert_refused(result, "計画ファイル")
    assert not (tmp_path / "m.sqlite").exists()


def test_bad_setting_in_the_environment(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "kit.cli", "settings"],
        cwd=tmp_path,
        env={**env(), "TASUKEAI_PORT": "eighty"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert_refused(result, "TASUKEAI_PORT", "整数")


def test_verbose_shows_the_log_without_kernel_ids(tmp_path):
    db = tmp_path / "meetings.sqlite"
    server = Running(
        "--db", str(db), "--port", str(free_port()), "--verbose", "--pool", "1", cwd=tmp_path
    )
    try:
        server.wait_for("止めるときは")
        deadline = time.time() + 90  # a pooled kernel starts: its id would be in the line
        while time.time() < deadline and "Kernel started" not in server.err_path.read_text():
            time.sleep(0.2)
    finally:
        server.stop()
    err = server.err_path.read_text(encoding="utf-8")
    assert "Voila is running" in err and "Kernel started: <" in err
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", err)
