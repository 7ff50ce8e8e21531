"""From scored pairs to groups: pairs above the link threshold join, strongest first, unless
the two groups hold a pair that scored below the review threshold ("cannot link")."""

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


def components(n: int, i: I64, j: I64) -> I64:
    """The connected component of each row in the graph of edges (i, j): the smallest row
    in it (min-label propagation with pointer jumping, vectorised)."""
    label = np.arange(n, dtype=np.int64)
    while True:
        low = np.minimum(label[i], label[j])
        before = label.copy()
        np.minimum.at(label, i, low)
        np.minimum.at(label, j, low)
        while True:  # pointer jumping: every row points at its label's label
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped
        if np.array_equal(label, before):
            return label


def groups(n: int, i: I64, j: I64, score: F64, threshold: float,
           apart: float | None = None) -> I64:
    """A group label per row: pairs scoring ≥ ``threshold`` join their groups, strongest
    first; with ``apart``, two groups holding a pair that scored below it stay apart (a
    pair the score would not even queue is never joined through others)."""
    par = list(range(n))
    cannot: dict[int, set[int]] = {}
    keep = score >= threshold
    if apart is not None:
        # Only reports that links would put in one group can be kept apart: the low pairs
        # within one connected component of the links (most low pairs are not).
        component = components(n, i[keep], j[keep])
        low = (score < apart) & (component[i] == component[j])
        for a, b in zip(i[low].tolist(), j[low].tolist(), strict=True):
            cannot.setdefault(a, set()).add(b)
            cannot.setdefault(b, set()).add(a)

    def root(x: int) -> int:
        while par[x] != x:
            par[x] = par[par[x]]
            x = par[x]
        return x

    order = np.argsort(-score[keep], kind="stable")
    for a, b in zip(i[keep][order].tolist(), j[keep][order].tolist(), strict=True):
        ra, rb = root(a), root(b)
        if ra == rb:
            continue
        ca, cb = cannot.get(ra, set()), cannot.get(rb, set())
        if any(root(x) == rb for x in ca) or any(root(x) == ra for x in cb):
            continue
        low_root, high_root = min(ra, rb), max(ra, rb)
        par[high_root] = low_root
        if ca or cb:
            cannot[low_root] = ca | cb
    return np.array([root(x) for x in range(n)], dtype=np.int64)
