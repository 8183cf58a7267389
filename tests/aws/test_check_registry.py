"""The check registry, and the rules every check module follows."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from generator.checks import RegistryError, build_registry, registry
from generator.checks.base import Check

CHECKS = list(registry().values())


def test_registry_holds_the_example_checks():
    assert {"iam_password_policy_strong", "ec2_ebs_default_encryption_enabled"} <= set(registry())


def test_a_duplicate_id_is_refused():
    check = registry()["iam_password_policy_strong"]
    modules = [
        SimpleNamespace(__name__="one", CHECKS=[check]),
        SimpleNamespace(__name__="two", CHECKS=[check]),
    ]

    with pytest.raises(RegistryError, match="iam_password_policy_strong is defined twice"):
        build_registry(modules)


def test_a_module_without_checks_is_refused():
    with pytest.raises(RegistryError, match="defines no CHECKS"):
        build_registry([SimpleNamespace(__name__="helpers")])


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.id)
def test_each_check_follows_the_pattern(check: Check):
    assert check.id.startswith(f"{check.service}_"), "ids read service_resource_property"
    assert check.permissions, "every check declares the IAM actions it calls"
    assert all(":" in action for action in check.permissions)
    assert check.rule.endswith(".")
    assert f"checks: [{check.id}]" in (check.evaluate.__doc__ or ""), "docstring shows the YAML"
