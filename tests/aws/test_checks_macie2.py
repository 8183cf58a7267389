"""The Macie check against a moto server."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from generator.checks.base import ApiError, FindingStatus
from generator.checks.macie2 import session_enabled


def test_macie_passes_where_enabled_and_fails_where_paused(seed, view, account):
    seed("macie2", "eu-west-1").enable_macie(status="PAUSED")

    [enabled] = session_enabled(view("us-east-1"))
    [paused] = session_enabled(view("eu-west-1"))

    assert (enabled.resource, enabled.status) == (account, FindingStatus.PASS)
    assert (paused.resource, paused.status) == (account, FindingStatus.FAIL)
    assert paused.reason == f"Macie is paused for account {account} in eu-west-1."


def test_macie_not_enabled_fails_but_other_denials_stay_errors(factory, view, account):
    """Stubbed with botocore's Stubber: moto reports Macie as enabled in every region until
    disabled, and then answers ResourceNotFoundException instead of AWS's AccessDenied."""
    never = Stubber(factory.client("macie2", "us-east-1", account))
    never.add_client_error(
        "get_macie_session", "AccessDeniedException", "Macie is not enabled.", 403
    )
    denied = Stubber(factory.client("macie2", "eu-west-1", account))
    denied.add_client_error(
        "get_macie_session", "AccessDeniedException", "User is not authorized.", 403
    )

    with never, denied:
        [not_enabled] = session_enabled(view("us-east-1"))
        with pytest.raises(ApiError, match="User is not authorized"):
            session_enabled(view("eu-west-1"))

    assert (not_enabled.resource, not_enabled.status) == (account, FindingStatus.FAIL)
    assert not_enabled.reason == f"Macie is not enabled for account {account} in us-east-1."
