"""Fixtures shared by the catalog, build and site tests: a small project on disk."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.aws.engine import Result, ResultStatus
from generator.aws.view import Export
from generator.checks.base import Check, Finding, FindingStatus
from generator.runs import RunInfo, run_id, write_run

REPO = Path(__file__).resolve().parent.parent

CRITERIA: dict[str, Any] = {
    "framework": "AICPA Trust Services Criteria (2017)",
    "scope": [
        {"id": "security", "name": "Security", "required": True, "summary": "Protection."},
        {
            "id": "confidentiality",
            "name": "Confidentiality",
            "required": False,
            "summary": "Confidential data stays confidential.",
            "criteria": [{"id": "C1.1", "name": "Identifies confidential information"}],
        },
    ],
    "groups": [
        {
            "id": "CC1",
            "name": "Control Environment",
            "summary": "How we govern security.",
            "criteria": [
                {"id": "CC1.1", "name": "Integrity"},
                {"id": "CC1.2", "name": "Oversight"},
            ],
        },
        {
            "id": "CC6",
            "name": "Logical and Physical Access Controls",
            "summary": "Who can reach what.",
            "criteria": [
                {"id": "CC6.1", "name": "Logical access"},
                {"id": "CC6.2", "name": "New access"},
            ],
            "sections": ["CC6.1", "CC6.2"],
        },
    ],
}


COMPANY: dict[str, Any] = {
    "name": "Fixture Co.",
    "overview": "We protect data.",
    "site_url": "https://trust.fixture.example.com/",
    "contact": {"email": "security@fixture.example.com"},
    "disclosure": {"summary": "Tell us.", "policy_url": "https://fixture.example.com/disclosure"},
    "programmes": [{"name": "SOC 2 Type II", "status": "Audit in progress"}],
    "documents": {"request_url": "https://fixture.example.com/docs", "available": ["SOC 2 report"]},
    "subprocessors": [
        {"name": "Amazon Web Services", "purpose": "Hosting", "data": "All", "location": "EU"}
    ],
    "faq": [{"question": "Is data encrypted?", "answer": "Yes."}],
    "updates": [{"date": "2026-11-01", "title": "Audit started", "body": "It started."}],
    "security_txt": {"expires": "2099-01-01"},
}


def control(control_id: str, **fields: Any) -> dict[str, Any]:
    """A valid control mapping; keyword arguments replace or add fields."""
    group = control_id.split(".")[0]
    criterion = {"1": "CC1.1", "6": "CC6.1" if control_id.startswith("6.1") else "CC6.2"}[group]
    base: dict[str, Any] = {
        "id": control_id,
        "title": f"Checklist item {control_id}",
        "criteria": [criterion],
        "owner": "Cloud Admin",
        "status": "not_started",
        "frequency": "annual",
        "description": "What the control achieves. What an auditor asks to see.",
        "evidence": [],
        "checks": [],
        "references": ["https://docs.aws.amazon.com/"],
        "public": f"We do the thing of {control_id}.",
    }
    base.update(fields)
    return base


@dataclass
class Project:
    """A project folder with the real site configs and a small catalog."""

    root: Path

    def write(self, relative: str, content: Any) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    def write_control(self, data: dict[str, Any], name: str | None = None) -> Path:
        folder = f"cc{str(data.get('id', '1')).split('.')[0]}"
        return self.write(f"controls/{folder}/{name or data['id']}.yaml", data)

    @property
    def site(self) -> Path:
        return self.root / "site"


@pytest.fixture(name="project")
def fixture_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    for name in ("mkdocs.yml", "mkdocs.base.yml", "mkdocs.public.yml"):
        shutil.copy(REPO / name, tmp_path / name)
    for folder in ("docs", "overrides"):
        shutil.copytree(REPO / folder, tmp_path / folder)

    project = Project(tmp_path)
    project.write("controls/criteria.yaml", CRITERIA)
    project.write("trustcenter.yaml", COMPANY)
    project.write_control(control("1.1"))
    project.write_control(control("6.1.1", frequency="continuous"))
    project.write_control(control("6.2.1", criteria=["CC6.2", "C1.1"]))
    monkeypatch.chdir(tmp_path)
    yield project


def result(
    check: str,
    status: str,
    *,
    account: str = "123456789012",
    region: str = "us-east-1",
    failing: tuple[str, ...] = (),
    reason: str | None = None,
    at: dt.datetime | None = None,
) -> Result:
    """A result as the engine makes it, with one failing finding per resource in ``failing``."""
    at = at or dt.datetime.now(dt.UTC)
    findings = [Finding(r, FindingStatus.FAIL, f"{r} is not configured.") for r in failing]
    return Result(
        check=check,
        controls=[],
        account=account,
        region=region,
        status=ResultStatus(status),
        reason=reason or f"{check} is {status} in {region}.",
        findings=findings,
        exports=[f"{account}/{region}/iam/GetAccountSummary"],
        started=at,
        finished=at,
    )


def summary_export(key: str, result: Result, at: dt.datetime) -> Export:
    """The GetAccountSummary call stored under ``key``, as the engine records it."""
    return Export(
        key=key,
        account=result.account,
        region=result.region,
        service="iam",
        operation="GetAccountSummary",
        params={"MaxItems": 10},
        started=at,
        duration=0.01,
        response={"SummaryMap": {"AccountMFAEnabled": 1}},
    )


def seed_run(
    runs: Path, results: list[Result], *, demo: bool = False, finished: dt.datetime | None = None
) -> Path:
    """Write a complete run folder with one export per result, as `trustcenter collect` does."""
    finished = finished or dt.datetime.now(dt.UTC)
    exports = {key: summary_export(key, r, finished) for r in results for key in r.exports}
    info = RunInfo(
        id=run_id(finished),
        started=finished - dt.timedelta(minutes=1),
        finished=finished,
        tool_version="0.1.0",
        accounts=sorted({r.account for r in results}),
        regions=sorted({r.region for r in results if r.region != "global"}),
        demo=demo,
        checks=len({r.check for r in results}),
    )
    return write_run(runs, info, results, list(exports.values()))


MARKER_CHECK = Check(
    id="iam_marker_check",
    title="A check for tests",
    rule="The thing is configured.",
    service="iam",
    scope="regional",
    permissions=("iam:GetAccountSummary",),
    evaluate=lambda view: [],
)
