"""A week too big for one mail: the message stays under the limit, shows the top items and links to the full report."""

from __future__ import annotations

from datetime import date

from digest_samples import NEW, article, cny, make_config
from smtp_server import smtp_server

from portalwatch.models import Classification
from portalwatch.storage import Store
from reports.digest import run_digest

LIMIT = 40_000
FILLER = "建设内容包括研发中心和生产基地。" * 4


def fill_big_week(store: Store, projects: int = 300, others: int = 200) -> None:
    for i in range(projects):
        yi = float(i + 1)
        store.insert_article(
            article("xihaian-news", f"xwzx/p{i}.shtml", f"第{i + 1}号重点项目签约 总投资{yi:g}亿元", "正文。",
                    date(2026, 11, 16)),
            f"p{i}", NEW,
            Classification(kind="project", districts=["西海岸新区"], amounts=[cny(f"总投资{yi:g}亿元", yi)],
                           projects=[f"第{i + 1}号重点项目"], stage="签约",
                           summary=f"第{i + 1}号重点项目签约，总投资{yi:g}亿元，" + FILLER),
        )
    for i in range(others):
        store.insert_article(
            article("xihaian-news", f"xwzx/o{i}.shtml", f"第{i + 1}次工作会议召开", "正文。", date(2026, 11, 17)),
            f"o{i}", NEW, Classification(kind="other"),
        )


def test_a_big_digest_is_cut_to_the_top_items_with_a_link(tmp_path):
    with smtp_server() as (port, recorder):
        config = make_config(tmp_path, port, digest=f"max_bytes: {LIMIT}\npublic_url: https://reports.example.com/pw/")
        fill_big_week(Store(config.database))
        outcome = run_digest(config)
    assert outcome.status == "sent" and outcome.cut
    received = recorder.received[0]
    assert len(received.raw) <= LIMIT
    html = received.message.get_body(("html",)).get_content()
    text = received.message.get_body(("plain",)).get_content()
    link = f"https://reports.example.com/pw/{outcome.path.name}"
    assert f'href="{link}"' in html and link in text
    assert "邮件篇幅有限" in html and "邮件篇幅有限" in text
    assert "第300号重点项目签约" in html  # the biggest project is kept
    assert "第1号重点项目签约" not in html  # the smallest is left to the full report
    assert "新项目（300，列出" in html
    full = outcome.path.read_text(encoding="utf-8")
    assert all(f"第{i}号重点项目签约" in full for i in range(1, 301))
    assert "第200次工作会议召开" in full and "邮件篇幅有限" not in full


def test_a_small_digest_is_not_cut(tmp_path):
    with smtp_server() as (port, recorder):
        config = make_config(tmp_path, port, digest=f"max_bytes: {LIMIT}")
        fill_big_week(Store(config.database), projects=5, others=3)
        outcome = run_digest(config)
    assert outcome.status == "sent" and not outcome.cut
    html = recorder.received[0].message.get_body(("html",)).get_content()
    assert "邮件篇幅有限" not in html
    assert all(f"第{i}号重点项目签约" in html for i in range(1, 6))
