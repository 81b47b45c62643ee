"""The server's technical log goes to a file, not to the facilitator's terminal.

Voila, Tornado, traitlets, Python warnings and the kernels (child processes) all write to
standard error. While the server runs, standard error (the file descriptor, so the
kernels inherit it) is a pipe read by one thread, which writes every line to the log file
with kernel ids and facilitator keys blotted out — a kernel id is all it takes to attach
to a page, a key opens the facilitator's pages — and, with ``--verbose``, to the terminal
as well.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from pathlib import Path

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
KEY_IN_URL = re.compile(r"([?&](?:key|token)=)[^&\s\"']+")


def redact(line: str) -> str:
    """The line with kernel/session ids and ``key=`` values replaced."""
    return KEY_IN_URL.sub(r"\1…", UUID.sub("<id>", line))


def log_path_for(db_path: Path) -> Path:
    """Where a server on ``db_path`` keeps its log: beside the database."""
    return db_path.parent / (db_path.name + ".log")


class StderrToLog:
    """Send this process's standard error (and its children's) to ``log_file``, redacted."""

    def __init__(self, log_file: Path, *, verbose: bool = False) -> None:
        self.log_file = Path(log_file)
        self.verbose = verbose
        self._saved_fd: int | None = None
        self._thread: threading.Thread | None = None
        self._file = None

    def __enter__(self) -> StderrToLog:
        self._file = open(self.log_file, "a", encoding="utf-8", errors="replace")  # noqa: SIM115
        sys.stderr.flush()
        self._saved_fd = os.dup(2)
        read_fd, write_fd = os.pipe()
        os.dup2(write_fd, 2)
        os.close(write_fd)
        console = os.fdopen(os.dup(self._saved_fd), "w", encoding="utf-8", errors="replace")
        self._thread = threading.Thread(
            target=self._pump, args=(read_fd, console), name="tasukeai-log", daemon=True
        )
        self._thread.start()
        return self

    def _pump(self, read_fd: int, console) -> None:
        with os.fdopen(read_fd, "r", encoding="utf-8", errors="replace") as pipe:
            for line in pipe:
                clean = redact(line)
                self._file.write(clean)
                self._file.flush()
                if self.verbose:
                    try:
                        console.write(clean)
                        console.flush()
                    except (OSError, ValueError):
                        pass
        console.close()

    def __exit__(self, *exc) -> None:
        sys.stderr.flush()
        if self._saved_fd is not None:
            os.dup2(self._saved_fd, 2)  # closes the pipe's write end held as fd 2
            os.close(self._saved_fd)
        if self._thread is not None:
            self._thread.join(timeout=2)  # kernels still alive may hold the pipe open
        if self._file is not None and (self._thread is None or not self._thread.is_alive()):
            self._file.close()
