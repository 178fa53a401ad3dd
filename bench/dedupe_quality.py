"""Dedupe quality on the labelled set: thresholds chosen on the tuning half, figures on the held-out half.

Cases are met in file order as a crawl meets them: every page counts towards its portal's learned
boilerplate (a real SQLite store), and a case with a `url` that is judged new is stored (joins the
index), so later copies must name that URL. A duplicate naming the wrong source counts as a miss
(and as a false alarm). For a seed, the source must be the right seed file and, in a file of
several articles, the article holding the case's anchor passage.

The decision thresholds (`policy.Thresholds`) are swept on the `tune` half; the best setting is
printed beside the one `policy.py` uses, and precision and recall per case type are reported on the
`test` half with the product's setting.

    .venv/bin/python bench/make_dedupe_set.py        # rebuild the set (needs ../shared/real-pages)
    .venv/bin/python bench/dedupe_quality.py [--verbose]   # builds the set first if it is missing
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from itertools import product
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portalwatch.dedupe import DedupeIndex, seed_source  # noqa: E402
from portalwatch.dedupe.boilerplate import Boilerplate  # noqa: E402
from portalwatch.dedupe.decision import Assessment, decide  # noqa: E402
from portalwatch.dedupe.policy import NewTextRule, Thresholds  # noqa: E402
from portalwatch.seeds import load_seeds  # noqa: E402
from portalwatch.storage import Store  # noqa: E402
from portalwatch.textnorm import normalize  # noqa: E402

LABELLED = Path(__file__).resolve().parent / "data" / "dedupe_labelled.jsonl"
DUPLICATE_GRID = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)
SHORT_GRID = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def run_cases(cases: list[dict], folder: Path) -> list[tuple[dict, Assessment]]:
    """Each case with what the index measured for it, met in order (stored cases join the index)."""
    seeds = load_seeds(ROOT / "seeds")
    index = DedupeIndex.open(folder / "dedupe", seeds)
    learner = Boilerplate(Store(f"sqlite:///{folder / 'bench.db'}"))
    out = []
    for case in cases:
        learned = learner.observe(case["portal"], case["text"])
        assessment = index.assess(case["title"], case["text"], learned)
        out.append((case, assessment))
        verdict = decide(assessment, index.rule, index.thresholds)
        if case.get("url") and verdict.status == "new":
            index.add(case["url"], case["title"], case["text"], learned=learned)
    return out


class Judge:
    """Whether a verdict names the case's expected source."""

    def __init__(self) -> None:
        self.seed_text = {seed_source(s): normalize(s.text) for s in load_seeds(ROOT / "seeds")}
        self.per_file: dict[str, int] = defaultdict(int)
        for source in self.seed_text:
            self.per_file[source.split("#")[0]] += 1

    def right_source(self, case: dict, said: str | None) -> bool:
        expected = case["source"]
        if said is None or expected is None:
            return False
        if not expected.startswith("seeds/"):
            return said == expected
        if said.split("#")[0] != expected:
            return False
        return self.per_file[expected] == 1 or case.get("anchor", "").lower() in self.seed_text.get(said, "")


def outcomes(results, judge: Judge, rule: NewTextRule, thresholds: Thresholds) -> list[tuple[dict, str, bool]]:
    """(case, status said, correct) for every case."""
    out = []
    for case, assessment in results:
        verdict = decide(assessment, rule, thresholds)
        said = verdict.duplicate_of.source if verdict.duplicate_of else None
        if case["expect"] == "new":
            correct = verdict.status == "new"
        else:
            correct = verdict.status == "duplicate" and judge.right_source(case, said)
        out.append((case, verdict.status, correct))
    return out


def precision_recall(rows: list[tuple[dict, str, bool]]) -> tuple[float, float, int, int, int]:
    tp = sum(c["expect"] == "duplicate" and ok for c, _, ok in rows)
    fp = sum(said == "duplicate" and not (c["expect"] == "duplicate" and ok) for c, said, ok in rows)
    fn = sum(c["expect"] == "duplicate" and not ok for c, _, ok in rows)
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0), tp, fp, fn


