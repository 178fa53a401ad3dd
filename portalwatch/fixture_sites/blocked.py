# ruff: noqa: E501  (HTML templates keep the portals' long lines)
"""A portal that asks for a CAPTCHA: every request gets HTTP 412 and a script page that waits for a person.

The script draws the puzzle and sets no cookie; its form posts to a check that never passes. A plain
client and a headless browser alike get no further than this page.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

from portalwatch.fixture_sites.content import Edition
from portalwatch.fixture_sites.records import Page, Request, SiteBuild

START = "/col/col1/index.html"
CAPTCHA = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8"><meta http-equiv="Cache-Control" content="no-cache">
<title>安全验证</title></head>
<body>
<div id="verify"><p>为了您的访问安全，请完成下方验证</p>
<form method="post" action="/waf/verify"><img id="captcha" alt="验证码" width="120" height="40">
<input name="code" maxlength="4" placeholder="请输入验证码" autocomplete="off"><button type="submit">验证</button></form></div>
<script type="text/javascript">
(function(){var img=document.getElementById("captcha");img.src="/waf/captcha.jpg?t="+Date.now();
img.onclick=function(){img.src="/waf/captcha.jpg?t="+Date.now();};})();
</script>
</body></html>"""
PAGE = Page(
    body=CAPTCHA.encode(),
    status=412,
    headers=(("Set-Cookie", "waf_sid=Kd1xw3c8ZBn3RkE9GQ4Lx8b2; Path=/; HttpOnly"),),
)


def _challenge(handler: BaseHTTPRequestHandler, request: Request) -> None:
    handler.send_page(PAGE)


def build(edition: Edition | None = None) -> SiteBuild:
    return SiteBuild(pages={}, expected=[], fallback=_challenge, start_paths=[START])
