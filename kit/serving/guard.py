"""The HTTP guard: who may open which page and talk to which kernel, decided before a kernel starts.

Voila starts (or hands out) a kernel for every GET of a notebook URL, and a kernel's id is all
its websocket and REST endpoints ask for. This module puts a check in front of both:

**Keyed pages** (``facilitator``, ``map``, ``office``) open only from the laptop itself — a
loopback client address, or one named in the ``keyed_page_addresses`` setting — and only
with a facilitator session. ``?key=KEY`` (or the one-time ``?once=…`` link ``tasukeai
serve`` opens) is exchanged for a session: an HttpOnly cookie ``tk_session`` and a redirect
to the same URL without the key, so the key never stays in the address bar or the browser
history. Anything else gets a Japanese page (403) and no kernel. ``tasukeai key --rotate``
deletes every session in the store, so no old cookie opens a page or a kernel again.

**Devices.** Every page response makes sure the browser holds a device secret: an HttpOnly
cookie ``tk_device`` (256 random bits, kept ~400 days, ``SameSite=Lax``). The store only ever
sees its hash. When a kernel is handed to a browser — a preheated one from the pool
(``get_rendered_notebook``) or a new one (``start_kernel``) — the server writes a
``page_kernels`` row: kernel id → page, device hash, session hash, client address. The
kernel reads its own row by ``VOILA_KERNEL_ID`` (see :func:`kit.meeting.access.page_kernel`)
— it never learns the secret and does not depend on Voila's request-info websocket, which a
preheated kernel would have to block on. So:

- a reload, a tablet waking from sleep, a closed and reopened tab, or a kernel that was lost
  and replaced (issue 17) all arrive with the same cookie, get a new kernel bound to the same
  device hash, and :mod:`kit.meeting.identity` finds the same member in ``member_devices``;
- another device never has that cookie, so it is a new device: claiming a name already
  taken needs the facilitator's approval on the projector.

**Kernels.** ``/api/kernels/<id>``, ``/api/kernels/<id>/channels`` and
``/voila/api/shutdown/<id>`` answer only the browser whose device cookie (and, for keyed
pages, live session) opened that kernel: a kernel id learned elsewhere with a made-up
``_xsrf`` cookie and header is refused (403). The page response sets the ``_xsrf`` cookie
Voila's front-end reads, so the shutdown beacon of a closed tab is accepted and the kernel
ends at once. Kernel ids are removed from every log line (:func:`install_log_redaction`).
Member pages are capped in total (``member_kernel_cap``, never below the pool) and per
client address other than the laptop (``kernels_per_address``); a device opening a new
member page ends its older member kernels (a reload), and a refused request gets a Japanese
page (503) without a kernel.
"""

from __future__ import annotations

import contextvars
import ipaddress
import json
import logging
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlencode

from kit import messages as msg
from kit.meeting import access
from kit.settings import Settings, load_settings
from kit.store import open_store

DEVICE_COOKIE = "tk_device"
SESSION_COOKIE = "tk_session"
DEVICE_COOKIE_DAYS = 400
SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{40,64}$")
PAGES = {
    "member.ipynb": access.PAGE_MEMBER,
    "facilitator.ipynb": access.PAGE_FACILITATOR,
    "map.ipynb": access.PAGE_MAP,
    "office.ipynb": access.PAGE_OFFICE,
}
ONE_TIME_ARGUMENTS = ("key", "once")
KERNEL_ID_TEXT = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
SECRET_ARGUMENT_TEXT = re.compile(r"((?:^|[?&;\s])(?:key|once|token|_xsrf)=)[^&\s\"')]+", re.I)
KERNEL_HIDDEN = "<kernel>"
SECRET_HIDDEN = r"\1<hidden>"

log = logging.getLogger("tasukeai.guard")


@dataclass(frozen=True)
class Binding:
    """The browser a kernel is handed to: page, device hash, session hash, client address."""

    page: str
    device: str
    session: str | None
    address: str


# The page request being served: read by the kernel manager when it hands out a kernel.
_request_binding: contextvars.ContextVar[Binding | None] = contextvars.ContextVar(
    "tasukeai_binding", default=None
)


is_loopback = access.is_loopback


_OWN_ADDRESSES: tuple[float, frozenset[str]] = (0.0, frozenset())


def is_this_laptop(address: str) -> bool:
    """True for loopback and for this laptop's own interface addresses (a browser on the
    laptop that opened the tablet URL, e.g. http://192.168.1.23:8866/…, arrives from one)."""
    global _OWN_ADDRESSES
    if is_loopback(address):
        return True
    import time

    from kit.serving.network import system_interfaces

    checked_at, own = _OWN_ADDRESSES
    if time.monotonic() - checked_at > 30:  # Wi-Fi may change its address during a meeting
        own = frozenset(i.address for i in system_interfaces())
        _OWN_ADDRESSES = (time.monotonic(), own)
    return address.split("%")[0] in own


def allowed_addresses(settings: Settings) -> set[str]:
    """Addresses other than the laptop's own loopback that may open keyed pages: the one the
    server listens on, when it is a single address of this laptop, and the setting's list."""
    found = set()
    try:
        host = ipaddress.ip_address(settings.host or "")
        if not host.is_unspecified:
            found.add(str(host))
    except ValueError:
        pass
    for part in re.split(r"[,\s]+", settings.keyed_page_addresses or ""):
        if part:
            try:
                found.add(str(ipaddress.ip_address(part)))
            except ValueError:
                log.warning("keyed_page_addresses: not an address: %r", part)
    return found


@dataclass
class GuardState:
    """What the server process knows: live kernels and whom they belong to (one per process)."""

    settings: Settings | None = None
    live: dict[str, Binding] = field(default_factory=dict)
    pending: list[Binding] = field(default_factory=list)
    kernel_manager: object | None = None
    _conn: sqlite3.Connection | None = None

    def config(self) -> Settings:
        if self.settings is None:
            self.settings = load_settings()
        return self.settings

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = open_store(self.config().db_path)
            access.forget_kernels(self._conn)  # kernels of an earlier run are gone
        return self._conn

    # --- counting ---------------------------------------------------------------------------
    def _alive(self, kernel_id: str) -> bool:
        manager = self.kernel_manager
        if manager is None:
            return True
        try:
            return kernel_id in manager
        except Exception:  # noqa: BLE001 - a manager without __contains__: trust the record
            return True

    def member_bindings(self) -> list[Binding]:
        for kernel_id in [k for k in self.live if not self._alive(k)]:
            self.unbind(kernel_id)
        found = [b for b in self.live.values() if b.page == access.PAGE_MEMBER]
        return found + [b for b in self.pending if b.page == access.PAGE_MEMBER]

    def member_cap(self) -> int:
        settings = self.config()
        return max(settings.member_kernel_cap, settings.member_pool_size + 2, 1)

    def refusal_for(self, binding: Binding) -> str | None:
        """The Japanese reason a new member kernel is refused, or ``None``."""
        members = self.member_bindings()
        if len(members) >= self.member_cap():
            return msg.GUARD_FULL_BODY
        if not is_this_laptop(binding.address):
            per_address = self.config().kernels_per_address
            if sum(1 for b in members if b.address == binding.address) >= max(per_address, 1):
                return msg.GUARD_DEVICE_FULL_BODY
        return None

    # --- binding ----------------------------------------------------------------------------
    def bind(self, kernel_id: str, binding: Binding) -> None:
        self.live[kernel_id] = binding
        try:
            access.bind_kernel(
                self.conn, kernel_id, binding.page, binding.device, binding.session, binding.address
            )
        except sqlite3.Error:
            log.exception("could not record a page's kernel")

    def unbind(self, kernel_id: str) -> None:
        if self.live.pop(kernel_id, None) is not None:
            try:
                access.unbind_kernel(self.conn, kernel_id)
            except sqlite3.Error:
                log.exception("could not forget a page's kernel")

    def kernels_of_device(self, device: str, page: str) -> list[str]:
        return [k for k, b in self.live.items() if b.device == device and b.page == page]

    def owner_ok(self, kernel_id: str | None, device: str | None, session: str | None) -> bool:
        """True when this browser (device, session cookie) opened kernel ``kernel_id``."""
        binding = self.live.get(kernel_id or "")
        if binding is None or not device or binding.device != device:
            return False
        if binding.page in access.KEYED_PAGES:
            return (
                session is not None
                and binding.session == access.secret_hash(session)
                and (access.session_is_valid(self.conn, session))
            )
        return True


