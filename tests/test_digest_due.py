"""When the scheduler should send: a week after the last sent digest, or at once if never sent and news waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digest_samples import make_config, store_old_project
from smtp_server import refused_ports, smtp_server

from portalwatch.storage import Store
from reports.digest import digest_due, last_sent_at, run_digest


def test_due_follows_the_last_sent_digest(tmp_path):
    with smtp_server() as (port, _recorder):
        config = make_config(tmp_path, port)
        store = Store(config.database)
        now = datetime.now(UTC)
        assert last_sent_at(store) is None
        assert not digest_due(store, now)  # nothing stored, nothing to say
        store_old_project(store)
        assert digest_due(store, now)  # never sent, something pending
        before = datetime.now(UTC)
        assert run_digest(config).status == "sent"
        sent = last_sent_at(store)
        assert before <= sent <= datetime.now(UTC)
        assert not digest_due(store, sent + timedelta(days=1))
        assert not digest_due(store, sent + timedelta(days=6))
        assert digest_due(store, sent + timedelta(days=7) - timedelta(minutes=5))  # next week's slot, a bit early
        assert digest_due(store, sent + timedelta(days=9))


def test_a_failed_digest_does_not_count_as_sent(tmp_path):
    with refused_ports(0) as (dead_port,):
        config = make_config(tmp_path, dead_port)
        store = Store(config.database)
        store_old_project(store)
        assert run_digest(config).status == "failed"
    assert last_sent_at(store) is None
    assert digest_due(store, datetime.now(UTC))
