"""AWS Resilience Hub checks. Applications are regional: these run once per region of the run."""

from __future__ import annotations

from typing import Any

from generator.checks.base import ApiError, AwsView, Check, Finding, FindingStatus, NotApplicable


def all_pages(view: AwsView, operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
    """Return the ``key`` items of every page of a Resilience Hub listing.

    botocore has no paginators for Resilience Hub, so the view returns one page per call;
    this follows nextToken, each page being a call (and an export) of its own. A token that
    comes back a second time would page forever: that is an :class:`ApiError`.
    """
    items: list[dict[str, Any]] = []
    token: str | None = None
    seen: set[str] = set()
    while True:
        page_params = params if token is None else {**params, "nextToken": token}
        response = view.call("resiliencehub", operation, **page_params)
        items += response.get(key, [])
        token = response.get("nextToken")
        if not token:
            return items
        if token in seen:
            message = f"nextToken {token} came back again; the listing would never end"
            raise ApiError("resiliencehub", operation, view.region, "RepeatedNextToken", message)
        seen.add(token)


def applications(view: AwsView) -> list[dict[str, Any]]:
    """Return the region's applications; raise NotApplicable where Resilience Hub is not offered."""
    try:
        return all_pages(view, "ListApps", "appSummaries")
    except ApiError as error:
        if error.code == "ServiceNotInRegion":
            raise NotApplicable(f"Resilience Hub is not offered in {view.region}.") from error
        raise


def assessed(view: AwsView, app_arn: str) -> bool:
    """Return whether ``app_arn`` has at least one assessment that ran to success."""
    summaries = all_pages(view, "ListAppAssessments", "assessmentSummaries", appArn=app_arn)
    return any(s.get("assessmentStatus") == "Success" for s in summaries)


def app_assessed(view: AwsView) -> list[Finding]:
    """Every Resilience Hub application has a successful resilience assessment.

    A region without applications fails: no application in it has been assessed.

    ```yaml
    checks: [resiliencehub_app_assessed]
    ```
    """
    account, region = view.account, view.region
    apps = applications(view)
    if not apps:
        reason = f"Account {account} has no Resilience Hub applications assessed in {region}."
        return [Finding(account, FindingStatus.FAIL, reason)]

    view.prefetch("resiliencehub", "ListAppAssessments", [{"appArn": a["appArn"]} for a in apps])
    findings = []
    for app in apps:
        arn, name = app["appArn"], app["name"]
        if assessed(view, arn):
            reason = f"Application {name} has a successful resilience assessment."
            findings.append(Finding(arn, FindingStatus.PASS, reason))
        else:
            reason = f"Application {name} has no successful resilience assessment."
            findings.append(Finding(arn, FindingStatus.FAIL, reason))
    return findings


CHECKS = [
    Check(
        id="resiliencehub_app_assessed",
        title="Applications are assessed by Resilience Hub",
        rule=(
            "The region has Resilience Hub applications, and each has at least one assessment "
            "against its resiliency policy that ran to success."
        ),
        service="resiliencehub",
        scope="regional",
        permissions=("resiliencehub:ListApps", "resiliencehub:ListAppAssessments"),
        evaluate=app_assessed,
    ),
]
