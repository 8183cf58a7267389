"""Both sites as a person sees them in headless Chromium."""

from __future__ import annotations

import itertools
import re

import pytest
from pypdf import PdfReader

from generator.checks import registry
from generator.loader import load_catalog

pytestmark = pytest.mark.browser

INTERNAL_PAGES = [
    "/",
    "/groups/",
    "/groups/cc6/",
    "/controls/6.1.4/",
    "/owners/",
    "/owners/cloud-admin/",
    "/checklist/",
    "/legend/",
]

HEADING_LEVELS = """
() => Array.from(document.querySelectorAll('article h1, article h2, article h3, article h4'))
    .map(h => Number(h.tagName[1]))
"""


def assert_clean(visit):
    assert visit.console_errors == [], visit.console_errors
    assert visit.failed == [], visit.failed
    assert visit.foreign == [], visit.foreign


def assert_headings_in_order(page):
    levels = page.evaluate(HEADING_LEVELS)
    assert levels[0] == 1 and levels.count(1) == 1, levels
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}: {levels}"


def assert_images_described(page):
    images = page.locator("article img")
    for index in range(images.count()):
        alt = images.nth(index).get_attribute("alt")
        assert alt and alt.strip(), f"image {index} has no alternative text"


def assert_badges_named(page):
    badges = page.locator(".tc-badge")
    assert badges.count() > 0
    named = page.get_by_role("img", name=re.compile(r"^Status: "))
    assert named.count() == badges.count()
    for index in range(badges.count()):
        assert badges.nth(index).is_visible(), badges.nth(index).inner_text()


@pytest.mark.parametrize("path", INTERNAL_PAGES)
def test_internal_pages_load_cleanly_and_read_in_order(visit, sites, path):
    visit_ = visit(sites.internal, path)

    assert_clean(visit_)
    assert_headings_in_order(visit_.page)
    assert_images_described(visit_.page)


def test_the_public_page_loads_cleanly_and_reads_in_order(visit, sites, artifacts):
    visit_ = visit(sites.public)

    assert_clean(visit_)
    assert_headings_in_order(visit_.page)
    assert_images_described(visit_.page)
    assert_badges_named(visit_.page)
    visit_.page.screenshot(path=str(artifacts / "public.png"), full_page=True)


def test_the_public_page_has_every_section_a_reviewer_looks_for(visit, sites):
    page = visit(sites.public).page

    headings = page.locator("article h2").all_inner_texts()

    assert [h.strip("¶ ").strip() for h in headings] == [
        "Compliance",
        "What we do to protect your data",
        "Subprocessors",
        "Documents under NDA",
        "Vulnerability disclosure",
        "Security contact",
        "Frequently asked questions",
        "Updates",
    ]


def table_rows(page, heading: str) -> dict[str, list[str]]:
    """The rows of the table after ``heading``, keyed by their first cell."""
    # Material wraps each table in a scrolling div right after its heading.
    rows = page.locator(f"article h2:has-text('{heading}') + div table tbody tr")
    cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
    return {row[0].strip(): [cell.strip() for cell in row[1:]] for row in cells}


def test_the_dashboard_counts_match_the_run(visit, sites, artifacts):
    page = visit(sites.internal).page

    states = table_rows(page, "Controls by status")
    accounts = table_rows(page, "Accounts")
    latest = page.locator("article p:has-text('Latest run')").inner_text()

    # The seeded run: 6.6.3's check fails, 2.3 and 7.1's check errs, the rest is not started.
    assert states["[✗] Failing"] == ["1"]
    assert states["[?] Unverified"] == ["2"]
    assert states["[ ] Not started"] == ["64"]
    assert states["All controls"] == ["67"]
    assert accounts == {"123456789012": ["2", "1", "1", "0"]}
    assert "2 passing, 1 failing, 1 erroring and 0 not applicable" in " ".join(latest.split())
    assert_badges_named(page)
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)


def test_search_finds_a_control_by_its_id(visit, sites):
    page = visit(sites.internal).page

    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("6.1.4", delay=30)

    result = page.locator(".md-search-result__item a[href*='controls/6.1.4/']").first
    result.wait_for(timeout=10_000)
    assert "password policy" in result.inner_text().lower()


def test_security_txt_is_served_from_the_well_known_path(visit, sites):
    visit_ = visit(sites.public, "/.well-known/security.txt")

    text = visit_.page.locator("body").inner_text()
    assert text.startswith("Contact: mailto:security@example.com")
    assert "Expires: " in text
    assert visit_.failed == []


def test_the_checklist_prints_every_control_without_navigation(visit, sites, tmp_path):
    page = visit(sites.internal, "/checklist/").page
    page.emulate_media(media="print")

    pdf = tmp_path / "checklist.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)

    controls = load_catalog(sites.root, registry()).controls
    missing = [
        c.id for c in controls if not re.search(rf"(?<![\d.]){re.escape(c.id)}(?![\d.])", text)
    ]
    assert missing == []
    assert len(PdfReader(pdf).pages) >= 9  # a page break before each criterion group
    assert "Owners" not in text and "Dashboard" not in text  # no navigation on paper
