"""``trustcenter merge``: shard runs joined into one run, and every reason to refuse them.

The shard runs here are written with the run writer itself (no AWS needed): each holds one
account's result and export, as ``collect --org --shard I/N`` would write it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from conftest import result, summary_export

from generator.aws.organization import shard_of
from generator.cli import main
from generator.runs import RunInfo, Shard, latest_run, read_run, run_id, write_run

from .test_runs import assert_valid_run

ORGANIZATION = "o-abcdefghij"
STARTED = datetime(2026, 12, 3, 2, 0, 0, tzinfo=UTC)


def _accounts_of(shard: int, count: int = 3, also_of_four: bool = True) -> Iterator[str]:
    """Account ids that belong to ``shard`` of ``count`` (and of 4, for the shard-count case)."""
    for number in range(100_000_000_000, 100_000_100_000):
        account = str(number)
        if shard_of(account, count) == shard and (
            not also_of_four or shard_of(account, 4) == shard
        ):
            yield account


ACCOUNTS = {index: next(_accounts_of(index)) for index in (1, 2, 3)}
SECOND_OF_SHARD_2 = list(itertools.islice(_accounts_of(2), 2))[1]


@pytest.fixture(name="runner")
def fixture_runner(tmp_path, monkeypatch):
    """A CLI runner working in the test's folder, so paths it prints are short."""
    monkeypatch.chdir(tmp_path)
    return CliRunner()


@pytest.fixture(name="shards")
def fixture_shards(tmp_path):
    """Write shard runs into their own folders; return the writer."""

    def write(index, count=3, accounts=None, organization=ORGANIZATION, **changes):
        accounts = accounts or [ACCOUNTS[index]]
        started = STARTED + timedelta(minutes=index)
        results = [
            result("iam_password_policy_strong", "fail", account=a, region="global", failing=(a,))
            for a in accounts
        ]
        exports = [summary_export(r.exports[0], r, started) for r in results]
        fields = {
            "id": run_id(started),
            "started": started,
            "finished": started + timedelta(minutes=10),
            "tool_version": "0.1.0",
            "accounts": accounts,
            "regions": ["us-east-1", f"eu-west-{index}"],
            "demo": False,
            "checks": 1,
            "organization": organization,
            "shard": Shard(index, count),
        }
        info = RunInfo(**(fields | changes))
        return write_run(tmp_path / f"shard-{index}-of-{count}", info, results, exports)

    return write


def merge(runner, out, *runs):
    return runner.invoke(main, ["merge", *map(str, runs), "--out", str(out)])


def test_shards_merge_into_one_verified_run_holding_all_their_results_and_exports(
    shards, runner, tmp_path
):
    runs = [shards(3), shards(1, demo=True), shards(2)]

    outcome = merge(runner, tmp_path / "merged", *runs)

    assert outcome.exit_code == 0, outcome.output
    path = latest_run(tmp_path / "merged")
    data = assert_valid_run(path)
    assert path.name == run_id(STARTED + timedelta(minutes=1))
    assert data["started"] == (STARTED + timedelta(minutes=1)).isoformat()
    assert data["finished"] == (STARTED + timedelta(minutes=13)).isoformat()
    assert data["accounts"] == sorted(ACCOUNTS.values())
    assert data["regions"] == ["us-east-1", "eu-west-1", "eu-west-2", "eu-west-3"]
    assert (data["demo"], data["organization"], data["shard"]) == (True, ORGANIZATION, None)
    by_index = sorted(runs, key=lambda run: run.parent.name)
    assert data["shards"] == {
        "count": 3,
        "runs": [
            {
                "index": index,
                "run_id": run.name,
                "manifest_sha256": hashlib.sha256((run / "manifest.json").read_bytes()).hexdigest(),
            }
            for index, run in enumerate(by_index, start=1)
        ],
        "missing": [],
    }
    assert [(r["account"], r["exports"]) for r in data["results"]] == [
        (account, [f"exports/{account}/global/iam/GetAccountSummary.json"])
        for account in sorted(ACCOUNTS.values())
    ]
    for run in runs:
        for export in (run / "exports").rglob("*.json"):
            copied = path / export.relative_to(run)
            assert copied.read_bytes() == export.read_bytes()
    assert outcome.stdout.splitlines() == [
        f"Run {path.name}: merged 3 of 3 shard run(s) of Organization {ORGANIZATION}: 3 results "
        "in 3 account(s) and 4 region(s): 0 pass, 3 fail, 0 error, 0 not applicable.",
        f"Evidence written to merged/{path.name}",
    ]


