"""Classification quality over the labelled set: kind, district, headline amount, policy title, doc number.

Usage: .venv/bin/python bench/classify_quality.py [labelled.jsonl]

data/classify_labelled.jsonl (the default) is the set the rules were developed on: seed sections and
hand-written articles. data/classify_heldout.jsonl was written after that, to see how the rules do on
text they were not tuned to; run it by naming it.

Each line of the labelled set holds title, text, an optional district_hint and the expected kind,
districts (as a set), headline amount ({yi, currency} or null), policies and doc_numbers (as sets).
Expected strings are compared after the same Simplified/NFKC normalisation the classifier applies.
Prints the five accuracies and every failure; exits 1 when one is below its target.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portalwatch.classify import classify  # noqa: E402
from portalwatch.classify.documents import extract_doc_numbers  # noqa: E402
from portalwatch.models import Classification  # noqa: E402
from portalwatch.textnorm import to_simplified  # noqa: E402

DEFAULT_SET = Path(__file__).parent / "data" / "classify_labelled.jsonl"
TARGET = 0.95


def _headline(c: Classification) -> dict | None:
    return {"yi": c.amounts[0].yi, "currency": c.amounts[0].currency} if c.amounts else None


def _same_headline(found: dict | None, expected: dict | None) -> bool:
    if found is None or expected is None:
        return found is expected
    return found["currency"] == expected["currency"] and abs(found["yi"] - expected["yi"]) < 1e-6


def _checks(item: dict, c: Classification) -> dict[str, tuple[bool, object, object]]:
    """Per field: (correct, found, expected)."""
    policies = {to_simplified(p) for p in item["policies"]}
    numbers = {n for raw in item["doc_numbers"] for n in extract_doc_numbers("", to_simplified(raw))}
    headline = _headline(c)
    return {
        "kind": (c.kind == item["kind"], c.kind, item["kind"]),
        "district": (set(c.districts) == set(item["districts"]), c.districts, item["districts"]),
        "headline amount": (_same_headline(headline, item["headline"]), headline, item["headline"]),
        "policy title": (set(c.policies) == policies, c.policies, sorted(policies)),
        "doc number": (set(c.doc_numbers) == numbers, c.doc_numbers, sorted(numbers)),
    }


def main(path: Path = DEFAULT_SET) -> int:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    results = [(item, _checks(item, classify(item["title"], item["text"], item.get("district_hint"))))
               for item in items]
    elapsed = time.perf_counter() - started
    fields = list(results[0][1])
    print(f"labelled set: {path.name}, {len(items)} articles "
          f"({sum(i['source'] == 'seeds' for i in items)} seed sections, "
          f"{sum(i['source'] == 'hand' for i in items)} hand-written)")
    print(f"classify: {elapsed / len(items) * 1000:.1f} ms per article")
    below = False
    for field in fields:
        right = sum(checks[field][0] for _, checks in results)
        accuracy = right / len(results)
        below |= accuracy < TARGET
        print(f"{field + ' accuracy':<26} {accuracy:.3f}  ({right}/{len(results)}, target {TARGET})")
    print("\nfailures:" if any(not ok for _, c in results for ok, *_ in c.values()) else "\nno failures")
    for item, checks in results:
        for field, (ok, found, expected) in checks.items():
            if not ok:
                print(f"  {item['id']:<14} {field:<16} found {found!r} expected {expected!r}  | {item['title'][:40]}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SET))
