"""Scrapy settings of the portalwatch crawler; `from_config` adds what config.yaml decides."""

from __future__ import annotations

from portalwatch.config import Config

BOT_NAME = "portalwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"  # `scrapy crawl portal` ends like `portalwatch crawl`

ROBOTSTXT_OBEY = True
TELNETCONSOLE_ENABLED = False
HTTPCACHE_ENABLED = False
COOKIES_ENABLED = False  # portals need no session; cookies a challenge earns are sent by crawler.challenge
REDIRECT_MAX_TIMES = 5
METAREFRESH_ENABLED = False

AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0

RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 1.0  # seconds before the first retry; doubled for each further one
RETRY_BACKOFF_MAX = 60.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
DOWNLOAD_FAIL_ON_DATALOSS = True

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.SharedRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "crawler.middlewares.ConditionalRequestMiddleware": 560,
    "crawler.challenge.BrowserMiddleware": 590,
    # process_response runs from the highest number down: see the Location before RedirectMiddleware (600).
    "crawler.middlewares.OffsiteRedirectMiddleware": 650,
}
# Requests marked for the browser (challenges, script-built pages) are fetched in headless Chromium.
DOWNLOAD_HANDLERS = {
    "http": "crawler.rendering.BrowserDownloadHandler",
    "https": "crawler.rendering.BrowserDownloadHandler",
}
ITEM_PIPELINES = {"crawler.pipelines.IngestPipeline": 300}

LOG_LEVEL = "WARNING"  # `scrapy crawl` prints faults and its summary; `-L INFO` for more
LOG_VERSIONS: list[str] = []


def from_config(config: Config) -> dict[str, object]:
    """Politeness, limits and identity from the `crawl` section of the config."""
    crawl = config.crawl
    return {
        "USER_AGENT": crawl.user_agent,
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "DOWNLOAD_DELAY": crawl.download_delay,
        "AUTOTHROTTLE_START_DELAY": crawl.download_delay,
        "AUTOTHROTTLE_MAX_DELAY": max(AUTOTHROTTLE_MAX_DELAY, crawl.download_delay),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(crawl.concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency,
        "CONCURRENT_REQUESTS": max(16, crawl.concurrency * max(1, len(config.portals))),
        "DOWNLOAD_TIMEOUT": crawl.timeout,
        "DOWNLOAD_MAXSIZE": int(crawl.max_response_mb * 1024 * 1024),
        # Retries wait at least the politeness delay (and never less than a quarter second).
        "RETRY_BACKOFF_BASE": max(0.25, crawl.download_delay),
        "CLOSESPIDER_TIMEOUT": crawl.time_limit_minutes * 60,
    }
