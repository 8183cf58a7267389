"""The loader reports every bad-input case with file, line and field, and what would fix it."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import COMPANY, Project, control

from generator.loader import load_catalog
from generator.problems import InputError, Problem

KNOWN_CHECKS = {"iam_password_policy_strong"}


def problems_of(project: Project) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        load_catalog(project.root, KNOWN_CHECKS)
    return caught.value.problems


def only(project: Project) -> Problem:
    found = problems_of(project)
    assert len(found) == 1, [str(problem) for problem in found]
    return found[0]


def test_the_fixture_catalog_loads(project):
    catalog = load_catalog(project.root, KNOWN_CHECKS)

    assert [c.id for c in catalog.controls] == ["1.1", "6.1.1", "6.2.1"]


def test_a_yaml_syntax_error_names_file_and_line(project):
    project.write("controls/cc1/1.1.yaml", 'id: "1.1"\ntitle: [unclosed\nowner: x\n')

    problem = only(project)

    assert str(problem.file) == "controls/cc1/1.1.yaml"
    assert problem.line == 3
    assert "not valid YAML" in problem.message


def test_a_file_that_is_not_a_mapping_is_rejected(project):
    project.write("controls/cc1/1.1.yaml", "- just\n- a list\n")

    problem = only(project)

    assert problem.message == "is a list, not a mapping of fields"


def test_an_empty_file_is_rejected(project):
    project.write("controls/cc1/1.1.yaml", "")

    assert "is empty" in only(project).message


def test_evidence_in_the_repository_must_be_there(project):
    kept = {"title": "Policy", "location": "policies/security.md", "kind": "policy"}
    missing = kept | {"location": "policies/missing.md"}
    hosted = kept | {"location": "s3://evidence-bucket/2026/report.pdf"}
    evidence = [item | {"collected": "2026-01-01"} for item in (kept, missing, hosted)]
    project.write("policies/security.md", "# Security policy\n")
    project.write("controls/cc1/1.1.yaml", _yaml(control("1.1", evidence=evidence)))

    problem = only(project)

    assert problem.field == "evidence[1].location"
    assert problem.message == "'policies/missing.md' is neither a URL nor a file in the repository"


@pytest.mark.parametrize(
    "path", ["controls/6.1.9.yaml", "controls/CC6/6.1.9.yaml", "controls/cc6/old/6.1.9.yml"]
)
def test_a_control_file_outside_a_group_folder_is_named_not_skipped(project, path):
    project.write(path, 'id: "6.1.9"\n')

    problem = only(project)

    assert (str(problem.file), problem.message) == (path, "is not inside a criterion group folder")
    assert problem.hint.startswith("Move it into the folder of its criterion group")


def test_a_missing_required_field_names_the_field_and_how_to_fix_it(project):
    data = control("1.1")
    del data["owner"]
    project.write_control(data)

    problem = only(project)

    assert (problem.field, problem.line) == ("owner", 1)
    assert problem.message == "is required but missing"
    assert "role accountable" in problem.hint


def test_an_unknown_field_suggests_the_closest_known_one(project):
    data = control("1.1")
    data["ownr"] = data.pop("owner")
    project.write_control(data)

    found = {problem.field: problem for problem in problems_of(project)}

    assert found["ownr"].message == "is not a known field"
    assert found["ownr"].hint == "Did you mean 'owner'?"
    assert found["ownr"].line == 13  # the last key yaml.safe_dump wrote
    assert "owner" in found


def test_an_unknown_field_inside_evidence_points_at_its_line(project):
    evidence = {"title": "Policy", "location": "a.pdf", "kind": "policy", "collected": "2026-01-01"}
    evidence["colected"] = evidence.pop("collected")
    project.write("controls/cc1/1.1.yaml", _with_evidence(evidence))

    found = {problem.field: problem for problem in problems_of(project)}

    assert found["evidence[0].colected"].hint == "Did you mean 'collected'?"
    assert found["evidence[0].colected"].line == 13


def test_a_wrong_type_says_what_was_expected(project):
    project.write_control(control("1.1", checks="iam_password_policy_strong"))

    problem = only(project)

    assert problem.field == "checks"
    assert problem.message == "expected a list, got text"


def test_an_unquoted_numeric_id_is_told_to_be_quoted(project):
    project.write("controls/cc1/1.1.yaml", _yaml(control("1.1")).replace('id: "1.1"', "id: 1.1"))

    problem = only(project)

    assert (problem.field, problem.line) == ("id", 1)
    assert problem.hint == 'Quote it: "1.1".'


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("status", "done", "not_started, in_progress, complete"),
        ("frequency", "weekly", "continuous, monthly, quarterly, annual"),
    ],
)
def test_an_unknown_status_or_frequency_lists_the_allowed_values(project, field, value, allowed):
    project.write_control(control("1.1", **{field: value}))

    problem = only(project)

    assert problem.field == field
    assert problem.message == f"'{value}' is not allowed"
    assert problem.hint.endswith(f"Use one of: {allowed}.")


def test_an_unknown_evidence_kind_is_rejected(project):
    evidence = {"title": "Policy", "location": "a.pdf", "kind": "memo", "collected": "2026-01-01"}
    project.write("controls/cc1/1.1.yaml", _with_evidence(evidence))

    problem = only(project)

    assert problem.field == "evidence[0].kind"
    assert problem.line == 12
    assert "config-export" in problem.hint


def test_a_malformed_collected_date_is_rejected(project):
    evidence = {"title": "Policy", "location": "a.pdf", "kind": "policy", "collected": "2026-13-01"}
    project.write(
        "controls/cc1/1.1.yaml", _with_evidence(evidence).replace("'2026-13-01'", "2026-13-01")
    )

    problem = only(project)

    assert problem.field == "evidence[0].collected"
    assert problem.message.startswith("'2026-13-01' is not a valid date")
    assert problem.hint == "Write it as YYYY-MM-DD."


def test_a_collected_date_in_the_future_is_rejected(project):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    evidence = {"title": "Policy", "location": "a.pdf", "kind": "policy", "collected": tomorrow}
    project.write("controls/cc1/1.1.yaml", _with_evidence(evidence))

    problem = only(project)

    assert problem.field == "evidence[0].collected"
    assert problem.message == f"date {tomorrow.isoformat()} is in the future"


def test_duplicate_ids_across_files_name_both_files(project):
    project.write_control(control("1.1"), name="1.1-copy")

    problem = only(project)

    assert str(problem.file) == "controls/cc1/1.1.yaml"
    assert problem.message == "'1.1' is also the id of controls/cc1/1.1-copy.yaml"


def test_an_id_that_does_not_match_its_file_name_is_rejected(project):
    project.write_control(control("1.2"), name="1.1")

    problem = only(project)

    assert (problem.field, problem.line) == ("id", 1)
    assert problem.message == "'1.2' does not match the file name '1.1.yaml'"


def test_a_control_filed_under_the_wrong_group_is_rejected(project):
    project.write("controls/cc6/1.1.yaml", control("1.1"))
    (project.root / "controls/cc1/1.1.yaml").unlink()

    assert only(project).hint == "Move it to controls/cc1/."


def test_an_unknown_criterion_is_rejected_with_a_suggestion(project):
    project.write_control(control("1.1", criteria=["CC1.1", "CC1.3"]))

    problem = only(project)

    assert (problem.field, problem.line) == ("criteria[1]", 5)
    assert problem.message == "'CC1.3' is not a criterion in controls/criteria.yaml"


def test_a_control_without_a_criterion_of_its_own_group_is_rejected(project):
    project.write_control(control("1.1", criteria=["CC6.1"]))

    assert only(project).message == "lists no criterion of its own group CC1"


def test_an_unknown_check_name_suggests_a_known_one(project):
    project.write_control(control("1.1", checks=["iam_password_policy_strnog"]))

    problem = only(project)

    assert problem.field == "checks[0]"
    assert problem.hint.startswith("Did you mean 'iam_password_policy_strong'?")


def test_a_key_given_twice_in_one_file_is_rejected(project):
    project.write("controls/cc1/1.1.yaml", _yaml(control("1.1")) + "owner: Security\n")

    problem = only(project)

    assert (problem.field, problem.message) == ("owner", "is given twice")


def test_every_problem_is_reported_at_once(project):
    project.write_control(control("1.1", status="done"))
    project.write_control(control("6.1.1", frequency="weekly", owner=""))
    project.write("trustcenter.yaml", {k: v for k, v in COMPANY.items() if k != "overview"})

    found = problems_of(project)

    assert {str(problem.file) for problem in found} == {
        "controls/cc1/1.1.yaml",
        "controls/cc6/6.1.1.yaml",
        "trustcenter.yaml",
    }
    assert len(found) == 4


def test_every_problem_says_how_to_fix_it(project):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    future = {"title": "t", "location": "l", "kind": "policy", "collected": tomorrow}
    project.write_control(control("1.1", criteria="CC1.1", evidence=[future]))
    project.write_control(control("6.1.1", checks={"a": 1}, public=["not", "text"]))
    project.write("controls/cc6/6.2.1.yaml", 'id: "6.2.1"\n[1, 2]: x\n')
    project.write("trustcenter.yaml", COMPANY | {"fictional": "perhaps"})

    found = problems_of(project)

    assert len(found) >= 6, [str(problem) for problem in found]
    assert [str(problem) for problem in found if not problem.hint] == []


def test_a_problem_reads_as_one_sentence_with_its_location(project):
    project.write_control(control("1.1", status="done"))

    assert str(only(project)) == (
        "controls/cc1/1.1.yaml:6: status: 'done' is not allowed. "
        "Use one of: not_started, in_progress, complete."
    )


def test_a_missing_logo_file_is_rejected(project):
    project.write("trustcenter.yaml", COMPANY | {"logo": "docs/nothing.svg"})

    problem = only(project)

    assert (problem.field, problem.message) == ("logo", "'docs/nothing.svg' is not a file")


@pytest.mark.parametrize(("days", "words"), [(-1, "is in the past"), (10, "is only 10 days away")])
def test_a_security_txt_expiring_too_soon_is_rejected(project, days, words):
    expires = dt.date.today() + dt.timedelta(days=days)
    project.write("trustcenter.yaml", COMPANY | {"security_txt": {"expires": expires}})

    problem = only(project)

    assert problem.field == "security_txt.expires"
    assert problem.message.startswith(f"{expires.isoformat()} {words}")


def test_a_security_txt_valid_for_too_few_days_is_rejected(project):
    settings = {"valid_for_days": 7, "min_days_valid": 30}
    project.write("trustcenter.yaml", COMPANY | {"security_txt": settings})

    problem = only(project)

    assert problem.field == "security_txt.valid_for_days"
    assert "is only 7 days away" in problem.message


@pytest.mark.parametrize("settings", [{}, {"expires": "2099-01-01", "valid_for_days": 90}])
def test_security_txt_needs_exactly_one_way_to_expire(project, settings):
    project.write("trustcenter.yaml", COMPANY | {"security_txt": settings})

    problem = only(project)

    assert problem.field == "security_txt"
    assert problem.message.startswith("needs exactly one of expires")


def test_a_rolling_security_txt_expires_the_given_days_after_the_build():
    from generator.company import SecurityTxt

    settings = SecurityTxt(valid_for_days=180)

    assert settings.expiry(dt.date(2026, 12, 4)) == dt.date(2027, 6, 2)


def test_a_malformed_contact_email_is_rejected(project):
    project.write("trustcenter.yaml", COMPANY | {"contact": {"email": "not-an-address"}})

    assert only(project).field == "contact.email"


def _yaml(data: dict[str, object]) -> str:
    import yaml

    return yaml.safe_dump(data, sort_keys=False).replace("id: '1.1'", 'id: "1.1"')


def _with_evidence(evidence: dict[str, object]) -> str:
    return _yaml(control("1.1", evidence=[evidence]))
