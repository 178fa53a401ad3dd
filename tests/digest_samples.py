"""A realistic week for the digest tests, stored through the store's own methods: projects, policies, others,
a revised page, republished copies, and crawl runs with a failed and a blocked portal."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import testdb

from portalwatch.config import Config, parse_config
from portalwatch.models import Amount, Classification, CrawledArticle, Match, NumberChange, Verdict
from portalwatch.storage import Store
from reports.digest import run_digest

NEW = Verdict(status="new")
PASSWORD = "s3cret-Passw0rd!"


def make_config(tmp_path: Path, port: int, **extra: str) -> Config:
    """A config in `tmp_path` sending to 127.0.0.1:`port`; `extra` adds YAML lines to the email/digest sections."""
    email_extra = "".join(f"\n  {line}" for line in extra.get("email", "").splitlines() if line)
    digest_extra = "".join(f"\n  {line}" for line in extra.get("digest", "").splitlines() if line)
    text = f"""
database: {testdb.database_for(tmp_path)}
timezone: Asia/Shanghai
email:
  smtp_host: 127.0.0.1
  smtp_port: {port}
  from: "青岛招商观察 <digest@example.com>"
  to: ["张三 <analyst@example.com>", "ops@example.org"]
  timeout: 3{email_extra}
digest:
  reports_dir: reports{digest_extra}
{extra.get("top", "")}
portals:
  - name: xihaian-news
    title: 青岛西海岸新区融媒体中心
    start_urls: ["http://127.0.0.1:9/xwzx/"]
    district: 西海岸新区
  - name: laoshan-news
    start_urls: ["http://127.0.0.1:9/n206250/"]
    district: 崂山区
  - name: jimo-invest
    start_urls: ["http://127.0.0.1:9/jimo/"]
    district: 即墨区
  - name: qingdao-policy
    start_urls: ["http://127.0.0.1:9/zcwj/"]
    district: 青岛市
"""
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return parse_config(text, path)


def cny(text: str, yi: float) -> Amount:
    return Amount(text=text, value=yi, unit="亿元", currency="CNY", yi=yi)


def article(portal: str, path: str, title: str, text: str, published: date | None = None) -> CrawledArticle:
    return CrawledArticle(url=f"http://www.example.gov.cn/{path}", portal=portal, title=title, text=text,
                          published=published)


OLD_PROJECT_TEXT = (
    "11月10日，青岛西海岸新区与某新能源企业签约，总投资32亿元建设新能源汽车零部件产业园项目。"
    "项目位于董家口经济区，规划用地300亩，主要生产电池壳体和电驱系统。"
    "项目建成后预计年产值50亿元，可提供就业岗位1200个。"
    "新区将在土地、能耗、人才等方面给予支持，推动项目早开工、早投产。"
)
REVISED_PROJECT_TEXT = (
    "11月10日，青岛西海岸新区与某新能源企业签约，总投资35亿元建设新能源汽车零部件产业园项目。"
    "项目位于董家口经济区，规划用地300亩，主要生产电池壳体和电驱系统。"
    "项目建成后预计年产值60亿元，可提供就业岗位1200个。"
    "新区将在土地、能耗、人才等方面给予支持，推动项目早开工、早投产。"
)


def store_old_project(store: Store) -> int:
    """Last week's article: it goes out in the first digest, and is revised afterwards."""
    return store.insert_article(
        article("xihaian-news", "xwzx/202611/t20261110_101.shtml", "西海岸新区签约新能源汽车零部件产业园项目",
                OLD_PROJECT_TEXT, date(2026, 11, 10)),
        "hash-old", NEW,
        Classification(kind="project", districts=["西海岸新区"], amounts=[cny("总投资32亿元", 32.0)],
                       projects=["新能源汽车零部件产业园项目"], stage="签约",
                       summary="西海岸新区签约总投资32亿元的新能源汽车零部件产业园项目。"),
    )


