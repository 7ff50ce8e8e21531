"""Matching reports filed outside a server process (``trucewatch report file``), at once.

The command line has no matcher thread: once its filing has committed, it marks the new
reports as waiting and drains them itself (``matcher.drain``, the server's path), so that a
failure leaves them waiting for the next drain or ``trucewatch correlate run --report ID``,
and never loses or rolls back the filing.
"""

from __future__ import annotations

from collections.abc import Sequence

from trucewatch.correlation.matcher import drain, logger, mark
from trucewatch.correlation.service import Outcome
from trucewatch.storage import Store


def match_filed(store: Store, report_ids: Sequence[int]) -> dict[int, Outcome | None]:
    """Match newly filed reports against the store: each one's outcome (the outcome of the
    batch it was matched in), or None if it failed or could not be marked."""
    ids = sorted(set(report_ids))
    if not ids:
        return {}
    try:
        with store.session() as session:
            mark(session, ids)
        done = drain(store, report_ids=ids)
    except Exception:  # the store could not be read: the filing is stored; say so
        logger.exception("matching reports %s after their filing failed; they are stored. "
                         "Retry with: trucewatch correlate run --report ID", ids)
        return {i: None for i in ids}
    return {i: done.matched.get(i) for i in ids}
