"""The weekly digest sent to a real SMTP server on 127.0.0.1: what the reader receives."""

from __future__ import annotations

import re
from email.utils import getaddresses

import pytest
from digest_samples import POLICY_FILE, add_hostile, prepare_week, with_digest
from smtp_server import smtp_server

from portalwatch.cli import main
from reports.digest import run_digest


@pytest.fixture
def server():
    with smtp_server() as (port, recorder):
        yield port, recorder


@pytest.fixture
def week(tmp_path, server):
    port, recorder = server
    config, store = prepare_week(tmp_path, port)
    return config, store, recorder


def parts(received):
    msg = received.message
    return msg, msg.get_body(("html",)).get_content(), msg.get_body(("plain",)).get_content()


def test_the_weekly_digest_arrives_with_every_section(week):
    config, _store, recorder = week
    outcome = run_digest(config)
    assert outcome.status == "sent"
    assert sorted(outcome.recipients) == ["analyst@example.com", "ops@example.org"]
    received = recorder.received[-1]
    assert sorted(received.rcpt_tos) == ["analyst@example.com", "ops@example.org"]
    assert received.mail_from == "digest@example.com"
    msg, html, text = parts(received)

    # no digest.public_url: no dead file:// link, the full report travels along as an attachment
    assert msg.get_content_type() == "multipart/mixed"
    body, attachment = msg.iter_parts()
    assert [p.get_content_type() for p in body.iter_parts()] == ["text/plain", "text/html"]
    assert attachment.get_filename() == outcome.path.name
    assert attachment.get_content().replace("\r\n", "\n").strip() == outcome.path.read_text(encoding="utf-8").strip()
    assert "file://" not in html and "完整报告作为附件" in html
    assert msg["Message-ID"] == outcome.message_id and msg["Message-ID"].endswith("@example.com>")
    assert msg["From"].addresses[0].display_name == "青岛招商观察"
    assert [a.display_name for a in msg["To"].addresses] == ["张三", ""]
    assert "新项目 3" in msg["Subject"] and "新政策 2" in msg["Subject"]
    assert re.search(r"\d{4}-\d{2}-\d{2} 至 \d{4}-\d{2}-\d{2}", msg["Subject"])

    # projects: by district, title linked, amount in 亿 (USD as such), stage, project names
    assert '<a class="title" href="http://www.example.gov.cn/art/2026/11/17/art_1_201.html"' in html
    assert "4.3 亿美元" in html and "8000 万元" in html and "1197.5 亿元" in html
    assert html.index(">即墨区（1）<") < html.index(">胶州市（1）<") < html.index(">跨区市（1）<")
    assert "青岛蓝谷海洋生物医药基地项目" in html and "开工" in html and "竣工" in html
    # policies: 《title》, document number, issuer, date
    assert "《崂山区关于促进数字经济高质量发展的若干措施》" in html
    assert "崂政发〔2026〕15号" in html and "崂山区人民政府" in html and "2026-11-16" in html
    assert f'<a href="{POLICY_FILE}"' in html and f"附件1：{POLICY_FILE}" in text  # a policy's file is linked
    # other articles: title and link only
    assert '<a href="http://www.example.gov.cn/xwzx/202611/t20261117_206.shtml"' in html
    # changes: the revised page with its changed figures highlighted, the republished copy with new figures
    assert re.search(r"<del[^>]*>32</del><ins[^>]*>35</ins>", html)
    assert re.search(r"<del[^>]*>50</del><ins[^>]*>60</ins>", html)
    assert re.search(r"<del[^>]*>32亿元</del> → <ins[^>]*>35亿元</ins>", html)
    assert "已知内容的转载 1 篇未列出" in html
    # crawl health: failed and blocked portals with the reason
    # ... first of all, and in the readers' words
    assert re.search(r"2/\d+ 站点抓取失败</b></a>：", html)
    assert html.index("站点抓取失败") < html.index("</b> 新项目") < html.index(">即墨区（1）<")
    assert "laoshan-news：失败" in html and "服务器错误（HTTP 503） × 3" in html
    assert "jimo-invest：被拦截" in html and "被反爬虫验证拦截 × 1" in html
    # CSS is inlined for mail clients
    assert re.search(r'<del style="[^"]*background', html)

    for needle in ("《崂山区关于促进数字经济高质量发展的若干措施》", "4.3 亿美元 · 开工 · 2026-11-17",
                   "[-32-]{+35+}", "32亿元 → 35亿元", "laoshan-news：失败", "西海岸新区召开安全生产工作会议"):
        assert needle in text


def test_a_second_run_with_nothing_new_sends_nothing(week, capsys):
    config, _store, recorder = week
    assert run_digest(config).status == "sent"
    before = len(recorder.received)
    again = run_digest(config)
    assert again.status == "empty"
    assert len(recorder.received) == before


def test_the_next_digest_holds_only_what_came_after(week):
    config, store, recorder = week
    run_digest(config)
    add_hostile(store)
    outcome = run_digest(config)
    assert outcome.status == "sent"
    assert outcome.counts["projects"] == 1 and outcome.counts["policies"] == 0
    _msg, html, _text = parts(recorder.received[-1])
    assert "蓝谷海洋生物医药" not in html and "崂政发" not in html


def test_send_empty_mails_a_digest_saying_nothing_is_new(week):
    config, _store, recorder = week
    run_digest(config)
    outcome = run_digest(with_digest(config, send_empty=True))
    assert outcome.status == "sent"
    msg, html, text = parts(recorder.received[-1])
    assert "无新内容" in msg["Subject"]
    assert "本期没有新文章" in html and "本期没有新文章" in text


def test_hostile_titles_arrive_as_text_and_add_no_header(week):
    config, store, recorder = week
    add_hostile(store)
    assert run_digest(config).status == "sent"
    received = recorder.received[-1]
    msg, html, text = parts(received)
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;新项目签约" in html
    assert "&lt;b&gt;加粗&lt;/b&gt;摘要" in html
    assert "javascript:" not in html
    assert msg["Bcc"] is None
    assert "evil@example.com" not in {addr for _n, addr in getaddresses(msg.get_all("To", []))}
    assert sorted(received.rcpt_tos) == ["analyst@example.com", "ops@example.org"]
    assert "Subject Bcc: evil@example.com" in text  # one line, as text
    assert "<script>alert(1)</script>新项目签约" in text


def test_cli_digest_sends_and_names_the_recipients(week, capsys):
    config, _store, recorder = week
    code = main(["-c", str(config.source), "digest"])
    out = capsys.readouterr().out
    assert code == 0
    assert "digest sent to analyst@example.com, ops@example.org" in out
    assert "3 projects, 2 policies" in out
    assert len(recorder.received) == 2
