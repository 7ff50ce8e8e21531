"""Matching reports right after their filing commits, each in a transaction of its own.

The faces that file reports (the API, the web form, ``trucewatch report file``) call
:func:`match_filed` once the filing is stored. A failure to correlate is logged (with the
command that retries it) and never loses or rolls back the report; the next pass or
``trucewatch correlate run --report ID`` picks it up.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from trucewatch.correlation.service import Outcome, match_report
from trucewatch.storage import Store

logger = logging.getLogger("trucewatch.correlation")


def match_filed(store: Store, report_ids: Sequence[int]) -> dict[int, Outcome | None]:
    """Match each newly filed report against the store: its outcome, or None if it failed."""
    done: dict[int, Outcome | None] = {}
    for report_id in report_ids:
        try:
            with store.session() as session:
                outcome = match_report(session, report_id=report_id)
        except Exception:  # any failure: the filing is stored; say so and go on
            logger.exception("matching report %s after its filing failed; it is stored. Retry "
                             "with: trucewatch correlate run --report %s", report_id, report_id)
            done[report_id] = None
            continue
        logger.info("report %s matched after filing: %d pairs scored, linked %s, queued %s",
                    report_id, outcome.scored, outcome.linked, outcome.queued,
                    extra={"outcome": outcome.as_dict()})
        done[report_id] = outcome
    return done
