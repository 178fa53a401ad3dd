"""政府信息公开 pages: the metadata table's 文号 and 发布机构 reach the classification, the store and reclassify."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from crawler.extract import Extractor, Page, detect
from portalwatch.classify import classify
from portalwatch.cli import main
from portalwatch.fixture_sites import trs
from portalwatch.fixture_sites.records import Article
from portalwatch.models import CrawledArticle, Verdict
from portalwatch.storage import Store

# The body names other bodies: a co-signer that "印发" the measures and a cited document with its own number.
PARAGRAPHS = (
    "各街道办事处，区政府各部门：",
    "根据《青岛市促进数字经济发展若干政策》（青政发〔2024〕7号），区科技局、区财政局联合印发《崂山区算力券实施细则》，"
    "现予公布，请认真贯彻执行。",
)
POLICY = Article(id=4711, title="关于印发《崂山区算力券实施细则》的通知", paragraphs=PARAGRAPHS,
                 published=datetime(2026, 3, 12, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")), source="区科技局",
                 doc_number="崂科发[2026]3号", issuer="青岛市崂山区人民政府办公室")


def extracted() -> tuple[str, str, dict[str, str]]:
    page = Page(url="http://127.0.0.1:8000/zwgk/zcwj/202603/t20260312_4711.shtml", html=trs.article_page(POLICY))
    article = Extractor(detect(page)).article(page)
    return article.title, article.text, article.meta


def test_the_metadata_table_is_read_from_the_page() -> None:
    _title, text, meta = extracted()
    assert meta["文号"] == "崂科发[2026]3号" and meta["发布机构"] == "青岛市崂山区人民政府办公室"
    assert meta["成文日期"] == "2026年03月12日"
    assert "索引号" not in text  # the table is not part of the article's text


def test_number_and_issuer_come_from_the_table_not_from_bodies_named_in_the_text() -> None:
    title, text, meta = extracted()
    without = classify(title, text)
    assert without.doc_numbers == [] and without.issuers[0] != "青岛市崂山区人民政府办公室"
    facts = classify(title, text, "崂山区", meta)
    assert facts.doc_numbers == ["崂科发〔2026〕3号"]  # the cited 青政发〔2024〕7号 is not this page's
    assert facts.issuers[0] == "青岛市崂山区人民政府办公室"


def test_reclassify_keeps_the_table(tmp_path: Path) -> None:
    title, text, meta = extracted()
    config = tmp_path / "config.yaml"
    config.write_text("database: sqlite:///pw.db\nportals:\n  - name: laoshan\n    start_urls: http://127.0.0.1:9/\n"
                      "    district: 崂山区\n", encoding="utf-8")
    store = Store(f"sqlite:///{tmp_path / 'pw.db'}")
    item = CrawledArticle(url="http://127.0.0.1:9/a.shtml", portal="laoshan", title=title, text=text, meta=meta)
    store.insert_article(item, "h", Verdict(status="new"), classify(title, text))  # classified without it
    assert main(["-c", str(config), "reclassify"]) == 0
    row = next(store.iter_articles())
    assert row["doc_numbers"] == ["崂科发〔2026〕3号"] and row["issuers"][0] == "青岛市崂山区人民政府办公室"
    assert store.article_metadata() == {row["id"]: meta}
