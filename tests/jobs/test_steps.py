"""Which batches a daily run ingests and standardises (the choices behind ``ingest`` and ``standardise``)."""

from __future__ import annotations

import datetime as dt

from jobs.steps import batches_since, due_batches

D1, D2, D3 = dt.date(2024, 3, 1), dt.date(2024, 3, 2), dt.date(2024, 3, 3)
UTC = dt.UTC


def test_a_fresh_home_ingests_its_whole_history_in_one_pass() -> None:
    assert due_batches([D1, D2, D3], D3) is None
    assert due_batches([D1, D2, D3], None) is None


def test_batches_after_the_run_date_are_left_for_their_own_run() -> None:
    assert due_batches([D1, D2, D3], D2) == [D1, D2]
    assert due_batches([D3], D2) == []


def test_nothing_pending_means_nothing_to_ingest() -> None:
    assert due_batches([], D3) == []


def test_batches_ingested_since_the_last_successful_run_are_standardised() -> None:
    last_success = dt.datetime(2024, 3, 3, 0, 5, tzinfo=UTC)
    manifest = [
        {
            "batch_date": D1,
            "ingested_at": dt.datetime(2024, 3, 2, 0, 3, tzinfo=UTC),
        },  # done by that run's predecessor
        {"batch_date": D2, "ingested_at": dt.datetime(2024, 3, 3, 0, 6, tzinfo=UTC)},  # by the last run
        {"batch_date": D1, "ingested_at": dt.datetime(2024, 3, 3, 9, 0, tzinfo=UTC)},  # late file, failed run
    ]
    assert batches_since(manifest, as_of=D3, since=last_success) == [D1, D2, D3]


def test_an_hour_of_clock_skew_is_tolerated() -> None:
    since = dt.datetime(2024, 3, 3, 0, 30, tzinfo=UTC)
    manifest = [
        {"batch_date": D1, "ingested_at": dt.datetime(2024, 3, 2, 23, 45)},  # naive: stored in UTC
        {"batch_date": D2, "ingested_at": dt.datetime(2024, 3, 2, 22, 0, tzinfo=UTC)},
    ]
    assert batches_since(manifest, as_of=D3, since=since) == [D1, D3]
