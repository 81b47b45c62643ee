"""Errors the kit raises on purpose.

Every error carries a Japanese message meant for the person in front of the page
(``error.message``); the UI shows it as plain text and nothing is half-written.
"""

from __future__ import annotations


class KitError(Exception):
    """Base class: ``message`` is Japanese text safe to show to a user."""

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details or [])

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(f"・{d}" for d in self.details)


class ValidationError(KitError):
    """Input that breaks a rule (empty, too long, out of range, unknown id)."""


class NotFoundError(KitError):
    """A meeting, member, issue or other record that does not exist."""


class AccessDenied(KitError):
    """The caller lacks the key or role for this action."""


class PhaseError(KitError):
    """The action is not allowed in the meeting's current phase."""


class ConflictError(KitError):
    """Someone else changed the record first (two tablets editing at once)."""


class PlanError(KitError):
    """The plan file is missing, damaged or inconsistent."""


class SchemaTooNewError(KitError):
    """The database was written by a newer kit than this one."""


class ResultFileError(KitError):
    """A meeting result file that cannot be read or trusted."""


class InvalidId(NotFoundError, AccessDenied):
    """An id no page could have sent (text, a list, ``True``, out of range): refused as an
    unknown record is, and as a member who is not in this meeting is."""


class SettingsError(KitError):
    """A setting's value (from the environment or a flag) that cannot be used."""


class ServeError(KitError):
    """``tasukeai serve`` cannot start: port taken, database folder unusable, already running."""
