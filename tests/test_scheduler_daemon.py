"""`portalwatch daemon` as a real process on a per-second schedule against the fixture sites and a real SMTP
server: it crawls and mails, survives kill -9 and a restart without duplicate mail or lost articles, and
stops on SIGTERM within seconds."""

from __future__ import annotations

import html
import itertools
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import yaml
from filelock import FileLock
from smtp_server import smtp_server
from sqlalchemy import select
from test_scheduler_support import QUICK_PORTALS, html_of, portalwatch, runs, wait_for, write_config

from portalwatch.config import Config, load_config
from portalwatch.lock import current_holder, lock_path, read_holder
from portalwatch.outcomes import Exit
from portalwatch.storage import Store, articles, digests, revisions


def mailed(config: Config, urls: list[str]) -> bool:
    """True when every URL is stored and belongs to a sent digest."""
    query = (
        select(articles.c.url)
        .join(digests, digests.c.id == articles.c.digest_id)
        .where(digests.c.status == "sent", articles.c.url.in_(urls))
    )
    with Store(config.database).engine.connect() as conn:
        return len(set(conn.execute(query).scalars())) == len(set(urls))


def holds_daemon_lock(config: Config, daemon: subprocess.Popen) -> bool:
    """Whether `daemon` took the daemon lock, read from its holder file: probing the lock itself (taking it for
    an instant) could make a daemon starting that instant find it taken and exit."""
    holder = read_holder(lock_path(config, "daemon.lock"))
    return holder is not None and holder.pid == daemon.pid


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


def test_daemon_crawls_mails_survives_kill_9_and_stops_on_sigterm(tmp_path: Path, fresh_sites) -> None:
    with smtp_server() as (port, recorder):
        config = write_config(tmp_path, fresh_sites.portals(), port,
                              crawl_interval_seconds=2, digest_interval_seconds=3)
        log_path = tmp_path / "daemon.log"
        with log_path.open("w") as log:
            daemon = portalwatch(config, "daemon", stdout=log)
            try:
                wait_for(lambda: recorder.received, 90, "the first digest mail")
                wait_for(lambda: runs(config)[-1]["status"] == "running", 30, "the next crawl to start")
                daemon.kill()  # kill -9 in the middle of a crawl
                daemon.wait(timeout=10)
                fresh_sites.set_version(2)
                daemon = portalwatch(config, "daemon", stdout=log)
                # The killed daemon's children carry on (each has its own session) and may mail the new articles
                # before the new daemon is up: the SIGTERM below is for a daemon at work.
                started = f"daemon started (pid {daemon.pid})"
                wait_for(lambda: started in log_path.read_text(encoding="utf-8"), 60, "the restarted daemon")
                added = [url for name in QUICK_PORTALS for url in fresh_sites.added(name)]
                assert added
                wait_for(lambda: mailed(config, added), 90, "a digest with the articles added after the restart")
                daemon.send_signal(signal.SIGTERM)
                asked = time.monotonic()
                code = daemon.wait(timeout=20)
                stop_seconds = time.monotonic() - asked
            finally:
                stop(daemon)
        wait_for(lambda: current_holder(config) is None, 60, "the last crawl or digest to let go of the lock")
        log_text = log_path.read_text(encoding="utf-8")

    interrupted = "the stop interrupted crawl" in log_text  # SIGTERM may have come while a crawl ran
    assert code == (143 if interrupted else 0), log_text[-3000:]
    assert stop_seconds < 12
    for line in ("scheduled crawl: every 2 s", "kept crawl: every 2 s from the job store", "next crawl at",
                 "received SIGTERM", "daemon stopped"):
        assert line in log_text

    store = Store(config.database)
    with store.engine.connect() as conn:
        sent = {row.message_id: row.id for row in conn.execute(select(digests).where(digests.c.status == "sent"))}
        revised_ids = set(conn.execute(select(revisions.c.article_id)).scalars())
    mails = {r.message["Message-ID"]: html_of(r.raw) for r in recorder.received}
    assert len(mails) == len(recorder.received) == len(sent) >= 2, "a digest went out twice, or was not recorded"
    assert set(mails) == set(sent)

    digest_of_mail = {sent[msg_id]: body for msg_id, body in mails.items()}
    fresh = [a for a in store.iter_articles() if a["duplicate_of"] is None]
    assert len(fresh) > len(added)
    for article in fresh:
        assert article["digest_id"] in digest_of_mail, f"{article['url']} never mailed"
        link = f'"{html.escape(article["url"])}"'
        carried = [digest_id for digest_id, body in digest_of_mail.items() if link in body]
        assert article["digest_id"] in carried
        if article["id"] not in revised_ids:
            assert carried == [article["digest_id"]], f"{article['url']} mailed in digests {carried}"

    crawl_rows = runs(config)
    assert not [r["id"] for r in crawl_rows if r["status"] == "running"]
    assert {r["trigger"] for r in crawl_rows} == {"daemon"}
    spans = [(r["started_at"], r["finished_at"]) for r in crawl_rows]
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert end <= start, "two crawls ran at the same time"


