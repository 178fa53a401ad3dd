"""Boilerplate learned from repetition: a portal's own furniture, counted in the store as pages arrive."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from portalwatch.config import Config
from portalwatch.dedupe.boilerplate import Boilerplate
from portalwatch.dedupe.index import seed_file_boilerplate
from portalwatch.ingest import Ingestor
from portalwatch.models import CrawledArticle, SeedArticle
from portalwatch.seeds import load_seeds
from portalwatch.storage import Store
from portalwatch.textnorm import line_key

REPO = Path(__file__).resolve().parent.parent
CHARS = sorted({ch for seed in load_seeds(REPO / "seeds") for ch in seed.text if "\u4e00" <= ch <= "\u9fff"})


def invented_lines(rng: random.Random, count: int, length: int) -> list[str]:
    """Short lines of random characters: furniture no rule can know."""
    return ["".join(rng.choice(CHARS) for _ in range(length)) for _ in range(count)]


def body(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(CHARS) + ("。" if rng.random() < 0.05 else "") for _ in range(length))


@pytest.fixture
def config(tmp_path: Path) -> Config:
    data = {
        "database": f"sqlite:///{tmp_path}/pw.db",
        "seeds_dir": str(REPO / "seeds"),
        "portals": [{"name": "park", "start_urls": ["http://127.0.0.1:3/"]},
                    {"name": "other", "start_urls": ["http://127.0.0.1:4/"]}],
    }
    return Config.model_validate(data).resolved(tmp_path / "config.yaml")


def page(url: str, portal: str, title: str, text: str) -> CrawledArticle:
    return CrawledArticle(url=url, portal=portal, title=title, text=text, published=date(2026, 5, 1))


def test_a_portals_footer_is_learned_in_the_store_and_new_short_articles_stay_new(config: Config) -> None:
    rng = random.Random(3)
    footer = "\n".join(invented_lines(rng, 12, 24))  # ~300 characters, longer than the articles
    bodies = [body(rng, 150) for _ in range(5)]
    ingestor = Ingestor.open(config)
    outcomes = [ingestor.ingest(page(f"http://127.0.0.1:3/{n}.html", "park", f"动态{n}", b + "\n" + footer))
                for n, b in enumerate(bodies)]
    assert outcomes == ["new"] * 5
    ingestor.close()
    # learned in the database: a later crawl (a new process) knows the footer too
    again = Ingestor.open(config)
    assert again.ingest(page("http://127.0.0.1:3/9.html", "park", "动态9", body(rng, 130) + "\n" + footer)) == "new"
    learned = Boilerplate(Store(config.database)).learned("park")
    assert {line_key(line) for line in footer.splitlines()} <= learned
    assert not Boilerplate(Store(config.database)).learned("other")  # per portal
    # a copy of a page on another portal, without the footer, is still a duplicate of it
    assert again.ingest(page("http://127.0.0.1:4/c.html", "other", "【转载】动态0", bodies[0])) == "duplicate"
    row = again.store.get_article("http://127.0.0.1:4/c.html")
    assert row["duplicate_of"] == "http://127.0.0.1:3/0.html"


def test_without_learning_the_same_footer_would_make_new_pages_look_like_copies(config: Config) -> None:
    """The control: the comparison alone cannot tell (the footer is most of each page)."""
    from portalwatch.dedupe.runtime import open_index

    rng = random.Random(3)
    footer = "\n".join(invented_lines(rng, 12, 24))
    index = open_index(config)
    first = body(rng, 150) + "\n" + footer
    index.add("http://127.0.0.1:3/0.html", "动态0", first)
    assert index.check("动态1", body(rng, 60) + "\n" + footer).status == "duplicate"


def test_lines_repeated_across_a_seed_files_articles_are_its_boilerplate() -> None:
    rng = random.Random(5)
    frame = invented_lines(rng, 2, 10)
    seeds = [SeedArticle(id=f"list#{n}", source_file="list.txt", title=f"t{n}", published=None,
                         text=body(rng, 100) + "\n" + "\n".join(frame)) for n in range(1, 4)]
    single = SeedArticle(id="one#1", source_file="one.txt", title="x", published=None, text="\n".join(frame))
    learned = seed_file_boilerplate([*seeds, single])
    assert learned["list.txt"] == {line_key(line) for line in frame}
    assert learned["one.txt"] == frozenset()
