"""The digest against a faulty aiosmtpd on loopback, `portalwatch digest` run as a real child process: each fault
at its step, then randomised trials. No reader gets one article under two Message-IDs, none is lost, and every
stored message ends `sent` once the faults stop."""

from __future__ import annotations

import os
import random

import pytest
from outbox_trials import READERS, TIMEOUT, add_articles, check, run_client, run_trials, summary, write_config
from smtp_faults import FAULTS, Disk, FaultPlan, fault_server
from sqlalchemy import func, select

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
    """Where the first two readers stand for the newest stored message."""
    with store.engine.connect() as conn:
        newest = select(func.max(outbox_recipients.c.outbox_id)).scalar_subquery()
        rows = dict(conn.execute(select(outbox_recipients.c.address, outbox_recipients.c.state)
                                 .where(outbox_recipients.c.outbox_id == newest)).all())
    store.engine.dispose()
    return tuple(rows.get(reader, "-") for reader in READERS[:2])


# rounds of (new articles, the fault of that round's digest run); the victim is READERS[0]
SCENARIOS = [pytest.param([(3, fault)], id=fault) for fault in FAULTS[1:]] + [
    # a later digest does not take the items of one still waiting for a reader: each goes out once
    pytest.param([(2, "550-one"), (2, "550-one")], id="550-one-then-a-later-digest"),
]


@pytest.mark.parametrize("rounds", SCENARIOS)
def test_each_fault_leaves_the_right_state_and_the_next_run_finishes_the_job(disk, rounds):
    plan = FaultPlan(timeout=TIMEOUT, disk=disk)
    readers = list(READERS[:2])
    urls: list[str] = []
    with fault_server(plan) as port:
        config_path = write_config(disk.folder, port, readers)
        store = Store(load_config(config_path).database)
        for count, fault in rounds:
            urls += add_articles(store, 0, len(urls), count)
            store.engine.dispose()
            fired = len(plan.fired)
            code = run_client(config_path, plan, fault, readers[0])
            assert fault in plan.fired[fired:]
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
    for reader in readers:  # one digest per round, however many attempts it took
        got = {r.message["Message-ID"] for r in plan.received if reader in r.rcpt_tos}
        assert len(got) == len(rounds), reader


@pytest.mark.long
def test_randomised_trials_lose_nothing_and_never_send_items_under_two_message_ids(tmp_path):
    seed = random.randrange(1 << 30)
    results, seconds, tmpfs = run_trials(tmp_path, TRIALS, seed)
    report = f"seed {seed} (python tests/outbox_trials.py --seed {seed}): " + summary(results, seconds, tmpfs)
    print(report)
    assert not any(r.problems for r in results), report
    assert all(r.exit_codes[-1] == 0 for r in results)
