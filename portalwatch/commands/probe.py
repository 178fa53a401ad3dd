"""`portalwatch probe URL` / `--portal NAME`: what the crawler finds on a page, before the portal is added.

Fetches the page, one next list page and the first three articles; prints the detected kind, the article
links, the next-page URL and, per article, title, date, first lines, attachments, district, kind and
amount. Stores nothing. Exit 0: articles found; 1: the page was read but no article found in it;
3: the page could not be fetched (2 is a config error, as everywhere).
"""

from __future__ import annotations

import argparse
import sys

from crawler.probe import Probe, ProbedArticle, browser_renderer, http_fetcher, probe
from portalwatch.classify import classify
from portalwatch.config import Config, ConfigError, PortalConfig, Render

EXIT_NOTHING_FOUND = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
_LINKS_SHOWN = 20
_BODY_LINES = 3


def _portal(config: Config, args: argparse.Namespace) -> tuple[str, PortalConfig]:
    if args.portal:
        portal = config.portal(args.portal)
        return args.url or portal.start_urls[0], portal
    if not args.url:
        raise ConfigError(config.source, None, "", "give a URL or --portal NAME")
    return args.url, PortalConfig(name="probe", start_urls=[args.url])


def _print_article(number: int, article: ProbedArticle, district: str | None) -> None:
    print(f"\n[{number}] {article.url}")
    if article.error:
        print(f"    error: {article.error}")
        if not article.text:
            return
    found = classify(article.title, article.text, district)
    amount = found.amounts[0].text if found.amounts else "-"
    print(f"    title: {article.title or '(none)'}")
    print(f"    date: {article.published or '(none)'}")
    for line in article.text.splitlines()[:_BODY_LINES]:
        print(f"    | {line[:100]}")
    print(f"    text: {len(article.text)} characters")
    for url in article.attachments:
        print(f"    attachment: {url}")
    print(f"    kind: {found.kind} · district: {', '.join(found.districts) or '-'} · amount: {amount}")


def report(result: Probe, district: str | None) -> None:
    print(f"page: {result.url}")
    print(f"kind: {result.kind or '-'}")
    if result.rendered is not None:
        print(f"article links as served: none; {result.rendered}")
        if result.links:
            print("  the page's script builds the list: the crawl reads it in the browser by itself (render: auto);"
                  " set render: list to skip the plain try")
    print(f"article links: {len(result.links)}")
    for url in result.links[:_LINKS_SHOWN]:
        print(f"  {url}")
    if len(result.links) > _LINKS_SHOWN:
        print(f"  ... and {len(result.links) - _LINKS_SHOWN} more")
    if result.next_page is not None:
        method = " (POST)" if result.next_page.form is not None else ""
        links = "" if result.next_page_links is None else f", {result.next_page_links} article links there"
        print(f"next page: {result.next_page.url}{method}{links}")
    elif result.links:
        print("next page: none found")
    for number, article in enumerate(result.articles, 1):
        _print_article(number, article, district)


def run(config: Config, args: argparse.Namespace) -> int:
    url, portal = _portal(config, args)
    crawl = config.crawl
    with browser_renderer(config.browser, crawl.user_agent) as render:
        result = probe(url, portal, http_fetcher(crawl), articles=args.articles, robots=crawl.obey_robots,
                       user_agent=crawl.user_agent, render=render if portal.render is not Render.OFF else None)
    if result.error and not result.kind:
        print(f"portalwatch: cannot fetch {result.error}", file=sys.stderr)
        return EXIT_UNREACHABLE
    report(result, portal.district)
    if result.error:
        print(f"portalwatch: {result.error}", file=sys.stderr)
    if not any(article.text for article in result.articles):
        print(f"portalwatch: no article found on {url}", file=sys.stderr)
        return EXIT_NOTHING_FOUND
    return 0
