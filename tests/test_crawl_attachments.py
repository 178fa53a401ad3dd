# ruff: noqa: E501  (HTML snippets keep the portals' long lines)
"""An article whose body is 详见附件 is stored and classified with its attached file's text (a real crawl)."""

from __future__ import annotations

import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from portalwatch.fixture_sites.files import pdf_bytes
from portalwatch.storage import Store, articles

REPO = Path(__file__).resolve().parent.parent
POLICY = ("青岛市崂山区人民政府关于印发《崂山区支持海洋经济高质量发展若干政策》的通知",
          "崂政发〔2026〕21号",
          "各街道办事处，区政府各部门：现将《崂山区支持海洋经济高质量发展若干政策》印发给你们，请认真贯彻执行。",
          "崂山区人民政府 2026年11月12日")
NOTICE = "崂山区支持海洋经济高质量发展若干政策的通知"
PAGES = {
    "/zwgk/index.html": (
        "text/html", f"""<html><head><title>政策文件_崂山区</title></head><body><ul class="list">
        <li><a href="/zwgk/202611/t20261112_1.html">{NOTICE}</a><span>2026-11-12</span></li>
        <li><a href="/zwgk/202611/t20261105_2.html">崂山区召开海洋经济工作推进会议</a><span>2026-11-05</span></li>
        </ul></body></html>""".encode()),
    "/zwgk/202611/t20261112_1.html": (
        "text/html", f"""<html><head><title>{NOTICE}_崂山区</title></head><body><h1>{NOTICE}</h1>
        <div class="info">发布日期：2026-11-12</div><div class="content"><p>详见附件。</p>
        <p>附件：<a href="./P020261112.pdf">若干政策.pdf</a> <a href="./missing.docx">申报表.docx</a></p></div></body></html>""".encode()),
    "/zwgk/202611/P020261112.pdf": ("application/pdf", pdf_bytes(POLICY)),
    "/zwgk/202611/t20261105_2.html": (
        "text/html", """<html><head><title>崂山区召开海洋经济工作推进会议_崂山区</title></head><body>
        <h1>崂山区召开海洋经济工作推进会议</h1><div>发布日期：2026-11-05</div><div class="content">
        <p>11月5日，崂山区召开海洋经济工作推进会议，部署下一阶段重点工作，推动海洋产业集聚发展。</p></div></body></html>""".encode()),
}


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        found = PAGES.get(self.path)
        self.send_response(200 if found else 404)
        body = found[1] if found else b""
        self.send_header("Content-Type", found[0] if found else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_notice_whose_body_is_see_attachment_is_a_policy_with_its_document_number(site: str, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "database": "sqlite:///portalwatch.db", "seeds_dir": str(REPO / "seeds"),
        "crawl": {"download_delay": 0, "timeout": 5},
        "portals": [{"name": "laoshan", "start_urls": [site + "/zwgk/index.html"]}],
    }, allow_unicode=True), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "portalwatch", "-c", str(config), "crawl"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    store = Store(f"sqlite:///{tmp_path / 'portalwatch.db'}")
    with store.engine.connect() as conn:
        rows = {row["url"]: dict(row) for row in conn.execute(select(articles)).mappings()}
    store.engine.dispose()
    notice = rows[site + "/zwgk/202611/t20261112_1.html"]
    assert notice["text"].startswith("详见附件。")
    assert "\n".join(POLICY) in notice["text"]  # the file's text follows the page's (the missing .docx is skipped)
    assert notice["attachments"] == [site + "/zwgk/202611/P020261112.pdf", site + "/zwgk/202611/missing.docx"]
    assert notice["kind"] == "policy"
    assert "崂政发〔2026〕21号" in notice["doc_numbers"]
    other = rows[site + "/zwgk/202611/t20261105_2.html"]
    assert other["attachments"] == [] and "海洋经济工作推进会议" in other["text"]
