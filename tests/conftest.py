"""Shared pytest fixtures."""

from __future__ import annotations

import pytest

from portalwatch.fixture_sites import FixtureSites


@pytest.fixture(scope="session")
def fixture_sites():
    """The fixture sites at version 1, shared by the session: read them, do not switch their version."""
    with FixtureSites() as sites:
        yield sites


@pytest.fixture
def fresh_sites():
    """Fixture sites of this test alone: free to switch versions and clear the request log."""
    with FixtureSites() as sites:
        yield sites
