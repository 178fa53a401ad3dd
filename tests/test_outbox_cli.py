"""`portalwatch outbox` and `portalwatch test-email` against aiosmtpd on loopback; one reader refused (550)."""

from __future__ import annotations

import re
import subprocess
import sys
from contextlib import contextmanager

import pytest
from digest_samples import add_hostile, make_config, prepare_week
from smtp_faults import FaultPlan, fault_server

from portalwatch.cli import main
from portalwatch.commands.run_once import send_digest_if_due
from portalwatch.storage import DeliveryState, utcnow
from reports.collect import collect
from reports.digest import digest_lock
from reports.outbox import send
from scheduler.jobs import resend_stored_mail

REFUSED = "ops@example.org"


@pytest.fixture
def server():
    plan = FaultPlan(timeout=3.0)
    with fault_server(plan) as port:
        yield plan, port


def test_outbox_lists_each_recipient_and_a_refused_reader_alone_gets_the_digest_again(tmp_path, server, capsys):
    plan, port = server
    config, _store = prepare_week(tmp_path, port)
    plan.arm("550-one", REFUSED, None)
    assert main(["-c", str(config.source), "digest"]) == 1
    err = capsys.readouterr().err
    assert f"{REFUSED}: failed (server answered 550 5.1.1 mailbox unavailable)" in err
    assert "sent again" in err

    assert main(["-c", str(config.source), "outbox"]) == 0
    listing = capsys.readouterr().out
    assert "1 message(s) not yet at every recipient" in listing
    waiting = listing.split("WAITING", 1)[1]
    assert "analyst@example.com  sent" in waiting
    assert f"{REFUSED}      failed   1 attempt(s)" in waiting and "550 5.1.1" in waiting
    # the refused reader's articles are not pending for a new digest, and not yet delivered either
    digest_msg = plan.received[-1].message["Message-ID"]
    assert plan.received[-1].rcpt_tos == ["analyst@example.com"]

    plan.arm("none", None, None)
    assert main(["-c", str(config.source), "digest"]) == 0
    out = capsys.readouterr().out
    assert f"sent again: message 2 {digest_msg} to {REFUSED}" in out
    assert plan.received[-1].rcpt_tos == [REFUSED]  # only the reader who did not have it
    assert plan.received[-1].message["Message-ID"] == digest_msg
    assert main(["-c", str(config.source), "outbox"]) == 0
    assert "0 message(s) not yet at every recipient" in capsys.readouterr().out


def test_test_email_sends_one_line_and_stores_nothing(tmp_path, server, capsys):
    plan, port = server
    config, store = prepare_week(tmp_path, port)
    before = len(store.recent_messages(100))
    assert main(["-c", str(config.source), "test-email"]) == 0
    out = capsys.readouterr().out
    assert "analyst@example.com: accepted by 127.0.0.1" in out and f"{REFUSED}: accepted" in out
    message = plan.received[-1].message
    assert message["Subject"] == "portalwatch: test mail"
    assert len(message.get_content().strip().splitlines()) == 1
    assert len(store.recent_messages(100)) == before


def test_test_email_names_a_refused_reader_and_fails(tmp_path, server, capsys):
    plan, port = server
    config, _store = prepare_week(tmp_path, port)
    plan.arm("550-one", REFUSED, None)
    assert main(["-c", str(config.source), "test-email"]) == 1
    captured = capsys.readouterr()
    assert "analyst@example.com: accepted" in captured.out
    assert f"{REFUSED}: failed: server answered 550" in captured.err


def test_test_email_refuses_a_bad_address(tmp_path, server, capsys):
    _plan, port = server
    config, _store = prepare_week(tmp_path, port)
    assert main(["-c", str(config.source), "test-email", "--to", "someone@@example.com"]) == 2
    assert "--to" in capsys.readouterr().err


def test_status_names_a_digest_still_waiting_for_a_reader(tmp_path, server, capsys):
    plan, port = server
    config, _store = prepare_week(tmp_path, port)
    plan.arm("550-one", REFUSED, None)
    assert main(["-c", str(config.source), "digest"]) == 1
    capsys.readouterr()
    assert main(["-c", str(config.source), "status"]) == 0
    out = capsys.readouterr().out
    assert "Not yet at every reader: 1 stored message(s)" in out
    assert "Waiting for the next digest: 0 projects, 0 policies, 0 other articles" in out  # they are in the stored one


