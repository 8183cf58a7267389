"""Runs of evidence in the sites: status, history, changes, trend, auditor's view, integrity."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import hashlib
import json

import pytest
from conftest import MARKER_CHECK, control, result, seed_run

from generator.build import BuildError, build_sites
from generator.history import summarise
from generator.loader import load_catalog
from generator.runs import read_run

CHECKS = {MARKER_CHECK.id: MARKER_CHECK}
DENIED = "ec2:DescribeSecurityGroups failed: AccessDenied."
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(name="three_runs")
def fixture_three_runs(project):
    """A demo run, then two real runs with changes between them."""
    project.write_control(control("6.1.1", status="complete", checks=[MARKER_CHECK.id]))
    runs = project.root / "evidence" / "runs"
    check = MARKER_CHECK.id
    two_days_ago = NOW - dt.timedelta(days=2)
    seed_run(runs, [result(check, "pass", at=two_days_ago)], demo=True, finished=two_days_ago)
    seed_run(
        runs,
        [
            result(check, "fail", failing=("sg-0aaa1111",)),
            result(check, "pass", region="eu-west-1"),
        ],
        finished=NOW - dt.timedelta(days=1),
    )
    seed_run(
        runs,
        [
            result(check, "pass"),
            result(check, "fail", region="eu-west-1", failing=("sg-0bbb2222",)),
            result(check, "error", region="ap-south-1", reason=DENIED),
        ],
        finished=NOW,
    )
    return runs


def page(project, path: str) -> str:
    return (project.root / "build" / "internal" / path).read_text()


def test_without_a_run_checks_show_as_not_collected(project):
    project.write_control(control("6.1.1", status="complete", checks=[MARKER_CHECK.id]))

    build_sites(project.root, project.site, CHECKS)

    text = page(project, "controls/6.1.1.md")
    assert "**Not collected**: no run holds a result for this check" in text
    assert 'aria-label="Status: Unverified"' in text
    assert "No run has been collected yet" in page(project, "index.md")


def test_the_control_page_shows_results_failures_and_exports(project, three_runs):
    build_sites(project.root, project.site, CHECKS)

    text = page(project, "controls/6.1.1.md")
    assert 'aria-label="Status: Failing"' in text
    assert "**Passes when:** The thing is configured." in text
    assert "| 123456789012 | eu-west-1 | **Fail** |" in text
    assert "| `sg-0bbb2222` | 123456789012 | eu-west-1 | sg-0bbb2222 is not configured. |" in text
    assert "| 123456789012 | ap-south-1 | **Error** | ec2:DescribeSecurityGroups failed" in text
    latest = sorted(three_runs.iterdir())[-1]
    manifest = json.loads((latest / "manifest.json").read_text())["files"]
    export = "exports/123456789012/eu-west-1/iam/GetAccountSummary.json"
    assert f"(../runs/{latest.name}/{export}) <br>SHA-256 `{manifest[export]}`" in text
    assert (project.site / "internal" / "runs" / latest.name / export).is_file()


def test_the_history_lists_every_run_with_its_counts(project, three_runs):
    build_sites(project.root, project.site, CHECKS)

    rows = [
        line
        for line in page(project, "runs/index.md").splitlines()
        if line.startswith(("| 20", "| [20"))
    ]
    assert len(rows) == 3
    assert rows[0].endswith("| AWS | 1 | 3 | 1 | 1 | 1 | 0 |")
    assert rows[2].endswith("| demo | 1 | 1 | 1 | 0 | 0 | 0 |")


def test_the_dashboard_lists_changes_since_the_previous_run(project, three_runs):
    build_sites(project.root, project.site, CHECKS)

    text = page(project, "index.md")
    newly_failing = text.split("### Newly failing")[1].split("###")[0]
    fixed = text.split("### Fixed")[1].split("###")[0]
    new_errors = text.split("### New errors")[1].split("##")[0]
    assert (
        "| [6.1.1](controls/6.1.1.md) | `iam_marker_check` | 123456789012 | eu-west-1 |"
        in newly_failing
    )
    assert "| 123456789012 | us-east-1 |" in fixed
    assert "| 123456789012 | ap-south-1 |" in new_errors


def test_the_trend_chart_is_a_static_svg_with_a_point_per_run(project, three_runs):
    build_sites(project.root, project.site, CHECKS)

    svg = (project.site / "internal" / "runs" / "trend.svg").read_text()
    assert svg.count("<polyline") == 2  # one line per criterion group of the fixture
    assert svg.count("<circle") == 6  # three runs, two groups
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert "![Controls complete per criterion group over 3 run(s)](runs/trend.svg)" in page(
        project, "index.md"
    )


def test_the_auditor_view_lists_the_calls_behind_each_result(project, three_runs):
    build_sites(project.root, project.site, CHECKS)

    latest = sorted(three_runs.iterdir())[-1].name
    text = page(project, f"runs/{latest}.md")
    assert "## `iam_marker_check` · 123456789012 · ap-south-1" in text
    assert '| iam | GetAccountSummary | ap-south-1 | `{"MaxItems": 10}` |' in text


def test_every_table_of_the_internal_site_renders_as_a_table(project, three_runs):
    build_sites(project.root, project.site, CHECKS)

    # A Markdown table glued to the paragraph above it is printed as text, pipes and all.
    for html in (project.site / "internal").rglob("*.html"):
        assert "|---" not in html.read_text(), html.relative_to(project.site)
    latest = sorted(three_runs.iterdir())[-1].name
    run_page = (project.site / "internal" / "runs" / latest / "index.html").read_text()
    assert run_page.count("<table>") == 1 + 3  # the run's facts, then one per result
    assert "Backs control <a" in run_page


def test_the_run_page_publishes_the_runs_results_and_manifest(project, three_runs):
    build_sites(project.root, project.site, CHECKS)

    latest = sorted(three_runs.iterdir())[-1]
    published = project.site / "internal" / "runs" / latest.name
    for name in ("results.json", "manifest.json"):
        assert (published / name).read_bytes() == (latest / name).read_bytes()


def test_a_check_backing_several_controls_links_to_each(project, three_runs):
    project.write_control(control("6.1.2", checks=[MARKER_CHECK.id]))

    build_sites(project.root, project.site, CHECKS)

    latest = sorted(three_runs.iterdir())[-1].name
    run_page = page(project, f"runs/{latest}.md")
    links = "[6.1.1](../controls/6.1.1.md), [6.1.2](../controls/6.1.2.md)"
    assert f"Backs controls {links}." in run_page
    dashboard = page(project, "index.md")
    assert "| [6.1.1](controls/6.1.1.md), [6.1.2](controls/6.1.2.md) |" in dashboard


def test_an_earlier_run_that_fails_verification_is_left_out_of_the_history(project, three_runs):
    middle = sorted(three_runs.iterdir())[1]
    (middle / "results.json").write_text((middle / "results.json").read_text() + " ")

    build_sites(project.root, project.site, CHECKS)

    runs_page = page(project, "runs/index.md")
    assert f"Run {middle.name} fails verification: results.json was changed" in runs_page
    assert f"| {middle.name} |" not in runs_page
    dashboard = page(project, "index.md")
    first = sorted(three_runs.iterdir())[0].name
    assert f"Compared with [{first}]" in dashboard


def test_the_trend_counts_evidence_only_from_the_day_it_was_collected(project):
    today = NOW.date().isoformat()
    evidence = [{"title": "P", "location": "p.pdf", "kind": "policy", "collected": today}]
    project.write("p.pdf", "A policy.\n")
    project.write_control(control("6.1.1", status="complete", evidence=evidence))
    runs = project.root / "evidence" / "runs"
    seed_run(runs, [result(MARKER_CHECK.id, "pass")], finished=NOW - dt.timedelta(days=3))
    seed_run(runs, [result(MARKER_CHECK.id, "pass")], finished=NOW)
    catalog = load_catalog(project.root, CHECKS)

    history = summarise([read_run(path) for path in sorted(runs.iterdir())], catalog, CHECKS)

    assert [summary.complete["CC6"] for summary in history] == [0, 1]


def test_a_demo_run_puts_a_banner_on_both_sites(project):
    project.write_control(control("6.1.1", checks=[MARKER_CHECK.id]))
    seed_run(project.root / "evidence" / "runs", [result(MARKER_CHECK.id, "pass")], demo=True)

    build_sites(project.root, project.site, CHECKS)

    for audience in ("internal", "public"):
        html = (project.site / audience / "index.html").read_text()
        assert "Demo data:" in html, audience


def test_results_older_than_the_allowed_age_are_stale(project):
    project.write_control(control("6.1.1", status="complete", checks=[MARKER_CHECK.id]))
    old = NOW - dt.timedelta(hours=49)
    seed_run(
        project.root / "evidence" / "runs", [result(MARKER_CHECK.id, "pass", at=old)], finished=old
    )

    build_sites(project.root, project.site, CHECKS)
    assert 'aria-label="Status: Stale"' in page(project, "controls/6.1.1.md")
    assert "The latest run finished 49 hours ago, more than the 48" in page(project, "index.md")

    build_sites(project.root, project.site, CHECKS, max_age=dt.timedelta(hours=72))
    assert 'aria-label="Status: Complete"' in page(project, "controls/6.1.1.md")
    assert "Automated evidence is stale" not in page(project, "index.md")


@pytest.mark.parametrize("damage", ["change a byte", "remove a file"])
def test_the_build_refuses_a_run_that_fails_verification(project, three_runs, damage):
    build_sites(project.root, project.site, CHECKS)
    before = {p: p.read_bytes() for p in project.site.rglob("*") if p.is_file()}
    latest = sorted(three_runs.iterdir())[-1]
    export = latest / "exports/123456789012/eu-west-1/iam/GetAccountSummary.json"
    if damage == "change a byte":
        export.write_bytes(export.read_bytes().replace(b"1", b"2", 1))
    else:
        export.unlink()

    with pytest.raises(BuildError, match="fails verification"):
        build_sites(project.root, project.site, CHECKS)

    assert {p: p.read_bytes() for p in project.site.rglob("*") if p.is_file()} == before


def test_a_group_is_continuously_monitored_only_when_its_checks_all_pass(project):
    project.write_control(control("6.1.1", status="in_progress", checks=[MARKER_CHECK.id]))
    runs = project.root / "evidence" / "runs"
    first = dt.datetime.now(dt.UTC)
    seed_run(
        runs, [result(MARKER_CHECK.id, "pass"), result(MARKER_CHECK.id, "pass", region="eu-west-1")]
    )

    build_sites(project.root, project.site, CHECKS)
    public = (project.root / "build" / "public" / "index.md").read_text()
    assert public.count("Continuously monitored</span>") == 1
    assert f"last verified on {first.date().isoformat()}" in public
    assert "Continuous monitoring is not an auditor's opinion" in public

    erroring = [
        result(MARKER_CHECK.id, "pass"),
        result(MARKER_CHECK.id, "error", region="eu-west-1"),
    ]
    seed_run(runs, erroring, finished=first + dt.timedelta(seconds=5))
    build_sites(project.root, project.site, CHECKS)
    public = (project.root / "build" / "public" / "index.md").read_text()
    assert "Continuously monitored</span>" not in public


@pytest.mark.parametrize(
    ("status", "outcomes", "age_hours"),
    [
        ("not_started", ["pass"], 0),
        ("in_progress", ["not_applicable", "not_applicable"], 0),
        ("in_progress", ["pass"], 49),
    ],
    ids=["group not started", "check applied nowhere", "results too old"],
)
def test_a_group_is_not_monitored_without_recent_passing_checks(
    project, status, outcomes, age_hours
):
    project.write_control(control("6.1.1", status=status, checks=[MARKER_CHECK.id]))
    at = NOW - dt.timedelta(hours=age_hours)
    regions = ["us-east-1", "eu-west-1"][: len(outcomes)]
    results = [
        result(MARKER_CHECK.id, o, region=r, at=at) for o, r in zip(outcomes, regions, strict=True)
    ]
    seed_run(project.root / "evidence" / "runs", results, finished=at)

    build_sites(project.root, project.site, CHECKS)

    public = (project.root / "build" / "public" / "index.md").read_text()
    assert "Continuously monitored</span>" not in public


RUN_MARKERS = {
    "account": "444455556666",
    "arn": "arn:aws:iam::444455556666:role/zqrolemarker",
    "resource": "sg-0123456789abcdef0",
    "reason": "zqreasonmarker explains the failure.",
    "finding": "zqfindingmarker is open to the world.",
    "region": "ap-zqregion-1",
}


def test_no_run_detail_reaches_any_public_file(project):
    project.write_control(control("6.1.1", checks=[MARKER_CHECK.id]))
    failing = result(
        MARKER_CHECK.id,
        "fail",
        account=RUN_MARKERS["account"],
        region=RUN_MARKERS["region"],
        failing=(RUN_MARKERS["arn"], RUN_MARKERS["resource"]),
        reason=RUN_MARKERS["reason"],
    )
    failing.findings[0] = type(failing.findings[0])(
        RUN_MARKERS["arn"], failing.findings[0].status, RUN_MARKERS["finding"]
    )
    seed_run(project.root / "evidence" / "runs", [failing])

    build_sites(project.root, project.site, CHECKS)

    public = {}
    for path in list((project.site / "public").rglob("*")) + list(
        (project.root / "build" / "public").rglob("*")
    ):
        if path.is_file():
            data = path.read_bytes()
            public[path] = (gzip.decompress(data) if path.suffix == ".gz" else data).decode(
                errors="replace"
            )
    for name, marker in RUN_MARKERS.items():
        leaks = [str(p) for p, text in public.items() if marker.lower() in text.lower()]
        assert not leaks, f"{name} leaked into {leaks}"
    internal = "\n".join(
        p.read_text(errors="replace") for p in (project.site / "internal").rglob("*.html")
    )
    for marker in RUN_MARKERS.values():
        assert marker in internal
    public_page = (project.root / "build" / "public" / "index.md").read_text()
    assert "fail" not in public_page.lower().replace("failure", "")


def test_the_dashboard_summarises_each_account(project):
    project.write_control(control("6.1.1", checks=[MARKER_CHECK.id]))
    results = [
        result(MARKER_CHECK.id, "pass", account="111111111111"),
        result(MARKER_CHECK.id, "fail", account="222222222222", failing=("sg-0ccc3333",)),
        result(MARKER_CHECK.id, "error", account="333333333333", reason=DENIED),
    ]
    seed_run(project.root / "evidence" / "runs", results)

    build_sites(project.root, project.site, CHECKS)

    text = page(project, "index.md")
    assert "| 111111111111 | 1 | 0 | 0 | 0 |" in text
    assert "| 222222222222 | 0 | 1 | 0 | 0 |" in text
    assert "| 333333333333 | 0 | 0 | 1 | 0 |" in text


def test_a_run_without_exports_still_builds(project):
    project.write_control(control("6.1.1", checks=[MARKER_CHECK.id]))
    bare = dataclasses.replace(result(MARKER_CHECK.id, "not_applicable"), exports=[])
    seed_run(project.root / "evidence" / "runs", [bare])

    build_sites(project.root, project.site, CHECKS)

    assert "| 123456789012 | us-east-1 | **Not applicable** |" in page(project, "controls/6.1.1.md")


def test_a_failing_check_on_an_unstarted_control_is_not_progress_on_the_public_page(project):
    project.write_control(control("6.1.1", checks=[MARKER_CHECK.id]))
    seed_run(project.root / "evidence" / "runs", [result(MARKER_CHECK.id, "fail")])

    build_sites(project.root, project.site, CHECKS)

    public = (project.root / "build" / "public" / "index.md").read_text()
    group = public.split("### Logical and Physical Access Controls")[1]
    assert group.lstrip().startswith('<span class="tc-badge tc-badge--planned"')


def test_an_export_that_is_not_an_api_call_stops_the_build_with_a_sentence(project):
    project.write_control(control("6.1.1", checks=[MARKER_CHECK.id]))
    run = seed_run(project.root / "evidence" / "runs", [result(MARKER_CHECK.id, "pass")])
    export = next((run / "exports").rglob("*.json"))
    call = json.loads(export.read_text())
    del call["operation"]
    export.write_text(json.dumps(call))
    # Re-hash it, as a faulty writer would have: the run still matches its manifest.
    manifest = json.loads((run / "manifest.json").read_text())
    relative = export.relative_to(run).as_posix()
    manifest["files"][relative] = hashlib.sha256(export.read_bytes()).hexdigest()
    (run / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(BuildError, match=rf"export {relative} of run {run.name} cannot be read"):
        build_sites(project.root, project.site, CHECKS)
