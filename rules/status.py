"""Statuses in words and symbols: the one table every view uses (CLI, web, diagrams).

A status is never shown by colour alone: each has a symbol and a word, and the views add
colour on top. Keeping the table here, beside :class:`~rules.decision.Status`, means a
new status is a KeyError in every view's test rather than a silent blank.

>>> STATUS_WORDS[Status.ELIGIBLE_FROM], STATUS_SYMBOLS[Status.LAPSED]
('eligible from', '!')
>>> status_words(StageDecision(pathway="p", pathway_name="P", stage="s", name="S",
...     status=Status.ELIGIBLE_FROM, eligible_from="2025-02-01"))
'eligible from 2025-02-01'
>>> status_words(StageDecision(pathway="p", pathway_name="P", stage="s", name="S",
...     status=Status.LAPSED, lapsed_on="2024-01-31"))
'lapsed on 2024-01-31'
"""

from __future__ import annotations

from typing import assert_never

from .decision import ObligationDecision, ObligationStatus, StageDecision, Status

__all__ = [
    "OBLIGATION_MEANINGS",
    "OBLIGATION_SYMBOLS",
    "OBLIGATION_WORDS",
    "STATUS_MEANINGS",
    "STATUS_SYMBOLS",
    "STATUS_WORDS",
    "obligation_words",
    "status_words",
]

#: The status as a word (without its date).
STATUS_WORDS: dict[Status, str] = {
    Status.HELD: "held",
    Status.ELIGIBLE: "eligible",
    Status.ELIGIBLE_FROM: "eligible from",
    Status.LAPSED: "lapsed",
    Status.NOT_ELIGIBLE: "not eligible",
}

#: A symbol for each status, distinct in shape so that it reads without colour.
STATUS_SYMBOLS: dict[Status, str] = {
    Status.HELD: "●",
    Status.ELIGIBLE: "✔",
    Status.ELIGIBLE_FROM: "◷",
    Status.LAPSED: "!",
    Status.NOT_ELIGIBLE: "✘",
}

#: What each status means, for keys and legends.
STATUS_MEANINGS: dict[Status, str] = {
    Status.HELD: "the record shows it",
    Status.ELIGIBLE: "every requirement is met now",
    Status.ELIGIBLE_FROM: "only time is missing",
    Status.LAPSED: "held, but no longer current",
    Status.NOT_ELIGIBLE: "a requirement is not met",
}


def status_words(stage: StageDecision) -> str:
    """The status in words, with its date: 'eligible from 2025-03-01', 'lapsed on ...'."""
    words = STATUS_WORDS[stage.status]
    match stage.status:
        case Status.ELIGIBLE_FROM:
            return f"{words} {stage.eligible_from}"
        case Status.LAPSED:
            return f"{words} on {stage.lapsed_on}" if stage.lapsed_on else words
        case Status.HELD | Status.ELIGIBLE | Status.NOT_ELIGIBLE:
            return words
        case _:
            assert_never(stage.status)


#: An obligation's status as a word (without its date).
OBLIGATION_WORDS: dict[ObligationStatus, str] = {
    ObligationStatus.OVERDUE: "overdue",
    ObligationStatus.DUE: "due",
    ObligationStatus.MET: "met",
}

#: A symbol for each obligation status, distinct in shape (and from the stages' symbols).
OBLIGATION_SYMBOLS: dict[ObligationStatus, str] = {
    ObligationStatus.OVERDUE: "‼",
    ObligationStatus.DUE: "⏲",
    ObligationStatus.MET: "☑",
}

#: What each obligation status means, for keys and legends.
OBLIGATION_MEANINGS: dict[ObligationStatus, str] = {
    ObligationStatus.OVERDUE: "it applies to you and its date has passed",
    ObligationStatus.DUE: "it applies to you: meet it by the date",
    ObligationStatus.MET: "it applies to you and is met",
}


def obligation_words(obligation: ObligationDecision) -> str:
    """The status in words, with its date.

    >>> import datetime as dt
    >>> o = ObligationDecision(pathway="fsl", pathway_name="FSL", obligation="o", name="O",
    ...     text="O", owner="person", status="overdue", due_by=dt.date(2013, 6, 30))
    >>> obligation_words(o)
    'overdue: it was due by 2013-06-30'
    >>> obligation_words(o.model_copy(update={"status": ObligationStatus.MET,
    ...     "met_until": dt.date(2015, 1, 31)}))
    'met until 2015-01-31'
    """
    words = OBLIGATION_WORDS[obligation.status]
    match obligation.status:
        case ObligationStatus.OVERDUE:
            return f"{words}: it was due by {obligation.due_by}" if obligation.due_by else words
        case ObligationStatus.DUE:
            return f"{words} by {obligation.due_by}" if obligation.due_by else words
        case ObligationStatus.MET:
            return f"{words} until {obligation.met_until}" if obligation.met_until else words
        case _:
            assert_never(obligation.status)
