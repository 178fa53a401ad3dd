"""The digest against a faulty aiosmtpd on loopback, `portalwatch digest` run as a real child process: each fault
at its step, then randomised trials. No reader gets one article under two Message-IDs, none is lost, and every
stored message ends `sent` once the faults stop."""

from __future__ import annotations

import os
import random

import pytest
from outbox_trials import READERS, add_articles, check, run_client, run_trials, summary, write_config
from smtp_faults import FAULTS, Disk, FaultPlan, fault_server
from sqlalchemy import select

from portalwatch.config import load_config
from portalwatch.storage import Store, outbox_recipients

TRIALS = int(os.environ.get("PORTALWATCH_TRIALS", "8"))  # `python tests/outbox_trials.py` runs 50

# what each fault leaves, per recipient, after the faulty run (victim = READERS[0])
AFTER_FAULT = {
    "kill-before-data": ("unknown", "unknown"),  # recorded before DATA; the same message goes again
    "kill-after-data": ("unknown", "unknown"),
    "kill-after-250": ("unknown", "unknown"),  # the 250 was in the socket, never read
    "hangup-before-250": ("unknown", "unknown"),
    "late-250": ("unknown", "unknown"),
    "421-mail": ("pending", "pending"),
    "421-rcpt": ("pending", "pending"),
    "421-data": ("pending", "pending"),
    "451-rcpt": ("pending", "sent"),
    "451-data": ("pending", "pending"),
    "550-one": ("failed", "sent"),
    "disk-full": ("unknown", "unknown"),  # the server took it, the client could not write `sent`
}


@pytest.fixture
def disk(tmp_path):
    disk = Disk(tmp_path / "disk")
    yield disk
    disk.close()


def states(store: Store) -> tuple[str, ...]:
    with store.engine.connect() as conn:
        rows = dict(conn.execute(select(outbox_recipients.c.address, outbox_recipients.c.state)).all())
    store.engine.dispose()
    return tuple(rows.get(reader, "-") for reader in READERS[:2])


@pytest.mark.parametrize("fault", FAULTS[1:])
def test_each_fault_leaves_the_right_state_and_the_next_run_finishes_the_job(disk, fault):
    plan = FaultPlan(timeout=1.0, disk=disk)
    readers = list(READERS[:2])
    with fault_server(plan) as port:
        config_path = write_config(disk.folder, port, readers)
        store = Store(load_config(config_path).database)
        urls = add_articles(store, 0, 0, 3)
        store.engine.dispose()
        code = run_client(config_path, plan, fault, readers[0])
        assert fault in plan.fired
        assert code == (-9 if fault.startswith("kill") else 1), plan.last_stderr
        assert states(store) == AFTER_FAULT[fault]
        if fault == "disk-full":
            assert "could not be recorded" in plan.last_stderr
        if fault == "550-one":
            assert f"{readers[0]}: failed (server answered 550" in plan.last_stderr
        code = run_client(config_path, plan, "none", None)
        assert code == 0, plan.last_stderr
        assert states(store) == ("sent", "sent")
        problems, _copies = check(store, plan, readers, urls)
    assert problems == []
    ids = {r.message["Message-ID"] for r in plan.received}
    assert len(ids) == 1  # one digest, however many attempts it took


def test_a_later_digest_does_not_take_items_of_one_still_waiting_for_a_reader(disk):
    plan = FaultPlan(timeout=1.0, disk=disk)
    readers = list(READERS[:2])
    with fault_server(plan) as port:
        config_path = write_config(disk.folder, port, readers)
        store = Store(load_config(config_path).database)
        first = add_articles(store, 0, 0, 2)
        store.engine.dispose()
        assert run_client(config_path, plan, "550-one", readers[0]) == 1
        second = add_articles(store, 0, 2, 2)
        store.engine.dispose()
        assert run_client(config_path, plan, "550-one", readers[0]) == 1  # still refused; a new digest goes out
        assert run_client(config_path, plan, "none", None) == 0
        problems, _copies = check(store, plan, readers, first + second)
    assert problems == []
    got = [r for r in plan.received if readers[0] in r.rcpt_tos]
    assert len({r.message["Message-ID"] for r in got}) == 2  # both digests, each once


def test_randomised_trials_lose_nothing_and_never_send_items_under_two_message_ids(tmp_path):
    seed = random.randrange(1 << 30)
    results, seconds, tmpfs = run_trials(tmp_path, TRIALS, seed)
    report = f"seed {seed} (python tests/outbox_trials.py --seed {seed}): " + summary(results, seconds, tmpfs)
    print(report)
    assert not any(r.problems for r in results), report
    assert all(r.exit_codes[-1] == 0 for r in results)
