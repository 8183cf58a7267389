"""The AWS Audit Manager checks, on botocore's Stubber.

moto has no Audit Manager, so each answer is stubbed on the client the view uses; the Stubber
checks every answer against the service model. No moto server is needed, so none is reset.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from generator.aws.clients import ClientFactory, ClientSettings
from generator.aws.view import LiveView, ResponseStore
from generator.checks.auditmanager import CHECKS, soc2_assessment_active
from generator.checks.base import GLOBAL, ApiError, FindingStatus, NotApplicable

ACCOUNT = "123456789012"
REGIONS = ["us-east-1", "eu-central-2"]
"""Audit Manager is offered in the first and not in the second."""

ARN = f"arn:aws:auditmanager:us-east-1:{ACCOUNT}:assessment/"


NOBODY = "http://127.0.0.1:9"
"""An endpoint nobody answers on: a call the test forgot to stub fails fast and locally."""


@pytest.fixture(name="factory")
def fixture_factory(moto_tools, monkeypatch, tmp_path):
    # Fake credentials, so creating a client never walks boto3's chain to the metadata service.
    moto_tools.point_boto3_at(monkeypatch, NOBODY, tmp_path)
    return ClientFactory(ClientSettings(endpoint_url=NOBODY, max_attempts=1))


@pytest.fixture(name="auditmanager")
def fixture_auditmanager(factory):
    """Yield (stubber, view): a stubbed us-east-1 client and a global view over REGIONS."""
    # One prefetch slot: prefetched calls go in list order, the order the Stubber answers in.
    store = ResponseStore(factory, parallel=1)
    with Stubber(factory.client("auditmanager", "us-east-1", ACCOUNT)) as stubber:
        yield stubber, LiveView(store, ACCOUNT, GLOBAL, REGIONS)
        stubber.assert_no_pending_responses()


def test_the_stubbed_clients_have_fake_credentials(factory):
    credentials = boto3.Session().get_credentials()

    assert credentials is not None
    assert (credentials.method, credentials.access_key) == ("env", "testing")


def assessment(assessment_id, framework):
    return {
        "assessment": {
            "arn": f"{ARN}{assessment_id}",
            "metadata": {"id": assessment_id, "name": f"{framework} {assessment_id}"},
            "framework": {"metadata": {"name": framework}},
        }
    }


def assessment_id(number):
    return f"00000000-0000-4000-8000-{number:012d}"


def active(stubber, *frameworks):
    stubber.add_response("get_account_status", {"status": "ACTIVE"})
    listed = [
        {"id": assessment_id(i), "name": name, "status": "ACTIVE"}
        for i, name in enumerate(frameworks)
    ]
    stubber.add_response("list_assessments", {"assessmentMetadata": listed}, {"status": "ACTIVE"})
    for i, framework in enumerate(frameworks):
        params = {"assessmentId": assessment_id(i)}
        stubber.add_response("get_assessment", assessment(assessment_id(i), framework), params)


def test_the_check_informs_and_never_fails_a_control():
    [check] = CHECKS
    assert check.informational


def test_an_active_soc2_assessment_passes(auditmanager):
    stubber, view = auditmanager
    active(stubber, "AWS Foundational Security Best Practices", "SOC 2")

    [finding] = soc2_assessment_active(view)

    assert (finding.resource, finding.status) == (f"{ARN}{assessment_id(1)}", FindingStatus.PASS)


def test_active_assessments_on_other_frameworks_fail(auditmanager):
    stubber, view = auditmanager
    active(stubber, "PCI DSS V4.0")

    [finding] = soc2_assessment_active(view)

    assert (finding.resource, finding.status) == (ACCOUNT, FindingStatus.FAIL)
    assert finding.reason == f"Account {ACCOUNT} has no active SOC 2 assessment in us-east-1."


def test_audit_manager_not_set_up_fails(auditmanager):
    stubber, view = auditmanager
    stubber.add_response("get_account_status", {"status": "INACTIVE"})

    [finding] = soc2_assessment_active(view)

    assert (finding.resource, finding.status) == (ACCOUNT, FindingStatus.FAIL)
    assert finding.reason == f"Account {ACCOUNT} has not set up Audit Manager in us-east-1."


def test_audit_manager_offered_in_no_region_of_the_run_does_not_apply(factory):
    view = LiveView(ResponseStore(factory), ACCOUNT, GLOBAL, ["eu-central-2"])

    with pytest.raises(NotApplicable, match="not offered in any region"):
        soc2_assessment_active(view)


def test_assessments_are_listed_page_by_page(auditmanager):
    """botocore has no ListAssessments paginator; the check follows nextToken itself."""
    stubber, view = auditmanager
    stubber.add_response("get_account_status", {"status": "ACTIVE"})
    first, second = ({"id": assessment_id(i), "status": "ACTIVE"} for i in range(2))
    page_one = {"assessmentMetadata": [first], "nextToken": "page-2"}
    stubber.add_response("list_assessments", page_one, {"status": "ACTIVE"})
    page_two = {"assessmentMetadata": [second]}
    stubber.add_response("list_assessments", page_two, {"status": "ACTIVE", "nextToken": "page-2"})
    for listed, framework in [(first, "ISO 27001"), (second, "SOC 2")]:
        answer = assessment(listed["id"], framework)
        stubber.add_response("get_assessment", answer, {"assessmentId": listed["id"]})

    [finding] = soc2_assessment_active(view)

    assert (finding.resource, finding.status) == (f"{ARN}{second['id']}", FindingStatus.PASS)


@pytest.mark.timeout(10)
def test_a_next_token_that_comes_back_again_is_an_api_error(auditmanager):
    """The view answers a repeated request from what it fetched, so a listing whose token
    repeats would loop forever without a network call."""
    stubber, view = auditmanager
    stubber.add_response("get_account_status", {"status": "ACTIVE"})
    page = {"assessmentMetadata": [], "nextToken": "page-2"}
    stubber.add_response("list_assessments", page, {"status": "ACTIVE"})
    stubber.add_response("list_assessments", page, {"status": "ACTIVE", "nextToken": "page-2"})

    with pytest.raises(ApiError) as raised:
        soc2_assessment_active(view)

    assert (raised.value.operation, raised.value.code) == ("ListAssessments", "RepeatedNextToken")
