"""Exact containment of one text's shingles in another's."""

from __future__ import annotations

import numpy as np


def containment(query: np.ndarray, known: np.ndarray) -> float:
    """Share of the distinct `query` shingles (sorted, unique) that occur in `known`."""
    if len(query) == 0:
        return 0.0
    return float(np.isin(query, known, assume_unique=False).mean())
