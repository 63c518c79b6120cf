"""CSV cells that a spreadsheet shows as text, never runs: every CSV the product writes
goes through :func:`writer` or :func:`dict_writer`.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets (``=cmd|' /C calc'!A0``, ``=HYPERLINK(...)``); a
business group or ethnicity typed that way into an HR system would run on the laptop of
whoever opens the report. Such a cell gets a leading ``'`` (OWASP's advice), which the
spreadsheet shows as text. :func:`restore` undoes it exactly, so the import reads back
what the export wrote; a cell that starts with ``'`` by itself is escaped too, so that
round trip never loses or adds a quote.

>>> [neutralise(v) for v in ["=2+3", "+x", "-2+3", "@x", "\\tx", "Ann", "'=x", "'Ann", ""]]
["'=2+3", "'+x", "'-2+3", "'@x", "'\\tx", 'Ann', "''=x", "'Ann", '']
>>> all(restore(neutralise(v)) == v for v in ["=2+3", "'=x", "''=x", "'Ann", "x"])
True

Numbers are written as they are (``-0.5`` stays a number); only text is neutralised.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

__all__ = ["TRIGGERS", "dict_writer", "needs_quote", "neutralise", "restore", "writer"]

#: The first characters that make a cell a formula.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def needs_quote(text: str) -> bool:
    """True if ``text`` would run as a formula, or is an escaped one already (``'=x``),
    which the quote keeps apart from a formula escaped once."""
    if text.startswith(TRIGGERS):
        return True
    return text.startswith("'") and needs_quote(text[1:])


def neutralise(value: Any) -> Any:
    """``value`` safe for a CSV cell: text that would run gets a leading ``'``."""
    if isinstance(value, str) and needs_quote(value):
        return "'" + value
    return value


def restore(text: str) -> str:
    """What :func:`neutralise` was given: the leading ``'`` it added taken off again."""
    if text.startswith("'") and needs_quote(text[1:]):
        return text[1:]
    return text


class _Writer:
    """``csv.writer`` with every cell neutralised."""

    def __init__(self, out: TextIO, **kwargs: Any):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class _DictWriter(csv.DictWriter):  # type: ignore[type-arg]  # generic in typeshed only
    """``csv.DictWriter`` with every value (and the header) neutralised."""

    def writeheader(self) -> Any:
        return self.writer.writerow([neutralise(f) for f in self.fieldnames])

    def _dict_to_list(self, rowdict: Mapping[str, Any]) -> Any:
        return [neutralise(v) for v in super()._dict_to_list(rowdict)]  # type: ignore[misc]


def writer(out: TextIO, **kwargs: Any) -> _Writer:
    """A ``csv.writer`` whose cells never run in a spreadsheet."""
    return _Writer(out, **kwargs)


def dict_writer(out: TextIO, fieldnames: Sequence[str], **kwargs: Any) -> _DictWriter:
    """A ``csv.DictWriter`` whose cells never run in a spreadsheet."""
    return _DictWriter(out, fieldnames, **kwargs)
