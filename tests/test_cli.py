"""The trustcenter command: its output, its errors and its exit codes."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import control

from generator.cli import main


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
