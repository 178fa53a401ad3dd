"""The digest read at a glance: the overview at the top, revisions told in a line, public_url unset told."""

from __future__ import annotations

import logging
import re

from digest_samples import make_config, prepare_week
from smtp_server import smtp_server

from reports.digest import run_digest


def received_html(recorder) -> str:
    return recorder.received[-1].message.get_body(("html",)).get_content()


def test_overview_counts_largest_projects_failed_portals_and_jump_links(tmp_path) -> None:
    with smtp_server() as (port, recorder):
        config, _store = prepare_week(tmp_path, port)
        assert run_digest(config).status == "sent"
        html = received_html(recorder)
    overview = html[:html.index('id="projects"')]
    for anchor in ("#projects", "#policies", "#others", "#changes", "#health"):
        assert f'href="{anchor}"' in overview
        assert f'id="{anchor[1:]}"' in html, f"{anchor} jumps nowhere"
    top = re.findall(r'<li[^>]*><a href="#(p\d+)"', overview)
    assert len(top) == 3 and all(f'id="{row}"' in html for row in top)  # the week has three projects
    assert re.search(r"2/\d+ 站点抓取失败", overview)  # one portal failed, one was blocked
    districts = re.findall(r'href="#(d\d+)"[^>]*>([^<]+)<', overview)
    assert [name for _anchor, name in districts] == ["即墨区", "胶州市", "跨区市"]
    assert all(f'id="{anchor}"' in html for anchor, _name in districts)


def test_a_revision_names_the_portal_the_day_and_the_changed_figures(tmp_path) -> None:
    with smtp_server() as (port, recorder):
        config, _store = prepare_week(tmp_path, port)
        assert run_digest(config).status == "sent"
        html = received_html(recorder)
    changes = html[html.index('id="changes"'):html.index('id="health"')]
    assert "青岛西海岸新区融媒体中心" in changes  # the portal's title, not its config name
    assert "xihaian-news" not in changes
    assert re.search(r"\d{4}-\d{2}-\d{2} 修改", changes)
    assert "总投资 32亿元 → 35亿元" in changes and "产值 50亿元 → 60亿元" in changes


def test_unset_public_url_is_told_at_config_load_and_in_the_mail(tmp_path, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="portalwatch.config"):
        make_config(tmp_path, 25)
    assert "digest.public_url is not set" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="portalwatch.config"):
        make_config(tmp_path, 25, digest="public_url: https://reports.example.com/pw/")
    assert "public_url" not in caplog.text
