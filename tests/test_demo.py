"""`portalwatch demo` end to end, as a new user runs it: sample portals, two weeks, mails and a digest file."""

from __future__ import annotations

import email
import re
import subprocess
import sys
from email.policy import default
from pathlib import Path

import pytest
from browser import PHONE, page

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo run once for this module: its folder and what it printed."""
    tmp_path = tmp_path_factory.mktemp("demo")
    result = subprocess.run(
        [sys.executable, "-m", "portalwatch", "demo", "--dir", str(tmp_path / "demo")],
        cwd=REPO, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return tmp_path, result.stdout


def test_demo_crawls_dedupes_mails_and_writes_the_digest(demo: tuple[Path, str]) -> None:
    tmp_path, out = demo
    digest = Path(re.search(r"^digest written to (.+)$", out, re.M)[1])
    assert digest.is_file()
    html = digest.read_text(encoding="utf-8")
    for section in ("新项目", "新政策", "变更", "blocked"):
        assert section in html
    assert re.search(r"stored \d+ articles: \d+ new, [1-9]\d* duplicates", out)  # copies of the seeds were caught
    assert re.search(r"[1-9]\d* revised", out)
    assert "week 1 digest: sent" in out and "week 2 digest: sent" in out
    mails = sorted((tmp_path / "demo" / "mail").glob("*.eml"))
    assert len(mails) == 2
    second = email.message_from_bytes(mails[1].read_bytes(), policy=default)
    # the demo serves no reports folder (no digest.public_url): the full report is attached, not linked
    assert second.get_content_type() == "multipart/mixed"
    assert [p.get_content_type() for p in second.iter_parts()] == ["multipart/alternative", "text/html"]
    assert (tmp_path / "demo" / "reports" / "index.html").is_file()
    reports = sorted((tmp_path / "demo" / "reports").glob("digest-*.html"))
    assert len(reports) == 2
    for report in reports:
        assert_no_fragment_chips(report.read_text(encoding="utf-8"))


def test_the_demo_digest_overview_fits_two_phone_screens(demo: tuple[Path, str]) -> None:
    """Counts, the largest projects, failed portals and jump links come before the first section, within two
    screens of a phone."""
    reports = sorted((demo[0] / "demo" / "reports").glob("digest-*.html"))
    with page() as tab:
        for report in reports:
            tab.goto(report.as_uri())
            top = tab.evaluate("() => document.getElementById('projects').getBoundingClientRect().top + scrollY")
            assert top <= 2 * PHONE["height"], f"{report.name}: the first section starts at {top} px"
            assert tab.locator("ol.top li").count() == 5
            first = tab.locator("ol.top li a").first
            first.click()
            assert tab.evaluate("() => location.hash").startswith("#p")


# What a project name never starts with: a verb or preposition that leads into it, or a district.
CHIP_LEADS = re.compile(r"^(?:将|为|对|在|与|和|位于|签约|引进|推进|[一二三四五六七八九十]期|上下游|"
                        r"(?:市南|市北|李沧|崂山|城阳|即墨|胶州|平度|莱西)(?:区|市)|西海岸新区)")


def assert_no_fragment_chips(html: str) -> None:
    chips = re.findall(r'<span class="tag"[^>]*>([^<]+)</span>', html)
    assert chips, "the digest shows no project names at all"
    fragments = [chip for chip in chips if CHIP_LEADS.match(chip) or len(chip) <= 4]
    assert fragments == [], f"project chips that are not names: {fragments}"

