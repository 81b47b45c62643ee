"""The screen before the 支え合いマップ: the district's passphrase (合言葉).

The first time, the facilitator chooses the passphrase (twice) and is told that a forgotten
passphrase cannot be recovered; an older database's plain map is sealed in the same step.
After that, the passphrase opens the map on this page only (the key stays in this kernel).
The typed text is cleared from the fields at once, right or wrong. While the key is derived
(scrypt, a few tenths of a second) 「地図を読み込み中…」 shows under the button.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

import ipywidgets as w

from kit import messages as msg
from kit.errors import ValidationError
from kit.supportmap import vault
from kit.text import escape
from kit.ui.common import Feedback, big_button, classed, guarded, heading


class PassphraseGate:
    """Asks for the passphrase (or a new one); calls ``on_open`` once this kernel holds the key."""

    def __init__(self, conn, on_open: Callable[[], None]) -> None:
        self.conn = conn
        self.on_open = on_open
        self.feedback = Feedback("tk-map-gate-feedback")
        guard = guarded(self.feedback)
        self.title = heading(msg.MAP_GATE_TITLE, level=2, cls="tk-map-gate-title")
        self.body = classed(w.HTML(), "tk-map-gate-body")
        self.passphrase = classed(
            w.Password(description=msg.MAP_GATE_PASSPHRASE, style={"description_width": "auto"}),
            "tk-map-passphrase",
        )
        self.confirm = classed(
            w.Password(description=msg.MAP_GATE_CONFIRM, style={"description_width": "auto"}),
            "tk-map-passphrase-confirm",
        )
        self.open_button = big_button(msg.MAP_GATE_OPEN, "tk-map-gate-open")
        self.open_button.on_click(guard(self._open))
        self.set_button = big_button(msg.MAP_GATE_SET, "tk-map-gate-set")
        self.set_button.on_click(guard(self._set))
        self.loading = classed(w.HTML(), "tk-map-gate-loading")
        self.warning = classed(
            w.HTML(f'<p class="tk-map-forget">{escape(msg.MAP_FORGET_WARNING)}</p>'),
            "tk-map-gate-warning",
        )
        self.widget = classed(
            w.VBox(
                [
                    self.title,
                    self.body,
                    self.passphrase,
                    self.confirm,
                    w.HBox([self.open_button, self.set_button]),
                    self.loading,
                    self.feedback,
                    self.warning,
                ]
            ),
            "tk-map-gate",
        )
        self.show()

    @property
    def setting_up(self) -> bool:
        return not vault.has_passphrase(self.conn)

    def show(self) -> None:
        """Show the screen: choosing the first passphrase, or typing it."""
        self.widget.layout.display = None
        self.passphrase.value = self.confirm.value = ""
        setup = self.setting_up
        if setup:
            self.title.value = f"<h2>{escape(msg.MAP_GATE_SETUP_TITLE)}</h2>"
            body = msg.MAP_GATE_SETUP_BODY
            if vault.needs_migration(self.conn):
                body += "\n" + msg.MAP_GATE_MIGRATE_BODY
            self.passphrase.description = msg.MAP_GATE_NEW.format(limit=vault.PASSPHRASE_MIN_CHARS)
        else:
            self.title.value = f"<h2>{escape(msg.MAP_GATE_TITLE)}</h2>"
            body = msg.MAP_GATE_BODY
            self.passphrase.description = msg.MAP_GATE_PASSPHRASE
        self.body.value = "".join(f"<p>{escape(line)}</p>" for line in body.split("\n"))
        self.confirm.layout.display = None if setup else "none"
        self.set_button.layout.display = None if setup else "none"
        self.open_button.layout.display = "none" if setup else None

    def hide(self) -> None:
        self.widget.layout.display = "none"
        self.passphrase.value = self.confirm.value = ""
        self.loading.value = ""

    @contextmanager
    def _busy(self):
        """「地図を読み込み中…」 while the key is derived; gone again if it is refused."""
        self.feedback.clear()
        self.loading.value = (
            f'<p class="tk-map-loading" role="status">{escape(msg.MAP_LOADING)}</p>'
        )
        try:
            yield
        except BaseException:
            self.loading.value = ""
            raise

    def _open(self, _button=None) -> None:
        text = self.passphrase.value
        self.passphrase.value = ""
        if self.setting_up:
            self.show()
            raise ValidationError(msg.MAP_PASS_NOT_SET)
        with self._busy():
            vault.unlock(self.conn, text)
        self.feedback.ok(msg.MAP_GATE_OPENED)
        self.hide()
        self.on_open()

    def _set(self, _button=None) -> None:
        text, again = self.passphrase.value, self.confirm.value
        self.passphrase.value = self.confirm.value = ""
        try:
            with self._busy():
                vault.setup(self.conn, text, again)
        except ValidationError:
            if not self.setting_up:  # another page set it meanwhile: type that one instead
                self.show()
            raise
        self.feedback.ok(msg.MAP_GATE_SET_DONE)
        self.hide()
        self.on_open()
