"""Randomised delivery trials: `portalwatch digest` as a child process against a faulty aiosmtpd on loopback.

Each trial stores a few articles, runs the digest under a random fault, repeats that a few times, then runs
it with no fault until the outbox is empty, and checks what every reader received: each article in exactly
one Message-ID per reader (copies of one Message-ID are allowed: that is what `unknown` costs), no article
missing, every stored message `sent` to every recipient, every article marked delivered.
"""

from __future__ import annotations

import email
import random
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from email.policy import default
from pathlib import Path

from smtp_faults import FAULTS, Disk, FaultPlan, fault_server
from sqlalchemy import func, select

from portalwatch.config import parse_config
from portalwatch.models import Classification, CrawledArticle, Verdict
from portalwatch.storage import DeliveryState, Store, articles, outbox_recipients

# email.timeout of the client: far above any step of a healthy dialogue on a loaded machine; the late 250 waits
# for the client to give up (hang up), so it comes after the timeout whatever the timeout is
TIMEOUT = 5.0
CHILD_LIMIT = 60.0  # a client run taking longer than this is a hang, and fails the trial
RECOVERY_RUNS = 4  # runs without faults before a message still not `sent` counts as lost
READERS = ("reader1@example.com", "reader2@example.org", "reader3@example.net")
URL = re.compile(r"http://127\.0\.0\.1:9/trial-\d+/item-\d+\.html")


@dataclass
class TrialResult:
    faults: list[str]
    fired: list[str]
    items: int
    readers: int
    runs: int
    exit_codes: list[int]
    copies: int  # extra copies of a Message-ID a reader already had
    problems: list[str] = field(default_factory=list)


def write_config(folder: Path, port: int, readers: list[str]) -> Path:
    """A client install in `folder`; its SQLite file lies on the disk the faults fill up (so always SQLite)."""
    text = f"""
database: sqlite:///data/portalwatch.db
email:
  smtp_host: 127.0.0.1
  smtp_port: {port}
  from: "portalwatch <digest@example.com>"
  to: {readers!r}
  timeout: {TIMEOUT}
digest:
  reports_dir: reports
  send_empty: false
"""
    path = folder / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def add_articles(store: Store, trial: int, start: int, count: int) -> list[str]:
    """`count` new articles (a crawl's worth), each with its own URL; return the URLs."""
    urls = []
    for n in range(start, start + count):
        url = f"http://127.0.0.1:9/trial-{trial}/item-{n}.html"
        item = CrawledArticle(url=url, portal="trial", title=f"试验文章 {trial}-{n}", text=f"第{n}篇的正文。" * 20,
                              published=date(2026, 11, 16))
        store.insert_article(item, f"hash-{trial}-{n}", Verdict(status="new"), Classification())
        urls.append(url)
    return urls


def run_client(config_path: Path, plan: FaultPlan, fault: str, victim: str | None) -> int:
    """One `portalwatch digest` process with `fault` armed; its exit code (-9 when the server killed it)."""
    command = [sys.executable, "-m", "portalwatch", "-c", str(config_path), "digest"]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    plan.arm(fault, victim, child.pid)
    try:
        _out, err = child.communicate(timeout=CHILD_LIMIT)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise AssertionError(f"portalwatch digest hung under fault {fault}") from None
    finally:
        plan.arm("none", None, None)
        if plan.disk is not None:
            plan.disk.free()
    plan.last_stderr = err.decode("utf-8", "replace")
    return child.returncode


def check(store: Store, plan: FaultPlan, readers: list[str], urls: list[str]) -> tuple[list[str], int]:
    """What is wrong with what the readers received, and how many extra copies of one Message-ID they got."""
    problems = []
    ids_per_item: dict[tuple[str, str], set[str]] = {}
    copies: Counter[tuple[str, str]] = Counter()
    for received in plan.received:
        message = email.message_from_bytes(received.raw, policy=default)
        msg_id = message["Message-ID"]
        carried = set(URL.findall(message.get_body(("plain",)).get_content()))
        for reader in received.rcpt_tos:
            copies[(reader, msg_id)] += 1
            for url in carried:
                ids_per_item.setdefault((reader, url), set()).add(msg_id)
    for reader in readers:
        for url in urls:
            ids = ids_per_item.get((reader, url), set())
            if not ids:
                problems.append(f"{reader} never received {url}")
            elif len(ids) > 1:
                problems.append(f"{reader} received {url} in {len(ids)} different messages: {sorted(ids)}")
    with store.engine.connect() as conn:
        waiting = conn.execute(select(outbox_recipients.c.address, outbox_recipients.c.state).where(
            outbox_recipients.c.state != DeliveryState.SENT.value)).all()
        undelivered = conn.execute(select(func.count()).select_from(articles).where(
            articles.c.digest_id.is_(None))).scalar_one()
    problems += [f"outbox: {address} still {state}" for address, state in waiting]
    if undelivered:
        problems.append(f"{undelivered} articles not marked delivered")
    return problems, sum(n - 1 for n in copies.values())


