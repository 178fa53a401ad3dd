"""`portalwatch export`: every stored article as JSON lines or CSV (UTF-8 with BOM, for Excel)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from sqlalchemy import RowMapping

from portalwatch.config import Config
from portalwatch.storage import Store

FIELDS = (
    "url", "title", "published", "portal", "district", "kind", "status", "duplicate_of", "similarity",
    "amounts", "projects", "stage", "policies", "doc_numbers", "issuers", "summary", "first_seen",
)
LIST_FIELDS = {"district", "amounts", "projects", "policies", "doc_numbers", "issuers"}
# A cell starting with one of these is a formula to a spreadsheet (OWASP CSV injection); full-width forms too,
# which some spreadsheet input methods turn into the ASCII ones.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def record(row: RowMapping) -> dict:
    """The export form of one stored article."""
    return {
        "url": row["url"],
        "title": row["title"],
        "published": row["published"].isoformat() if row["published"] else None,
        "portal": row["portal"],
        "district": list(row["districts"]),
        "kind": row["kind"],
        "status": row["status"],
        "duplicate_of": row["duplicate_of"],
        "similarity": row["similarity"],
        "amounts": list(row["amounts"]),
        "projects": list(row["projects"]),
        "stage": row["stage"],
        "policies": list(row["policies"]),
        "doc_numbers": list(row["doc_numbers"]),
        "issuers": list(row["issuers"]),
        "summary": row["summary"],
        "first_seen": row["first_seen"].isoformat(timespec="seconds"),
    }


def csv_cell(name: str, value: object) -> object:
    """Lists become JSON in a cell, so nothing is lost and Excel still shows one row per article; text that a
    spreadsheet would run as a formula is quoted with a leading apostrophe, so it shows as text."""
    if name in LIST_FIELDS:
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


@contextmanager
def _output(path: Path | None, encoding: str) -> Iterator[TextIO]:
    if path is None:
        sys.stdout.reconfigure(encoding=encoding)
        yield sys.stdout
        return
    with path.open("w", encoding=encoding, newline="") as handle:
        yield handle


def run(config: Config, args: argparse.Namespace) -> int:
    store = Store(config.database)
    rows = (record(row) for row in store.iter_articles())
    count = 0
    if args.format == "jsonl":
        with _output(args.out, "utf-8") as out:
            for item in rows:
                out.write(json.dumps(item, ensure_ascii=False) + "\n")
                count += 1
    else:
        with _output(args.out, "utf-8-sig") as out:
            writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\r\n")
            writer.writeheader()
            for item in rows:
                writer.writerow({name: csv_cell(name, item[name]) for name in FIELDS})
                count += 1
    if args.out:
        print(f"{count} articles written to {args.out}", file=sys.stderr)
    return 0
