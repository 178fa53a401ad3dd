"""The command line: every command has help, and the console script and `python -m` agree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from portalwatch.cli import COMMANDS


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(command: str) -> None:
    result = subprocess.run([sys.executable, "-m", "portalwatch", command, "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: portalwatch {command}")


def test_console_script_lists_the_commands() -> None:
    script = Path(sys.executable).parent / "portalwatch"  # installed beside the interpreter running the tests
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout
