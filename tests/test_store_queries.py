"""The store's report queries: counts made in the database agree with the digest built from the rows."""

from __future__ import annotations

from pathlib import Path

from digest_samples import article, prepare_week, store_week
from smtp_server import smtp_server

from portalwatch.config import Config, Subscription
from portalwatch.models import Classification, Verdict
from portalwatch.storage import Store, utcnow
from reports.collect import collect
from reports.digest import run_digest
from reports.subscriptions import next_counts, next_digest

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


def test_an_unfiltered_subscription_is_counted_in_sql_as_its_next_digest_counts(tmp_path: Path) -> None:
    desk = Subscription(name="desk", recipients=["desk@example.org"])  # never sent: its first digest's reach

    def agree(config: Config, store: Store) -> dict[str, dict[str, int]]:
        now, counts = utcnow(), {}
        for sub in (*config.all_subscriptions(), desk):
            counts[sub.name] = {key: next_digest(store, sub, now, []).counts[key] for key in COUNTED}
            assert {key: next_counts(store, sub, now, [])[key] for key in COUNTED} == counts[sub.name], sub.name
        return counts

    with smtp_server() as (port, _recorder):
        config, store = prepare_week(tmp_path, port)  # a first digest sent, then a week of everything
        week = agree(config, store)["default"]
        assert all(week[key] for key in ("projects", "policies", "others", "revisions")), week
        assert run_digest(config).status == "sent"  # the default subscription's ledger takes the week
        new = article("jimo-invest", "art/2026/11/24/art_1_301.html", "即墨区新项目签约", "某项目签约。")
        store.insert_article(new, "h-new", Verdict("new"), Classification(kind="project"))
        assert "default" in store.subscription_starts()  # counted from its ledger now
        assert agree(config, store)["default"]["projects"] == 1  # only the article after the digest
