"""Text of attached documents (PDF, DOCX, XLSX, OFD, plain text), recognised by their bytes, size-capped.

On a policy column the attachment is the document. The format is told by the file's first bytes, not
its name: a ``.wps`` or ``.doc`` saved as OOXML reads as DOCX. Old binary Word/WPS files have no
library that reads them here; they are reported as unreadable, never as empty text.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass
from datetime import date

from lxml import etree

from crawler.extract import dates
from crawler.extract.page import decode_html

MAX_BYTES = 20 * 1024 * 1024  # a larger file is not read
MAX_PAGES = 60  # PDF pages read
MAX_CHARS = 200_000  # text kept
MAX_ROWS = 5_000  # spreadsheet rows read
_SIGNATURE_LINES = 3
_SPACE = re.compile(r"[ \t\u00a0\u3000]+")
_DOCUMENT_TYPES = re.compile(r"application/(?:pdf|msword|vnd\.|ofd|octet-stream|zip|x-zip|wps|kswps)|text/plain",
                             re.IGNORECASE)

for noisy in ("pdfminer", "openpyxl"):
    logging.getLogger(noisy).setLevel(logging.ERROR)


class UnreadableDocument(ValueError):
    """A file whose format no installed library reads (old binary DOC/WPS, images, archives), or too large."""


@dataclass
class Document:
    """The text of one file and the format it was read as."""

    format: str
    text: str


def is_document_response(content_type: str | None, body: bytes) -> bool:
    """Whether a response is a file rather than a web page (by its bytes, else its Content-Type)."""
    head = body[:8]
    if body[:512].lstrip().startswith(b"<"):
        return False  # markup, whatever the header says
    if head.startswith((b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return True
    return bool(content_type and _DOCUMENT_TYPES.search(content_type))


def _lines(lines: list[str]) -> str:
    kept = (_SPACE.sub(" ", line).strip() for line in lines)
    return "\n".join(line for line in kept if line)[:MAX_CHARS]


def _pdf(data: bytes) -> str:
    from pdfminer.high_level import extract_text
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        text = extract_text(io.BytesIO(data), maxpages=MAX_PAGES)
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise UnreadableDocument(f"PDF cannot be read ({type(exc).__name__})") from exc
    return _lines(text.splitlines())


def _docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(dict.fromkeys(cell.text.strip() for cell in row.cells)))
    return _lines(lines)


def _xlsx(data: bytes) -> str:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines: list[str] = []
    try:
        for sheet in book.worksheets:
            for n, row in enumerate(sheet.iter_rows(values_only=True)):
                if n >= MAX_ROWS:
                    break
                lines.append(" ".join(str(v) for v in row if v is not None))
    finally:
        book.close()
    return _lines(lines)


def _ofd(archive: zipfile.ZipFile) -> str:
    """OFD (the Chinese fixed-layout format): the TextCode elements of its page content files, in order."""
    lines: list[str] = []
    pages = sorted(name for name in archive.namelist() if re.search(r"Pages/Page_?\d+/Content\.xml$", name))
    for name in pages[:MAX_PAGES]:
        root = etree.fromstring(archive.read(name), parser=etree.XMLParser(resolve_entities=False, no_network=True))
        line: list[str] = []
        last_y: str | None = None
        for code in root.iter("{*}TextCode"):
            y = code.getparent().get("Boundary", "").split(" ")[1:2] if code.getparent() is not None else []
            key = y[0] if y else None
            if last_y is not None and key != last_y:
                lines.append("".join(line))
                line = []
            line.append(code.text or "")
            last_y = key
        lines.append("".join(line))
    return _lines(lines)


def signature_date(text: str) -> date | None:
    """The date of the signature block (落款) that ends an official document: on one of its last lines."""
    for line in reversed(text.splitlines()[-_SIGNATURE_LINES:]):
        found = dates.find_date(line)
        if found:
            return found
    return None


def read_document(data: bytes) -> Document:
    """The text of a PDF, DOCX, XLSX, OFD or plain-text file; `UnreadableDocument` for anything else."""
    if len(data) > MAX_BYTES:
        raise UnreadableDocument(f"file larger than {MAX_BYTES // (1024 * 1024)} MB")
    if data.startswith(b"%PDF"):
        return Document("pdf", _pdf(data))
    if data.startswith(b"PK\x03\x04"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise UnreadableDocument("broken zip container") from exc
        names = set(archive.namelist())
        if "word/document.xml" in names:
            return Document("docx", _docx(data))
        if "xl/workbook.xml" in names:
            return Document("xlsx", _xlsx(data))
        if "OFD.xml" in names:
            return Document("ofd", _ofd(archive))
        raise UnreadableDocument("a zip archive that is no DOCX, XLSX or OFD document")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableDocument("an old binary Word/WPS/Excel file (no library here reads it)")
    if b"\x00" in data[:1024]:
        raise UnreadableDocument("a binary file of unknown format")
    return Document("text", _lines(decode_html(data).splitlines()))
