"""The engine: regions, work units, and how outcomes become results."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from botocore.stub import Stubber

from generator.aws.clients import ClientFactory
from generator.aws.engine import (
    ResultStatus,
    UnknownRegions,
    collect,
    enabled_regions,
    run_check,
    verdict,
)
from generator.aws.view import LiveView, ResponseStore
from generator.checks import registry
from generator.checks.base import GLOBAL, Check, Finding, FindingStatus, NotApplicable

CONTROLS = {
    "iam_password_policy_strong": ["6.1.2"],
    "ec2_ebs_default_encryption_enabled": ["6.7.1", "6.7.2"],
}


def make_check(evaluate, scope="regional", service="ec2"):
    return Check(
        id=f"{service}_test_check",
        title="Test check",
        rule="Test rule.",
        service=service,
        scope=scope,
        permissions=("ec2:DescribeVpcs",),
        evaluate=evaluate,
        empty="No test resources exist.",
    )


def offline_view(region="eu-west-1"):
    """A view whose checks below never call AWS."""
    return LiveView(ResponseStore(ClientFactory()), "123456789012", region, [region])


def test_collect_runs_regional_checks_per_region_and_global_ones_once(seed, factory, account):
    seed("ec2", "eu-west-1").enable_ebs_encryption_by_default()
    checks = [
        registry()[name]
        for name in ("ec2_ebs_default_encryption_enabled", "iam_password_policy_strong")
    ]

    collection = collect(checks, CONTROLS, factory, regions=["eu-west-1", "us-east-1"], workers=4)

    outcomes = {(r.check, r.region): (r.status, r.reason) for r in collection.results}
    assert outcomes == {
        ("ec2_ebs_default_encryption_enabled", "eu-west-1"): (
            ResultStatus.PASS,
            f"Account {account} encrypts new EBS volumes by default in eu-west-1.",
        ),
        ("ec2_ebs_default_encryption_enabled", "us-east-1"): (
            ResultStatus.FAIL,
            f"1 of 1 resource fails: {account}.",
        ),
        ("iam_password_policy_strong", GLOBAL): (
            ResultStatus.FAIL,
            f"1 of 1 resource fails: {account}.",
        ),
    }
    assert collection.account == account
    assert collection.regions == ["eu-west-1", "us-east-1"]
    assert {r.account for r in collection.results} == {account}
    assert collection.results[0].controls == ["6.7.1", "6.7.2"]
    export_keys = {e.key for e in collection.exports}
    assert all(r.exports and set(r.exports) <= export_keys for r in collection.results)
    assert f"{account}/global/iam/GetAccountPasswordPolicy" in export_keys
    assert any(key.startswith(f"{account}/us-east-1/ec2/DescribeRegions") for key in export_keys)


def test_checks_sharing_a_call_in_different_units_make_one_request(seed, factory, account):
    seed("iam").update_account_password_policy(MinimumPasswordLength=14)
    sent = []
    client = factory.client("iam", "us-east-1", account)
    client.meta.events.register(
        "before-send.iam.GetAccountPasswordPolicy", lambda request, **_: sent.append(request)
    )
    strong = registry()["iam_password_policy_strong"]
    twin = make_check(strong.evaluate, scope="global", service="sts")

    collection = collect([strong, twin], CONTROLS, factory, regions=["us-east-1"], workers=4)

    assert len(sent) == 1
    assert [r.exports for r in collection.results] == [
        [f"{account}/global/iam/GetAccountPasswordPolicy"]
    ] * 2


def test_access_denied_gives_an_error_result_naming_the_call(factory, account):
    """Stubbed with botocore's Stubber: moto does not enforce IAM permissions by default."""
    check = registry()["iam_password_policy_strong"]
    view = LiveView(ResponseStore(factory), account, GLOBAL, [])

    with Stubber(factory.client("iam", "us-east-1", account)) as stubber:
        stubber.add_client_error("get_account_password_policy", "AccessDenied", "Not allowed.", 403)
        result = run_check(check, view, CONTROLS)

    assert result.status is ResultStatus.ERROR
    assert (
        result.reason
        == "iam:GetAccountPasswordPolicy failed in us-east-1: AccessDenied: Not allowed."
    )
    assert result.findings == []
    assert result.exports == [f"{account}/global/iam/GetAccountPasswordPolicy"]


