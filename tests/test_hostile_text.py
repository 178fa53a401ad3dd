"""Hostile text is inert everywhere: control characters and bidi overrides never get past ingest, a title that is
a spreadsheet formula reaches the CSV export as text, and `email.to` takes only real mailboxes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import testdb
import yaml
from smtp_server import smtp_server

from portalwatch.cli import main
from portalwatch.config import Config, ConfigError, parse_config
from portalwatch.ingest import Ingestor
from portalwatch.models import CrawledArticle
from portalwatch.storage import Store
from portalwatch.textnorm import strip_unsafe
from reports.digest import run_digest

REPO = Path(__file__).resolve().parent.parent
BODY = "即墨区举行项目签约仪式，共签约项目8个，总投资56亿元，涉及新能源、高端装备等领域。签约项目将尽快开工建设。"
UNSAFE = ("\x1b", "\u202e", "\u202d", "\u2066", "\x00", "\x07", "\x9b", "\u200f")


def config_for(tmp_path: Path, port: int = 9) -> Config:
    data = {
        "database": testdb.database_for(tmp_path),
        "seeds_dir": str(REPO / "seeds"),
        "email": {"smtp_host": "127.0.0.1", "smtp_port": port, "to": ["analyst@example.com"], "timeout": 3},
        "digest": {"reports_dir": str(tmp_path / "reports")},
        "portals": [{"name": "jimo", "start_urls": ["http://127.0.0.1:1/"], "district": "即墨区"}],
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return Config.model_validate(data).resolved(path)


def ingest(config: Config, *items: tuple[str, str, str]) -> None:
    ingestor = Ingestor.open(config)
    for path, title, text in items:
        ingestor.ingest(CrawledArticle(url=f"http://127.0.0.1:1/{path}", portal="jimo", title=title, text=text))
    ingestor.close()


@pytest.mark.parametrize(("raw", "clean"), [
    ("\x1b[31m红色\x1b[0m标题", "红色标题"),
    ("文件\u202etxt.exe", "文件txt.exe"),
    ("\u2066隔离\u2069与\u200f标记", "隔离与标记"),
    ("响铃\x07与空字符\x00", "响铃与空字符"),
    ("C1\x9b控制\x85换行", "C1控制\n换行"),
    ("窗口标题\x1b]0;pwned\x07之后", "窗口标题之后"),
    ("第一行\r\n第二行\r第三行", "第一行\n第二行\n第三行"),
    ("制表\t保留", "制表\t保留"),
])
def test_strip_unsafe_removes_controls_and_bidi_overrides(raw, clean):
    assert strip_unsafe(raw) == clean


def test_control_characters_and_bidi_overrides_never_reach_the_store_or_the_mail(tmp_path):
    with smtp_server() as (port, recorder):
        config = config_for(tmp_path, port)
        ingest(config, ("a.html", "签约\x1b[2J\x1b[H仪式\u202e举行\r\nBcc: evil@example.com",
                        BODY + "\x1b[31m终端转义\x1b[0m\u202e反转\u2066隔离\u2069"))
        outcome = run_digest(config)
    assert outcome.status == "sent", outcome.error
    row = next(Store(config.database).iter_articles())
    assert row["title"] == "签约仪式举行 Bcc: evil@example.com"
    assert not any(ch in row["title"] + row["text"] for ch in UNSAFE)
    message = recorder.received[-1].message
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "签约仪式举行 Bcc: evil@example.com" in text and "签约仪式举行 Bcc: evil@example.com" in html
    assert not any(ch in text or ch in html or ch in str(message["Subject"]) for ch in UNSAFE)
    assert message["Bcc"] is None


def test_formula_titles_reach_the_csv_export_as_text(tmp_path, capsys):
    config = config_for(tmp_path)
    titles = ['=HYPERLINK("http://evil.example/x","点击查看")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
              "\t=1+1", "＝１＋１", "正常标题-带连字符"]
    ingest(config, *((f"{n}.html", title, f"{BODY}（第{n}篇）" * (n + 1)) for n, title in enumerate(titles)))
    out = tmp_path / "articles.csv"
    assert main(["-c", str(config.source), "export", "--format", "csv", "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    got = sorted(row["title"] for row in rows)
    assert got == sorted([
        "'=HYPERLINK(\"http://evil.example/x\",\"点击查看\")", "'+1+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1:A9)",
        "'=1+1",  # the tab was whitespace at the start of a title, trimmed at ingest: the = is quoted
        "'＝１＋１", "正常标题-带连字符",
    ])
    assert all(row["url"].startswith("http://") for row in rows)


def config_text(to: str) -> str:
    return f"email:\n  smtp_host: 127.0.0.1\n  to: {to}\n"


@pytest.mark.parametrize(("to", "why"), [
    ('["analyst@example.com", "not-an-address"]', "not a valid mail address"),
    ('["analyst@example.com, ops@example.org"]', "not one mail address"),
    ('["analyst@example.com\\nBcc: evil@example.com"]', "line break"),
    ('["张三 <analyst@@example.com>"]', "not"),
    ('["<>"]', "not one mail address"),
])
def test_bad_addresses_in_email_to_are_config_errors_naming_the_entry(tmp_path, to, why):
    with pytest.raises(ConfigError) as caught:
        parse_config(config_text(to), tmp_path / "config.yaml")
    message = str(caught.value)
    assert "email.to" in message and why in message
    assert f"{tmp_path / 'config.yaml'}:3:" in message


def test_good_addresses_in_email_to_load(tmp_path):
    config = parse_config(config_text('["张三 <analyst@example.com>", "ops@example.org"]'), tmp_path / "c.yaml")
    assert config.email.to == ["张三 <analyst@example.com>", "ops@example.org"]
