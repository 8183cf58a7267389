"""Fixtures shared by the catalog, build and site tests: a small project on disk."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

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
