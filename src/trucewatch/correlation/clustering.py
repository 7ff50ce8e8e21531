"""From scored pairs to groups: pairs above the link threshold join, strongest first."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from trucewatch.correlation.tuning import Tuning

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


def decide(score: float, tuning: Tuning) -> str | None:
    """'link' above the high threshold, 'review' between the two, else None."""
    if score >= tuning.link_threshold:
        return "link"
    if score >= tuning.review_threshold:
        return "review"
    return None


def groups(n: int, i: I64, j: I64, score: F64, threshold: float) -> I64:
    """A group label per row: union-find over the pairs scoring ≥ ``threshold``."""
    parent = np.arange(n, dtype=np.int64)
    keep = score >= threshold
    order = np.argsort(-score[keep], kind="stable")
    li, lj = i[keep][order].tolist(), j[keep][order].tolist()
    par = parent.tolist()

    def root(x: int) -> int:
        while par[x] != x:
            par[x] = par[par[x]]
            x = par[x]
        return x

    for a, b in zip(li, lj, strict=True):
        ra, rb = root(a), root(b)
        if ra != rb:
            par[max(ra, rb)] = min(ra, rb)
    return np.array([root(x) for x in range(n)], dtype=np.int64)
