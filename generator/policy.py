"""The least-privilege read-only IAM policy for the role collections run as.

Built from what each check declares in ``permissions`` plus the calls the engine makes itself,
so the policy grows with the checks and never has to be kept by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from generator.checks.base import Check

ENGINE_ACTIONS = (
    "ec2:DescribeRegions",
    "organizations:DescribeOrganization",
    "organizations:ListAccounts",
    "sts:GetCallerIdentity",
)
"""What the engine calls before any check: the account's identity and its enabled regions,
and for ``collect --org`` the Organization and its accounts."""


def actions(checks: Iterable[Check]) -> list[str]:
    """Return every IAM action a collection of ``checks`` needs, unique and sorted."""
    needed = {*ENGINE_ACTIONS, *(action for check in checks for action in check.permissions)}
    # IAM compares action names case-insensitively; sort the same way so services group.
    return sorted(needed, key=lambda action: (action.lower(), action))


def read_only_policy(checks: Iterable[Check]) -> dict[str, Any]:
    """Return the IAM policy document that allows exactly what ``checks`` call."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TrustcenterEvidenceReadOnly",
                "Effect": "Allow",
                "Action": actions(checks),
                "Resource": "*",
            }
        ],
    }


def policy_json(checks: Iterable[Check]) -> str:
    """Return the policy document as indented JSON, the same text for the same checks."""
    return json.dumps(read_only_policy(checks), indent=2) + "\n"
