"""Small faithful replicas of the portal kinds, served on 127.0.0.1 for tests, benchmarks and the demo.

    with FixtureSites(scale=1) as sites:      # one threaded HTTP server per site on a free port
        sites.portals()                       # config entries {name, start_urls, district?}
        sites.portals(browser=True)           # ... and the portals that need the browser (render?)
        sites.expected("trs")                 # ExpectedArticle(url, title, published, text, attachments)
        sites.set_version(2)                  # articles added (newest first) and revised
        sites.revised("trs"), sites.added("trs")
        sites.requests                        # RequestRecord(site, method, path, status, conditional, browser, ...)
        sites.faults()                        # fault name -> URL on the `faulty` site

Sites: `trs`, `hanweb`, `oldqd`, `news` (GBK), `park`, `generic`, `faulty` (see `faulty.FAULTS`),
`blocked` (HTTP 412 and a CAPTCHA page everywhere), and three that need a browser: `cookie412` (TRS
markup behind a 412 wall whose script computes the pass cookie; the pass runs out after `pass_uses`
answers), `cookie521` (Hanweb behind a 521 wall, pass bound to the User-Agent) and `scripted` (a list
the page's script builds from a JSON endpoint). Content is `articles.yaml` (hand-written articles and seed
copies) plus generated articles (`scale` multiplies them). `FixtureSites(process=True)` serves from a
child process; `python -m portalwatch.fixture_sites` serves them from the command line.
"""

from portalwatch.fixture_sites.records import ExpectedArticle, RequestRecord
from portalwatch.fixture_sites.sites import FixtureSites

__all__ = ["ExpectedArticle", "FixtureSites", "RequestRecord"]
