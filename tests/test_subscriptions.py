"""Subscriptions over several weeks of fixture crawls, mailed to a real SMTP server: each reader gets exactly the
items their filters want, a filter changed in the middle neither loses nor repeats anything."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from smtp_server import Recorder, smtp_server
from test_scheduler_support import QUICK_PORTALS, REPO, portalwatch

from portalwatch.cli import main
from portalwatch.config import load_config
from portalwatch.storage import ItemKind, Store
from reports.digest import run_digest

pytestmark = pytest.mark.timeout(300)

OFFICE = "office@example.org"  # a district office
ANALYST = "analyst@example.org"  # big projects only
LINK = re.compile(r'href="(http://127\.0\.0\.1[^"#]+)"')


def write_config(folder: Path, portals: list[dict], port: int, office: dict, analyst: dict) -> Path:
    data = {
        "database": "sqlite:///data/portalwatch.db",
        "seeds_dir": str(REPO / "seeds"),
        "crawl": {"download_delay": 0, "obey_robots": False, "time_limit_minutes": 2},
        "email": {"smtp_host": "127.0.0.1", "smtp_port": port, "from": "digest@example.org"},
        "digest": {"max_bytes": 5_000_000},
        "portals": [p for p in portals if p["name"] in QUICK_PORTALS],
        "subscriptions": [
            {"name": "office", "recipients": [OFFICE], "filters": office},
            {"name": "analyst", "recipients": [ANALYST], "filters": analyst},
        ],
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def crawl(path: Path) -> None:
    process = portalwatch(load_config(path), "crawl")
    output, _ = process.communicate(timeout=180)
    assert process.returncode == 0, output


def new_items(recorder, address: str, already: int) -> list[str]:
    """Article links of the new-item sections (not the changed pages) of the mail `address` got after `already`."""
    links: list[str] = []
    for received in recorder.received[already:]:
        if address in received.rcpt_tos:
            html = received.message.get_body(("html",)).get_content()
            links += sorted(set(LINK.findall(html.split(">变更</h2>")[0])))
    return links


def news(store: Store) -> list[dict]:
    """Stored articles a reader would be told about (plain duplicates of known text are not news)."""
    return [dict(a) for a in store.iter_articles() if a["duplicate_of"] is None or a["number_changes"]]


def headline_yi(article: dict) -> float | None:
    amounts = article["amounts"]
    return amounts[0]["yi"] if amounts and amounts[0].get("own", True) else None


def in_districts(names: set[str]):
    return lambda a: bool(names & set(a["districts"]))


def big_projects(floor: float):
    return lambda a: a["kind"] == "project" and (headline_yi(a) or 0) >= floor


def test_two_subscriptions_get_exactly_their_items_week_after_week(tmp_path: Path, fresh_sites) -> None:
    weeks = [
        # (fixture version, office filters, analyst filters, what each wants, by the test's own reading)
        (1, {"districts": ["崂山区"]}, {"kinds": ["project"], "min_amount_yi": 30},
         in_districts({"崂山区"}), big_projects(30)),
        (2, {"districts": ["崂山区", "市北区"]}, {"kinds": ["project"], "min_amount_yi": 8},
         in_districts({"崂山区", "市北区"}), big_projects(8)),
        (2, {"districts": ["市北区", "李沧区"]}, {"kinds": ["project"], "min_amount_yi": 5},
         in_districts({"市北区", "李沧区"}), big_projects(5)),
    ]
    got: dict[str, list[str]] = {OFFICE: [], ANALYST: []}
    with smtp_server() as (port, recorder):
        for version, office, analyst, office_wants, analyst_wants in weeks:
            path = write_config(tmp_path, fresh_sites.portals(), port, office, analyst)
            fresh_sites.set_version(version)
            crawl(path)
            before = len(recorder.received)
            outcome = run_digest(load_config(path))
            assert outcome.status in ("sent", "empty"), outcome.error
            store = Store(load_config(path).database)
            for address, wants in ((OFFICE, office_wants), (ANALYST, analyst_wants)):
                received = new_items(recorder, address, before)
                expected = {a["url"] for a in news(store) if wants(a)} - set(got[address])
                assert sorted(received) == sorted(expected), f"week of {office} / {analyst}: {address}"
                got[address] += received
            for received in recorder.received[before:]:
                assert len(received.rcpt_tos) == 1, "each subscription's digest goes to its own recipients"
    for address, links in got.items():
        assert len(links) == len(set(links)), f"{address} was sent an item twice"
        assert links, f"{address} got nothing in three weeks: the test proves nothing"
    assert set(got[OFFICE]) != set(got[ANALYST])


def test_dry_run_previews_one_subscription_and_marks_nothing(tmp_path: Path, fresh_sites, capsys) -> None:
    with smtp_server() as (port, recorder):
        path = write_config(tmp_path, fresh_sites.portals(), port, {"districts": ["崂山区"]},
                            {"kinds": ["policy"]})
        crawl(path)
        assert main(["-c", str(path), "digest", "--subscription", "office", "--dry-run"]) == 0
        assert "dry run: nothing sent, nothing marked" in capsys.readouterr().out
        preview = (tmp_path / "reports-out" / "preview-office.html").read_text(encoding="utf-8")
        assert "订阅：office" in preview and recorder.received == []
        assert main(["-c", str(path), "digest", "--subscription", "office"]) == 0
        assert [r.rcpt_tos for r in recorder.received] == [[OFFICE]]
        assert main(["-c", str(path), "digest", "--subscription", "nobody", "--dry-run"]) == 2
        assert "no subscription named 'nobody'" in capsys.readouterr().err


def test_a_subscription_with_its_own_schedule_gets_its_own_daemon_job(tmp_path: Path) -> None:
    from scheduler.daemon import build_scheduler, sync_jobs

    def config(schedule: str | None):
        sub = {"name": "office", "recipients": [OFFICE], **({"schedule": schedule} if schedule else {})}
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump({"database": "sqlite:///data/p.db", "subscriptions": [sub]}), "utf-8")
        return load_config(path)

    for schedule, expected in (("0 9 * * *", {"crawl", "digest", "digest:office"}), (None, {"crawl", "digest"})):
        scheduler = build_scheduler(config(schedule))
        scheduler.start(paused=True)
        try:
            sync_jobs(scheduler, config(schedule))
            assert {job.id for job in scheduler.get_jobs()} == expected
            if schedule:
                assert scheduler.get_job("digest:office").args == (str(config(schedule).source), "office")
        finally:
            scheduler.shutdown(wait=False)


class DefersOnce(Recorder):
    """Says "later" (451) to one address the first time it is named, accepts everything else."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self.address, self.deferred = address, False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.address and not self.deferred:
            self.deferred = True
            return "451 4.3.0 try again later"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


