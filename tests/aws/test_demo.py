"""``trustcenter collect --demo``: the real checks against a seeded in-process moto server."""

from __future__ import annotations

import os
import sys

from click.testing import CliRunner
from conftest import REPO, control

from generator.cli import main
from generator.demo import INSTALL_HINT
from generator.runs import latest_run, read_run

from .test_runs import assert_valid_run


def test_demo_collects_the_shipped_catalog_without_credentials(tmp_path, monkeypatch):
    """One demo run of the shipped catalog; the checks must pass and fail, never error."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    before = dict(os.environ)

    result = CliRunner().invoke(
        main, ["collect", "--demo", "--root", str(REPO), "--out", str(tmp_path)]
    )

    assert result.exit_code == 0, result.output
    data = assert_valid_run(latest_run(tmp_path))
    assert read_run(latest_run(tmp_path)).info.demo is True
    assert data["regions"] == ["us-east-1", "eu-west-1"]
    statuses = [r["status"] for r in data["results"]]
    assert "pass" in statuses and "fail" in statuses
    errors = [r["check"] + " " + r["reason"] for r in data["results"] if r["status"] == "error"]
    assert errors == []
    assert dict(os.environ) == before, "the demo's endpoint and credentials must not leak"


def test_demo_without_moto_says_how_to_install_it(project, monkeypatch):
    project.write_control(control("6.1.1", checks=["iam_password_policy_strong"]))
    monkeypatch.setitem(sys.modules, "moto.server", None)

    result = CliRunner().invoke(main, ["collect", "--demo"])

    assert result.exit_code == 2
    assert result.stderr == f"Error: The demo needs moto; {INSTALL_HINT}.\n"
    assert latest_run(project.root / "evidence" / "runs") is None
