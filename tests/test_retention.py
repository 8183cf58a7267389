"""Pruning removes old runs only when asked, and never the latest."""

from __future__ import annotations

import datetime as dt

from conftest import result, seed_run

from generator.retention import prune_runs

NOW = dt.datetime(2026, 12, 3, 6, 0, tzinfo=dt.UTC)


def test_prune_removes_runs_older_than_the_limit_and_keeps_the_rest(tmp_path):
    ages = [40, 20, 5, 1]
    folders = [
        seed_run(
            tmp_path, [result("iam_marker_check", "pass")], finished=NOW - dt.timedelta(days=age)
        )
        for age in ages
    ]

    removed = prune_runs(tmp_path, keep_days=10, now=NOW)

    assert removed == folders[:2]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f.name for f in folders[2:]]


def test_prune_never_removes_the_latest_run_however_old(tmp_path):
    old = seed_run(
        tmp_path, [result("iam_marker_check", "pass")], finished=NOW - dt.timedelta(days=400)
    )

    assert prune_runs(tmp_path, keep_days=1, now=NOW) == []
    assert old.is_dir()


def test_prune_leaves_a_folder_it_cannot_read(tmp_path):
    seed_run(tmp_path, [result("iam_marker_check", "pass")], finished=NOW)
    stray = tmp_path / "2020-01-01T00-00-00Z"
    stray.mkdir()

    assert prune_runs(tmp_path, keep_days=1, now=NOW) == []
    assert stray.is_dir()


def test_an_unreadable_newer_folder_does_not_expose_the_newest_good_run(tmp_path):
    def run(days):
        finished = NOW - dt.timedelta(days=days)
        return seed_run(tmp_path, [result("iam_marker_check", "pass")], finished=finished)

    oldest, newest_good = run(300), run(200)
    broken = tmp_path / "2026-12-03T00-00-00Z"
    broken.mkdir()
    (broken / "results.json").write_text("{not json", encoding="utf-8")
    partial = tmp_path / ".2026-01-01T00-00-00Z.partial"
    partial.mkdir()

    assert prune_runs(tmp_path, keep_days=30, now=NOW) == [oldest]
    assert newest_good.is_dir() and broken.is_dir() and partial.is_dir()
