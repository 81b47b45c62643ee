"""Row ids that arrive from a page: checked before they reach the store.

A crafted widget message can send any value where a page would send an id (a string, a
list, ``True``, a number too large for SQLite). :func:`checked_ids` refuses all of them
with the same Japanese message as an unknown id, so nothing is matched by accident
(``"1"`` or ``True`` for member 1) and no SQLite error escapes.
"""

from __future__ import annotations

import functools
import inspect
import numbers
from collections.abc import Callable
from typing import TypeVar

from kit import messages as msg
from kit.errors import InvalidId

MAX_ID = 2**63 - 1
F = TypeVar("F", bound=Callable)


def is_row_id(value: object) -> bool:
    """True for a whole number SQLite can hold as a row id (``bool`` is not one)."""
    return (
        isinstance(value, numbers.Integral) and not isinstance(value, bool) and 0 < value <= MAX_ID
    )


def checked_ids(func: F) -> F:
    """Refuse calls whose ``…_id`` arguments (annotated ``int``) are not row ids.

    An argument annotated ``int | None`` may also be ``None``.
    """
    signature = inspect.signature(func)
    checked = {
        name: "None" in str(p.annotation)
        for name, p in signature.parameters.items()
        if (name == "id" or name.endswith("_id")) and str(p.annotation).startswith("int")
    }

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        bound = signature.bind_partial(*args, **kwargs)
        for name, optional in checked.items():
            if name not in bound.arguments:
                continue
            value = bound.arguments[name]
            if not (is_row_id(value) or (optional and value is None)):
                raise InvalidId(msg.ID_NOT_FOUND)
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
