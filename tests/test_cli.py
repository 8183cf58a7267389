"""The trustcenter command: its output, its errors and its exit codes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import control, result, seed_run

from generator.cli import main

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(name="runner")
def fixture_runner():
    return CliRunner()


def test_validate_reports_a_valid_catalog(project, runner):
    result = runner.invoke(main, ["validate"])

    assert result.exit_code == 0, result.output
    assert result.output == (
        "3 controls in 2 criterion groups are valid (0 automated checks referenced).\n"
    )


def test_validate_lists_every_problem_and_exits_2(project, runner):
    project.write_control(control("1.1", status="done"))
    project.write_control(control("6.1.1", checks=["no_such_check"]))

    result = runner.invoke(main, ["validate"])

    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith("controls/cc1/1.1.yaml:6: status: 'done' is not allowed.")
    assert lines[1].startswith("controls/cc6/6.1.1.yaml:")
    assert "checks[0]: 'no_such_check' is not a known check" in lines[1]
    assert lines[2] == "Error: 2 problems in 2 file(s); nothing was written."


def test_validate_reads_another_root(project, runner, tmp_path_factory, monkeypatch):
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))

    result = runner.invoke(main, ["validate", "--root", str(project.root)])

    assert result.exit_code == 0, result.output


def test_build_says_where_both_sites_are(project, runner):
    result = runner.invoke(main, ["build"])

    assert result.exit_code == 0, result.output
    assert "site/internal/index.html" in result.output
    assert "site/public/index.html" in result.output


def test_build_with_bad_input_exits_2_and_writes_nothing(project, runner):
    project.write_control(control("1.1", owner=""))

    result = runner.invoke(main, ["build"])

    assert result.exit_code == 2
    assert "controls/cc1/1.1.yaml:5: owner: must not be empty." in result.stderr
    assert not project.site.exists()


def test_checks_lists_the_registry(runner):
    result = runner.invoke(main, ["checks"])

    assert result.exit_code == 0
    assert "iam_password_policy_strong" in result.output


def test_verify_passes_an_intact_run_and_names_each_difference(project, runner):
    run = seed_run(project.root / "evidence" / "runs", [result("iam_marker_check", "pass")])

    assert runner.invoke(main, ["verify"]).output == f"Run {run.name} matches its manifest.\n"

    export = next((run / "exports").rglob("*.json"))
    export.write_bytes(export.read_bytes() + b" ")
    (run / "results.json").unlink()
    (run / "stray.txt").write_text("added")
    outcome = runner.invoke(main, ["verify", str(run)])

    assert outcome.exit_code == 2
    differences = {line.split(": ", 1)[1] for line in outcome.stderr.splitlines()[:-1]}
    assert differences == {
        "results.json is missing",
        "stray.txt was added",
        f"{export.relative_to(run).as_posix()} was changed",
    }


def test_verify_without_a_run_says_so(project, runner):
    outcome = runner.invoke(main, ["verify"])

    assert outcome.exit_code == 2
    assert "there is no run folder to verify" in outcome.stderr


def test_prune_says_what_it_removed(project, runner):
    runs = project.root / "evidence" / "runs"
    old = seed_run(runs, [result("iam_marker_check", "pass")], finished=NOW - dt.timedelta(days=30))
    seed_run(runs, [result("iam_marker_check", "pass")], finished=NOW)

    outcome = runner.invoke(main, ["prune", "--keep-days", "7"])

    assert outcome.exit_code == 0
    assert outcome.output.splitlines() == [
        f"Removed {Path('evidence/runs') / old.name}",
        "Removed 1 run(s) older than 7 day(s).",
    ]


def test_build_refuses_a_tampered_run(project, runner):
    run = seed_run(project.root / "evidence" / "runs", [result("iam_marker_check", "pass")])
    (run / "results.json").write_text("{}")

    outcome = runner.invoke(main, ["build"])

    assert outcome.exit_code == 2
    assert "fails verification" in outcome.stderr
    assert "the previous site was left as it was" in outcome.stderr


def test_build_names_each_leak_and_publishes_nothing(project, runner):
    project.write("docs/public/about.md", "# About\n\nOur account is 123456789012.\n")

    outcome = runner.invoke(main, ["build"])

    assert outcome.exit_code == 2
    assert "public site: about/index.html: AWS account id '123456789012'" in outcome.stderr
    assert not project.site.exists()
