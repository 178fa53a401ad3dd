"""The archived digest rendered by headless Chromium at phone width: the screenshot shows something."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from digest_samples import prepare_week
from smtp_server import smtp_server

from reports.digest import run_digest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def png_rows(path: Path) -> tuple[int, int, int, list[bytes]]:
    """Width, height, bytes per pixel and unfiltered pixel rows of an 8-bit RGB or RGBA PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour = header[:4]
    assert depth == 8 and colour in (2, 6), f"unexpected PNG format: depth {depth}, colour type {colour}"
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, previous = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - bpp] if x >= bpp else 0
            up, up_left = previous[x], previous[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, bpp, rows


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_the_digest_renders_in_a_browser_at_phone_width(tmp_path):
    with smtp_server() as (port, _recorder):
        config, _store = prepare_week(tmp_path, port)
        outcome = run_digest(config)
    shot = tmp_path / "shot.png"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=420,900",
         outcome.path.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    width, height, bpp, rows = png_rows(shot)
    assert (width, height) == (420, 900)
    colours = {row[x:x + 3] for row in rows[::10] for x in range(0, len(row), bpp * 7)}
    assert len(colours) > 20, "the screenshot is (almost) a single colour"
