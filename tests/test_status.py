"""`portalwatch status` on a real SQLite store: last run per portal, next runs, what waits, last digest."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import testdb
from smtp_server import smtp_server
from sqlalchemy import insert
from test_scheduler_support import Holder

from portalwatch.cli import main
from portalwatch.config import Config, load_config
from portalwatch.models import Classification, CrawledArticle, Verdict
from portalwatch.storage import Store, digests, utcnow
from scheduler.daemon import build_scheduler, sync_jobs

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def config(tmp_path: Path) -> Config:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"database: {testdb.database_for(tmp_path)}\n"
        "timezone: Asia/Shanghai\n"
        "schedule: {crawl: '0 6 * * *', digest: '0 8 * * mon'}\n"
        "portals:\n"
        "  - {name: laoshan, start_urls: ['http://127.0.0.1:9/list/']}\n"
        "  - {name: jimo, start_urls: ['http://127.0.0.1:9/col/']}\n",
        encoding="utf-8",
    )
    return load_config(path)


def status(config: Config, capsys: pytest.CaptureFixture) -> str:
    assert main(["-c", str(config.source), "status"]) == 0
    return capsys.readouterr().out


def line(output: str, start: str) -> str:
    found = [text.strip() for text in output.splitlines() if text.strip().startswith(start)]
    assert found, f"no line starting {start!r} in:\n{output}"
    return found[0]


def add_article(store: Store, url: str, kind: str) -> None:
    store.insert_article(
        CrawledArticle(url=url, portal="laoshan", title=f"标题 {url}", text="正文"), f"hash-{url}",
        Verdict(status="new"), Classification(kind=kind),
    )


def test_fresh_install_says_nothing_ran_and_when_things_will(config: Config, capsys) -> None:
    output = status(config, capsys)
    assert re.search(r"laoshan\s+never", output) and re.search(r"jimo\s+never", output)
    assert "Last crawl: none yet" in output
    assert "Next runs (no daemon job store yet; computed from the config):" in output
    crawl = datetime.strptime(line(output, "crawl ")[len("crawl"):].split("(")[0].strip(), "%Y-%m-%d %H:%M")
    digest = datetime.strptime(line(output, "digest ")[len("digest"):].split("(")[0].strip(), "%Y-%m-%d %H:%M")
    now = datetime.now(SHANGHAI).replace(tzinfo=None)
    assert (crawl.hour, crawl.minute) == (6, 0) and now < crawl <= now + timedelta(days=1)
    assert (digest.weekday(), digest.hour) == (0, 8) and now < digest <= now + timedelta(days=7)
    assert "Waiting for the next digest: 0 projects, 0 policies, 0 other articles" in output
    assert "Last digest sent: none yet" in output


def test_runs_errors_waiting_articles_and_last_digest(config: Config, capsys) -> None:
    store = Store(config.database)
    first = store.start_run("daemon")
    store.record_portal_run(first, "laoshan", "ok", list_pages=3, articles_fetched=12, new=4, duplicate=8)
    store.record_portal_run(first, "jimo", "ok", list_pages=2, articles_fetched=5, new=5)
    store.finish_run(first, "ok")
    with store.transaction() as conn:
        conn.execute(insert(digests).values(
            created_at=utcnow(), period_end=utcnow(), status="sent", sent_at=utcnow(),
            counts={"projects": 3, "policies": 1, "others": 5, "revisions": 0}))
    second = store.start_run("run-once")
    store.record_portal_run(second, "jimo", "failed", list_pages=0, errors=1)
    store.record_error(second, "jimo", "http://127.0.0.1:9/col/", "http-503", "Service Unavailable")
    store.finish_run(second, "partial")
    add_article(store, "http://127.0.0.1:9/a/1.html", "project")
    add_article(store, "http://127.0.0.1:9/a/2.html", "policy")
    add_article(store, "http://127.0.0.1:9/a/3.html", "project")

    output = status(config, capsys)
    laoshan = line(output, "laoshan").split()
    assert laoshan[3:10] == ["ok", "3", "12", "4", "8", "0", "0"]
    jimo = line(output, "jimo")
    assert jimo.split()[3] == "failed"
    assert jimo.endswith("http-503 http://127.0.0.1:9/col/ Service Unavailable")
    assert re.search(r"Last crawl: #2 partial, started \S+ \S+, finished \S+ \S+ \(run-once\)", output)
    assert "Waiting for the next digest: 2 projects, 1 policies, 0 other articles" in output
    assert re.search(r"Last digest sent: #1 at \S+ \S+ \(3 projects, 1 policies, 5 other, 0 revised\)", output)


def test_running_crawl_is_told_apart_from_one_whose_process_died(config: Config, capsys) -> None:
    Store(config.database).start_run("cli")
    holder = Holder(config, "crawl")
    try:
        alive = status(config, capsys)
    finally:
        holder.close()
    assert f"Last crawl: #1 running in another portalwatch (pid {holder.process.pid}, crawl, since " in alive
    assert "Last crawl: #1 interrupted (its process is gone)" in status(config, capsys)


def test_next_runs_come_from_the_daemon_job_store(config: Config, capsys) -> None:
    scheduler = build_scheduler(config)
    scheduler.start(paused=True)
    sync_jobs(scheduler, config)
    expected = {job.id: job.next_run_time for job in scheduler.get_jobs()}
    scheduler.shutdown(wait=False)
    output = status(config, capsys)
    assert "Next runs (daemon not running; from its job store):" in output
    for job, moment in expected.items():
        assert line(output, f"{job} ").split()[1:3] == moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M").split()


def test_each_subscription_shows_what_its_next_digest_holds(tmp_path: Path, capsys) -> None:
    with smtp_server() as (port, recorder):
        path = tmp_path / "config.yaml"
        path.write_text(
            f"database: {testdb.database_for(tmp_path)}\n"
            "portals:\n  - {name: laoshan, start_urls: ['http://127.0.0.1:9/list/']}\n"
            f"email: {{smtp_host: 127.0.0.1, smtp_port: {port}, from: digest@example.org}}\n"
            "subscriptions:\n"
            "  - {name: laoshan-office, recipients: [office@example.org], filters: {districts: [崂山区]}}\n"
            "  - {name: policy-desk, recipients: [desk@example.org, chief@example.org], filters: {kinds: [policy]}}\n",
            encoding="utf-8",
        )
        config = load_config(path)
        store = Store(config.database)
        for n, (kind, district) in enumerate([("project", "崂山区"), ("project", "即墨区"), ("policy", "崂山区"),
                                              ("policy", "市南区"), ("other", "崂山区")]):
            store.insert_article(
                CrawledArticle(url=f"http://127.0.0.1:9/a/{n}.html", portal="laoshan", title=f"标题{n}", text="正文"),
                f"hash-{n}", Verdict(status="new"), Classification(kind=kind, districts=[district]))

        output = status(config, capsys)
        assert line(output, "laoshan-office").startswith(
            "laoshan-office  1 projects, 1 policies, 1 other articles, 0 revised pages, 0 republished (1 recipient(s))")
        assert line(output, "policy-desk").startswith("policy-desk     0 projects, 2 policies, 0 other articles")

        assert main(["-c", str(path), "digest", "--subscription", "policy-desk"]) == 0
        assert [r.rcpt_tos for r in recorder.received] == [["desk@example.org", "chief@example.org"]]
        store.insert_article(
            CrawledArticle(url="http://127.0.0.1:9/a/9.html", portal="laoshan", title="标题9", text="正文"),
            "hash-9", Verdict(status="new"), Classification(kind="policy", districts=["崂山区"]))
        output = status(config, capsys)
        assert line(output, "policy-desk").startswith("policy-desk     0 projects, 1 policies")  # only the new one
        assert line(output, "laoshan-office").startswith("laoshan-office  1 projects, 2 policies, 1 other")


def test_status_without_a_subscription_says_so(config: Config, capsys) -> None:
    assert "Next digest per subscription: none (no email.to and no subscriptions in config.yaml)" in status(
        config, capsys)