def refused_once(tmp_path, plan, port, capsys):
    """Last week's digest, then this week's: refused for one reader; then a new article arrives."""
    config, store = prepare_week(tmp_path, port)
    plan.arm("550-one", REFUSED, None)
    assert main(["-c", str(config.source), "digest"]) == 1
    plan.arm("none", None, None)
    add_hostile(store)
    capsys.readouterr()
    return config, store, plan.received[-1].message["Message-ID"]


def test_run_once_sends_the_stored_digest_again_but_no_new_one_before_it_is_due(tmp_path, server, capsys):
    plan, port = server
    config, store, digest_msg = refused_once(tmp_path, plan, port, capsys)
    assert send_digest_if_due(config, store, force=False) == 0
    assert "digest not due; stored messages were sent again" in capsys.readouterr().out
    assert plan.received[-1].rcpt_tos == [REFUSED]
    assert plan.received[-1].message["Message-ID"] == digest_msg
    assert store.count_articles() == 12 and collect(store, utcnow()).counts["projects"] == 1  # the new one waits


def test_outbox_send_resends_and_the_daemon_does_it_after_a_crawl(tmp_path, server, capsys):
    plan, port = server
    config, _store, digest_msg = refused_once(tmp_path, plan, port, capsys)
    plan.arm("550-one", REFUSED, None)
    assert main(["-c", str(config.source), "outbox", "--send"]) == 1
    assert "550" in capsys.readouterr().err
    plan.arm("none", None, None)
    before = len(plan.received)
    resend_stored_mail(config, str(config.source))  # the daemon's step after each crawl: a child process
    assert [r.rcpt_tos for r in plan.received[before:]] == [[REFUSED]]
    assert plan.received[-1].message["Message-ID"] == digest_msg
    assert main(["-c", str(config.source), "outbox", "--send"]) == 0
    assert "nothing to send" in capsys.readouterr().out


def test_an_alert_goes_through_the_outbox_to_its_own_recipients(tmp_path, server, capsys):
    plan, port = server
    config, _store = prepare_week(tmp_path, port)
    plan.arm("451-rcpt", "oncall@example.net", None)
    delivery = send(config, "portalwatch: 2 portals failed", "jimo-invest: HTTP 503", to=["oncall@example.net"])
    assert not delivery.done and delivery.states == {"oncall@example.net": DeliveryState.PENDING}
    plan.arm("none", None, None)
    assert main(["-c", str(config.source), "outbox", "--send"]) == 0
    alert = plan.received[-1]
    assert alert.rcpt_tos == ["oncall@example.net"]  # its own list, not email.to
    assert alert.message["Message-ID"] == delivery.message_id
    assert alert.message.get_content().strip() == "jimo-invest: HTTP 503"
    assert "alert  stored" in capsys.readouterr().out


def article_links(received) -> set[str]:
    """The article links a received digest's text part carries."""
    text = received.message.get_body(("plain",)).get_content()
    return set(re.findall(r"http://www\.example\.gov\.cn/[^\s<>\"]+\.s?html", text))


