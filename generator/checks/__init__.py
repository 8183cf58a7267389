"""The check registry: every check of every service module, by id.

A service module (``iam.py``, ``ec2.py``...) lists its checks in ``CHECKS``; the registry
imports each module of this package, so adding a module is all it takes to register its
checks. Modules whose names start with ``_`` hold shared helpers and are skipped.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from functools import cache
from types import ModuleType

from generator.checks.base import Check

_NOT_SERVICE_MODULES = frozenset({"base"})


class RegistryError(Exception):
    """The checks as written cannot form a registry: a duplicate id or a module without CHECKS."""


@cache
def registry() -> dict[str, Check]:
    """Return every check of every service module by id; raise :class:`RegistryError`."""
    modules = [importlib.import_module(f"{__name__}.{name}") for name in _service_modules()]
    return build_registry(modules)


def build_registry(modules: Iterable[ModuleType]) -> dict[str, Check]:
    """Return the checks listed in ``modules`` by id, in id order."""
    checks: dict[str, Check] = {}
    for module in modules:
        listed = getattr(module, "CHECKS", None)
        if not isinstance(listed, list):
            raise RegistryError(f"check module {module.__name__} defines no CHECKS list")

        for check in listed:
            if check.id in checks:
                raise RegistryError(f"check id {check.id} is defined twice ({module.__name__})")
            checks[check.id] = check

    return dict(sorted(checks.items()))


def _service_modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_") and info.name not in _NOT_SERVICE_MODULES
    )
