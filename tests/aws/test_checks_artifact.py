"""The AWS Artifact checks, on botocore's Stubber.

moto has no Artifact, so each answer is stubbed on the client the view uses; the Stubber
checks every answer against the service model. No moto server is needed, so none is reset.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from generator.aws.clients import ClientFactory, ClientSettings
from generator.aws.engine import Result, ResultStatus
from generator.aws.view import LiveView, ResponseStore
from generator.catalog import Status
from generator.checks import registry
from generator.checks.artifact import CHECKS, soc2_report_accessible
from generator.checks.base import GLOBAL, FindingStatus
from generator.loader import load_catalog
from generator.status import Automated, Effective, assess

REPO = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
SOC2 = {
    "id": "report-soc2",
    "name": "SOC 2 Type 2 Report - Security, Availability, Confidentiality",
    "series": "SOC 2",
    "state": "PUBLISHED",
    "version": 3,
    "periodEnd": datetime(2026, 3, 31, tzinfo=UTC),
}
ISO = {"id": "report-iso", "name": "ISO 27001 Certificate", "series": "ISO", "state": "PUBLISHED"}


NOBODY = "http://127.0.0.1:9"
"""An endpoint nobody answers on: a call the test forgot to stub fails fast and locally."""


@pytest.fixture(name="artifact")
def fixture_artifact(moto_tools, monkeypatch, tmp_path):
    """Yield (stubber, view): a stubbed Artifact client and a global view that uses it."""
    # Fake credentials, so creating the client never walks boto3's chain to the metadata service.
    moto_tools.point_boto3_at(monkeypatch, NOBODY, tmp_path)
    factory = ClientFactory(ClientSettings(endpoint_url=NOBODY, max_attempts=1))
    with Stubber(factory.client("artifact", "us-east-1", ACCOUNT)) as stubber:
        yield stubber, LiveView(ResponseStore(factory), ACCOUNT, GLOBAL, ["us-east-1"])
        stubber.assert_no_pending_responses()


def test_the_stubbed_client_has_fake_credentials(artifact):
    credentials = boto3.Session().get_credentials()

    assert credentials is not None
    assert (credentials.method, credentials.access_key) == ("env", "testing")


def agreement(state):
    return {"name": "AWS Business Associate Addendum", "state": state, "type": "DEFAULT"}


def test_an_active_agreement_passes(artifact):
    stubber, view = artifact
    stubber.add_response("list_customer_agreements", {"customerAgreements": [agreement("ACTIVE")]})

    [finding] = soc2_report_accessible(view)

    assert (finding.resource, finding.status) == (ACCOUNT, FindingStatus.PASS)
    assert finding.reason.endswith("agreements: AWS Business Associate Addendum.")


def test_a_soc2_report_with_terms_to_accept_passes(artifact):
    stubber, view = artifact
    ended = {"customerAgreements": [agreement("CUSTOMER_TERMINATED")]}
    stubber.add_response("list_customer_agreements", ended)
    stubber.add_response("list_reports", {"reports": [ISO, SOC2]})
    terms = {"reportId": "report-soc2", "reportVersion": 3}
    stubber.add_response("get_term_for_report", {"termToken": "t0k3n"}, terms)

    [finding] = soc2_report_accessible(view)

    assert (finding.resource, finding.status) == (ACCOUNT, FindingStatus.PASS)
    assert "(period ending 2026-03-31)" in finding.reason


def test_no_agreement_and_no_soc2_report_fails(artifact):
    stubber, view = artifact
    stubber.add_response("list_customer_agreements", {"customerAgreements": []})
    stubber.add_response("list_reports", {"reports": [ISO]})

    [finding] = soc2_report_accessible(view)

    assert (finding.resource, finding.status) == (ACCOUNT, FindingStatus.FAIL)
    assert finding.reason == f"AWS Artifact offers account {ACCOUNT} no published SOC 2 report."


def test_the_check_informs_and_never_decides_a_control():
    [check] = CHECKS
    assert check.informational


def passed(check):
    now = datetime.now(UTC)
    reason = f"{check} passes."
    return Result(check, [], ACCOUNT, GLOBAL, ResultStatus.PASS, reason, [], [], now, now)


@pytest.mark.parametrize("control_id", ["1.6", "9.2"])
def test_a_complete_control_without_the_retained_report_reads_claimed_when_its_checks_pass(
    control_id,
):
    """The controls ask for the retained SOC 2 report, which no API call can show."""
    checks = registry()
    [shipped] = [c for c in load_catalog(REPO, checks).controls if c.id == control_id]
    control = shipped.model_copy(update={"status": Status.COMPLETE, "evidence": []})
    informational = frozenset(name for name, check in checks.items() if check.informational)
    results = {name: [passed(name)] for name in control.checks}
    automated = Automated(results, datetime.now(UTC), informational)

    assessment = assess(control, datetime.now(UTC), automated)

    assert assessment.state is Effective.CLAIMED
