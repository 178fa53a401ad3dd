"""Config validation: defaults, path resolution, and one clear line for each kind of mistake."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from portalwatch.config import ConfigError, load_config

REPO = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_is_valid_and_lists_qingdao_portals() -> None:
    config = load_config(REPO / "config.yaml")
    names = [p.name for p in config.portals]
    assert "qingdao-news" in names and "park-jimo" in names
    assert {p.district for p in config.portals} >= {"青岛市", "西海岸新区", "即墨区", "胶州市"}
    assert config.email.password_env == "PORTALWATCH_SMTP_PASSWORD"


def test_defaults_and_paths_resolve_beside_the_config_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "portals:\n  - name: a\n    start_urls: http://127.0.0.1:1/\n"))
    assert config.database == f"sqlite:///{tmp_path.resolve()}/data/portalwatch.db"
    assert config.seeds_dir == tmp_path.resolve() / "seeds"
    assert config.data_dir == tmp_path.resolve() / "data"
    assert config.timezone == "Asia/Shanghai"
    assert config.crawl.download_delay == 1.0
    assert config.schedule.digest == "0 8 * * mon"
    assert config.digest.send_empty is False
    assert config.portals[0].start_urls == ["http://127.0.0.1:1/"]


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        ("crawl:\n  download_delay: fast\n", 2, "crawl.download_delay", "number"),
        ("crawl:\n  dowload_delay: 1\n", 2, "crawl.dowload_delay", "unknown key"),
        ("timezone: Mars/Olympus\n", 1, "timezone", "unknown time zone"),
        ("schedule:\n  crawl: every day\n", 2, "schedule.crawl", "cron"),
        ("email:\n  password_env: hunter 2\n", 2, "email.password_env", "environment variable"),
        ("email:\n  password: hunter2\n", 2, "email.password", "unknown key"),
        ("portals:\n  - name: a\n    start_urls: [http://x/]\n  - name: b\n", 4, "portals[1].start_urls",
         "required"),
        ("portals:\n  - name: a\n    start_urls: [ftp://x/]\n", 3, "portals[0].start_urls", "not an http"),
        ("portals:\n  - name: a b\n    start_urls: [http://x/]\n", 2, "portals[0].name", "letters"),
        ("subscriptions:\n  - name: 客户/甲\n    recipients: [a@example.com]\n", 2, "subscriptions[0].name",
         "letters"),
        ("portals:\n  - {name: a, start_urls: [http://x/]}\n  - {name: a, start_urls: [http://y/]}\n", 3,
         "portals[1].name", "used twice"),
        ("database: data.db\n", 1, "database", "SQLAlchemy URL"),
    ],
)
def test_bad_values_name_key_and_line(tmp_path: Path, text: str, line: int, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    error = caught.value
    assert (error.line, error.key) == (line, key)
    assert words in error.message
    assert str(error).startswith(f"{tmp_path / 'config.yaml'}:{line}: {key}: ")


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, "crawl:\n  delay: [1, 2\nportals: []\n"))
    assert caught.value.line == 3
    assert "not valid YAML" in caught.value.message


def test_cli_reports_a_bad_config_in_one_line_with_exit_code_2(tmp_path: Path) -> None:
    path = write(tmp_path, "crawl:\n  concurrency: -3\n")
    result = subprocess.run(
        [sys.executable, "-m", "portalwatch", "-c", str(path), "seeds"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"{path}:2: crawl.concurrency:" in lines[0]
    assert "greater than or equal to 1" in lines[0]


def test_cli_names_a_missing_config_file(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "portalwatch", "-c", str(tmp_path / "nope.yaml"), "seeds"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "nope.yaml" in result.stderr and "cannot read" in result.stderr
