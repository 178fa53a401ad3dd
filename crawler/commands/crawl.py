"""`scrapy crawl portal [-a portal=NAME] [-a config=PATH]`: the same checks, summary and exit status as
`portalwatch crawl`. The config is `-a config=`, else $PORTALWATCH_CONFIG, else ./config.yaml."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl

from crawler.context import CrawlContext
from crawler.preflight import preflight
from crawler.runner import crawl_portals, crawl_with
from crawler.spiders.portal import PortalSpider
from portalwatch.commands.crawl import report
from portalwatch.config import ConfigError, config_from_environment
from portalwatch.lock import LockBusy, exclusive
from portalwatch.outcomes import Exit, PreflightError
from portalwatch.storage import StorageError

COMMAND = "scrapy crawl"


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or args[0] != PortalSpider.name:
            super().run(args, opts)
            return
        self.exitcode = self._crawl(dict(opts.spargs))

    def _crawl(self, spargs: dict[str, str]) -> int:
        names = spargs["portal"].split(",") if spargs.get("portal") else None
        try:
            config = config_from_environment(spargs.get("config"))
            chosen = crawl_portals(config, names)
            with exclusive(config, COMMAND):
                context = CrawlContext.start(config, "scrapy", preflight(config, chosen))
                summary = crawl_with(self.crawler_process, context, [p.name for p in chosen])
            return report(config, summary, COMMAND)
        except ConfigError as exc:
            return _fail(exc.message if exc.key == "portals" else f"config error: {exc}", Exit.CONFIG)
        except PreflightError as exc:
            return _fail(str(exc), Exit.CONFIG)
        except StorageError as exc:
            return _fail(str(exc), Exit.STORAGE)
        except LockBusy as exc:
            return _fail(str(exc), Exit.BUSY)


def _fail(message: str, code: Exit) -> int:
    print(f"{COMMAND}: {message}", file=sys.stderr)
    return code
