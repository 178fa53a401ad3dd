"""Shared pytest fixtures."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from pathlib import Path

import pytest
import testdb

from portalwatch.dedupe import DedupeIndex
from portalwatch.fixture_sites import FixtureSites
from portalwatch.seeds import load_seeds


def pytest_xdist_auto_num_workers() -> int:
    """Two workers a core for `-n auto`: most tests wait on crawl processes, servers and sockets, not on a core."""
    return 2 * len(os.sched_getaffinity(0))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files holding a `long` test first, then the files of most tests: on several workers (`-n`) each file runs
    on one worker in this order (`--no-loadscope-reorder`), and a long one started late would run alone at the end."""
    long_files = {item.path for item in items if item.get_closest_marker("long")}
    tests_in = Counter(item.path for item in items)
    items.sort(key=lambda item: (item.path not in long_files, -tests_in[item.path]))


def pytest_configure(config: pytest.Config) -> None:
    """Compile the dedupe kernels once, before any worker or crawl process starts: a process that finds them
    uncompiled spends seconds compiling them (numba caches them next to their module for every later one),
    and tests that time a crawl must not time the compiler."""
    if hasattr(config, "workerinput"):  # an xdist worker: the controller has done it
        return
    with tempfile.TemporaryDirectory() as folder:
        warm_up_dedupe(Path(folder))


def pytest_report_header() -> str:
    return f"database: {testdb.dialect()} ({testdb.ENV}={testdb.server_url() or 'sqlite'})"


@pytest.fixture(autouse=True, scope="session")
def _drop_remaining_databases():
    """PostgreSQL databases of module and session fixtures are dropped when the session ends."""
    yield
    testdb.drop_created()


@pytest.fixture(autouse=True)
def _drop_test_databases():
    """PostgreSQL databases a test made are dropped when it ends."""
    before = testdb.created()
    yield
    testdb.drop_created(keep=before)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """An empty database of this test alone: SQLite under tmp_path, or PostgreSQL (see tests/testdb.py)."""
    return testdb.database_for(tmp_path)


@pytest.fixture(scope="session")
def fixture_sites():
    """The fixture sites at version 1, shared by the session: read them, do not switch their version."""
    with FixtureSites() as sites:
        yield sites


@pytest.fixture
def fresh_sites():
    """Fixture sites of this test alone: free to switch versions and clear the request log."""
    with FixtureSites() as sites:
        yield sites


def warm_up_dedupe(folder: Path) -> None:
    """Check a copy and a new text against the seeds (in memory) and a saved part (mapped): every kernel
    and every kind of array a crawl passes them."""
    seeds = load_seeds(Path(__file__).resolve().parent.parent / "seeds")
    index = DedupeIndex.open(folder, seeds)
    for n, seed in enumerate(seeds[:3], start=1):
        index.add(f"http://warm.test/{n}.html", seed.title, seed.text[::-1], article_id=n)
    index.save()
    index = DedupeIndex.open(folder, seeds)
    index.check(seeds[0].title, seeds[0].text[5:] + "新增一句。")
    index.check(seeds[1].title, seeds[1].text[::-1][7:])
    index.check("", "与已知文章无关的一段新文字，" * 20)
