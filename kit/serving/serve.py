"""``tasukeai serve``: check, prepare the store and the key, print the URLs and QR code, run Voila.

What the facilitator's terminal shows, and nothing else: where the data is, the URLs, the
QR code, what to do if tablets cannot connect, and errors in Japanese. The technical log
goes to a file beside the database (``--verbose`` shows it too).

The terminal shows no key (unless ``--show-key``): the facilitator page is opened on this
laptop's own browser with a one-time link, and the keyed pages open only from this laptop.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path

from kit import messages as msg
from kit.errors import KitError, ServeError
from kit.meeting import access
from kit.plan import load_plan
from kit.resultfile.write import store_signing_key
from kit.serving import checks, network, terminal
from kit.serving.logs import StderrToLog, log_path_for
from kit.settings import Settings
from kit.store import open_store

ANY_ADDRESS = ("0.0.0.0", "::", "")
LOCAL_HOSTS = ("0.0.0.0", "::", "", "127.0.0.1", "localhost", "::1")


def local_base(settings: Settings) -> str:
    """The address this laptop's own browser uses (loopback unless the server listens elsewhere)."""
    host = "127.0.0.1" if settings.host in LOCAL_HOSTS else settings.host
    return f"http://{_url_host(host)}:{settings.port}"


def display_available() -> bool:
    """Whether a browser window can be opened here (a Linux without a display cannot)."""
    if sys.platform.startswith(("linux", "freebsd", "openbsd")):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def open_when_listening(url: str, host: str, port: int, timeout: float = 120) -> threading.Thread:
    """Open ``url`` in the laptop's browser once the server accepts connections."""

    def wait_then_open() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((host, port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        else:
            return
        webbrowser.open(url)

    thread = threading.Thread(target=wait_then_open, daemon=True)
    thread.start()
    return thread


@dataclasses.dataclass(frozen=True)
class TabletAddress:
    """The host put in the tablets' URL and QR code, the others worth trying, and a warning."""

    host: str
    others: tuple[network.Candidate, ...] = ()
    warning: str = ""


def choose_tablet_address(
    settings: Settings, candidates: list[network.Candidate] | None = None
) -> TabletAddress:
    """``--public-host`` if given; else the listening address if it is one; else the likeliest
    address of this laptop on the room's network (see :mod:`kit.serving.network`)."""
    if settings.public_host:
        return TabletAddress(settings.public_host)
    if settings.host not in ANY_ADDRESS:
        warning = (
            msg.SERVE_LOCAL_HOST_ONLY.format(host=settings.host)
            if network.is_loopback_host(settings.host)
            else ""
        )
        return TabletAddress(settings.host, warning=warning)
    candidates = network.tablet_addresses() if candidates is None else candidates
    if not candidates:
        return TabletAddress("127.0.0.1", warning=msg.SERVE_ONLY_THIS_LAPTOP)
    return TabletAddress(candidates[0].address, tuple(candidates[1:]))


def check_settings(settings: Settings) -> None:
    if settings.kernel_transport == "ipc":
        try:
            import zmq

            has_ipc = bool(zmq.has("ipc"))
        except Exception:  # noqa: BLE001
            has_ipc = False
        if not has_ipc or sys.platform == "win32":
            raise ServeError(msg.SERVE_TRANSPORT_MISSING)


def open_database(settings: Settings, *, show_key: bool = False) -> tuple[str | None, str]:
    """Open (or create) the store; return the key to show (or None) and a one-time token for
    the facilitator's first visit from this laptop. A Japanese error otherwise.

    A database this call created is removed again if it could not be finished.
    """
    existed = settings.db_path.exists()
    try:
        conn = open_store(settings.db_path)
        try:
            key = access.ensure_facilitator_key(conn, settings.facilitator_key)
            if show_key and key is None:
                key = access.rotate_facilitator_key(conn)  # only its hash is kept: a new one
            store_signing_key(conn)  # the laptop's result-file key, made at the first start
            return key, access.new_once_token(conn)
        finally:
            conn.close()
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message below
        if not existed:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{settings.db_path}{suffix}").unlink(missing_ok=True)
        error = checks.store_error(exc, settings.db_path)
        if error is exc:
            raise
        raise error from None


def print_line(text: str = "", out=None) -> None:
    out = sys.stdout if out is None else out
    out.write(text + "\n")
    out.flush()


def serve(
    settings: Settings,
    *,
    prepare: Callable[[Settings], None] | None = None,
    verbose: bool = False,
    show_key: bool = False,
    candidates: list[network.Candidate] | None = None,
) -> int:
    """Run the meeting server until Ctrl+C. ``prepare`` (the demo's database builder) runs
    once the database's folder is checked and this server holds its lock."""
    from kit.serving.server import FACILITATOR_NOTEBOOK, page_path, page_urls, run_voila

    load_plan(settings.plan_path)  # a broken plan file: its own message, before anything
    check_settings(settings)
    checks.check_database_location(settings.db_path)
    with checks.ServerLock(settings.db_path) as lock:
        if prepare is not None:
            prepare(settings)
        key, once = open_database(settings, show_key=show_key)
        results_warning = _results_dir_warning(settings.results_dir)
        sockets = checks.bind_port(settings.host, settings.port)
        address = choose_tablet_address(settings, candidates)
        served = dataclasses.replace(settings, public_host=address.host, facilitator_key="")
        local = local_base(settings)
        urls = page_urls(f"http://{_url_host(address.host)}:{settings.port}", local)
        log_file = log_path_for(settings.db_path)
        lock.write_info(url=urls["member"], port=settings.port)
        _print_banner(settings, address, urls, log_file, results_warning)
        once_url = f"{local}{page_path(FACILITATOR_NOTEBOOK)}?once={once}"
        if settings.open_browser and display_available():
            host = local.split("//", 1)[1].rsplit(":", 1)[0].strip("[]")
            open_when_listening(once_url, host, settings.port)
            print_line(msg.SERVE_FACILITATOR_OPENED)
        else:
            print_line(msg.SERVE_FACILITATOR_LOCAL.format(url=once_url))
        print_line(msg.SERVE_KEY_SHOWN.format(key=key) if show_key and key else msg.SERVE_KEY_HINT)
        print_line(msg.SERVE_STOP_HINT)
        runtime_dir = Path(tempfile.mkdtemp(prefix="tasukeai-run-"))
        try:
            with StderrToLog(log_file, verbose=verbose):
                run_voila(served, runtime_dir, sockets=sockets)
        except KeyboardInterrupt:
            pass
        except (KitError, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - the log has the traceback
            import traceback

            with open(log_file, "a", encoding="utf-8") as log:
                traceback.print_exception(exc, file=log)
            raise ServeError(msg.SERVE_CRASHED.format(log=log_file)) from None
        finally:
            for sock in sockets:
                sock.close()
            shutil.rmtree(runtime_dir, ignore_errors=True)
    print_line(msg.SERVE_STOPPED)
    return 0


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _results_dir_warning(results_dir: Path) -> str:
    try:
        Path(results_dir).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return msg.SERVE_RESULTS_DIR_UNUSABLE.format(folder=results_dir, reason=exc.strerror or exc)
    return ""


def _print_banner(
    settings: Settings, address: TabletAddress, urls: dict, log_file: Path, results_warning: str
) -> None:
    print_line(msg.SERVE_BANNER)
    print_line(msg.SERVE_DATA_AT.format(path=settings.db_path))
    print_line(msg.SERVE_FACILITATOR_URL.format(url=urls["facilitator"]))
    print_line(msg.SERVE_MAP_URL.format(url=urls["map"]))
    print_line(msg.SERVE_OFFICE_URL.format(url=urls["office"]))
    print_line(msg.SERVE_MEMBER_URL.format(url=urls["member"]))
    if address.others:
        print_line(msg.SERVE_OTHER_ADDRESSES)
        member_path = urls["member"].split(str(settings.port), 1)[1]
        for other in address.others:
            url = f"http://{other.address}:{settings.port}{member_path}"
            print_line(msg.SERVE_OTHER_ADDRESS.format(url=url, interface=other.interface))
    if address.warning:
        print_line(address.warning)
    print_line(msg.SERVE_QR_HINT)
    if not terminal.print_qr(urls["member"]):
        print_line(msg.SERVE_NO_QR)
    print_line(msg.SERVE_IF_TABLETS_CANNOT_CONNECT)
    if results_warning:
        print_line(results_warning)
    print_line(msg.SERVE_LOG_AT.format(path=log_file))