def test_not_applicable_keeps_its_reason():
    def evaluate(view):
        raise NotApplicable("No directory service in eu-west-1.")

    result = run_check(make_check(evaluate), offline_view(), {})

    assert (result.status, result.reason) == (
        ResultStatus.NOT_APPLICABLE,
        "No directory service in eu-west-1.",
    )


def test_a_check_that_raises_is_an_error_not_a_pass(caplog):
    def evaluate(view):
        raise KeyError("Policies")

    with caplog.at_level(logging.ERROR, logger="generator.aws.engine"):
        result = run_check(make_check(evaluate), offline_view(), {})

    assert (result.status, result.reason) == (
        ResultStatus.ERROR,
        "could not evaluate: KeyError: 'Policies'",
    )
    assert "ec2_test_check" in caplog.text


def test_no_findings_pass_with_the_checks_empty_reason():
    check = make_check(lambda view: [])

    assert verdict(check, []) == (ResultStatus.PASS, "No test resources exist.")


def test_fail_reason_counts_and_names_failing_resources():
    findings = [
        Finding("sg-1", FindingStatus.FAIL, "sg-1 is open."),
        Finding("sg-2", FindingStatus.PASS, "sg-2 is closed."),
        Finding("sg-3", FindingStatus.FAIL, "sg-3 is open."),
    ]

    assert verdict(make_check(lambda view: findings), findings) == (
        ResultStatus.FAIL,
        "2 of 3 resources fail: sg-1, sg-3.",
    )


def test_fail_reason_stops_naming_after_ten():
    findings = [Finding(f"r-{n:02}", FindingStatus.FAIL, "Fails.") for n in range(12)]

    _, reason = verdict(make_check(lambda view: findings), findings)

    assert reason.endswith("r-08, r-09 and 2 more.")


def test_result_serialises_to_json_values():
    started = datetime(2025, 1, 1, tzinfo=UTC)
    result = run_check(make_check(lambda view: []), offline_view(), {"ec2_test_check": ["6.1.1"]})

    data = result.to_json()

    assert data["status"] == "pass"
    assert data["controls"] == ["6.1.1"]
    assert datetime.fromisoformat(data["started"]) >= started


def test_enabled_regions_are_those_not_needing_or_given_opt_in(factory):
    regions = enabled_regions(factory)

    assert "us-east-1" in regions
    assert regions == sorted(regions)


def test_enabled_regions_narrowed_by_a_list_leave_out_those_not_enabled(factory, caplog):
    with caplog.at_level(logging.WARNING, logger="generator.aws.engine"):
        regions = enabled_regions(factory, ["eu-west-1", "me-south-1", "us-east-1", "eu-west-1"])

    assert regions == ["eu-west-1", "us-east-1"]
    assert "me-south-1 is not enabled" in caplog.text


def test_a_region_asked_for_but_not_enabled_gives_not_applicable_results(factory, account):
    """moto lists me-south-1 as an opt-in region the account has not opted in to."""
    checks = [
        registry()[name]
        for name in ("ec2_ebs_default_encryption_enabled", "iam_password_policy_strong")
    ]

    collection = collect(checks, CONTROLS, factory, regions=["eu-west-1", "me-south-1"])

    outcomes = {(r.check, r.region): r for r in collection.results}
    assert sorted(outcomes) == [
        ("ec2_ebs_default_encryption_enabled", "eu-west-1"),
        ("ec2_ebs_default_encryption_enabled", "me-south-1"),
        ("iam_password_policy_strong", GLOBAL),
    ]
    skipped = outcomes[("ec2_ebs_default_encryption_enabled", "me-south-1")]
    assert (skipped.status, skipped.reason) == (
        ResultStatus.NOT_APPLICABLE,
        f"Region me-south-1 is not enabled for account {account} (EC2 DescribeRegions).",
    )
    assert skipped.controls == ["6.7.1", "6.7.2"]
    export_keys = {e.key for e in collection.exports}
    assert len(skipped.exports) == 1 and skipped.exports[0] in export_keys
    assert "/ec2/DescribeRegions" in skipped.exports[0]
    assert collection.regions == ["eu-west-1"]


def test_a_region_name_no_one_knows_is_refused(factory):
    checks = [registry()["ec2_ebs_default_encryption_enabled"]]

    with pytest.raises(UnknownRegions, match="xx-nowhere-1 is not an AWS region"):
        collect(checks, CONTROLS, factory, regions=["eu-west-1", "xx-nowhere-1"])
