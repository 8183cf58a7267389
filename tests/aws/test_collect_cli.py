"""``trustcenter collect`` against the moto server: run folders, exit codes and messages."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import control

from generator import runs
from generator.aws.progress import control_counts, summary
from generator.cli import main
from generator.collect import NO_CREDENTIALS
from generator.runs import latest_run, read_run, verify_run

from .test_runs import assert_valid_run

REGIONS = "us-east-1,eu-west-1"


@pytest.fixture(name="runner")
def fixture_runner():
    return CliRunner()


@pytest.fixture(name="catalog")
def fixture_catalog(project):
    """The fixture project with two controls naming the example checks."""
    project.write_control(control("6.1.1", checks=["iam_password_policy_strong"]))
    project.write_control(
        control(
            "6.2.1",
            criteria=["CC6.2"],
            checks=["ec2_ebs_default_encryption_enabled", "iam_password_policy_strong"],
        )
    )
    return project


@pytest.fixture(name="violations")
def fixture_violations(seed):
    """A weak password policy, and EBS default encryption on in eu-west-1 only."""
    seed("iam").update_account_password_policy(MinimumPasswordLength=8)
    seed("ec2", "eu-west-1").enable_ebs_encryption_by_default()


def test_a_run_lists_exactly_the_seeded_violations(aws, catalog, violations, runner, account):
    result = runner.invoke(main, ["collect", "--regions", REGIONS, "--workers", "2"])

    assert result.exit_code == 0, result.output
    path = latest_run(catalog.root / "evidence" / "runs")
    assert path is not None
    data = assert_valid_run(path)
    assert (data["accounts"], data["regions"], data["demo"], data["checks"]) == (
        [account],
        ["us-east-1", "eu-west-1"],
        False,
        2,
    )
    failed = {
        (r["check"], r["region"]): [f["resource"] for f in r["findings"] if f["status"] == "fail"]
        for r in data["results"]
        if r["status"] == "fail"
    }
    assert failed == {
        ("ec2_ebs_default_encryption_enabled", "us-east-1"): [account],
        ("iam_password_policy_strong", "global"): [account],
    }
    statuses = {(r["check"], r["region"]): r["status"] for r in data["results"]}
    assert statuses[("ec2_ebs_default_encryption_enabled", "eu-west-1")] == "pass"
    assert len(statuses) == 3
    by_check = {r["check"]: r["controls"] for r in data["results"]}
    assert by_check["iam_password_policy_strong"] == ["6.1.1", "6.2.1"]
    for stored in data["results"]:
        for export in stored["exports"]:
            call = json.loads((path / export).read_text(encoding="utf-8"))
            assert {"service", "operation", "region", "params", "started", "duration"} <= set(call)
    assert result.stdout.splitlines()[:3] == [
        "control  pass  fail error   n/a",
        "6.1.1       0     1     0     0",
        "6.2.1       1     2     0     0",
    ]
    assert f"Evidence written to evidence/runs/{path.name}" in result.stdout
    assert result.stderr.splitlines()[0] == "Collecting 3 results."
    assert "[3/3] " in result.stderr


def test_fail_on_findings_exits_1_after_writing_the_run(aws, catalog, violations, runner):
    result = runner.invoke(main, ["collect", "--regions", "eu-west-1", "--fail-on-findings"])

    assert result.exit_code == 1, result.output
    run = read_run(latest_run(catalog.root / "evidence" / "runs"))
    assert [r.status for r in run.results].count("fail") == 1


def test_out_chooses_where_runs_go(aws, catalog, runner, tmp_path_factory):
    out = tmp_path_factory.mktemp("elsewhere")

    result = runner.invoke(main, ["collect", "--regions", "eu-west-1", "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert verify_run(latest_run(out)) == []
    assert not (catalog.root / "evidence").exists()


def test_a_region_name_that_is_no_region_exits_2(aws, catalog, runner):
    result = runner.invoke(main, ["collect", "--regions", "eu-west-1,xx-nowhere-1"])

    assert result.exit_code == 2
    assert result.stderr == (
        "Error: xx-nowhere-1 is not an AWS region: neither enabled in the account nor known "
        "to botocore. Check the names given to --regions.\n"
    )


def test_regions_none_of_which_is_enabled_exit_2(aws, catalog, runner, account):
    """moto lists me-south-1 as an opt-in region the account has not opted in to."""
    result = runner.invoke(main, ["collect", "--regions", "me-south-1"])

    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: None of the regions asked for (me-south-1) is enabled in account {account}.\n"
    )


def test_a_region_asked_for_but_not_enabled_is_in_the_run_as_not_applicable(
    aws, catalog, runner, account
):
    result = runner.invoke(main, ["collect", "--regions", "eu-west-1,me-south-1"])

    assert result.exit_code == 0, result.output
    run = read_run(latest_run(catalog.root / runs.RUNS_DIR))
    skipped = [r for r in run.results if r.region == "me-south-1"]
    assert [(r.check, r.status) for r in skipped] == [
        ("ec2_ebs_default_encryption_enabled", "not_applicable")
    ]
    assert skipped[0].reason == (
        f"Region me-south-1 is not enabled for account {account} (EC2 DescribeRegions)."
    )
    assert verify_run(latest_run(catalog.root / runs.RUNS_DIR)) == []


def test_the_summary_is_a_rich_table_on_a_terminal():
    rows = control_counts([], ["6.1.1"])

    table = summary(rows, terminal=True)

    assert "Results per control" in table
    assert "6.1.1" in table


def test_no_credentials_exit_2_saying_how_to_provide_them(aws, catalog, runner, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)

    result = runner.invoke(main, ["collect", "--regions", "eu-west-1"])

    assert result.exit_code == 2
    assert result.stderr == f"Error: {NO_CREDENTIALS}\n"
    assert "--demo" in NO_CREDENTIALS
    assert not (catalog.root / "evidence").exists()


def test_a_run_interrupted_mid_write_leaves_no_complete_looking_folder(
    aws, catalog, runner, monkeypatch
):
    real = runs._write_json

    def fail_on_results(path, data):
        if path.name == "results.json":
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(runs, "_write_json", fail_on_results)

    result = runner.invoke(main, ["collect", "--regions", "eu-west-1"])

    assert result.exit_code == 2
    assert "Error: Could not write the run folder under evidence/runs" in result.stderr
    folder = catalog.root / "evidence" / "runs"
    assert [p.name for p in folder.iterdir() if not p.name.startswith(".")] == []
    assert latest_run(folder) is None


def test_a_catalog_naming_an_unknown_check_exits_2_before_calling_aws(project, runner):
    project.write_control(control("6.1.1", checks=["iam_no_such_check"]))

    result = runner.invoke(main, ["collect"])

    assert result.exit_code == 2
    assert "'iam_no_such_check' is not a known check" in result.stderr


def test_a_catalog_naming_no_check_has_nothing_to_collect(project, runner):
    result = runner.invoke(main, ["collect"])

    assert result.exit_code == 2
    assert "No control names an automated check" in result.stderr


def test_demo_refuses_credentials_options(catalog, runner):
    result = runner.invoke(main, ["collect", "--demo", "--profile", "audit"])

    assert result.exit_code == 2
    assert "--demo brings its own account" in result.stderr
