"""Checks made before a crawl fetches anything: what would make every article fail to be stored."""

from __future__ import annotations

from cssselect import SelectorError

from crawler.extract import Page
from crawler.extract.overrides import select
from portalwatch.config import Config, PortalConfig
from portalwatch.outcomes import PreflightError
from portalwatch.seeds import SeedError, load_seeds
from portalwatch.storage import Store

EMPTY_PAGE = b"<html><body></body></html>"


def preflight(config: Config, portals: list[PortalConfig]) -> Store:
    """Check the seed corpus and the selectors, then open the store and prove it writable; return it.

    Raises `PreflightError` for seeds and selectors, `StorageError` for the database.
    """
    try:
        load_seeds(config.seeds_dir)
    except SeedError as exc:
        where = "" if str(exc).startswith(str(config.seeds_dir)) else f"{config.seeds_dir}/"
        raise PreflightError(f"seeds_dir: {where}{exc}; nothing was fetched") from None
    for index, portal in enumerate(config.portals):
        if portal in portals:
            check_selectors(portal, index)
    store = Store(config.database)
    store.check_writable()
    return store


def check_selectors(portal: PortalConfig, index: int) -> None:
    """Every configured CSS or XPath expression of `portal` compiles."""
    page = Page.from_bytes("http://127.0.0.1/", EMPTY_PAGE, "text/html")
    for field, expression in portal.selectors.model_dump(exclude_none=True).items():
        try:
            select(page, expression)
        except (ValueError, SelectorError) as exc:  # lxml's XPath errors are ValueErrors
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise PreflightError(
                f"portals[{index}].selectors.{field} ({portal.name}): {expression!r} is neither valid CSS "
                f"nor XPath ({message}); nothing was fetched"
            ) from None