def test_a_missing_shard_is_merged_with_a_warning_and_recorded(shards, runner, tmp_path):
    outcome = merge(runner, tmp_path / "merged", shards(1), shards(3))

    assert outcome.exit_code == 0, outcome.output
    assert outcome.stderr == (
        "Warning: shard(s) 2 of 3 are missing; the merged run holds shard(s) 1, 3 and records "
        "which.\n"
    )
    run = read_run(latest_run(tmp_path / "merged"))
    assert run.info.shards.missing == [2]
    assert [shard.index for shard in run.info.shards.runs] == [1, 3]
    assert run.info.accounts == sorted([ACCOUNTS[1], ACCOUNTS[3]])


FIRST, SECOND = run_id(STARTED + timedelta(minutes=1)), run_id(STARTED + timedelta(minutes=2))


@pytest.mark.parametrize(
    ("make", "refusal"),
    [
        pytest.param(
            lambda shards: [shards(1), shards(2, organization="o-zzzzzzzzzz")],
            "The runs come from different Organizations: "
            f"{ORGANIZATION} (run {FIRST}), o-zzzzzzzzzz (run {SECOND}).",
            id="different-organizations",
        ),
        pytest.param(
            lambda shards: [shards(1), shards(2, count=4)],
            "The runs split the accounts into different numbers of shards: "
            f"3 (run {FIRST}), 4 (run {SECOND}).",
            id="different-shard-counts",
        ),
        pytest.param(
            lambda shards: [shards(2), shards(2, accounts=[SECOND_OF_SHARD_2])],
            f"The same shard appears in more than one run: 2/3 (runs {SECOND}, {SECOND}-2).",
            id="same-shard-twice",
        ),
        pytest.param(
            lambda shards: [shards(1, accounts=[ACCOUNTS[1], ACCOUNTS[2]]), shards(2)],
            "The same account appears in more than one run: "
            f"{ACCOUNTS[2]} (runs {FIRST}, {SECOND}).\nError: These accounts do not belong to "
            f"the shard that collected them: {ACCOUNTS[2]} (run {FIRST}, shard 1/3).",
            id="same-account-twice",
        ),
        pytest.param(
            lambda shards: [shards(1, accounts=[ACCOUNTS[3]]), shards(2)],
            "These accounts do not belong to the shard that collected them: "
            f"{ACCOUNTS[3]} (run {FIRST}, shard 1/3).",
            id="account-in-the-wrong-shard",
        ),
        pytest.param(
            lambda shards: [shards(1), shards(2, checks=2)],
            f"The runs ran different numbers of checks: 1 (run {FIRST}), 2 (run {SECOND}).",
            id="different-checks",
        ),
        pytest.param(
            lambda shards: [shards(1), shards(2, shard=None)],
            f"Run {SECOND} was not collected with --shard, so it is not a shard to merge.",
            id="not-a-shard",
        ),
        pytest.param(
            lambda shards: [shards(1), shards(2, tool_version="0.2.0")],
            "The runs were collected by different trustcenter versions: "
            f"0.1.0 (run {FIRST}), 0.2.0 (run {SECOND}).",
            id="different-versions",
        ),
    ],
)
def test_runs_that_do_not_belong_together_are_refused(make, refusal, shards, runner, tmp_path):
    outcome = merge(runner, tmp_path / "merged", *make(shards))

    assert outcome.exit_code == 2
    assert outcome.stderr == f"Error: {refusal}\n"
    assert not (tmp_path / "merged").exists()


def test_a_shard_run_that_fails_verification_is_refused(shards, runner, tmp_path):
    tampered = shards(2)
    export = next((tampered / "exports").rglob("*.json"))
    export.write_text("{}", encoding="utf-8")

    outcome = merge(runner, tmp_path / "merged", shards(1), tampered, shards(3))

    assert outcome.exit_code == 2
    relative = export.relative_to(tampered).as_posix()
    assert outcome.stderr == (
        f"Error: shard-2-of-3/{tampered.name} does not match its manifest ({relative} was "
        "changed, 1 difference(s) in all), so it cannot be merged.\n"
    )
    assert not (tmp_path / "merged").exists()


def test_every_refusal_is_named_at_once(shards, runner, tmp_path):
    outcome = merge(
        runner, tmp_path / "merged", shards(1), shards(2, count=4, organization="o-zzzzzzzzzz")
    )

    assert outcome.exit_code == 2
    assert [line.split(":")[1] for line in outcome.stderr.splitlines()] == [
        " The runs come from different Organizations",
        " The runs split the accounts into different numbers of shards",
    ]


def test_a_run_written_before_organizations_reads_with_no_organization_or_shard(shards, tmp_path):
    path = shards(1)
    data = json.loads((path / "results.json").read_text(encoding="utf-8"))
    for name in ("organization", "shard", "shards"):
        del data[name]
    (path / "results.json").write_text(json.dumps(data), encoding="utf-8")

    info = read_run(path).info

    assert (info.organization, info.shard, info.shards) == (None, None, None)
