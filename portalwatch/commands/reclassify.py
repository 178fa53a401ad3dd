"""`portalwatch reclassify`: run `classify` again over every stored article and store what changed."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from portalwatch.classify import classify
from portalwatch.config import Config
from portalwatch.storage import Store, classification_values

EXIT_FAILED = 1


def run(config: Config, args: argparse.Namespace) -> int:
    """Reclassify every stored article; print how many changed and which could not be classified."""
    store = Store(config.database)
    hints = {portal.name: portal.district for portal in config.portals}
    rows = [dict(row) for row in store.iter_articles()]
    tables = store.article_metadata()
    changed: Counter[str] = Counter()
    failed = 0
    for row in rows:
        try:
            facts = classify(row["title"], row["text"], hints.get(row["portal"]), tables.get(row["id"]))
        except Exception as exc:  # one bad article must not stop the others; say which one it was
            failed += 1
            print(f"portalwatch: reclassify: article {row['id']} ({row['portal']}, {row['url']}): {exc}",
                  file=sys.stderr)
            continue
        new = classification_values(facts)
        fields = [name for name, value in new.items() if row[name] != value]
        if fields:
            store.update_classification(row["id"], facts)
            changed.update(fields)
            changed["articles"] += 1
    detail = ", ".join(f"{name} {n}" for name, n in sorted(changed.items()) if name != "articles")
    print(f"reclassified {len(rows) - failed} of {len(rows)} articles: {changed['articles']} changed"
          + (f" ({detail})" if detail else ""))
    return EXIT_FAILED if failed else 0