STATE = GuardState()


def configure(settings: Settings) -> GuardState:
    STATE.settings = settings
    return STATE


# --- cookies ------------------------------------------------------------------------------------
def _device_secret(handler, *, create: bool) -> str | None:
    value = handler.get_cookie(DEVICE_COOKIE)
    if value and SECRET_SHAPE.match(value):
        return value
    if not create:
        return None
    value = access.new_secret()
    handler.set_cookie(
        DEVICE_COOKIE,
        value,
        path="/",
        expires_days=DEVICE_COOKIE_DAYS,
        httponly=True,
        samesite="Lax",
    )
    return value


def request_device(handler) -> str | None:
    """The device hash of the browser sending this request (``None`` without a device cookie)."""
    secret = _device_secret(handler, create=False)
    return access.device_hash(secret) if secret else None


def _session_cookie(handler) -> str | None:
    value = handler.get_cookie(SESSION_COOKIE)
    return value if value and SECRET_SHAPE.match(value) else None


def _refuse(handler, status: int, title: str, body: str) -> None:
    handler.clear_header("Content-Type")
    handler.set_status(status)
    handler.set_header("Content-Type", "text/html; charset=UTF-8")
    handler.set_header("Cache-Control", "no-store")
    handler.finish(msg.GUARD_PAGE.format(title=title, body=body))


def _without_one_time_arguments(handler) -> str:
    kept = [
        (name, value.decode("utf-8", "replace"))
        for name, values in handler.request.query_arguments.items()
        if name not in ONE_TIME_ARGUMENTS
        for value in values
    ]
    return handler.request.path + (("?" + urlencode(kept)) if kept else "")


class PageGuard:
    """Mixed into Voila's page handler: checks run before Voila starts or hands out a kernel."""

    async def get(self, path=None):
        state = STATE
        name = PurePosixPath(str(path or "")).name
        page = PAGES.get(name)
        if page is None or str(path) != name:
            import tornado.web

            raise tornado.web.HTTPError(404)
        address = self.request.remote_ip or ""
        device_secret = _device_secret(self, create=True)
        device = access.device_hash(device_secret)
        _ = self.xsrf_token  # sets the _xsrf cookie the page's shutdown beacon sends back
        session_hash = None
        if page in access.KEYED_PAGES:
            if not (is_loopback(address) or address in allowed_addresses(state.config())):
                log.warning("keyed page refused for a client that is not the laptop")
                return _refuse(
                    self, 403, msg.GUARD_NOT_FROM_HERE_TITLE, msg.GUARD_NOT_FROM_HERE_BODY
                )
            key = self.get_query_argument("key", None)
            once = self.get_query_argument("once", None)
            if key is not None or once is not None:
                valid = (
                    access.key_is_valid(state.conn, key)
                    if key is not None
                    else access.take_once_token(state.conn, once)
                )
                if not valid:
                    return _refuse(self, 403, msg.GUARD_KEY_TITLE, msg.GUARD_KEY_BODY)
                token = access.new_session(state.conn)
                self.set_cookie(SESSION_COOKIE, token, path="/", httponly=True, samesite="Strict")
                self.set_header("Cache-Control", "no-store")
                self.set_header("Referrer-Policy", "no-referrer")
                return self.redirect(_without_one_time_arguments(self))
            session = _session_cookie(self)
            if not access.session_is_valid(state.conn, session):
                return _refuse(self, 403, msg.GUARD_KEY_TITLE, msg.GUARD_KEY_BODY)
            session_hash = access.secret_hash(session)
        binding = Binding(page, device, session_hash, address)
        if page == access.PAGE_MEMBER:
            for older in state.kernels_of_device(device, page):
                await _end_kernel(state, older)
            reason = state.refusal_for(binding)
            if reason is not None:
                log.warning("member page refused: %s", "full" if "上限" in reason else "address")
                return _refuse(self, 503, msg.GUARD_FULL_TITLE, reason)
        state.pending.append(binding)
        token = _request_binding.set(binding)
        try:
            return await super().get(path)
        finally:
            _request_binding.reset(token)
            if binding in state.pending:
                state.pending.remove(binding)


