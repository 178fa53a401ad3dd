"""Extra channels through apprise: a short summary with a link, posted to a webhook on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from digest_samples import prepare_week
from smtp_server import HOST, refused_ports, smtp_server

from reports.digest import run_digest
from reports.notify import notify, redact


@pytest.fixture
def webhook():
    posts: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((HOST, 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], posts
    server.shutdown()
    server.server_close()


def test_a_sent_digest_posts_a_summary_with_the_report_link(tmp_path, webhook):
    hook_port, posts = webhook
    with smtp_server() as (port, _recorder):
        config, _store = prepare_week(tmp_path, port, top=f'notify: ["json://{HOST}:{hook_port}/hook"]',
                                      digest="public_url: https://reports.example.com/pw/")
        posts.clear()  # last week's digest posted too
        outcome = run_digest(config)
    assert outcome.status == "sent" and outcome.notify_errors == []
    assert len(posts) == 1
    assert "新项目 3" in posts[0]["title"]
    assert "新项目 3 · 新政策 2 · 其他 1 · 变更 2" in posts[0]["message"]
    assert f"https://reports.example.com/pw/{outcome.path.name}" in posts[0]["message"]


def test_a_failing_channel_is_reported_without_its_token():
    with refused_ports(0) as (dead_port,):
        failures = notify([f"json://{HOST}:{dead_port}/secret-token-123", "nosuchscheme://abc"], "标题", "正文")
    assert len(failures) == 2
    assert all("secret-token-123" not in f and "abc" not in f for f in failures)
    assert redact("dingtalk://secret@token") == "dingtalk://…"


def test_no_urls_no_notification():
    assert notify([], "标题", "正文") == []
