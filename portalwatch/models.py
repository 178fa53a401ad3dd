"""Plain data types passed across the seams: crawler -> core -> store -> reports."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Literal

Status = Literal["new", "duplicate", "revised"]
Kind = Literal["project", "policy", "other"]


@dataclass(frozen=True)
class SeedArticle:
    """One article of the seed corpus: what the reader already knows."""

    id: str  # "<file stem>#<n>", n counted from 1 within the file
    source_file: str  # file name inside the seeds folder
    title: str
    published: date | None
    text: str


@dataclass
class CrawledArticle:
    """What the crawler yields for one article page."""

    url: str
    portal: str
    title: str
    text: str
    published: date | None = None
    attachments: list[str] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    meta: dict[str, str] = field(default_factory=dict)  # the xxgk table of a government page, label -> value


@dataclass(frozen=True)
class Amount:
    """An investment amount as written, and its value in 亿 of its currency.

    `own` is False for a total of several projects, a district or city figure, a cumulative figure or a
    target: such a figure is never a project's headline.
    """

    text: str
    value: float
    unit: str
    currency: str
    yi: float
    own: bool = True

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Classification:
    """What an article is about and the facts an analyst scans for."""

    kind: Kind = "other"
    districts: list[str] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    stage: str | None = None
    policies: list[str] = field(default_factory=list)
    doc_numbers: list[str] = field(default_factory=list)
    issuers: list[str] = field(default_factory=list)
    summary: str = ""


@dataclass(frozen=True)
class Match:
    """The known document a text duplicates, and how similar they are (0..1)."""

    source: str  # "seeds/<file>#<n>" for a seed article, else the stored article's URL
    title: str
    score: float  # IDF-weighted share of the text the known document holds: what the decision uses
    contained: float = 1.0  # share of the text's characters found in the known document
    contains: float = 1.0  # share of the known document found in the text


@dataclass(frozen=True)
class NumberChange:
    """A figure that differs between a republished copy and the known text."""

    known: str
    found: str
    context: str


@dataclass
class Verdict:
    """The dedupe decision for one text."""

    status: Literal["new", "duplicate"]
    duplicate_of: Match | None = None
    changes: list[NumberChange] = field(default_factory=list)
    partly_repeats: Match | None = None  # a new article's largest overlap with a known one
    new_chars: int = 0  # characters (folded) found in no known document
    new_share: float = 1.0  # ... as a share of the text
