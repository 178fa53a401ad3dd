"""Small faithful replicas of the portal kinds, served on 127.0.0.1 for tests, benchmarks and the demo.

    with FixtureSites(scale=1) as sites:      # one threaded HTTP server per site on a free port
        sites.portals()                       # config entries {name, start_urls, district?}
        sites.expected("trs")                 # ExpectedArticle(url, title, published, text, attachments)
        sites.set_version(2)                  # articles added (newest first) and revised
        sites.revised("trs"), sites.added("trs")
        sites.requests                        # RequestRecord(site, method, path, status, conditional)
        sites.faults()                        # fault name -> URL on the `faulty` site

Sites: `trs`, `hanweb`, `oldqd`, `news` (GBK), `park`, `generic`, `faulty` (see `faulty.FAULTS`) and
`blocked` (HTTP 412 challenge everywhere). Content is `articles.yaml` (hand-written articles and seed
copies) plus generated articles (`scale` multiplies them). `FixtureSites(process=True)` serves from a
child process; `python -m portalwatch.fixture_sites` serves them from the command line.
"""

from portalwatch.fixture_sites.records import ExpectedArticle, RequestRecord
from portalwatch.fixture_sites.sites import FixtureSites

__all__ = ["ExpectedArticle", "FixtureSites", "RequestRecord"]
