"""The nightly and pull-request workflows and the role templates lint clean and agree."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
TOOLS = Path(sys.executable).parent


def run_tool(*command: str) -> subprocess.CompletedProcess[str]:
    tool = TOOLS / command[0]
    if not tool.exists():
        pytest.fail(f"{command[0]} is missing from the test environment: pip install -e '.[dev]'")
    return subprocess.run([str(tool), *command[1:]], capture_output=True, text=True, cwd=REPO)


def test_there_is_a_nightly_and_a_pull_request_workflow():
    assert [path.name for path in WORKFLOWS] == ["nightly.yml", "pull-request.yml"]


def test_the_workflows_match_github_s_workflow_schema():
    outcome = run_tool(
        "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)
    )

    assert outcome.returncode == 0, outcome.stdout + outcome.stderr


def test_the_workflows_pass_the_security_linter_offline():
    outcome = run_tool("zizmor", "--offline", "--no-progress", ".github/workflows")

    assert outcome.returncode == 0, outcome.stdout + outcome.stderr


def test_the_role_templates_pass_cfn_lint():
    outcome = run_tool("cfn-lint", "infra/collector-role.yaml", "infra/member-role.yaml")

    assert outcome.returncode == 0, outcome.stdout + outcome.stderr


def test_every_command_and_option_the_workflows_use_exists():
    text = " ".join(path.read_text() for path in WORKFLOWS).replace("\\\n", " ")
    calls = re.findall(
        r"trustcenter ([a-z-]+)((?: +(?:--?[a-z-]+|\"[^\"]*\"|[^\s-][^\s]*))*)", text
    )
    assert calls, "the workflows call no trustcenter command"

    for command, arguments in calls:
        help_text = CliRunner().invoke(main, [command, "--help"]).output
        assert "Usage:" in help_text, f"trustcenter {command} does not exist"
        for option in re.findall(r"(?<!\S)(--[a-z-]+)", arguments):
            assert option in help_text, f"trustcenter {command} has no {option}"


def test_the_nightly_job_assumes_its_role_through_oidc_with_no_stored_key():
    text = (REPO / ".github" / "workflows" / "nightly.yml").read_text()

    assert "id-token: write" in text
    assert "role-to-assume:" in text
    assert "aws-access-key-id" not in text and "secrets." not in text


def test_no_workflow_step_downloads_a_browser():
    for path in WORKFLOWS:
        assert "playwright install" not in path.read_text()
