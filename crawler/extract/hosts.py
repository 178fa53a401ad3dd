"""Which hosts belong to a portal: its registrable domain (www. list, news. articles), unless the config narrows it."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

# The public suffix list shipped inside tldextract; no list is ever fetched.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _split(netloc: str) -> tuple[str, str]:
    """(host name, port or '') of a lower-cased host[:port]."""
    parts = urlsplit(f"//{netloc.lower()}")
    return parts.hostname or "", str(parts.port) if parts.port else ""


@lru_cache(maxsize=4096)
def registrable_domain(hostname: str) -> str:
    """qingdao.gov.cn for www.qingdao.gov.cn; '' for an IP address or a name without a public suffix."""
    try:
        ipaddress.ip_address(hostname.strip("[]"))
        return ""
    except ValueError:
        pass
    return _EXTRACT(hostname).top_domain_under_public_suffix


class HostScope:
    """`netloc in scope`: a host the portal may lead to.

    By default every host under a start URL's registrable domain, on any port; a start URL on an IP
    address or a bare name (a loopback test site) owns that host:port only, since another port is
    another site there. `allowed_hosts` narrows (or widens) it: each entry names a host and all its
    subdomains (``qingdao.gov.cn``), optionally with a port (``127.0.0.1:8080``).
    """

    def __init__(self, start_urls: list[str], allowed_hosts: list[str] | None = None) -> None:
        self.exact: set[str] = set()
        self.domains: set[str] = set()
        if allowed_hosts:
            for entry in allowed_hosts:
                name, port = _split(entry.strip().removeprefix("*."))
                (self.exact if port else self.domains).add(f"{name}:{port}" if port else name)
            return
        for url in start_urls:
            netloc = urlsplit(url).netloc.lower()
            domain = registrable_domain(_split(netloc)[0])
            if domain:
                self.domains.add(domain)
            else:
                self.exact.add(netloc)

    def __contains__(self, netloc: object) -> bool:
        if not isinstance(netloc, str):
            return False
        netloc = netloc.lower()
        if netloc in self.exact:
            return True
        name = _split(netloc)[0]
        return any(name == domain or name.endswith("." + domain) for domain in self.domains)

    def __repr__(self) -> str:
        return f"HostScope({sorted(self.exact | self.domains)})"