def test_a_dropped_message_is_never_sent_again_and_its_items_go_into_the_next_digest(tmp_path, server, capsys):
    plan, port = server
    config, store = prepare_week(tmp_path, port)
    plan.arm("550-one", REFUSED, None)
    assert main(["-c", str(config.source), "digest"]) == 1
    given_up = plan.received[-1]
    (waiting,) = store.undelivered_messages()
    assert article_links(given_up)
    capsys.readouterr()

    assert main(["-c", str(config.source), "outbox", "--drop", str(waiting["id"])]) == 0
    out = capsys.readouterr().out
    assert f"dropped message #{waiting['id']} ({waiting['message_id']}): never sent again to {REFUSED} " in out
    assert "0 message(s) not yet at every recipient" in out
    listing = out.split(f"#{waiting['id']}  ", 1)[1]
    assert "  DROPPED " in listing.split("\n", 1)[0]
    assert "analyst@example.com  sent" in listing and f"{REFUSED}      dropped" in listing

    plan.arm("none", None, None)
    before = len(plan.received)
    assert main(["-c", str(config.source), "outbox", "--send"]) == 0
    assert "nothing to send" in capsys.readouterr().out and len(plan.received) == before
    assert main(["-c", str(config.source), "status"]) == 0
    assert "Waiting for the next digest: 0 projects" not in capsys.readouterr().out

    assert main(["-c", str(config.source), "digest"]) == 0
    assert len(plan.received) == before + 1  # a new digest, not the dropped one again
    again = plan.received[-1]
    assert sorted(again.rcpt_tos) == sorted([*given_up.rcpt_tos, REFUSED])
    assert again.message["Message-ID"] != waiting["message_id"]
    assert article_links(again) == article_links(given_up)  # nothing the dropped message carried is lost
    assert all(r.message["Message-ID"] != waiting["message_id"] for r in plan.received[before:])


def test_drop_takes_several_messages_and_an_unknown_one_does_not_stop_the_others(tmp_path, server, capsys):
    plan, port = server
    config, store = prepare_week(tmp_path, port)
    plan.arm("550-one", REFUSED, None)
    assert main(["-c", str(config.source), "digest"]) == 1
    (waiting,) = store.undelivered_messages()
    capsys.readouterr()
    assert main(["-c", str(config.source), "outbox", "--drop", "99", str(waiting["id"])]) == 2
    out, err = capsys.readouterr()
    assert "no stored message #99" in err
    assert f"dropped message #{waiting['id']} ({waiting['message_id']}): never sent again to {REFUSED} " in out
    assert store.outbox_message(waiting["id"])["dropped_at"] is not None


def test_drop_names_an_unknown_or_delivered_message_and_changes_nothing(tmp_path, server, capsys):
    _plan, port = server
    config, store = prepare_week(tmp_path, port)
    (delivered,) = store.recent_messages(10)
    assert main(["-c", str(config.source), "outbox", "--drop", "99"]) == 2
    assert "no stored message #99" in capsys.readouterr().err
    assert main(["-c", str(config.source), "outbox", "--drop", str(delivered["id"])]) == 2
    assert "reached every recipient already; nothing to drop" in capsys.readouterr().err
    assert store.outbox_message(delivered["id"])["dropped_at"] is None


@contextmanager
def digest_lock_held(config):
    """Another process holding the install's mailing lock, as a digest run stuck on a slow mail server does."""
    hold = ("import sys, time; from filelock import FileLock; lock = FileLock(sys.argv[1]); lock.acquire(); "
            "print('held', flush=True); time.sleep(600)")
    holder = subprocess.Popen([sys.executable, "-c", hold, digest_lock(config).lock_file],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_a_held_digest_lock_exits_75_sends_nothing_and_loses_nothing(tmp_path, server, capsys):
    plan, port = server
    config, store, digest_msg = refused_once(tmp_path, plan, port, capsys)
    config = make_config(tmp_path, port, top="schedule:\n  lock_wait_seconds: 1")
    (waiting,) = store.undelivered_messages()
    pending = collect(store, utcnow()).counts
    before = len(plan.received)
    with digest_lock_held(config):
        for command in (["outbox", "--send"], ["outbox", "--drop", str(waiting["id"])], ["digest"]):
            assert main(["-c", str(config.source), *command]) == 75, command
            err = capsys.readouterr().err
            assert "another digest run held its lock (digest.lock) for 1 s (schedule.lock_wait_seconds)" in err
        assert send_digest_if_due(config, store, force=True) == 75  # run-once's digest step
        assert "nothing was sent or marked" in capsys.readouterr().err
    assert len(plan.received) == before
    assert store.outbox_message(waiting["id"])["dropped_at"] is None
    assert collect(store, utcnow()).counts == pending  # the new article still waits for a digest
    assert main(["-c", str(config.source), "outbox", "--send"]) == 0  # once the lock is free, it goes out
    assert plan.received[-1].rcpt_tos == [REFUSED] and plan.received[-1].message["Message-ID"] == digest_msg
