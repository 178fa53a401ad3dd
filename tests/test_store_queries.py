"""The store's report queries: counts made in the database agree with the digest built from the rows."""

from __future__ import annotations

from pathlib import Path

from digest_samples import prepare_week, store_week
from smtp_server import smtp_server

from portalwatch.storage import Store, utcnow
from reports.collect import collect
from reports.digest import run_digest

COUNTED = ("projects", "policies", "others", "revisions", "republished", "duplicates")


def test_pending_counts_in_sql_match_the_digest_that_would_go_out(tmp_path: Path) -> None:
    with smtp_server() as (port, _recorder):
        _config, store = prepare_week(tmp_path, port)  # a first digest sent, then a week of everything
    now = utcnow()
    counts = store.pending_counts(now)
    expected = {key: collect(store, now).counts[key] for key in COUNTED}
    assert counts == expected
    assert all(expected[key] for key in ("projects", "policies", "others", "revisions", "republished")), expected


def test_nothing_pending_counts_zero_and_has_pending_says_so(db_url: str) -> None:
    store = Store(db_url)
    assert store.pending_counts(utcnow()) == dict.fromkeys(COUNTED, 0)
    assert not store.has_pending()
    store_week(store)
    assert store.has_pending()


def test_items_of_a_digest_still_waiting_for_a_reader_are_not_counted_again(tmp_path: Path) -> None:
    with smtp_server() as (port, recorder):
        config, store = prepare_week(tmp_path, port)
        recorder.refuse_rcpt = True  # the readers are refused: the week's digest stays in the outbox
        assert run_digest(config).status == "failed"
    now = utcnow()
    assert store.undelivered_messages()
    assert store.pending_counts(now) == {key: collect(store, now).counts[key] for key in COUNTED}
    assert store.pending_counts(now) == dict.fromkeys(COUNTED, 0)  # all of it belongs to the waiting digest
