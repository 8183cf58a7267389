"""Run folders: written whole or not at all, read back typed, verified against their manifest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from generator import runs
from generator.aws.engine import Result, ResultStatus
from generator.aws.view import Export
from generator.checks.base import GLOBAL, Finding, FindingStatus
from generator.runs import (
    RunError,
    RunInfo,
    latest_run,
    read_run,
    run_id,
    verify_run,
    write_run,
)

SCHEMA = json.loads(
    (Path(runs.__file__).parent / "schemas" / "results.schema.json").read_text(encoding="utf-8")
)
ACCOUNT = "123456789012"
STARTED = datetime(2026, 12, 3, 18, 40, 5, 250000, tzinfo=UTC)
KEY = f"{ACCOUNT}/{GLOBAL}/iam/GetAccountPasswordPolicy"


def assert_valid_run(path: Path) -> dict:
    """Assert the run folder's results.json follows the schema and its manifest; return it."""
    data = json.loads((path / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert verify_run(path) == []
    return data


def make_info(**changes) -> RunInfo:
    fields = {
        "id": run_id(STARTED),
        "started": STARTED,
        "finished": STARTED + timedelta(seconds=3),
        "tool_version": "0.1.0",
        "accounts": [ACCOUNT],
        "regions": ["eu-west-1", "us-east-1"],
        "demo": False,
        "checks": 1,
    }
    return RunInfo(**(fields | changes))


def make_result(status=ResultStatus.FAIL) -> Result:
    finding = Finding(ACCOUNT, FindingStatus.FAIL, f"Account {ACCOUNT} has no password policy.")
    return Result(
        check="iam_password_policy_strong",
        controls=["6.1.4"],
        account=ACCOUNT,
        region=GLOBAL,
        status=status,
        reason=f"1 of 1 resource fails: {ACCOUNT}.",
        findings=[finding],
        exports=[KEY],
        started=STARTED,
        finished=STARTED + timedelta(seconds=1),
    )


def make_export() -> Export:
    return Export(
        key=KEY,
        account=ACCOUNT,
        region=GLOBAL,
        service="iam",
        operation="GetAccountPasswordPolicy",
        params={},
        started=STARTED,
        duration=0.012,
        response=None,
        error_code="NoSuchEntity",
        error_message="The Password Policy with domain name 123456789012 cannot be found.",
    )


def write(out: Path, **changes) -> Path:
    return write_run(out, make_info(**changes), [make_result()], [make_export()])


def test_the_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_run_id_is_the_utc_start_second():
    assert run_id(STARTED) == "2026-12-03T18-40-05Z"


def test_a_run_folder_holds_results_exports_and_a_manifest_of_both(tmp_path):
    path = write(tmp_path)

    assert path == tmp_path / "2026-12-03T18-40-05Z"
    data = assert_valid_run(path)
    assert data["results"][0]["exports"] == [f"exports/{KEY}.json"]
    export = json.loads((path / f"exports/{KEY}.json").read_text(encoding="utf-8"))
    assert (export["service"], export["operation"], export["region"]) == (
        "iam",
        "GetAccountPasswordPolicy",
        GLOBAL,
    )
    assert export["error"]["code"] == "NoSuchEntity"
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == [f"exports/{KEY}.json", "results.json"]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_run_reads_back_as_typed_data(tmp_path):
    run = read_run(write(tmp_path, demo=True))

    assert run.info == make_info(demo=True)
    assert run.results == [
        Result(**(make_result().__dict__ | {"exports": [f"exports/{KEY}.json"]}))
    ]


def test_verify_names_changed_missing_and_added_files(tmp_path):
    path = write(tmp_path)
    (path / "results.json").write_text("{}", encoding="utf-8")
    (path / f"exports/{KEY}.json").unlink()
    (path / "notes.txt").write_text("added later", encoding="utf-8")

    assert verify_run(path) == [
        f"exports/{KEY}.json is missing",
        "notes.txt was added",
        "results.json was changed",
    ]


def test_verify_without_a_manifest_says_so(tmp_path):
    path = write(tmp_path)
    (path / "manifest.json").unlink()

    assert verify_run(path)[0].startswith("manifest.json is missing or unreadable")


def test_two_runs_started_in_the_same_second_get_distinct_ids(tmp_path):
    first = write(tmp_path)
    second = write(tmp_path)

    assert second.name == f"{first.name}-2"
    assert read_run(second).info.id == second.name
    assert latest_run(tmp_path) == second


def test_latest_run_is_the_newest_complete_folder(tmp_path):
    assert latest_run(tmp_path / "nothing-yet") is None
    older = write(tmp_path)
    newer = write(tmp_path, id=run_id(STARTED + timedelta(days=1)))
    (tmp_path / f".{run_id(STARTED + timedelta(days=2))}.partial").mkdir()
    (tmp_path / "notes").mkdir()

    assert latest_run(tmp_path) == newer
    assert older != newer


def test_a_failure_mid_write_leaves_no_run_folder(tmp_path, monkeypatch):
    real = runs._write_json

    def fail_on_results(path, data):
        if path.name == "results.json":
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(runs, "_write_json", fail_on_results)

    with pytest.raises(OSError, match="No space left"):
        write(tmp_path)

    assert list(tmp_path.iterdir()) == []
    assert latest_run(tmp_path) is None


def test_results_that_break_the_schema_are_refused_before_anything_appears(tmp_path):
    with pytest.raises(RunError, match="accounts/0"):
        write(tmp_path, accounts=["not-an-account"])

    assert list(tmp_path.iterdir()) == []


def test_reading_a_folder_that_is_not_a_run_raises(tmp_path):
    with pytest.raises(RunError, match=r"no readable results\.json"):
        read_run(tmp_path)

    (tmp_path / "results.json").write_text('{"format": 1}', encoding="utf-8")
    with pytest.raises(RunError, match="breaks the results schema"):
        read_run(tmp_path)
