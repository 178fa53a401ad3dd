"""A database that cannot be opened, written or understood: one line naming it and the cause, exit 74, nothing lost."""

from __future__ import annotations

import importlib.util
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from portalwatch.fixture_sites import FixtureSites
from portalwatch.storage import Store, articles, crawl_runs

REPO = Path(__file__).resolve().parent.parent
EXIT_STORAGE = 74


def write_config(folder: Path, database: str, portals: list[dict] | None = None) -> Path:
    config = {
        "database": database,
        "seeds_dir": str(REPO / "seeds"),
        "crawl": {"download_delay": 0, "concurrency": 16, "timeout": 5},
        "portals": portals or [{"name": "nowhere", "start_urls": ["http://127.0.0.1:9/"]}],
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def portalwatch(config: Path, *args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portalwatch", "-c", str(config), *args],
                          capture_output=True, text=True, timeout=180, cwd=config.parent, **options)


def the_line(done: subprocess.CompletedProcess, database: str) -> str:
    """The one line of standard error that names the database; no traceback anywhere."""
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if "database" in line]
    assert len(lines) == 1, done.stderr[-3000:]
    assert database in lines[0]
    return lines[0]


@contextmanager
def immutable(path: Path) -> Iterator[None]:
    """A file or folder nobody may change, not even root (`chattr +i`)."""
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
        pytest.skip("chattr +i is not available on this file system")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_database_under_a_path_that_cannot_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the data folder should be")
    config = write_config(tmp_path, "sqlite:///data/portalwatch.db")
    for command in ("crawl", "status", "digest"):
        done = portalwatch(config, command)
        assert done.returncode == EXIT_STORAGE, (command, done.stderr)
        assert "is a file, not a folder" in the_line(done, str(tmp_path / "data"))


def test_a_read_only_database_file(tmp_path: Path) -> None:
    config = write_config(tmp_path, "sqlite:///portalwatch.db")
    Store(f"sqlite:///{tmp_path / 'portalwatch.db'}").engine.dispose()
    with immutable(tmp_path / "portalwatch.db"):
        done = portalwatch(config, "crawl")
    assert done.returncode == EXIT_STORAGE
    assert "read-only" in the_line(done, "portalwatch.db")


def test_a_read_only_data_folder(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    config = write_config(tmp_path, "sqlite:///data/portalwatch.db")
    with immutable(tmp_path / "data"):
        done = portalwatch(config, "crawl")
    assert done.returncode == EXIT_STORAGE
    assert "Operation not permitted" in the_line(done, "portalwatch.db")


@pytest.mark.parametrize(("content", "cause"), [
    (b"SQLite format 2\x00" + os.urandom(8000), "not a SQLite database"),
    (b"", "empty (0 bytes)"),
])
def test_a_corrupt_or_empty_database_file_is_named_not_taken_as_new(tmp_path: Path, content: bytes,
                                                                   cause: str) -> None:
    (tmp_path / "portalwatch.db").write_bytes(content)
    os.utime(tmp_path / "portalwatch.db", (time.time() - 60, time.time() - 60))  # not one being created now
    config = write_config(tmp_path, "sqlite:///portalwatch.db")
    for command in ("crawl", "run-once", "status", "export"):
        done = portalwatch(config, command)
        assert done.returncode == EXIT_STORAGE, (command, done.stderr)
        assert cause in the_line(done, "portalwatch.db")
    assert (tmp_path / "portalwatch.db").read_bytes() == content  # nothing was written into it


NO_PSYCOPG = "import runpy, sys; sys.modules['psycopg'] = None; runpy.run_module('portalwatch', run_name='__main__')"


@pytest.mark.parametrize(("driver", "advice"), [
    ("psycopg", "pip install 'portalwatch[postgres]'"),  # the package's own driver, its import failing
    ("pg8000", "pip install 'portalwatch[postgres]' and write the URL as postgresql+psycopg://"),  # not installed
])
def test_a_postgresql_url_without_its_driver_is_one_line_naming_the_database_and_the_extra(
    tmp_path: Path, driver: str, advice: str,
) -> None:
    pytest.importorskip("psycopg")
    if driver != "psycopg" and importlib.util.find_spec(driver) is not None:
        pytest.skip(f"{driver} is installed here")
    config = write_config(tmp_path, f"postgresql+{driver}://watch:s3cret@127.0.0.1:9/portalwatch")
    for command in (["crawl"], ["run-once"], ["status"], ["db", "upgrade"]):
        done = subprocess.run([sys.executable, "-c", NO_PSYCOPG, "-c", str(config), *command],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert done.returncode == EXIT_STORAGE, (command, done.stderr)
        line = the_line(done, f"postgresql+{driver}://watch:***@127.0.0.1:9/portalwatch")
        assert line.endswith(f"its driver {driver} is not installed: {advice}"), line
        assert "s3cret" not in done.stderr


def test_a_disk_that_fills_up_during_a_crawl_stops_it_with_one_line_and_the_next_crawl_resumes(
    tmp_path: Path,
) -> None:
    with FixtureSites() as sites:
        portals = {p["name"]: p for p in sites.portals()}
        config = write_config(tmp_path, "sqlite:///portalwatch.db", [portals["trs"]])
        assert portalwatch(config, "crawl").returncode == 0  # the database, its index and the seeds' cache
        config = write_config(tmp_path, "sqlite:///portalwatch.db", [portals["trs"], portals["hanweb"]])
        limit = (tmp_path / "portalwatch.db").stat().st_size + 150_000  # room for a few more articles

        def small_disk() -> None:  # no file of this process may grow past `limit` bytes
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        full = portalwatch(config, "crawl", preexec_fn=small_disk)
        assert full.returncode == EXIT_STORAGE, full.stderr[-3000:]
        assert "disk" in the_line(full, "portalwatch.db")
        assert len(full.stderr.splitlines()) < 20
        store = Store(f"sqlite:///{tmp_path / 'portalwatch.db'}")
        with store.engine.connect() as conn:
            before = list(conn.execute(select(articles.c.url)).scalars())
        expected = {a.url for name in ("trs", "hanweb") for a in sites.expected(name)}
        assert set(before) < expected
        again = portalwatch(config, "crawl")
        assert again.returncode == 0, again.stderr[-3000:]
        with store.engine.connect() as conn:
            after = list(conn.execute(select(articles.c.url)).scalars())
            statuses = list(conn.execute(select(crawl_runs.c.status).order_by(crawl_runs.c.id)).scalars())
    assert sorted(after) == sorted(expected)  # every article, none twice
    assert statuses == ["ok", "interrupted", "ok"]
