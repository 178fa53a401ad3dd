# ruff: noqa: E501  (HTML templates keep the portals' long lines)
"""A portal behind an anti-bot wall: every request gets HTTP 412 and a JavaScript cookie challenge."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

from portalwatch.fixture_sites.content import Edition
from portalwatch.fixture_sites.records import Page, Request, SiteBuild

START = "/col/col1/index.html"
CHALLENGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8"><meta http-equiv="Cache-Control" content="no-cache">
<title></title>
<script type="text/javascript" r="m">$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=38153;$_ts.cd="qbrEcrAlqGLbcGAqwGVlqGlqDGLlcGVbqaVqwGqbDGVlcGALqGq";</script>
<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/c.FxJzG50F.8ea8c7a.js" r="m"></script>
</head><body>
<script type="text/javascript">
(function(){var c="FSSBBIl1UgzbN7N80T="+(new Date()).getTime().toString(36)+";path=/";document.cookie=c;location.reload();})();
</script>
</body></html>"""
PAGE = Page(
    body=CHALLENGE.encode(),
    status=412,
    headers=(("Set-Cookie", "FSSBBIl1UgzbN7N80S=Kd1xw3c8ZBn3RkE9GQ4Lx8b2; Path=/; HttpOnly"),),
)


def _challenge(handler: BaseHTTPRequestHandler, request: Request) -> None:
    handler.send_page(PAGE)


def build(edition: Edition | None = None) -> SiteBuild:
    return SiteBuild(pages={}, expected=[], fallback=_challenge, start_paths=[START])
