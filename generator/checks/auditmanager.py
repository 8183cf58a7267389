"""AWS Audit Manager checks: informational, since Audit Manager gathers evidence, not controls.

Audit Manager is regional, but one SOC 2 assessment anywhere is what counts, so the check runs
once per account and looks in each region of the run where Audit Manager is offered.
"""

from __future__ import annotations

from typing import Any

from generator.checks.base import ApiError, AwsView, Check, Finding, FindingStatus, NotApplicable

SOC2_MARKERS = ("soc 2", "soc2")


def account_status(view: AwsView) -> str | None:
    """Return Audit Manager's status in the view's region, or None where it is not offered."""
    try:
        response = view.call("auditmanager", "GetAccountStatus")
    except ApiError as error:
        if error.code == "ServiceNotInRegion":
            return None
        raise
    return str(response.get("status", "INACTIVE"))


def active_assessments(view: AwsView) -> list[dict[str, Any]]:
    """Return the region's active assessments, following nextToken page by page.

    botocore has no paginator for ListAssessments, so each page is a call of its own. A token
    that comes back a second time would page forever: that is an :class:`ApiError`.
    """
    items: list[dict[str, Any]] = []
    token: str | None = None
    seen: set[str] = set()
    while True:
        params = {"status": "ACTIVE"} | ({} if token is None else {"nextToken": token})
        response = view.call("auditmanager", "ListAssessments", **params)
        items += response.get("assessmentMetadata", [])
        token = response.get("nextToken")
        if not token:
            return items
        if token in seen:
            message = f"nextToken {token} came back again; the listing would never end"
            raise ApiError(
                "auditmanager", "ListAssessments", view.region, "RepeatedNextToken", message
            )
        seen.add(token)


def soc2_assessment_arns(view: AwsView) -> list[str]:
    """Return the ARNs of the region's active assessments built on a SOC 2 framework."""
    listed = active_assessments(view)
    view.prefetch("auditmanager", "GetAssessment", [{"assessmentId": i["id"]} for i in listed])

    arns = []
    for item in listed:
        assessment = view.call("auditmanager", "GetAssessment", assessmentId=item["id"])
        framework = assessment["assessment"].get("framework", {}).get("metadata", {})
        if any(marker in framework.get("name", "").lower() for marker in SOC2_MARKERS):
            arns.append(assessment["assessment"]["arn"])
    return arns


def soc2_assessment_active(view: AwsView) -> list[Finding]:
    """Audit Manager runs an active assessment on a SOC 2 framework in some region of the run.

    Regions where Audit Manager is not offered are skipped; where it is offered nowhere, the
    check does not apply. Where it is offered but not set up (status INACTIVE), the finding
    fails, which as an informational check never fails a control.

    ```yaml
    checks: [auditmanager_soc2_assessment_active]
    ```
    """
    account = view.account
    view.prefetch("auditmanager", "GetAccountStatus", regions=view.regions())
    statuses = {region: account_status(view.in_region(region)) for region in view.regions()}
    offered = [region for region, status in statuses.items() if status is not None]
    if not offered:
        raise NotApplicable("Audit Manager is not offered in any region of the run.")

    enabled = [region for region in offered if statuses[region] == "ACTIVE"]
    if not enabled:
        reason = f"Account {account} has not set up Audit Manager in {', '.join(offered)}."
        return [Finding(account, FindingStatus.FAIL, reason)]

    view.prefetch("auditmanager", "ListAssessments", [{"status": "ACTIVE"}], regions=enabled)
    arns = [arn for region in enabled for arn in soc2_assessment_arns(view.in_region(region))]
    if not arns:
        reason = f"Account {account} has no active SOC 2 assessment in {', '.join(enabled)}."
        return [Finding(account, FindingStatus.FAIL, reason)]
    return [
        Finding(arn, FindingStatus.PASS, f"Assessment {arn} is active on a SOC 2 framework.")
        for arn in arns
    ]


CHECKS = [
    Check(
        id="auditmanager_soc2_assessment_active",
        title="Audit Manager collects SOC 2 evidence",
        rule=(
            "Audit Manager is set up and has an active assessment on a SOC 2 framework in at "
            "least one region of the run; this informs and never makes a control fail."
        ),
        service="auditmanager",
        scope="global",
        permissions=(
            "auditmanager:GetAccountStatus",
            "auditmanager:ListAssessments",
            "auditmanager:GetAssessment",
        ),
        evaluate=soc2_assessment_active,
        informational=True,
    ),
]