def tune(results, judge: Judge, rule: NewTextRule) -> tuple[Thresholds, float, list[Thresholds]]:
    """The setting with the most correct tuning-half cases (ties: the middle of the tied range of each)."""
    tuning = [r for r in results if r[0]["half"] == "tune"]
    scored = []
    for duplicate, short in product(DUPLICATE_GRID, SHORT_GRID):
        if short < duplicate:
            continue
        thresholds = Thresholds(duplicate=duplicate, short=short)
        right = sum(ok for _, _, ok in outcomes(tuning, judge, rule, thresholds))
        scored.append((right, thresholds))
    best = max(r for r, _ in scored)
    tied = [t for r, t in scored if r == best]
    duplicates = sorted({t.duplicate for t in tied})
    duplicate = duplicates[(len(duplicates) - 1) // 2]
    shorts = sorted(t.short for t in tied if t.duplicate == duplicate)
    return Thresholds(duplicate=duplicate, short=shorts[(len(shorts) - 1) // 2]), best / len(tuning), tied


def report(results, judge: Judge, verbose: bool) -> None:
    rule, thresholds = NewTextRule(), Thresholds()
    chosen, accuracy, tied = tune(results, judge, rule)
    ranges = [f"{d}: {','.join(str(t.short) for t in tied if t.duplicate == d)}"
              for d in sorted({t.duplicate for t in tied})]
    print("tuning half: equally good settings (duplicate: short values): " + "; ".join(ranges))
    print(f"tuning half: best setting duplicate={chosen.duplicate} short={chosen.short} "
          f"({accuracy:.4f} of its cases right); policy.py uses duplicate={thresholds.duplicate} "
          f"short={thresholds.short}" + ("" if chosen == thresholds else "  <-- DIFFERENT"))
    rows = outcomes(results, judge, rule, thresholds)
    for name in ("tune", "test"):
        part = [r for r in rows if r[0]["half"] == name]
        p, r, tp, fp, fn = precision_recall(part)
        print(f"{name:4} half, {len(part)} cases: precision {p:.4f} recall {r:.4f} (tp {tp}, fp {fp}, fn {fn})")
    held = [r for r in rows if r[0]["half"] == "test"]
    print(f"\nheld-out half by case type (policy.py's setting):\n{'case type':12} {'expect':9} {'cases':>5} "
          f"{'right':>5} {'rate':>6}")
    by_type: dict[tuple[str, str], list] = defaultdict(list)
    for row in held:
        by_type[row[0]["case"], row[0]["expect"]].append(row)
    for (case, expect), group in by_type.items():
        right = sum(ok for _, _, ok in group)
        print(f"{case:12} {expect:9} {len(group):5} {right:5} {right / len(group):6.3f}")
    wrong = [(c, said) for c, said, ok in rows if not ok]
    print(f"\nwrong: {len(wrong)} of {len(rows)}")
    assessments = {id(case): a for case, a in results}
    for case, said in wrong if verbose else wrong[:12]:
        a = assessments[id(case)]
        best = max(a.candidates, key=lambda c: c[0].score, default=None)
        detail = (f"best {best[1].source} score {best[0].score:.3f} contained {best[0].contained:.3f} "
                  f"contains {best[0].contains:.3f} shared {best[0].shared}" if best else "no candidate")
        print(f"  {case['id']} ({case['half']}): expected {case['expect']} {case['source']}, said {said};"
              f" new {a.new_chars}/{a.length}; {detail}")


def load_cases(path: Path = LABELLED) -> list[dict]:
    """The labelled set, built first (by its own script, from ../shared) when it is not there."""
    if not path.exists():
        subprocess.run([sys.executable, str(Path(__file__).with_name("make_dedupe_set.py")), "--out", str(path)],
                       check=True)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every wrong case")
    args = parser.parse_args()
    cases = load_cases()
    with tempfile.TemporaryDirectory() as tmp:
        results = run_cases(cases, Path(tmp))
    report(results, Judge(), args.verbose)


if __name__ == "__main__":
    main()
