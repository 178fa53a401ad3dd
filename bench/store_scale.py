"""`portalwatch status` and `portalwatch export` on a store of a million pending articles: seconds and peak memory.

Fills a fresh database with ARTICLES pending articles (all kinds, some republished copies, revisions) through
one bulk insert, then runs `status` and `export` as a user would, as child processes, and prints each one's
wall time and peak resident memory; `status` runs once more with `email.to` set, as a mailing install has it
(it adds the default subscription's next digest). The peer, in the same run, is the way `status` counted
before (the digest's own collection, every pending article loaded) on a tenth of the rows, in a SQLite file.

    python bench/store_scale.py [ARTICLES] [DATABASE_URL]   # default 1,000,000 on a SQLite file
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from portalwatch.storage import Store, articles, revisions

REPO = Path(__file__).resolve().parent.parent
CHUNK = 20_000
KINDS = ("project", "policy", "other")
T0 = datetime(2026, 11, 16, tzinfo=UTC)


def fill(store: Store, count: int) -> None:
    """`count` pending articles, a fiftieth republished with changed figures, a hundredth revised."""
    for start in range(0, count, CHUNK):
        rows = [{
            "url": f"http://www.example.gov.cn/{n % 3000}/t{n}.shtml", "portal": f"portal-{n % 3000}",
            "title": f"第{n}号文章", "text": "正文" * 100, "content_hash": f"{n:016x}",
            "first_seen": T0 + timedelta(seconds=n), "last_seen": T0 + timedelta(seconds=n),
            "status": "duplicate" if n % 50 == 0 else "new", "kind": KINDS[n % 3],
            "duplicate_of": "seeds/000.txt#1" if n % 50 == 0 else None,
            "number_changes": [{"known": "32", "found": "35", "context": "总投资35亿元"}] if n % 100 == 0 else [],
            "districts": ["西海岸新区"], "amounts": [], "projects": [], "policies": [], "doc_numbers": [],
            "issuers": [], "summary": "摘要", "attachments": [],
        } for n in range(start, min(count, start + CHUNK))]
        with store.transaction() as conn:
            conn.execute(insert(articles), rows)
            conn.execute(insert(revisions), [{
                "article_id": start + i + 1, "seen_at": T0 + timedelta(days=1), "old_title": "旧", "new_title": "新",
                "old_text": "旧文", "new_text": "新文"} for i in range(0, len(rows), 100)])


def measured(*command: str) -> tuple[float, float, str]:
    """(seconds, peak MB, stdout) of one child process (its own peak, from wait4)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, cwd=REPO)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            raise SystemExit(f"{' '.join(command)} exited {child.returncode}")
        out.seek(0)
        return seconds, usage.ru_maxrss / 1024, out.read()


PEER = """
import sys
from portalwatch.storage import Store, utcnow
from reports.collect import collect
print(collect(Store(sys.argv[1]), utcnow()).counts)
"""


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    folder = Path(tempfile.mkdtemp(prefix="pw-bench-"))
    url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{folder / 'pw.db'}"
    peer_url = f"sqlite:///{folder / 'peer.db'}"
    config = folder / "config.yaml"
    config.write_text(f"database: {url}\n", encoding="utf-8")
    started = time.perf_counter()
    store = Store(url)
    fill(store, count)
    store.finish_run(store.start_run("bench"), "ok")  # as the crawl that stored them would end
    print(f"filled {count:,} pending articles in {time.perf_counter() - started:.0f} s ({url.split(':')[0]})")
    cli = [sys.executable, "-m", "portalwatch", "-c", str(config)]
    seconds, peak, out = measured(*cli, "status")
    waiting = next(line for line in out.splitlines() if line.startswith("Waiting"))
    print(f"status: {seconds:.1f} s, peak {peak:.0f} MB  ({waiting})")
    mailed = folder / "mailed.yaml"  # the same store with email.to set: status adds the default subscription's line
    mailed.write_text(f"database: {url}\nemail:\n  to: [analyst@example.org]\n", encoding="utf-8")
    seconds, peak, _ = measured(sys.executable, "-m", "portalwatch", "-c", str(mailed), "status")
    print(f"status with email.to set: {seconds:.1f} s, peak {peak:.0f} MB")
    seconds, peak, _ = measured(*cli, "export", "--out", str(folder / "export.jsonl"))
    lines = sum(1 for _ in (folder / "export.jsonl").open(encoding="utf-8"))
    print(f"export: {seconds:.1f} s, peak {peak:.0f} MB, {lines:,} lines")
    peer_count = count // 10
    fill(Store(peer_url), peer_count)
    seconds, peak, _ = measured(sys.executable, "-c", PEER, peer_url)
    print(f"peer (status before: the digest's collection, every pending article loaded) on {peer_count:,} "
          f"articles: {seconds:.1f} s, peak {peak:.0f} MB")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