def test_second_daemon_for_the_same_database_exits(tmp_path: Path, fixture_sites) -> None:
    with smtp_server() as (port, _recorder):
        config = write_config(tmp_path, fixture_sites.portals(), port, crawl_interval_seconds=3600,
                              digest_interval_seconds=3600)
        first = portalwatch(config, "daemon", stdout=subprocess.DEVNULL)
        try:
            wait_for(lambda: holds_daemon_lock(config, first), 30, "the first daemon to start")
            second = portalwatch(config, "daemon")
            output, _ = second.communicate(timeout=30)
        finally:
            first.send_signal(signal.SIGTERM)
            first_code = first.wait(timeout=20)
    assert second.returncode == Exit.BUSY
    assert f"another portalwatch (pid {first.pid}, daemon, since " in output
    assert "is already running the schedule; exiting" in output
    assert first_code == 0


def test_daemon_stopped_while_a_crawl_runs_exits_143_and_records_the_crawl_interrupted(tmp_path: Path) -> None:
    silent = socket.socket()  # a portal that takes the connection and never answers: the crawl is in flight
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        with smtp_server() as (port, _recorder):
            config = write_config(tmp_path, [], port, crawl_interval_seconds=1, digest_interval_seconds=3600)
            data = yaml.safe_load(config.source.read_text(encoding="utf-8"))
            data["crawl"]["timeout"] = 120
            data["portals"] = [{"name": "silent", "start_urls": [f"http://127.0.0.1:{silent.getsockname()[1]}/"]}]
            config.source.write_text(yaml.safe_dump(data), encoding="utf-8")
            daemon = portalwatch(config, "daemon")
            try:
                wait_for(lambda: runs(config) and runs(config)[-1]["status"] == "running", 60, "a crawl to start")
                daemon.send_signal(signal.SIGTERM)
                output, _ = daemon.communicate(timeout=30)
            finally:
                stop(daemon)
    finally:
        silent.close()
    assert daemon.returncode == 143, output[-3000:]
    assert "the stop interrupted crawl" in output
    assert [r["status"] for r in runs(config)] == ["interrupted"], output[-3000:]


def test_daemon_stopped_while_it_starts_up_exits_0_and_starts_no_schedule(tmp_path: Path) -> None:
    # Held still at start-up: another connection holds the SQLite database's write lock, so the daemon's first
    # write (creating the schema, while it checks for interrupted runs) waits; the stop comes meanwhile. SQLite
    # whatever database the suite runs on: the hold is its write lock.
    with smtp_server() as (port, _recorder):
        config = write_config(tmp_path, [], port, crawl_interval_seconds=1, digest_interval_seconds=1)
        data = yaml.safe_load(config.source.read_text(encoding="utf-8"))
        data["database"] = f"sqlite:///{tmp_path / 'held.db'}"
        config.source.write_text(yaml.safe_dump(data), encoding="utf-8")
        config = load_config(config.source)
        writer = sqlite3.connect(tmp_path / "held.db", isolation_level=None)
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("BEGIN IMMEDIATE")
        daemon = portalwatch(config, "daemon")
        try:
            wait_for(lambda: holds_daemon_lock(config, daemon) or daemon.poll() is not None, 30,
                     "the daemon to take its lock")
            assert daemon.poll() is None, daemon.communicate()[0][-3000:]
            daemon.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            writer.execute("ROLLBACK")
            writer.close()
            output, _ = daemon.communicate(timeout=30)
        finally:
            stop(daemon)
    assert daemon.returncode == 0, output[-3000:]
    assert "daemon stopped before it started its schedule" in output
    assert "daemon started" not in output and runs(config) == []


def test_a_look_at_the_daemon_lock_as_it_starts_does_not_stop_it(tmp_path: Path) -> None:
    # `portalwatch status` looks at a lock by taking it for an instant: a daemon that starts in that instant
    # waits a moment for it, instead of exiting as if another daemon ran the schedule.
    with smtp_server() as (port, _recorder):
        config = write_config(tmp_path, [], port, crawl_interval_seconds=3600, digest_interval_seconds=3600)
        config.data_dir.mkdir(parents=True, exist_ok=True)
        look = FileLock(lock_path(config, "daemon.lock"), thread_local=False)
        look.acquire()
        daemon = portalwatch(config, "daemon")
        try:
            seen = _lines_until(daemon, "is taken; trying again")  # it found the lock taken
            look.release()
            seen += _lines_until(daemon, "daemon started")
            daemon.send_signal(signal.SIGTERM)
            output, _ = daemon.communicate(timeout=30)
        finally:
            look.release()
            stop(daemon)
    assert daemon.returncode == 0, "".join(seen) + output
    assert "already running the schedule" not in "".join(seen) + output


def _lines_until(process: subprocess.Popen, words: str) -> list[str]:
    """The process's output lines up to the first with `words` (failing if it ends before)."""
    seen: list[str] = []
    while not seen or words not in seen[-1]:
        line = process.stdout.readline()
        assert line, f"the output ended before {words!r}:\n{''.join(seen)}"
        seen.append(line)
    return seen
