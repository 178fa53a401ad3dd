"""Load the seed corpus: the articles the reader already knows.

Files in the seeds folder, by the shape of their text:
- park-portal lists (seed 000): `• title`, body, `YYYY-MM-DD`, repeated, then site boilerplate;
- dash lists (seed 003): `-`, title, body, `YYYY-MM-DD`, repeated, then site boilerplate;
- news pages (seed 002): breadcrumb `... > 正文`, title, `YYYY-MM-DD hh:mm 来源:...`, body, footer;
- one article per `.txt` (seeds 001, 004, and files users drop in): first line the title;
- `.html` pages: title and main text extracted from the markup.
`seeds.yaml` in the folder may give a file's `title` and `published` where the text has none (seed 001).
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import trafilatura
import yaml
from lxml import html as lxml_html
from w3lib.encoding import html_to_unicode

from portalwatch.models import SeedArticle
from portalwatch.textnorm import drop_furniture, to_simplified

OVERRIDES_FILE = "seeds.yaml"
SAMPLE_SEEDS = Path(__file__).resolve().parent / "sample_seeds"  # the shipped corpus (package data, = seeds/)
ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
DATE_LINE = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}\s*$")
BULLET = re.compile(r"^\s*[•·●]\s*(\S.*)$")
SENTENCE_END = "。!?;…"
TITLE_MAX = 80


class SeedError(ValueError):
    """A seed file that cannot be read as articles; names the file."""


def load_seeds(folder: Path | str) -> list[SeedArticle]:
    """Every article of every seed file, in file-name order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SeedError(f"{folder}: seeds folder not found")
    overrides = _overrides(folder)
    found: list[SeedArticle] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in (".txt", ".html", ".htm") and path.is_file():
            found.extend(load_seed_file(path, overrides.get(path.name, {})))
    return found


def seeds_fingerprint(folder: Path | str) -> str:
    """A hash of the seed folder's files: changes whenever a seed is added, removed or edited."""
    digest = hashlib.sha256()
    for path in sorted(Path(folder).iterdir()):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def load_seed_file(path: Path, override: dict | None = None) -> list[SeedArticle]:
    """The articles of one seed file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SeedError(f"{path.name}: cannot read ({exc.strerror})") from exc
    if path.suffix.lower() in (".html", ".htm"):
        parts = [_parse_html(raw, path)]
    else:
        parts = _parse_text(_decode(raw, path))
    override = override or {}
    articles = []
    for n, (title, published, body) in enumerate(parts, start=1):
        if len(parts) == 1:
            title = override.get("title", title)
            published = _as_date(override.get("published")) or published
        articles.append(
            SeedArticle(
                id=f"{path.stem}#{n}",
                source_file=path.name,
                title=to_simplified(title).strip(),
                published=published,
                text=body.strip(),
            )
        )
    return [a for a in articles if a.text]


Parsed = tuple[str, date | None, str]


def _parse_text(text: str) -> list[Parsed]:
    lines = text.splitlines()
    if any(BULLET.match(line) for line in lines) and any(DATE_LINE.match(line) for line in lines):
        return _parse_list(lines, _bullet_title)
    if lines and lines[0].strip() == "-" and any(DATE_LINE.match(line) for line in lines):
        return _parse_list(lines, _dash_title)
    breadcrumb = next((i for i, line in enumerate(lines[:5]) if line.rstrip().endswith("> 正文")), None)
    if breadcrumb is not None:
        return [_parse_news(lines[breadcrumb + 1:])]
    return [_parse_single(lines)]


def _bullet_title(lines: list[str], start: int, end: int) -> int | None:
    """Index of the last bullet line in lines[start:end]: the title of the entry ending at `end`."""
    hits = [i for i in range(start, end) if BULLET.match(lines[i])]
    return hits[-1] if hits else None


def _dash_title(lines: list[str], start: int, end: int) -> int | None:
    """Index of the title line (the one after a lone `-`) in lines[start:end]."""
    hits = [i + 1 for i in range(start, end - 1) if lines[i].strip() == "-"]
    return hits[-1] if hits else None


def _parse_list(lines: list[str], find_title) -> list[Parsed]:
    """Entries of title, body, date; anything after the last date is site boilerplate."""
    out: list[Parsed] = []
    start = 0
    for end, line in enumerate(lines):
        if not DATE_LINE.match(line):
            continue
        title_at = find_title(lines, start, end)
        if title_at is not None:
            title = BULLET.sub(r"\1", lines[title_at]).strip()
            body = "\n".join(x.strip() for x in lines[title_at + 1:end] if x.strip())
            out.append((title, _as_date(line.strip()), body))
        start = end + 1
    return out


def _parse_news(lines: list[str]) -> Parsed:
    """A news page: title, a date-and-source line, share bar, body, footer."""
    content = [line.strip() for line in lines]
    title_at = next(i for i, line in enumerate(content) if line)
    date_at = next((i for i, line in enumerate(content) if ISO_DATE.match(line)), title_at)
    published = _as_date(content[date_at]) if date_at != title_at else None
    body = drop_furniture([line for line in content[date_at + 1:] if line])
    return content[title_at], published, "\n".join(body)


def _parse_single(lines: list[str]) -> Parsed:
    """One article: the first line is its title unless it reads as a paragraph."""
    content = [line.strip() for line in lines if line.strip()]
    if not content:
        return "", None, ""
    first = to_simplified(content[0])
    if len(first) <= TITLE_MAX and first[-1] not in SENTENCE_END:
        title, body = first, content[1:]
    else:
        title, body = _derived_title(first), content
    return title, _date_near_edges(body), "\n".join(body)


def _derived_title(paragraph: str) -> str:
    """A title for a text that has none: its first clause, kept short."""
    clause = re.split(r"[。!?;,]", paragraph, maxsplit=1)[0]
    return clause if len(clause) <= 40 else clause[:40] + "…"


def _date_near_edges(body: list[str]) -> date | None:
    """A publication date written on a short line at the start or end (`青岛日报2021年9月19日3版`)."""
    for line in [*body[-5:][::-1], *body[:3]]:
        if len(line) <= 40:
            found = _as_date(line)
            if found:
                return found
    return None


def _parse_html(raw: bytes, path: Path) -> Parsed:
    _, markup = html_to_unicode(None, raw)
    try:
        tree = lxml_html.fromstring(markup)
    except (ValueError, lxml_html.etree.ParserError) as exc:
        raise SeedError(f"{path.name}: not readable HTML ({exc})") from exc
    heading = tree.xpath("string(//h1)").strip() or tree.xpath("string(//title)").strip()
    text = trafilatura.extract(markup, include_comments=False) or ""
    meta = tree.xpath("string(//meta[@name='PubDate']/@content)") or text
    return heading, _as_date(meta), text


def _decode(raw: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SeedError(f"{path.name}: neither UTF-8 nor GB18030 text")


def _as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    match = ISO_DATE.match(value) or CN_DATE.search(value)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _overrides(folder: Path) -> dict[str, dict]:
    path = folder / OVERRIDES_FILE
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise SeedError(f"{OVERRIDES_FILE}: must map file names to {{title, published}}")
    return data
