"""The cookies a challenge earned: which plain requests carry them, and how `render:` reads in the config."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.challenge import PortalCookies
from portalwatch.config import ConfigError, Render, parse_config

NOW = 1_800_000_000.0


def cookie(name: str, domain: str = "127.0.0.1", path: str = "/", expires: float = -1, secure: bool = False) -> dict:
    """A cookie as Playwright's context.cookies() reports it."""
    return {"name": name, "value": name.lower(), "domain": domain, "path": path, "expires": expires,
            "httpOnly": False, "secure": secure, "sameSite": "Lax"}


def jar(*cookies: dict) -> PortalCookies:
    earned = PortalCookies(hosts={"127.0.0.1:8000"}, home="http://127.0.0.1:8000/")
    earned.earned(list(cookies))
    return earned


def test_session_and_unexpired_cookies_go_with_plain_requests_expired_ones_do_not() -> None:
    earned = jar(cookie("S"), cookie("T", expires=NOW + 60), cookie("OLD", expires=NOW - 1))
    assert earned.header("http://127.0.0.1:8000/col/index.html", now=NOW) == "S=s; T=t"
    assert earned.header("http://127.0.0.1:8000/col/index.html", now=NOW + 61) == "S=s"
    assert earned.generation == 1


def test_domain_path_and_secure_decide_where_a_cookie_goes() -> None:
    earned = jar(cookie("SITE", domain=".qingdao.gov.cn"), cookie("COL", domain="www.qingdao.gov.cn", path="/col/"),
                 cookie("TLS", domain="www.qingdao.gov.cn", secure=True))
    assert earned.header("http://www.qingdao.gov.cn/col/a.html", now=NOW) == "SITE=site; COL=col"
    assert earned.header("https://www.qingdao.gov.cn/art/b.html", now=NOW) == "SITE=site; TLS=tls"
    assert earned.header("http://qingdao.gov.cn/", now=NOW) == "SITE=site"
    assert earned.header("http://notqingdao.gov.cn/", now=NOW) is None


@pytest.mark.parametrize(("written", "mode"), [
    ("true", Render.COOKIE), ("false", Render.OFF), ("list", Render.LIST), ("all", Render.ALL), (None, Render.AUTO),
])
def test_render_accepts_true_false_list_and_all(written: str | None, mode: Render) -> None:
    line = f"\n    render: {written}" if written else ""
    config = parse_config(f"portals:\n  - name: p\n    start_urls: [http://127.0.0.1:1/]{line}\n", Path("c.yaml"))
    assert config.portals[0].render is mode


def test_an_unknown_render_value_names_the_key_and_line() -> None:
    with pytest.raises(ConfigError) as error:
        parse_config("portals:\n  - name: p\n    start_urls: [http://127.0.0.1:1/]\n    render: always\n",
                     Path("c.yaml"))
    assert error.value.key == "portals[0].render" and error.value.line == 4
