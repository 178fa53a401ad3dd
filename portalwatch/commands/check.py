"""`portalwatch check [FILE|-]`: which texts does the reader already know? JSON lines in and out."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from portalwatch.config import Config
from portalwatch.dedupe.runtime import open_index
from portalwatch.models import Verdict
from portalwatch.seeds import SeedError

EXIT_BAD_INPUT = 1
EXIT_UNUSABLE = 2


def parse_line(line: str) -> tuple[object, str, str]:
    """(id, title, text) of one input line; ValueError says what is wrong with it."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(item, dict):
        raise ValueError("not a JSON object {id, title, text}")
    title, text = item.get("title") or "", item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("'text' is missing or empty")
    if not isinstance(title, str):
        raise ValueError("'title' is not a string")
    return item.get("id"), title, text


def verdict_record(item_id: object, verdict: Verdict) -> dict:
    """The output line for one input: id, status, duplicate_of, new text, what it partly repeats, changed figures."""
    record: dict = {
        "id": item_id,
        "status": verdict.status,
        "duplicate_of": asdict(verdict.duplicate_of) if verdict.duplicate_of else None,
        "new_chars": verdict.new_chars,
        "new_share": verdict.new_share,
    }
    if verdict.partly_repeats:
        record["partly_repeats"] = asdict(verdict.partly_repeats)
    if verdict.changes:
        record["changes"] = [asdict(change) for change in verdict.changes]
    return record


@contextmanager
def _input(name: str) -> Iterator[TextIO]:
    if name == "-":
        sys.stdin.reconfigure(encoding="utf-8")
        yield sys.stdin
    else:
        with open(name, encoding="utf-8-sig") as f:
            yield f


def run(config: Config, args: argparse.Namespace) -> int:
    """Check every input line against the seeds and the stored articles; 1 if some lines were bad."""
    name = getattr(args, "file", None) or "-"
    try:
        index = open_index(config)
    except SeedError as exc:
        print(f"portalwatch check: seeds: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except SQLAlchemyError as exc:
        print(f"portalwatch check: database {config.database}: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    sys.stdout.reconfigure(encoding="utf-8")
    bad = 0
    try:
        with _input(name) as lines:
            for n, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    item_id, title, text = parse_line(line)
                except ValueError as exc:
                    bad += 1
                    print(f"portalwatch check: {name} line {n}: {exc}", file=sys.stderr)
                    print(json.dumps({"id": _id_of(line), "line": n, "error": str(exc)}, ensure_ascii=False))
                    continue
                record = verdict_record(item_id, index.check(title, text))
                print(json.dumps(record, ensure_ascii=False))
    except OSError as exc:
        print(f"portalwatch check: {name}: cannot read ({exc.strerror})", file=sys.stderr)
        return EXIT_UNUSABLE
    except UnicodeDecodeError as exc:
        print(f"portalwatch check: {name}: not UTF-8 text ({exc.reason})", file=sys.stderr)
        return EXIT_UNUSABLE
    return EXIT_BAD_INPUT if bad else 0


def _id_of(line: str) -> object:
    """The id of a bad input line when it can still be read, so the output names it."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError:
        return None
    return item.get("id") if isinstance(item, dict) else None
