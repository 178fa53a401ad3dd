"""Tell someone when portals fail: one alert mail per outage (no digest needed), and one when they come back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from smtp_server import refused_ports, smtp_server

from portalwatch.fixture_sites import FixtureSites
from portalwatch.storage import Store

REPO = Path(__file__).resolve().parent.parent
SITES = ["trs", "oldqd", "park"]


def write_config(folder: Path, portals: list[dict], smtp_port: int, **alerts: object) -> Path:
    config = {
        "database": "sqlite:///portalwatch.db",
        "seeds_dir": str(REPO / "seeds"),
        "crawl": {"download_delay": 0, "concurrency": 16, "timeout": 3},
        "email": {"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "from": "portalwatch@example.org",
                  "to": ["analyst@example.org"]},
        "alerts": alerts,
        "portals": portals,
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def run(config: Path, command: str = "crawl") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portalwatch", "-c", str(config), command],
                          capture_output=True, text=True, timeout=180, cwd=config.parent)


def addresses(sites: FixtureSites) -> tuple[list[dict], dict[str, int]]:
    portals = [p for p in sites.portals() if p["name"] in SITES]
    ports = {name: int(url.rsplit(":", 1)[1]) for name, url in sites.base_urls.items() if name in SITES}
    return portals, ports


def test_every_portal_down_for_three_runs_sends_one_alert_and_one_recovery_note(tmp_path: Path) -> None:
    with FixtureSites() as sites:
        portals, ports = addresses(sites)
    with smtp_server() as (smtp_port, recorder):
        with refused_ports(*ports.values()):  # the sites are gone: every portal is down
            config = write_config(tmp_path, portals, smtp_port)
            for _ in range(3):
                done = run(config, "run-once")  # no digest is due: nothing was ever stored
                assert done.returncode == 1
                assert "digest not due" in done.stdout
            assert len(recorder.received) == 1
            alert = recorder.received[0].message
            assert alert["Subject"] == "portalwatch 警报：3/3 站点抓取失败（全部站点）"
            body = alert.get_content()
            assert all(f"{name}：失败" in body for name in SITES) and "无法连接" in body
            assert recorder.received[0].rcpt_tos == ["analyst@example.org"]
        with FixtureSites(ports=ports) as back:  # the portals come back at the same addresses
            done = run(config)
            assert done.returncode == 0, done.stderr[-2000:]
            assert run(config).returncode == 0
            stored = Store(f"sqlite:///{tmp_path / 'portalwatch.db'}").count_articles()
            assert stored == sum(len(back.expected(name)) for name in SITES)
        assert len(recorder.received) == 2
        note = recorder.received[1].message
        assert note["Subject"] == "portalwatch：3 个站点已恢复抓取"
        assert all(f"{name}：正常" in note.get_content() for name in SITES)


def test_one_portal_failing_is_told_after_the_configured_runs_in_a_row(tmp_path: Path) -> None:
    with FixtureSites() as sites, smtp_server() as (smtp_port, recorder):
        portals, _ = addresses(sites)
        gone = {"name": "gone", "start_urls": [sites.base_urls["trs"] + "/no/such/column/"]}
        config = write_config(tmp_path, [portals[0], gone], smtp_port, after_failures=2)
        first = run(config)
        assert first.returncode == 1 and recorder.received == []  # once is not an outage yet
        second = run(config)
        assert second.returncode == 1
        assert [m.message["Subject"] for m in recorder.received] == ["portalwatch 警报：1/2 站点抓取失败"]
        assert "gone：失败，连续 2 次" in recorder.received[0].message.get_content()
        assert "alert sent: portalwatch 警报：1/2 站点抓取失败" in second.stdout
        run(config)
        assert len(recorder.received) == 1  # once per outage
