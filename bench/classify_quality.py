"""Classification quality per field over a labelled set.

Usage: .venv/bin/python bench/classify_quality.py [labelled.jsonl ...] [--show-failures]

Sets (bench/data/):
- classify_holdout.jsonl (the default): 82 articles written in the portals' style and labelled by hand, split
  from one set of 164 by the first byte of sha1(id) before any rule was changed, and never read while tuning.
  Its failures are not printed unless --show-failures is given: only its figures are reported.
- classify_tune.jsonl: the other 82 of that set, and 20 written later (t2xx) for the variety of kinds; rules may
  be checked against it (failures printed).
- classify_labelled.jsonl: the older development set (seed sections and hand-written articles). Its headline
  labels follow an earlier definition (the first figure, totals of many projects included), so its headline
  is not scored.

Each line holds title, text, an optional hint (the portal's district) and meta (the xxgk table: 发布机构, 文号,
成文日期 ...), and the expected kind, districts (a set), headline (亿 of CNY as a number, [亿, currency], or
{yi, currency}; null when no single project's own investment is named), and, where labelled, projects, stage,
policies and doc_numbers (sets) and issuer (the first issuer; scored only where it is not null).
Expected strings are compared after the same Simplified/NFKC normalisation the classifier applies. Project names
match when one contains the other; every expected name must be found and every found name expected.
Prints the accuracy per field; exits 1 when kind, district, headline amount or doc number is below its target.
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

DATA = Path(__file__).parent / "data"
DEFAULT_SET = DATA / "classify_holdout.jsonl"
TARGETS = {"kind": 0.95, "district": 0.95, "headline amount": 0.95, "doc number": 0.98}


def _expected_headline(label: object) -> dict | None:
    if label is None:
        return None
    if isinstance(label, (int, float)):
        return {"yi": float(label), "currency": "CNY"}
    if isinstance(label, list):
        return {"yi": float(label[0]), "currency": label[1]}
    return {"yi": float(label["yi"]), "currency": label["currency"]}


def _headline(c: Classification) -> dict | None:
    first = c.amounts[0] if c.amounts else None
    return {"yi": first.yi, "currency": first.currency} if first and first.own else None


def _same_headline(found: dict | None, expected: dict | None) -> bool:
    if found is None or expected is None:
        return found is expected
    return found["currency"] == expected["currency"] and abs(found["yi"] - expected["yi"]) < 1e-6


def _same_names(found: list[str], expected: list[str]) -> bool:
    """Every expected name found and every found name expected, one containing the other."""
    def close(a: str, b: str) -> bool:
        return a in b or b in a
    return (all(any(close(e, f) for f in found) for e in expected)
            and all(any(close(f, e) for e in expected) for f in found))


def _checks(item: dict, c: Classification) -> dict[str, tuple[bool, object, object]]:
    """Per field: (correct, found, expected); fields the item does not label are left out."""
    numbers = {n for raw in item["doc_numbers"] for n in extract_doc_numbers("", to_simplified(raw))}
    policies = {to_simplified(p) for p in item["policies"]}
    headline, expected = _headline(c), _expected_headline(item["headline"])
    checks = {
        "kind": (c.kind == item["kind"], c.kind, item["kind"]),
        "district": (set(c.districts) == set(item["districts"]), c.districts, item["districts"]),
        "policy title": (set(c.policies) == policies, c.policies, sorted(policies)),
        "doc number": (set(c.doc_numbers) == numbers, c.doc_numbers, sorted(numbers)),
    }
    if "source" not in item:  # the older set labels the first figure, totals included: another definition
        checks["headline amount"] = (_same_headline(headline, expected), headline, expected)
    if "projects" in item and item["kind"] == "project":
        names = [to_simplified(p) for p in item["projects"]]
        checks["project names"] = (_same_names(c.projects, names), c.projects, names)
    if "stage" in item and item["kind"] == "project":
        checks["stage"] = (c.stage == item["stage"], c.stage, item["stage"])
    if item.get("issuer"):
        issuer = c.issuers[0] if c.issuers else None
        checks["issuer"] = (issuer == to_simplified(item["issuer"]), issuer, item["issuer"])
    return checks


def _classify(item: dict) -> Classification:
    return classify(item["title"], item["text"], item.get("hint", item.get("district_hint")), item.get("meta"))


def run(path: Path, show_failures: bool) -> bool:
    """Print the figures of one set; True when every target is met."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    results = [(item, _checks(item, _classify(item))) for item in items]
    elapsed = time.perf_counter() - started
    kinds = {k: sum(i["kind"] == k for i in items) for k in ("project", "policy", "other")}
    print(f"labelled set: {path.name}, {len(items)} articles "
          f"({kinds['project']} project, {kinds['policy']} policy, {kinds['other']} other)")
    print(f"classify: {elapsed / len(items) * 1000:.1f} ms per article")
    met = True
    fields = dict.fromkeys(field for _, checks in results for field in checks)
    for field in fields:
        scored = [checks[field][0] for _, checks in results if field in checks]
        accuracy = sum(scored) / len(scored)
        target = TARGETS.get(field)
        met &= target is None or accuracy >= target
        goal = f", target {target}" if target else ""
        print(f"{field + ' accuracy':<26} {accuracy:.3f}  ({sum(scored)}/{len(scored)}{goal})")
    failures = [(item, field, found, expected) for item, checks in results
                for field, (ok, found, expected) in checks.items() if not ok]
    if not show_failures:
        print(f"{len(failures)} failures (held-out set: not shown)\n")
        return met
    print("\nfailures:" if failures else "\nno failures")
    for item, field, found, expected in failures:
        print(f"  {item['id']:<14} {field:<16} found {found!r} expected {expected!r}  | {item['title'][:40]}")
    print()
    return met


def main(argv: list[str]) -> int:
    show = "--show-failures" in argv
    paths = [Path(a) for a in argv if not a.startswith("--")] or [DEFAULT_SET]
    met = True
    for path in paths:
        met &= run(path, show or "holdout" not in path.name)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
