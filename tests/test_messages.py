"""All UI text lives in kit.messages; submodules must not silently shadow each other."""

from __future__ import annotations

import importlib
import pkgutil

import kit.messages


def test_no_message_name_is_defined_twice():
    seen: dict[str, str] = {}
    for info in pkgutil.iter_modules(kit.messages.__path__):
        module = importlib.import_module(f"kit.messages.{info.name}")
        for name in vars(module):
            if name.isupper():
                assert name not in seen, f"{name} in {info.name} and {seen[name]}"
                seen[name] = info.name


def test_every_submodule_is_exported():
    for info in pkgutil.iter_modules(kit.messages.__path__):
        module = importlib.import_module(f"kit.messages.{info.name}")
        for name in vars(module):
            if name.isupper():
                assert hasattr(kit.messages, name), f"{info.name}.{name} not exported"
