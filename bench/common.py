"""Shared by the benchmarks: the two servers compared (the kit and plain Voila), process memory.

Both servers serve the same notebooks from ``notebooks/`` over the same demo database
(sample city + today's meeting), on 127.0.0.1 only. ``KitServer`` is ``tasukeai demo`` as the
browser tests start it; :class:`BaselineServer` is ``voila notebooks/`` with Voila's defaults
(lab template, no preheated kernels, TCP transport, default timeouts), given only what the
notebooks need to find the kit and its database.
"""

from __future__ import annotations

import math
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import psutil  # noqa: E402  (ipykernel's own dependency)

from tests.browser.helpers import KEY, KitServer  # noqa: E402

__all__ = [
    "KEY",
    "REPO",
    "BaselineServer",
    "KitServer",
    "Stats",
    "kernel_pid",
    "machine",
    "rss_mb",
    "uss_mb",
    "tree_rss_mb",
    "wait_quiet",
]


class BaselineServer(KitServer):
    """Plain ``voila notebooks/`` (every option at its default) over a fresh demo database.

    Same URLs and helpers as the kit's server; only how it starts and stops differs.
    """

    def __init__(self, workdir: Path):
        super().__init__(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.workdir / "voila.log"

    def start(self, timeout: float = 90) -> BaselineServer:
        from kit.meeting import access
        from kit.sample.write import build_demo_database
        from kit.settings import load_settings, settings_environ
        from kit.store import open_store

        settings = load_settings(
            environ={},
            db_path=self.db_path,
            office_db_path=self.workdir / "office.sqlite",
            results_dir=self.workdir / "results",
            public_host="127.0.0.1",
            port=self.port,
        )
        build_demo_database(settings)
        conn = open_store(self.db_path)
        access.ensure_facilitator_key(conn, KEY)
        conn.close()
        env = {k: v for k, v in os.environ.items() if not k.startswith("TASUKEAI_")}
        env.update(settings_environ(settings))
        env["PYTHONPATH"] = str(REPO)
        env["JUPYTER_CONFIG_DIR"] = str(self.workdir / "jupyter_config")
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "voila", str(REPO / "notebooks"), "--no-browser",
             f"--port={self.port}", "--Voila.ip=127.0.0.1"],
            cwd=self.workdir, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        wait_for_port(self.port, self.proc, timeout, self.log_path)
        return self

    def stop(self) -> None:
        stop_group(self.proc)
        if getattr(self, "_log", None):
            self._log.close()


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float, log_path: Path) -> float:
    """Wait until the server accepts TCP connections (no GET: that would start a kernel)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text(errors='replace')[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return time.monotonic() - start
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


def stop_group(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


# --- processes and memory -----------------------------------------------------------------------
def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def uss_mb(pid: int) -> float:
    """Memory only this process holds (not shared with other kernels), in MiB."""
    return psutil.Process(pid).memory_full_info().uss / 2**20


def tree_rss_mb(pid: int) -> float:
    """RSS of a process and all its descendants (the server and every kernel), in MiB."""
    total = 0
    for proc in _tree(pid):
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def kernel_pid(server_pid: int, kernel_id: str) -> int | None:
    """The process of a kernel, found by its connection file ``kernel-<id>.json``."""
    for proc in _tree(server_pid):
        try:
            if any(kernel_id in part for part in proc.cmdline()):
                return proc.pid
        except psutil.NoSuchProcess:
            continue
    return None


def kernel_pids(server_pid: int) -> list[int]:
    pids = []
    for proc in _tree(server_pid):
        try:
            if any("ipykernel" in part for part in proc.cmdline()):
                pids.append(proc.pid)
        except psutil.NoSuchProcess:
            continue
    return pids


def tree_cpu_seconds(pid: int) -> float:
    total = 0.0
    for proc in _tree(pid):
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


class CpuMeter:
    """CPU seconds used by the server process, the member kernels and the projector kernel."""

    def __init__(self, server_pid: int, projector_kernel: str | None = None):
        self.server_pid = server_pid
        self.projector_pid = kernel_pid(server_pid, projector_kernel) if projector_kernel else None
        self.last = self.sample()

    def sample(self) -> dict[str, float]:
        totals = {"server": 0.0, "kernels": 0.0, "projector": 0.0, "other": 0.0}
        totals["load generator"] = time.process_time()
        for proc in _tree(self.server_pid):
            try:
                times = proc.cpu_times()
                cmd = " ".join(proc.cmdline())
            except psutil.NoSuchProcess:
                continue
            used = times.user + times.system
            if proc.pid == self.server_pid:
                totals["server"] += used
            elif proc.pid == self.projector_pid:
                totals["projector"] += used
            elif "ipykernel" in cmd:
                totals["kernels"] += used
            else:
                totals["other"] += used
        return totals

    def lap(self) -> dict[str, float]:
        """CPU seconds per part since the last lap (kernels that ended are not counted)."""
        now = self.sample()
        used = {k: max(now[k] - self.last.get(k, 0.0), 0.0) for k in now}
        self.last = now
        return used


def wait_quiet(
    pid: int, *, busy_below: float = 0.05, window: float = 1.0, limit: float = 60
) -> float:
    """Wait until the server's process tree uses < ``busy_below`` of a core for ``window`` s.

    Used between measurements so that a kernel pool refilling in the background does not
    count against the next visit (bounded by ``limit`` seconds); returns the time waited.
    """
    start = time.monotonic()
    while time.monotonic() - start < limit:
        before = tree_cpu_seconds(pid)
        time.sleep(window)
        if (tree_cpu_seconds(pid) - before) / window < busy_below:
            break
    return time.monotonic() - start


def machine() -> str:
    mem = psutil.virtual_memory().total / 2**30
    cpu = platform.processor() or platform.machine()
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.1f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


class Stats:
    """Median / p95 / worst of a list of seconds (or MiB)."""

    def __init__(self, values: list[float]):
        self.values = sorted(values)

    def __bool__(self) -> bool:
        return bool(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    def pct(self, q: float) -> float:
        if not self.values:
            return float("nan")
        index = min(len(self.values) - 1, max(0, math.ceil(q / 100 * len(self.values)) - 1))
        return self.values[index]

    @property
    def worst(self) -> float:
        return self.values[-1] if self.values else float("nan")
