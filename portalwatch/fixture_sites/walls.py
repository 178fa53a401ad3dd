# ruff: noqa: E501  (HTML templates keep the portals' long lines)
"""Anti-bot walls in front of a site: a 412 or 521 script page whose script computes the pass cookie.

Like the products in front of many gov.cn sites, the wall sets a seed cookie (HttpOnly), and its page's
script derives the pass cookie from the seed (412: `…T`, as Ruishu names it; 521: `__jsl_clearance_s`,
bound to the browser's User-Agent as Jiasule's is) and reloads. The value never appears in the page:
it takes running the script. A pass is good for `uses` answers (None: for the whole run), then the wall
challenges again with a new seed.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler

from portalwatch.fixture_sites.records import Page, Request, SiteBuild
from portalwatch.fixture_sites.server import NOT_FOUND

ROUNDS = 400  # hash rounds of the page's script: cheap in a browser, not in the page as text
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
SOLVER_PATH = "/4QbVtADbnLVIc/c.FxJzG50F.js"  # the 412 wall's solver script, served to anyone

RUISHU_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8"><meta http-equiv="Cache-Control" content="no-cache">
<title></title>
<script type="text/javascript" r="m">$_ts=window['$_ts'];if(!$_ts)$_ts={{}};$_ts.nsd={nsd};$_ts.cd="{seed}";$_ts.n="{name}";</script>
<script type="text/javascript" charset="utf-8" src="{solver}" r="m"></script>
</head><body></body></html>"""
RUISHU_SOLVER = """(function(t){{var s=t.cd,h=2166136261,r,i;for(r=0;r<{rounds};r++)for(i=0;i<s.length;i++)h=Math.imul(h^(s.charCodeAt(i)+r),16777619)>>>0;
document.cookie=t.n+"T="+h.toString(36)+"; path=/";location.reload();}})($_ts);"""
JIASULE_PAGE = """<html><body><script>var _0x="{seed}",_1x=navigator.userAgent,h=2166136261,r,i,s=_0x+_1x;
for(r=0;r<{rounds};r++)for(i=0;i<s.length;i++)h=Math.imul(h^(s.charCodeAt(i)+r),16777619)>>>0;
document.cookie=('_'+'_jsl_clearance_s=')+(Math.floor(Date.now()/1000))+('|0|')+h.toString(36)+';max-age=3600;path=/';
location.href=location.pathname+location.search</script></body></html>"""


def solve(text: str) -> str:
    """What the walls' scripts compute from `text`: FNV-1a over ROUNDS rounds, written in base 36."""
    h = 0x811C9DC5
    for r in range(ROUNDS):
        for ch in text:
            h = ((h ^ (ord(ch) + r)) * 0x01000193) & 0xFFFFFFFF
    digits = ""
    while True:
        h, rest = divmod(h, 36)
        digits = _DIGITS[rest] + digits
        if h == 0:
            return digits


@dataclass
class Wall:
    """One site's wall: which seeds it issued and how many answers each pass has left."""

    status: int  # 412 (Ruishu-like) or 521 (Jiasule-like)
    uses: int | None = None
    solver_seconds: float = 0.0  # how long the 412 wall's solver script takes to arrive (a slow portal)
    issued: dict[str, int | None] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def seed_cookie(self) -> str:
        return "FSSBBIl1UgzbN7N80S" if self.status == 412 else "__jsluid_h"

    def passes(self, handler: BaseHTTPRequestHandler) -> bool:
        """The request carries a pass the wall issued (and it has answers left); counts one answer."""
        try:
            cookies = SimpleCookie(handler.headers.get("Cookie", ""))
        except CookieError:
            return False
        seed = cookies[self.seed_cookie].value if self.seed_cookie in cookies else None
        if self.status == 412:
            name, wanted = self.seed_cookie[:-1] + "T", solve(seed or "")
            given = cookies[name].value if name in cookies else None
        else:
            wanted = solve((seed or "") + handler.headers.get("User-Agent", ""))
            given = cookies["__jsl_clearance_s"].value.rsplit("|", 1)[-1] if "__jsl_clearance_s" in cookies else None
        with self.lock:
            if seed not in self.issued or given != wanted:
                return False
            left = self.issued[seed]
            if left is not None:
                if left <= 0:
                    return False
                self.issued[seed] = left - 1
            return True

    def challenge(self, handler: BaseHTTPRequestHandler) -> None:
        seed = secrets.token_hex(12)
        with self.lock:
            self.issued[seed] = self.uses
        if self.status == 412:
            body = RUISHU_PAGE.format(nsd=secrets.randbelow(90000) + 10000, seed=seed, name=self.seed_cookie[:-1],
                                      solver=SOLVER_PATH)
        else:
            body = JIASULE_PAGE.format(seed=seed, rounds=ROUNDS)
        cookie = f"{self.seed_cookie}={seed}; Path=/; HttpOnly"
        handler.send_page(Page(body=body.encode(), status=self.status, headers=(("Set-Cookie", cookie),)))


SOLVER = Page(body=RUISHU_SOLVER.format(rounds=ROUNDS).encode(), content_type="application/javascript")


def walled(inner: SiteBuild, wall: Wall) -> SiteBuild:
    """`inner` behind `wall`: every path answers the challenge until the request carries a valid pass."""

    def answer(handler: BaseHTTPRequestHandler, request: Request) -> None:
        if wall.status == 412 and request.path == SOLVER_PATH:
            time.sleep(wall.solver_seconds)
            handler.send_page(SOLVER)
        elif not wall.passes(handler):
            wall.challenge(handler)
        elif request.path in inner.routes:
            inner.routes[request.path](handler, request)
        else:
            handler.send_page(inner.pages.get(request.path, NOT_FOUND))

    return SiteBuild(pages={}, expected=inner.expected, start_paths=inner.start_paths, fallback=answer)