def revise_old_project(store: Store) -> None:
    row = store.get_article("http://www.example.gov.cn/xwzx/202611/t20261110_101.shtml")
    title = "西海岸新区签约新能源汽车零部件产业园项目（更新）"
    item = article("xihaian-news", "xwzx/202611/t20261110_101.shtml", title, REVISED_PROJECT_TEXT, date(2026, 11, 10))
    store.record_revision(row, item, "hash-revised", Classification(
        kind="project", districts=["西海岸新区"], amounts=[cny("总投资35亿元", 35.0)],
        projects=["新能源汽车零部件产业园项目"], stage="签约", summary="总投资35亿元。"))


def store_week(store: Store) -> None:
    """This week's new articles, copies and crawl runs."""
    store.insert_article(
        article("jimo-invest", "art/2026/11/17/art_1_201.html", "【即墨区招商】青岛蓝谷海洋生物医药基地项目开工",
                "11月17日，青岛蓝谷海洋生物医药基地项目开工，总投资约4.3亿美元，建设创新药研发中心和生产基地。",
                date(2026, 11, 17)),
        "hash-201", NEW,
        Classification(kind="project", districts=["即墨区"],
                       amounts=[Amount("总投资约4.3亿美元", 4.3, "亿美元", "USD", 4.3)],
                       projects=["青岛蓝谷海洋生物医药基地项目"], stage="开工",
                       summary="青岛蓝谷海洋生物医药基地项目开工，总投资约4.3亿美元。"),
    )
    store.insert_article(
        article("xihaian-news", "xwzx/202611/t20261118_202.shtml", "上合示范区中欧班列物流枢纽项目竣工",
                "上合示范区中欧班列物流枢纽项目近日竣工，计划投资8000万元，新增仓储面积5万平方米。",
                date(2026, 11, 18)),
        "hash-202", NEW,
        Classification(kind="project", districts=["胶州市"],
                       amounts=[Amount("计划投资8000万元", 8000, "万元", "CNY", 0.8)],
                       projects=["中欧班列物流枢纽项目"], stage="竣工",
                       summary="上合示范区中欧班列物流枢纽项目竣工，计划投资8000万元。"),
    )
    store.insert_article(
        article("qingdao-policy", "ywdt/202611/t20261119_203.shtml", "全市重点项目集中开工 总投资1197.5亿元",
                "全市重点项目集中开工，市南区、崂山区、城阳区共86个项目，总投资1197.5亿元。", date(2026, 11, 19)),
        "hash-203", NEW,
        Classification(kind="project", districts=["市南区", "崂山区", "城阳区"],
                       amounts=[cny("总投资1197.5亿元", 1197.5)], projects=[], stage="开工",
                       summary="全市86个重点项目集中开工，总投资1197.5亿元。"),
    )
    store.insert_article(
        article("laoshan-news", "n206250/202611/t20261116_204.shtml",
                "关于印发《崂山区关于促进数字经济高质量发展的若干措施》的通知",
                "崂政发〔2026〕15号\n各街道办事处，区政府各部门：现将《崂山区关于促进数字经济高质量发展的若干措施》印发给你们，"
                "请认真贯彻执行。对新落户的数字经济企业给予最高500万元奖励。\n崂山区人民政府",
                date(2026, 11, 16)),
        "hash-204", NEW,
        Classification(kind="policy", districts=["崂山区"], policies=["崂山区关于促进数字经济高质量发展的若干措施"],
                       doc_numbers=["崂政发〔2026〕15号"], issuers=["崂山区人民政府"],
                       summary="崂山区印发促进数字经济高质量发展的若干措施，新落户企业最高奖励500万元。"),
    )
    store.insert_article(
        article("qingdao-policy", "zcwj/202611/t20261120_205.shtml", "青岛市支持外资企业投资的实施办法",
                "青政办字〔2026〕3号\n为进一步扩大利用外资……\n青岛市人民政府办公厅", date(2026, 11, 20)),
        "hash-205", NEW,
        Classification(kind="policy", districts=["青岛市"], policies=["青岛市支持外资企业投资的实施办法"],
                       doc_numbers=["青政办字〔2026〕3号"], issuers=["青岛市人民政府办公厅"],
                       summary="青岛市出台支持外资企业投资的实施办法。"),
    )
    store.insert_article(
        article("xihaian-news", "xwzx/202611/t20261117_206.shtml", "西海岸新区召开安全生产工作会议",
                "11月17日，西海岸新区召开安全生产工作会议，部署冬季安全生产工作。", date(2026, 11, 17)),
        "hash-206", NEW, Classification(kind="other", districts=["西海岸新区"], summary="部署冬季安全生产工作。"),
    )
    store.insert_article(
        article("jimo-invest", "art/2026/11/18/art_1_207.html", "【即墨区招商】汽车产业新城签约项目总投资35亿元",
                "转载：汽车产业新城新能源汽车零部件产业园项目总投资35亿元，预计年产值60亿元。", date(2026, 11, 18)),
        "hash-207",
        Verdict(status="duplicate",
                duplicate_of=Match(source="seeds/003_8dfde0a6454a1460.txt#2", title="汽车产业新城签约项目", score=0.91),
                changes=[NumberChange(known="32亿元", found="35亿元", context="产业园项目总投资35亿元，预计年产值")]),
        Classification(kind="project", districts=["即墨区"], amounts=[cny("总投资35亿元", 35.0)]),
    )
    store.insert_article(
        article("jimo-invest", "art/2026/11/18/art_1_208.html", "【即墨区招商】蓝谷项目集中签约（转载）",
                "与种子文章完全相同的转载。", date(2026, 11, 18)),
        "hash-208",
        Verdict(status="duplicate",
                duplicate_of=Match(source="seeds/000_f96473a778488334.txt#1", title="蓝谷项目集中签约", score=0.98)),
        Classification(kind="project", districts=["即墨区"]),
    )
    run = store.start_run("cli")
    store.record_portal_run(run, "xihaian-news", "ok", list_pages=2, articles_fetched=14, new=2, revised=1)
    store.record_portal_run(run, "jimo-invest", "blocked", "HTTP 412 with a JavaScript cookie challenge",
                            articles_fetched=0, errors=1)
    store.record_error(run, "jimo-invest", "http://127.0.0.1:9/jimo/", "blocked", "412 Precondition Failed")
    store.record_portal_run(run, "laoshan-news", "failed", "list page answered HTTP 503 three times", errors=3)
    for _ in range(3):
        store.record_error(run, "laoshan-news", "http://127.0.0.1:9/n206250/", "http-503", "Service Unavailable")
    store.record_portal_run(run, "qingdao-policy", "ok", list_pages=1, articles_fetched=5, new=3)
    store.finish_run(run, "partial")