def test_a_reader_whose_server_said_later_gets_the_same_digest_once_and_the_other_is_not_held_up(
        tmp_path: Path, fresh_sites) -> None:
    with smtp_server(DefersOnce(OFFICE)) as (port, recorder):
        path = write_config(tmp_path, fresh_sites.portals(), port, {"districts": ["崂山区"]},
                            {"kinds": ["project"], "min_amount_yi": 5})
        crawl(path)
        first = run_digest(load_config(path))
        assert first.status == "failed" and OFFICE in first.error  # reported, kept in the outbox
        assert [r.rcpt_tos for r in recorder.received] == [[ANALYST]]
        office_ids = Store(load_config(path).database).sent_to("office")
        assert not any(office_ids.values()), "the ledger holds nothing before the reader has the mail"
        second = run_digest(load_config(path))
        assert second.status in ("sent", "resent", "empty"), second.error
        third = run_digest(load_config(path))
        assert third.status == "empty"
    office_mail = [r for r in recorder.received if OFFICE in r.rcpt_tos]
    assert len(office_mail) == 1, "the office got its digest once, the stored message sent again"
    assert len([r for r in recorder.received if ANALYST in r.rcpt_tos]) == 1
    store = Store(load_config(path).database)
    in_ledger = store.sent_to("office")[ItemKind.ARTICLE]
    expected = {a["url"] for a in news(store) if "崂山区" in a["districts"]}
    assert set(new_items(recorder, OFFICE, 0)) == expected
    assert expected <= {a["url"] for a in store.iter_articles() if a["id"] in in_ledger}