def run_trial(root: Path, trial: int, rng: random.Random, plan: FaultPlan, port: int) -> TrialResult:
    """Rounds of new articles and a faulty digest run, then fault-free runs until the outbox is empty."""
    folder = root / f"trial-{trial}"
    folder.mkdir()
    readers = rng.sample(READERS, rng.randint(2, 3))
    config_path = write_config(folder, port, readers)
    store = Store(parse_config(config_path.read_text(encoding="utf-8"), config_path).database)
    plan.received = []
    plan.fired = []
    urls: list[str] = []
    faults, codes = [], []
    for _round in range(rng.randint(1, 3)):
        urls += add_articles(store, trial, len(urls), rng.randint(1, 5))
        store.engine.dispose()  # no connection of ours keeps the WAL file alive while the client runs
        fault = rng.choice(FAULTS[1:])
        faults.append(fault)
        codes.append(run_client(config_path, plan, fault, rng.choice(readers)))
    for _run in range(RECOVERY_RUNS):
        codes.append(run_client(config_path, plan, "none", None))
        if codes[-1] == 0:
            break
    problems, copies = check(store, plan, readers, urls)
    if codes[-1] != 0:
        problems.append(f"the last fault-free run exited {codes[-1]}: {plan.last_stderr.strip()[-500:]}")
    store.engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    return TrialResult(faults, list(plan.fired), len(urls), len(readers), len(codes), codes, copies, problems)


def run_trials(root: Path, count: int, seed: int) -> tuple[list[TrialResult], float, bool]:
    """`count` trials from `seed` on a disk under `root`; the results, seconds taken, whether tmpfs was used."""
    started = time.monotonic()
    disk = Disk(root / "disk")
    plan = FaultPlan(timeout=TIMEOUT, disk=disk)
    results = []
    try:
        with fault_server(plan) as port:
            for trial in range(count):
                results.append(run_trial(disk.folder, trial, random.Random(seed * 1000 + trial), plan, port))
    finally:
        disk.close()
    return results, time.monotonic() - started, disk.mounted


def summary(results: list[TrialResult], seconds: float, tmpfs: bool) -> str:
    fired = Counter(f for r in results for f in r.fired)
    lines = [
        f"{len(results)} trials in {seconds:.1f} s; disk full simulated with "
        f"{'a full tmpfs (ENOSPC)' if tmpfs else 'RLIMIT_FSIZE=0 on the client (EFBIG)'}",
        f"articles: {sum(r.items for r in results)}, readers per trial: 2-3, client runs: "
        f"{sum(r.runs for r in results)}",
        "times each fault fired: " + ", ".join(f"{name} {fired[name]}" for name in FAULTS[1:]),
        f"extra copies of a Message-ID a reader already had (the price of `unknown`): "
        f"{sum(r.copies for r in results)}",
        f"trials with a reader getting one article under two Message-IDs, an article lost, or a message not "
        f"`sent`: {sum(1 for r in results if r.problems)}",
    ]
    lines += [f"  trial {i} ({', '.join(r.faults)}): {p}" for i, r in enumerate(results) for p in r.problems]
    return "\n".join(lines)


if __name__ == "__main__":
    import argparse
    import signal
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unmount the tmpfs on the way out
    with tempfile.TemporaryDirectory() as tmp:
        outcome = run_trials(Path(tmp), args.trials, args.seed)
    print(summary(*outcome))
    sys.exit(1 if any(r.problems for r in outcome[0]) else 0)
