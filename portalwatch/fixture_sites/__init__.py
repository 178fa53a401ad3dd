"""Small faithful replicas of the portal kinds, served on 127.0.0.1 for tests, benchmarks and the demo."""

from portalwatch.fixture_sites.records import ExpectedArticle, RequestRecord
from portalwatch.fixture_sites.sites import FixtureSites

__all__ = ["ExpectedArticle", "FixtureSites", "RequestRecord"]
