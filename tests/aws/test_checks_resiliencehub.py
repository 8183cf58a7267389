"""The Resilience Hub checks against a moto server.

moto cannot run assessments (StartAppAssessment is not implemented); it answers
ListAppAssessments from a queue set through its /moto-api/static endpoint, one queued answer
per distinct request, in call order.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from generator.aws.view import LiveView, ResponseStore
from generator.checks.base import ApiError, FindingStatus, NotApplicable
from generator.checks.resiliencehub import all_pages, app_assessed


def queue_assessments(endpoint, region, *answers):
    body = json.dumps({"results": list(answers), "region": region}).encode()
    request = urllib.request.Request(
        f"{endpoint}/moto-api/static/resilience-hub-assessments/response",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def test_apps_without_a_successful_assessment_fail(aws, seed, factory, account):
    hub = seed("resiliencehub")
    assessed = hub.create_app(name="checkout")["app"]["appArn"]
    failed = hub.create_app(name="reporting")["app"]["appArn"]
    success = {"appArn": assessed, "assessmentArn": f"{assessed}/a1", "assessmentStatus": "Success"}
    failure = {"appArn": failed, "assessmentArn": f"{failed}/a2", "assessmentStatus": "Failed"}
    queue_assessments(aws, "us-east-1", [success], [failure])
    # One prefetch slot: moto hands its queued answers out in the order it is asked, so the
    # per-app calls must go one after the other, in the order of the listing.
    store = ResponseStore(factory, parallel=1)

    def view(region):
        return LiveView(store, account, region, [region])

    findings = app_assessed(view("us-east-1"))

    assert {f.resource: f.status for f in findings} == {
        assessed: FindingStatus.PASS,
        failed: FindingStatus.FAIL,
    }
    [no_apps] = app_assessed(view("eu-west-1"))
    assert (no_apps.resource, no_apps.status) == (account, FindingStatus.FAIL)


def test_regions_without_resilience_hub_do_not_apply(view):
    with pytest.raises(NotApplicable, match="not offered in eu-central-2"):
        app_assessed(view("eu-central-2"))


class PagedView:
    """A view whose Resilience Hub answers come in pages keyed by the nextToken asked for."""

    account, region = "123456789012", "us-east-1"

    def __init__(self, pages):
        self.pages = pages
        self.asked = []

    def call(self, service, operation, **params):
        self.asked.append((service, operation, params))
        # A listing that loops would otherwise hang the test rather than fail it.
        assert len(self.asked) <= 10, "the listing is paged without end"
        return self.pages[params.get("nextToken")]


def test_listings_are_followed_page_by_page():
    """botocore has no Resilience Hub paginators; the check follows nextToken itself."""
    view = PagedView(
        {
            None: {"appSummaries": [{"name": "checkout"}], "nextToken": "page-2"},
            "page-2": {"appSummaries": [{"name": "reporting"}]},
        }
    )

    apps = all_pages(view, "ListApps", "appSummaries")

    assert [app["name"] for app in apps] == ["checkout", "reporting"]
    assert view.asked == [
        ("resiliencehub", "ListApps", {}),
        ("resiliencehub", "ListApps", {"nextToken": "page-2"}),
    ]


def test_a_next_token_that_comes_back_again_is_an_api_error():
    view = PagedView(
        {
            None: {"appSummaries": [{"name": "checkout"}], "nextToken": "page-2"},
            "page-2": {"appSummaries": [{"name": "reporting"}], "nextToken": "page-3"},
            "page-3": {"appSummaries": [], "nextToken": "page-2"},
        }
    )

    with pytest.raises(ApiError) as raised:
        all_pages(view, "ListApps", "appSummaries")

    assert (raised.value.operation, raised.value.code) == ("ListApps", "RepeatedNextToken")
    assert raised.value.message == ("nextToken page-2 came back again; the listing would never end")
    assert len(view.asked) == 3
