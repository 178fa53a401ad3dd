"""Dedupe quality on the labelled set: precision and recall overall and per case type.

Cases are checked in file order as a crawl would meet them: every case with a `url` is stored
(added to the index) after its check, so later copies of it must name that URL. A duplicate
verdict naming the wrong source counts as a miss. Also prints how the decision would change with
other containment thresholds (the justification of `policy.DUPLICATE_CONTAINMENT`).

    .venv/bin/python bench/dedupe_quality.py [--verbose]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portalwatch.dedupe import DedupeIndex  # noqa: E402
from portalwatch.dedupe.policy import DUPLICATE_CONTAINMENT  # noqa: E402
from portalwatch.seeds import load_seeds  # noqa: E402

LABELLED = Path(__file__).resolve().parent / "data" / "dedupe_labelled.jsonl"
SWEEP = (0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8)


def run_cases(index: DedupeIndex, cases: list[dict]) -> list[dict]:
    """Each case with the verdict, the closest known document and its score."""
    results = []
    for case in cases:
        verdict = index.check(case["title"], case["text"])
        closest = index.closest(case["title"], case["text"])
        results.append({
            **case,
            "got": verdict.status,
            "got_source": verdict.duplicate_of.source if verdict.duplicate_of else None,
            "closest": closest.source if closest else None,
            "score": closest.score if closest else 0.0,
            "changes": [(c.known, c.found) for c in verdict.changes],
        })
        if case.get("url"):
            index.add(case["url"], case["title"], case["text"])
    return results


def confusion(results: list[dict], threshold: float | None = None) -> tuple[int, int, int, int]:
    """(true pos, false pos, false neg, true neg) with duplicate as the positive class."""
    tp = fp = fn = tn = 0
    for r in results:
        if threshold is None:
            said_dup, source = r["got"] == "duplicate", r["got_source"]
        else:
            said_dup, source = r["score"] >= threshold, r["closest"]
        if r["expect"] == "duplicate":
            if said_dup and source == r["source"]:
                tp += 1
            else:
                fn += 1
                fp += said_dup  # a duplicate of the wrong document is also a false alarm
        else:
            fp += said_dup
            tn += not said_dup
    return tp, fp, fn, tn


def ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def report(results: list[dict], verbose: bool) -> None:
    by_case: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        by_case[r["case"]].append(r)
    print(f"{'case type':20} {'cases':>5} {'correct':>7} {'rate':>6} {'score min':>9} {'score max':>9}")
    for case, rows in by_case.items():
        right = sum(
            (r["got"] == r["expect"]) and (r["expect"] == "new" or r["got_source"] == r["source"]) for r in rows
        )
        scores = [r["score"] for r in rows]
        print(f"{case:20} {len(rows):5} {right:7} {right / len(rows):6.3f} {min(scores):9.3f} {max(scores):9.3f}")
    tp, fp, fn, tn = confusion(results)
    print(f"\nall {len(results)} cases: precision {ratio(tp, tp + fp):.4f}  recall {ratio(tp, tp + fn):.4f}"
          f"  (tp {tp}, fp {fp}, fn {fn}, tn {tn}; threshold {DUPLICATE_CONTAINMENT})")
    expected = [(r, old, new) for r in results for old, new in r.get("figures", [])]
    found = sum(any(k.startswith(old) and f.startswith(new) for k, f in r["changes"]) for r, old, new in expected)
    spurious = sum(len(r["changes"]) for r in results if r["expect"] == "duplicate" and not r.get("figures")
                   and r["case"] not in ("edited", "cross_portal"))
    print(f"changed figures reported: {found}/{len(expected)}; figures reported for copies without"
          f" changed figures: {spurious}")
    print("\nthreshold sweep (containment of the query in its closest known document):")
    for t in SWEEP:
        tp, fp, fn, _ = confusion(results, t)
        print(f"  {t:4.2f}: precision {ratio(tp, tp + fp):.4f}  recall {ratio(tp, tp + fn):.4f}")
    dup = [r["score"] for r in results if r["expect"] == "duplicate"]
    new = [r["score"] for r in results if r["expect"] == "new"]
    print(f"lowest duplicate score {min(dup):.3f}; highest new score {max(new):.3f}")
    wrong = [r for r in results if r["got"] != r["expect"] or (r["expect"] == "duplicate"
                                                                and r["got_source"] != r["source"])]
    for r in wrong if verbose else wrong[:10]:
        print(f"  WRONG {r['id']}: expected {r['expect']} {r['source']}, got {r['got']} {r['got_source']}"
              f" (closest {r['closest']} {r['score']:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every wrong case")
    args = parser.parse_args()
    cases = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as cache:
        index = DedupeIndex.open(Path(cache), load_seeds(ROOT / "seeds"))
        report(run_cases(index, cases), args.verbose)


if __name__ == "__main__":
    main()
