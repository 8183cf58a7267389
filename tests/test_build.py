"""Building both sites: all or nothing, and nothing internal on the public site."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import COMPANY, Project, control

from generator.build import BuildError, build_sites
from generator.checks.base import Check
from generator.problems import InputError

MARKERS = {
    "title": "zqtitlemarker",
    "owner": "Zqownermarker Role",
    "description": "zqdescriptionmarker explains the control.",
    "evidence_title": "zqevidencetitlemarker",
    "evidence_location": "https://zqevidencelocationmarker.example.com/policy.pdf",
    "evidence_path": "zqevidencepathmarker/policy.pdf",
    "check": "zqcheckmarker",
    "reference": "https://zqreferencemarker.example.com/doc",
    "rule": "zqrulemarker holds.",
}
MARKER_CHECKS = {
    MARKERS["check"]: Check(
        id=MARKERS["check"],
        title="Marker check",
        rule=MARKERS["rule"],
        service="iam",
        scope="global",
        permissions=("iam:GetAccountSummary",),
        evaluate=lambda view: [],
    )
}


def all_text(folder: Path) -> dict[Path, str]:
    """Every file under ``folder`` as text, gzip files unpacked."""
    texts = {}
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            texts[path] = data.decode("utf-8", errors="replace")
    return texts


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def plant_markers(project: Project) -> None:
    evidence = [
        {
            "title": MARKERS["evidence_title"],
            "location": MARKERS["evidence_location"],
            "kind": "policy",
            "collected": "2026-11-01",
        },
        {
            "title": MARKERS["evidence_title"],
            "location": MARKERS["evidence_path"],
            "kind": "report",
            "collected": "2026-11-01",
        },
    ]
    internal = {
        "title": MARKERS["title"],
        "owner": MARKERS["owner"],
        "description": MARKERS["description"],
        "evidence": evidence,
        "checks": [MARKERS["check"]],
        "references": [MARKERS["reference"]],
    }
    project.write(MARKERS["evidence_path"], "A retained report.\n")
    # A published control, and one whose complete status must not lift its group on the
    # public site because it has no public sentence.
    project.write_control(control("6.1.1", status="in_progress", **internal))
    unpublished = {key: value for key, value in internal.items()}
    project.write_control(control("6.2.1", status="complete", public=None, **unpublished))
    project.write_control(control("1.1", status="complete", **internal))


def test_both_sites_are_built(project):
    built = build_sites(project.root, project.site, {})

    assert (project.site / "internal" / "index.html").is_file()
    assert (project.site / "public" / "index.html").is_file()
    assert (project.root / "build" / "internal" / "controls" / "6.1.1.md").is_file()
    assert set(built.seconds) == {"internal", "public"}


def test_security_txt_carries_every_field_rfc_9116_asks_for(project):
    project.write("trustcenter.yaml", COMPANY | {"security_txt": {"valid_for_days": 90}})

    build_sites(project.root, project.site, {})

    text = (project.site / "public" / ".well-known" / "security.txt").read_text()
    expires = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    assert text.splitlines() == [
        "Contact: mailto:security@fixture.example.com",
        f"Expires: {expires}T23:59:59Z",
        "Policy: https://fixture.example.com/disclosure",
        "Preferred-Languages: en",
        "Canonical: https://trust.fixture.example.com/.well-known/security.txt",
    ]


def test_the_updates_feed_is_atom_with_an_entry_per_update_newest_first(project):
    updates = [
        {"date": "2026-10-01", "title": "Pen test done", "body": "No high findings."},
        {"date": "2026-11-01", "title": "Audit started", "body": "It started."},
    ]
    project.write("trustcenter.yaml", COMPANY | {"updates": updates})

    build_sites(project.root, project.site, {})

    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(project.site / "public" / "updates.xml").getroot()
    assert feed.tag == f"{atom}feed"
    assert feed.findtext(f"{atom}updated") == "2026-11-01T00:00:00Z"
    entries = feed.findall(f"{atom}entry")
    assert [e.findtext(f"{atom}title") for e in entries] == ["Audit started", "Pen test done"]
    assert len({e.findtext(f"{atom}id") for e in entries}) == 2
    html = (project.site / "public" / "index.html").read_text()
    assert 'type="application/atom+xml"' in html


def test_each_control_page_links_to_its_own_group_and_owner(project):
    build_sites(project.root, project.site, {})

    page = (project.root / "build" / "internal" / "controls" / "1.1.md").read_text()
    assert "[CC1 — Control Environment](../groups/cc1.md)" in page
    assert "[Cloud Admin](../owners/cloud-admin.md)" in page


def test_no_internal_field_reaches_any_public_file(project):
    plant_markers(project)

    build_sites(project.root, project.site, MARKER_CHECKS)

    public = all_text(project.site / "public") | all_text(project.root / "build" / "public")
    assert any(p.name == "search_index.json" for p in public)
    assert any(p.name == "sitemap.xml.gz" for p in public)
    for marker in MARKERS.values():
        leaks = [str(path) for path, text in public.items() if marker.lower() in text.lower()]
        assert not leaks, f"{marker} leaked into {leaks}"
    internal = "\n".join(all_text(project.site / "internal").values())
    for marker in MARKERS.values():
        assert marker in internal, f"{marker} missing from the internal site"


def public_group_states(project: Project) -> dict[str, str]:
    page = (project.root / "build" / "public" / "index.md").read_text()
    return dict(re.findall(r"### (.+?)\n\n<span class=\"tc-badge tc-badge--(\w+)\"", page))


@pytest.mark.parametrize(
    ("status", "collected", "expected"),
    [
        ("complete", "2026-11-01", "in_place"),
        ("complete", None, "in_progress"),  # claimed, no evidence
        ("complete", "2020-01-01", "in_progress"),  # stale evidence
        ("in_progress", "2026-11-01", "in_progress"),
        ("not_started", None, "planned"),
    ],
)
def test_a_group_is_in_place_only_when_its_published_controls_are_complete(
    project, status, collected, expected
):
    evidence = [{"title": "P", "location": "p.pdf", "kind": "policy", "collected": collected}]
    project.write("p.pdf", "A policy.\n")
    project.write_control(control("1.1", status=status, evidence=evidence if collected else []))

    build_sites(project.root, project.site, {})

    assert public_group_states(project)["Control Environment"] == expected


def test_an_unpublished_complete_control_does_not_lift_its_group(project):
    plant_markers(project)

    build_sites(project.root, project.site, MARKER_CHECKS)

    assert public_group_states(project)["Logical and Physical Access Controls"] == "in_progress"


def test_the_public_site_loads_nothing_from_another_origin(project):
    build_sites(project.root, project.site, {})

    for path, text in all_text(project.site / "public").items():
        if path.suffix not in {".html", ".css", ".js"}:
            continue
        sources = re.findall(r"\bsrc=\"(?:https?:)?//[^\"]+\"|url\((?:https?:)?//[^)]+\)", text)
        links = re.findall(r"<link\b[^>]*>", text)
        # Canonical and alternate links name addresses; they make the browser load nothing.
        loaded = [
            link
            for link in links
            if re.search(r"href=\"(?:https?:)?//", link)
            and not re.search(r"rel=\"(?:canonical|alternate)\"", link)
        ]
        assert not sources and not loaded, f"{path} loads {sources + loaded}"


def test_bad_input_leaves_the_previous_site_byte_for_byte(project):
    build_sites(project.root, project.site, {})
    before = fingerprint(project.site)
    project.write_control(control("1.1", status="done"))

    with pytest.raises(InputError):
        build_sites(project.root, project.site, {})

    assert fingerprint(project.site) == before
    assert sorted(p.name for p in project.root.iterdir() if p.name.startswith(".")) == []


def test_a_failed_mkdocs_build_leaves_the_previous_site_byte_for_byte(project):
    build_sites(project.root, project.site, {})
    before = fingerprint(project.site)
    pages_before = fingerprint(project.root / "build")
    # A hand-written public page with a broken link is a warning, and strict mode aborts.
    project.write("docs/public/extra.md", "# Extra\n\nSee [nowhere](missing.md).\n")

    with pytest.raises(BuildError, match="public site did not build"):
        build_sites(project.root, project.site, {})

    assert fingerprint(project.site) == before
    assert fingerprint(project.root / "build") == pages_before
    assert sorted(p.name for p in project.root.iterdir() if p.name.startswith(".")) == []
