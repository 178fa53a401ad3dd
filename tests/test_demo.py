"""`portalwatch demo` end to end, as a new user runs it: sample portals, two weeks, mails and a digest file."""

from __future__ import annotations

import email
import re
import subprocess
import sys
from email.policy import default
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_demo_crawls_dedupes_mails_and_writes_the_digest(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "portalwatch", "demo", "--dir", str(tmp_path / "demo")],
        cwd=REPO, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
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