def add_hostile(store: Store) -> None:
    """Titles that try to run a script and to add a mail header, and a link that is not http."""
    store.insert_article(
        article("xihaian-news", "xwzx/hostile1.shtml", "<script>alert(1)</script>新项目签约", "某项目签约。"),
        "hash-h1", NEW, Classification(kind="project", districts=["西海岸新区"], summary="<b>加粗</b>摘要"),
    )
    store.insert_article(
        article("xihaian-news", "xwzx/hostile2.shtml", "Subject\r\nBcc: evil@example.com", "某项目签约。"),
        "hash-h2", NEW, Classification(kind="other"),
    )
    store.insert_article(
        CrawledArticle(url="javascript:alert(2)", portal="xihaian-news", title="带脚本链接的文章", text="正文。"),
        "hash-h3", NEW, Classification(kind="other"),
    )


def with_email(config: Config, **changes: object) -> Config:
    """`config` with other email settings (another port, timeout, credentials...)."""
    return config.model_copy(update={"email": config.email.model_copy(update=changes)})


def with_digest(config: Config, **changes: object) -> Config:
    return config.model_copy(update={"digest": config.digest.model_copy(update=changes)})


def prepare_week(tmp_path: Path, port: int, **extra: str) -> tuple[Config, Store]:
    """Last week's digest sent through 127.0.0.1:`port`, then this week's articles, revision and crawl runs."""
    config = make_config(tmp_path, port, **extra)
    store = Store(config.database)
    store_old_project(store)
    first = run_digest(config)
    assert first.status == "sent", first.error
    revise_old_project(store)
    store_week(store)
    return config, store
