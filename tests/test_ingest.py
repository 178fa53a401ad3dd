"""The core decision on a real store: new, duplicate (of a seed or of a stored page), unchanged, revised."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import testdb

from portalwatch.config import Config
from portalwatch.ingest import Ingestor
from portalwatch.models import CrawledArticle
from portalwatch.seeds import load_seeds

REPO = Path(__file__).resolve().parent.parent

NEW_TEXT = (
    "11月18日,崂山区举行重点项目集中签约仪式,共签约项目12个,总投资186亿元,涵盖人工智能、生物医药、"
    "海洋科技等领域。其中,总投资50亿元的崂山湾智能算力中心项目由国内头部云计算企业投资建设,计划明年一季度开工,"
    "建成后将形成10万台服务器的算力规模。\n"
    "崂山区负责人表示,将为签约项目配备专班服务,推动项目早签约、早落地、早投产,全力打造科技创新策源地。"
    "下一步,崂山区将围绕主导产业链精准招商,全年力争新引进过亿元项目60个以上。"
)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    data = {
        "database": testdb.database_for(tmp_path),
        "seeds_dir": str(REPO / "seeds"),
        "portals": [
            {"name": "laoshan", "start_urls": ["http://127.0.0.1:1/"], "district": "崂山区"},
            {"name": "qdnews", "start_urls": ["http://127.0.0.1:2/"]},
            {"name": "park", "start_urls": ["http://127.0.0.1:3/"]},
        ],
    }
    return Config.model_validate(data).resolved(tmp_path / "config.yaml")


TITLE = "崂山区集中签约12个重点项目 总投资186亿元"


def crawled(url: str, portal: str, text: str, title: str = TITLE) -> CrawledArticle:
    return CrawledArticle(url=url, portal=portal, title=title, text=text, published=date(2026, 11, 18))


def test_new_article_is_classified_and_stored(config: Config) -> None:
    ingestor = Ingestor.open(config)
    assert ingestor.ingest(crawled("http://127.0.0.1:1/a.shtml", "laoshan", NEW_TEXT)) == "new"
    row = ingestor.store.get_article("http://127.0.0.1:1/a.shtml")
    assert row["status"] == "new" and row["kind"] == "project"
    assert "崂山区" in row["districts"]
    # the headline is the one project's own investment; the batch's 186 亿 is kept, marked as a total
    assert (row["amounts"][0]["yi"], row["amounts"][0]["own"]) == (50.0, True)
    assert {"yi": 186.0, "own": False}.items() <= next(a for a in row["amounts"] if a["yi"] == 186.0).items()


def test_republished_seed_article_is_a_duplicate_of_that_seed(config: Config) -> None:
    seed = next(s for s in load_seeds(config.seeds_dir) if s.id == "003_8dfde0a6454a1460#2")
    copy = "【李沧区招商】" + seed.title + "\n来源:李沧区投资促进中心\n" + seed.text + "\n【打印本页】【关闭窗口】"
    ingestor = Ingestor.open(config)
    assert ingestor.ingest(crawled("http://127.0.0.1:3/p/1.html", "park", copy, "【李沧区招商】" + seed.title)) == (
        "duplicate")
    row = ingestor.store.get_article("http://127.0.0.1:3/p/1.html")
    assert row["duplicate_of"] == "seeds/003_8dfde0a6454a1460.txt#2"
    assert row["similarity"] > 0.9


def test_same_article_on_a_second_portal_is_a_duplicate_of_the_first_even_after_a_restart(config: Config) -> None:
    first = Ingestor.open(config)
    assert first.ingest(crawled("http://127.0.0.1:1/a.shtml", "laoshan", NEW_TEXT)) == "new"
    assert first.ingest(crawled("http://127.0.0.1:2/content_9.htm", "qdnews", "青岛新闻网讯 " + NEW_TEXT)) == (
        "duplicate")
    assert first.store.get_article("http://127.0.0.1:2/content_9.htm")["duplicate_of"] == "http://127.0.0.1:1/a.shtml"
    first.close()

    again = Ingestor.open(config)
    assert again.ingest(crawled("http://127.0.0.1:3/x.html", "park", NEW_TEXT + "\n投资咨询热线 400-000-0000")) == (
        "duplicate")
    assert again.store.get_article("http://127.0.0.1:3/x.html")["duplicate_of"] == "http://127.0.0.1:1/a.shtml"


def test_unchanged_and_revised_pages(config: Config) -> None:
    ingestor = Ingestor.open(config)
    url = "http://127.0.0.1:1/a.shtml"
    ingestor.ingest(crawled(url, "laoshan", NEW_TEXT))
    assert ingestor.ingest(crawled(url, "laoshan", NEW_TEXT.replace(",", ", "))) == "unchanged"
    revised = NEW_TEXT.replace("总投资186亿元", "总投资196亿元")
    title = "崂山区集中签约12个重点项目 总投资196亿元"
    assert ingestor.ingest(crawled(url, "laoshan", revised, title)) == "revised"
    row = ingestor.store.get_article(url)
    assert row["status"] == "revised" and row["text"] == revised
    assert [a["yi"] for a in row["amounts"] if not a["own"]] == [196.0]
    assert ingestor.store.count_articles() == 1
