"""Progress on a terminal while a crawl runs: one line, rewritten every second, with each portal's figures."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TextIO

from twisted.internet.task import LoopingCall

from crawler.state import PortalState

INTERVAL = 1.0  # seconds between two updates of the line


class Progress:
    """`trs 3 pages 40 articles 0 errors · hanweb …`, redrawn in place; nothing when not on a terminal."""

    def __init__(self, states: Iterable[PortalState], stream: TextIO | None = None) -> None:
        self.states = list(states)
        self.stream = stream or sys.stderr
        self.loop: LoopingCall | None = None

    @property
    def wanted(self) -> bool:
        return self.stream.isatty()

    def start(self) -> None:
        if self.wanted and self.loop is None:
            self.loop = LoopingCall(self.show)
            self.loop.start(INTERVAL, now=False)

    def line(self) -> str:
        parts = []
        for state in self.states:
            c = state.health.counts
            parts.append(f"{state.name} {c['list_pages']} pages {c['articles_fetched'] + c['not_modified']} "
                         f"articles {c['errors']} errors")
        return "crawling: " + " · ".join(parts)

    def show(self) -> None:
        self.stream.write("\r\033[K" + self.line())
        self.stream.flush()

    def stop(self) -> None:
        if self.loop is not None:
            if self.loop.running:
                self.loop.stop()
            self.loop = None
            self.stream.write("\r\033[K")
            self.stream.flush()