async def _end_kernel(state: GuardState, kernel_id: str) -> None:
    manager = state.kernel_manager
    state.unbind(kernel_id)
    if manager is None:
        return
    try:
        await manager.shutdown_kernel(kernel_id)
    except Exception:  # noqa: BLE001 - already gone
        pass


def _bind_current(kernel_id: str) -> None:
    binding = _request_binding.get()
    if binding is not None and kernel_id:
        if binding in STATE.pending:
            STATE.pending.remove(binding)
        STATE.bind(kernel_id, binding)


class KernelGuard:
    """Mixed into the kernel manager: record whom each handed-out kernel belongs to."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        STATE.kernel_manager = self

    async def start_kernel(self, *args, **kwargs):
        kernel_id = await super().start_kernel(*args, **kwargs)
        _bind_current(kernel_id)
        return kernel_id

    async def get_rendered_notebook(self, *args, **kwargs):
        result = await super().get_rendered_notebook(*args, **kwargs)
        _bind_current(result[2])
        return result

    async def shutdown_kernel(self, kernel_id, *args, **kwargs):
        STATE.unbind(kernel_id)
        return await super().shutdown_kernel(kernel_id, *args, **kwargs)


class KernelOwnerOnly:
    """Mixed into the kernel REST, websocket and shutdown handlers: the owner's browser only."""

    async def prepare(self, *args, **kwargs):
        result = super().prepare(*args, **kwargs)  # Jupyter's own checks (and current user)
        if result is not None and hasattr(result, "__await__"):
            await result
        kernel_id = self.path_kwargs.get("kernel_id") or (
            self.path_args[0] if self.path_args else None
        )
        if not STATE.owner_ok(kernel_id, request_device(self), _session_cookie(self)):
            import tornado.web

            raise tornado.web.HTTPError(403, msg.GUARD_FORBIDDEN)

    def write_error(self, status_code: int, **kwargs) -> None:
        # Jupyter's HTML error page cannot be rendered by Voila's handlers: a short JSON reply.
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        reason = msg.GUARD_FORBIDDEN if status_code == 403 else self._reason
        self.finish(json.dumps({"message": reason}, ensure_ascii=False))


class LoopbackOnly:
    """Mixed into Voila's request-info websocket: only kernels (on this laptop) may ask."""

    async def prepare(self, *args, **kwargs):
        if not is_loopback(self.request.remote_ip or ""):
            import tornado.web

            raise tornado.web.HTTPError(403)
        result = super().prepare(*args, **kwargs)
        if result is not None and hasattr(result, "__await__"):
            await result


def guard_handlers(handlers: list) -> list:
    """Voila's handler list with the kernel endpoints wrapped in :class:`KernelOwnerOnly`."""
    from jupyter_server.services.kernels.handlers import KernelHandler
    from voila.request_info_handler import RequestInfoSocketHandler
    from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
    from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

    from kit.serving import connection

    wrapped = {
        KernelHandler: type("KitKernelHandler", (KernelOwnerOnly, KernelHandler), {}),
        VoilaKernelWebsocketHandler: type(
            "KitKernelWebsocket",
            (KernelOwnerOnly, connection.CheckedKernelFrames, VoilaKernelWebsocketHandler),
            {},
        ),
        VoilaShutdownKernelHandler: type(
            "KitShutdown", (KernelOwnerOnly, VoilaShutdownKernelHandler), {}
        ),
        RequestInfoSocketHandler: type(
            "KitRequestInfo", (LoopbackOnly, RequestInfoSocketHandler), {}
        ),
    }
    result = []
    for handler in handlers:
        if len(handler) > 1 and handler[1] in wrapped:
            handler = (handler[0], wrapped[handler[1]], *handler[2:])
        result.append(handler)
    return result


# --- logs -----------------------------------------------------------------------------------------
def redact(text: str) -> str:
    """A log line without kernel ids and without secrets in URLs (``key=``, ``once=``…)."""
    return SECRET_ARGUMENT_TEXT.sub(SECRET_HIDDEN, KERNEL_ID_TEXT.sub(KERNEL_HIDDEN, text))


_installed = False


def install_log_redaction() -> None:
    """Every log record of this process (Voila, Jupyter, Tornado) passes :func:`redact`."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logged as it is
            return record
        clean = redact(text)
        if clean != text:
            record.msg, record.args = clean, None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
