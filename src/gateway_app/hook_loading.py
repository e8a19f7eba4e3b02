"""``GATEWAY_HOOK_MODULE=package.module:factory``: hooks from the operator's own code.

The factory is called with no arguments and returns a list of hook objects (one hook alone is
accepted too). Anything that goes wrong — the module missing, the name missing, the factory
raising or returning something else — is a configuration error naming what to fix.
"""

from __future__ import annotations

import importlib
from typing import Any

from gateway_domain import HookRunner

from .config import ConfigError


def load_hooks(reference: str) -> list[Any]:
    module_name, _, attribute = reference.partition(":")
    label = f"GATEWAY_HOOK_MODULE={reference}"
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # an import error, or the module itself failing at import time
        raise ConfigError([f"{label}: cannot import {module_name!r} ({type(exc).__name__}: {exc})"]) from None
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise ConfigError([f"{label}: {module_name!r} has no callable {attribute!r}"])
    try:
        made = factory()
    except Exception as exc:
        raise ConfigError([f"{label}: {attribute}() raised {type(exc).__name__}: {exc}"]) from None
    hooks = list(made) if isinstance(made, list | tuple) else [made]
    try:
        HookRunner(hooks)
    except TypeError as exc:
        raise ConfigError([f"{label}: {exc}"]) from None
    return hooks
