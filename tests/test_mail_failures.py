"""When the mail server refuses, hangs up or never answers, nothing is marked sent and the next run sends the
stored digest again: the same message, the same Message-ID, never a second digest of the same items."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from digest_samples import prepare_week, with_email
from smtp_server import Authenticator, Recorder, raw_server, refused_ports, smtp_server
from sqlalchemy import select

from portalwatch.cli import main
from portalwatch.storage import articles, digests
from reports.digest import run_digest


@pytest.fixture
def week(tmp_path):
    with smtp_server() as (port, recorder):
        config, store = prepare_week(tmp_path, port)
        yield config, store, port, recorder


def pending_count(store) -> int:
    with store.engine.connect() as conn:
        return len(list(conn.execute(select(articles.c.id).where(articles.c.digest_id.is_(None)))))


def assert_kept_for_next_time(config, store, good_port, recorder, outcome, reason: str) -> None:
    """The failed run names host, port and reason, keeps every article pending, and the next run sends the stored
    digest (same Message-ID) rather than a new one."""
    assert outcome.status == "failed"
    assert "127.0.0.1:" in outcome.error and reason in outcome.error
    assert pending_count(store) == 8
    sent_before = len(recorder.received)
    retry = run_digest(with_email(config, smtp_port=good_port))
    assert retry.status == "resent"
    assert [d.message_id for d in retry.retried] == [outcome.message_id]
    assert len(recorder.received) == sent_before + 1
    assert recorder.received[-1].message["Message-ID"] == outcome.message_id
    html = recorder.received[-1].message.get_body(("html",)).get_content()
    assert "《崂山区关于促进数字经济高质量发展的若干措施》" in html and "4.3 亿美元" in html
    assert pending_count(store) == 0


@pytest.mark.parametrize("refuse", ["refuse_rcpt", "refuse_data"])
def test_server_refusing_keeps_articles_for_the_next_digest(week, refuse):
    config, store, good_port, recorder = week
    with smtp_server(Recorder(**{refuse: True})) as (bad_port, refusing):
        outcome = run_digest(with_email(config, smtp_port=bad_port))
    assert refusing.received == []
    assert_kept_for_next_time(config, store, good_port, recorder, outcome, "550")


def test_dropped_connection_keeps_articles_for_the_next_digest(week):
    config, store, good_port, recorder = week
    with raw_server("drop") as bad_port:
        outcome = run_digest(with_email(config, smtp_port=bad_port))
    assert_kept_for_next_time(config, store, good_port, recorder, outcome, "connection closed")


def test_silent_server_times_out_and_keeps_articles(week):
    config, store, good_port, recorder = week
    with raw_server("silent") as bad_port:
        outcome = run_digest(with_email(config, smtp_port=bad_port, timeout=0.5))
    assert_kept_for_next_time(config, store, good_port, recorder, outcome, "timed out")


def test_no_server_listening_keeps_articles(week):
    config, store, good_port, recorder = week
    with refused_ports(0) as (dead_port,):
        outcome = run_digest(with_email(config, smtp_port=dead_port))
    assert_kept_for_next_time(config, store, good_port, recorder, outcome, "refused")


def test_refused_digest_is_kept_with_its_reason_and_sent_again_not_rebuilt(week):
    config, store, _good_port, recorder = week
    with smtp_server(Recorder(refuse_data=True)) as (bad_port, _):
        run_digest(with_email(config, smtp_port=bad_port))
    with store.engine.connect() as conn:
        rows = list(conn.execute(select(digests.c.status, digests.c.error).order_by(digests.c.id)))
    assert [r.status for r in rows] == ["sent", "queued"]
    assert "550" in rows[1].error
    assert run_digest(config).status == "resent"
    assert run_digest(config).status == "empty"
    with store.engine.connect() as conn:
        rows = list(conn.execute(select(digests.c.status, digests.c.error).order_by(digests.c.id)))
    assert [(r.status, r.error) for r in rows] == [("sent", None), ("sent", None)]
    assert len(recorder.received) == 2  # last week's and this week's, each once


def test_cli_reports_a_refused_login_without_the_password(week, tmp_path, capsys, monkeypatch):
    config, _store, good_port, _recorder = week
    monkeypatch.setenv("PW_USER", "digest")
    monkeypatch.setenv("PW_PASS", "s3cret-Passw0rd!")
    server = smtp_server(authenticator=Authenticator("digest", "another-password"), auth_require_tls=False)
    with server as (bad_port, refusing):
        text = config.source.read_text(encoding="utf-8").replace(f"smtp_port: {good_port}", f"smtp_port: {bad_port}")
        text = text.replace("  timeout: 3", "  timeout: 3\n  username_env: PW_USER\n  password_env: PW_PASS\n"
                                            "  allow_plaintext_login: true")
        path = tmp_path / "failing.yaml"
        path.write_text(text, encoding="utf-8")
        code = main(["-c", str(path), "digest"])
    err = capsys.readouterr().err
    assert code == 1
    assert refusing.received == []
    assert f"127.0.0.1:{bad_port}" in err and "535" in err
    assert "s3cret-Passw0rd!" not in err
    assert "sent again" in err


def test_missing_credentials_variable_is_named(week, monkeypatch):
    config, store, _good_port, recorder = week
    monkeypatch.delenv("PW_NOT_SET", raising=False)
    outcome = run_digest(with_email(config, username_env="PW_NOT_SET", password_env="PW_NOT_SET"))
    assert outcome.status == "failed"
    assert "PW_NOT_SET" in outcome.error
    assert pending_count(store) == 8
    assert len(recorder.received) == 1


def test_two_runs_at_once_send_the_digest_once(week):
    config, _store, _good_port, recorder = week
    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(lambda _: run_digest(config), range(2)))
    assert sorted(o.status for o in outcomes) == ["empty", "sent"]
    assert len(recorder.received) == 2  # last week's and this week's, once


def test_a_run_that_died_while_sending_leaves_its_items_pending(week):
    config, store, _good_port, recorder = week
    with store.transaction() as conn:  # what a crash between "sending" and "sent" leaves behind
        conn.execute(digests.insert().values(created_at=datetime.now(UTC), period_end=datetime.now(UTC),
                                             status="sending", counts={}))
    outcome = run_digest(config)
    assert outcome.status == "sent" and outcome.counts["projects"] == 3
    with store.engine.connect() as conn:
        statuses = [row.status for row in conn.execute(select(digests.c.status).order_by(digests.c.id))]
    assert statuses == ["sent", "interrupted", "sent"]
    assert len(recorder.received) == 2
