"""The leak guard finds internal data in public files, and the build refuses to publish it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import MARKER_CHECK, control, result, seed_run

from generator.build import LeakError, build_sites
from generator.leakguard import scan


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "kind", "match"),
    [
        ("account 123456789012 here", "AWS account id", "123456789012"),
        ("Our account is 123456789012.", "AWS account id", "123456789012"),
        ("see arn:aws:iam::123456789012:role/Audit", "ARN", "arn:aws:iam::123456789012:role/Audit"),
        ("group sg-0123456789abcdef0 is open", "AWS resource id", "sg-0123456789abcdef0"),
        ("vpc-1a2b3c4d", "AWS resource id", "vpc-1a2b3c4d"),
        ("key AKIAIOSFODNN7EXAMPLE", "AWS access key or unique id", "AKIAIOSFODNN7EXAMPLE"),
        ("role AROAJQABLZS4A3QDU576Q", "AWS access key or unique id", "AROAJQABLZS4A3QDU576Q"),
        ("in o-ix8rhkimxe", "AWS Organizations id", "o-ix8rhkimxe"),
        ("under ou-ab12-cd34ef56", "AWS Organizations id", "ou-ab12-cd34ef56"),
        ("root r-7h2k", "AWS Organizations id", "r-7h2k"),
        (
            "key 1234abcd-12ab-34cd-56ef-1234567890ab",
            "UUID",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
        ),
        ("mail ops@example.com", "email address", "ops@example.com"),
        ("http://10.0.3.4/admin", "private host", "10.0.3.4"),
        ("https://wiki.corp/page", "private host", "wiki.corp"),
        ("build.internal", "private host", "build.internal"),
    ],
)
def test_each_kind_of_leak_is_found(tmp_path, text, kind, match):
    write(tmp_path, "index.html", f"<p>{text}</p>")

    leaks = scan(tmp_path, [], ["security@example.com"])

    assert (kind, match) in {(leak.kind, leak.match) for leak in leaks}
    assert f"index.html: {kind} '{match}'" in {str(leak) for leak in leaks}


def test_published_contacts_and_ordinary_numbers_are_not_leaks(tmp_path):
    write(
        tmp_path, "index.html", "<p>Write to security@example.com. Version 1.2.3, 2026-12-03.</p>"
    )

    assert scan(tmp_path, [], ["security@example.com"]) == []


def test_hyphenated_words_are_not_taken_for_organizations_ids(tmp_path):
    write(tmp_path, "index.html", "<p>A co-ordinated, r-rated, o-ring-free roll-out.</p>")

    assert scan(tmp_path, [], []) == []


def test_a_file_of_ours_among_the_themes_assets_is_read(tmp_path):
    write(tmp_path, "assets/javascripts/extra.js", "// account 123456789012")

    [leak] = scan(tmp_path, [], [])

    assert (str(leak.file), leak.kind) == ("assets/javascripts/extra.js", "AWS account id")


def test_internal_values_are_found_as_whole_words_in_any_case(tmp_path):
    write(tmp_path, "search/search_index.json", '{"text": "owned by the zq platform team"}')

    [leak] = scan(tmp_path, ["ZQ Platform Team", "form"], [])

    assert (leak.kind, leak.match) == ("internal value", "zq platform team")


def test_gzip_files_are_read_unpacked(tmp_path):
    import gzip

    (tmp_path / "sitemap.xml.gz").write_bytes(gzip.compress(b"<loc>https://10.1.2.3/</loc>"))

    assert [leak.match for leak in scan(tmp_path, [], [])] == ["10.1.2.3"]


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_build_refuses_a_planted_leak_and_keeps_the_previous_site(project):
    leaky = {"title": "Zq vault export", "location": "s3://zq-evidence/x.json"}
    evidence = [leaky | {"kind": "config-export", "collected": "2026-11-01"}]
    project.write_control(control("1.1", owner="Zq Platform Team", evidence=evidence))
    build_sites(project.root, project.site, {})
    before = fingerprint(project.site)
    # A hand-written public page is outside the allowlisted model; the guard still reads it.
    project.write(
        "docs/public/about.md",
        "# About\n\nRun by the Zq Platform Team from account 123456789012; "
        "exports in s3://zq-evidence/x.json.\n",
    )

    with pytest.raises(LeakError) as caught:
        build_sites(project.root, project.site, {})

    found = {(leak.file.name, leak.kind, leak.match) for leak in caught.value.leaks}
    assert ("index.html", "AWS account id", "123456789012") in found
    assert ("index.html", "internal value", "Zq Platform Team") in found
    assert ("index.html", "internal value", "s3://zq-evidence/x.json") in found
    assert ("search_index.json", "internal value", "Zq Platform Team") in found
    assert fingerprint(project.site) == before


def test_an_id_named_inside_a_runs_reason_is_refused_on_its_own(project):
    project.write_control(control("6.1.1", checks=[MARKER_CHECK.id]))
    reason = "Detector zq12detector34 in this region has no alerting."
    seed_run(project.root / "evidence" / "runs", [result(MARKER_CHECK.id, "fail", reason=reason)])
    project.write("docs/public/about.md", "# About\n\nWatched by zq12detector34.\n")

    with pytest.raises(LeakError) as caught:
        build_sites(project.root, project.site, {MARKER_CHECK.id: MARKER_CHECK})

    found = {(leak.file.name, leak.kind, leak.match) for leak in caught.value.leaks}
    assert ("index.html", "internal value", "zq12detector34") in found
