"""Extraction and discovery on real pages nobody on the project wrote (``../shared/real-pages``), served on
127.0.0.1 at their own URLs. Skipped where the shared folder is absent (a user's clone has none)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = REPO.parent / "shared" / "real-pages"

pytestmark = pytest.mark.skipif(not (PAGES / "gold.jsonl").exists(), reason="../shared/real-pages is absent")

# Floors for all 49 pages, a little under the figures reached (title and date 1.000, body .986, lists
# .982 / 1.000; the README's benchmark section): a change that loses a page fails here.
FLOORS = {"title": 0.97, "date": 0.97, "body": 0.97}
LIST_FLOORS = {"recall": 0.97, "precision": 0.97}


def _bench():
    spec = importlib.util.spec_from_file_location("real_pages", REPO / "bench" / "real_pages.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def figures() -> dict:
    bench = _bench()
    return bench.summary(bench.measure(PAGES, peers=False), "all")


def test_articles_on_real_pages_keep_title_date_and_body(figures: dict) -> None:
    ours = figures["articles"]["portalwatch"]["all"]
    assert ours["n"] == 37
    for key, floor in FLOORS.items():
        assert ours[key] >= floor, f"{key}: {ours[key]:.3f} < {floor}"
    assert ours["wrong_dates"] == 0  # a date not shown on the page is worse than none


@pytest.mark.parametrize("kind", ["html", "attachment"])
def test_list_pages_give_their_article_links(figures: dict, kind: str) -> None:
    found = figures["lists"][kind]
    for key, floor in LIST_FLOORS.items():
        assert found[key] >= floor, f"{kind} lists {key}: {found[key]:.3f} < {floor}"
