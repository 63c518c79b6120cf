"""Naming a goal: a stage found by the words a person would use for it.

A goal may be written as its key (``pip.level_3``), its id when only one pathway has it
(``spnac``), or words from its name: "Superintendent", "PIP level 3", "Detective
inspector", "Senior PNAC" (an abbreviation matches the initials of the words it stands
for: PNAC is Police National Assessment Centre). The best match wins; a tie, or nothing,
is a :class:`GoalError` that lists the candidates or says what was meant.

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> library = load_library([SHIPPED_LIBRARY])
>>> [find_stage(library, q) for q in ("Superintendent", "PIP level 3", "Senior PNAC")]
['promotion.superintendent', 'pip.level_3', 'senior_leadership.spnac']
>>> find_stage(library, "detective inspector"), find_stage(library, "Chief inspector")
('detective.detective_inspector', 'promotion.chief_inspector')
>>> find_stage(library, "SPNAC"), find_stage(library, "HPDS")
('senior_leadership.spnac', 'promotion.hpds')
>>> find_stage(library, "Superintendant")
Traceback (most recent call last):
...
rules.targets.GoalError: no stage is called 'Superintendant' (did you mean 'Superintendent'?)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pathways.model.library import Library, stage_key
from pathways.problems import CareerPathwaysError
from pathways.suggest import did_you_mean

from .actions import ActionBook

__all__ = ["GoalError", "StageChoice", "find_stage", "stage_choices", "word_match"]


class GoalError(CareerPathwaysError, ValueError):
    """A goal that names no stage, or more than one."""

    def __init__(self, message: str, candidates: list[str] | None = None):
        super().__init__(message)
        self.candidates = candidates or []


@dataclass(frozen=True)
class StageChoice:
    """A stage as a picker shows it."""

    key: str
    name: str
    pathway: str
    pathway_name: str


def stage_choices(library: Library) -> list[StageChoice]:
    """Every stage, pathway by pathway, in library order."""
    return [StageChoice(stage_key(p.id, s.id), s.name, p.id, p.name) for p, s in library.stages()]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _initials(words: list[str]) -> set[str]:
    """Initials of every run of two or more consecutive words: 'pnac', 'nac', ..."""
    letters = "".join(w[0] for w in words)
    return {letters[i:j] for i in range(len(letters)) for j in range(i + 2, len(letters) + 1)}


def _score(query: list[str], name: list[str]) -> int | None:
    """How well the query's words fit a name's (lower is better); None if one does not."""
    if query == name:
        return 0
    extra = len(name)
    initials = _initials(name)
    for word in query:
        if any(n.startswith(word) for n in name):
            extra -= 1
        elif len(word) >= 2 and word in initials:
            extra -= len(word)
        else:
            return None
    return 1 + max(extra, 0)


def word_match(query: str, name: str) -> int | None:
    """How well the words of ``query`` fit ``name`` (0 is exact; lower is better), or None
    if a word fits no word of the name: each word must start a word of the name, or be the
    initials of words in a row ('FSL' for 'Foundation for Senior Leadership').

    >>> word_match("FSL stage 1", "Foundation for Senior Leadership, stage 1 (course)")
    3
    >>> word_match("FSL stage 4", "Foundation for Senior Leadership, stage 1") is None
    True
    """
    words = _words(query)
    return _score(words, _words(name)) if words else None


def _aliases(choice: StageChoice) -> list[list[str]]:
    """A stage's name, its key, and the parts of a name like 'Senior Police National
    Assessment Centre (SPNAC)' on their own."""
    names = [choice.name, choice.key.replace(".", " ")]
    inside = re.findall(r"\(([^)]*)\)", choice.name)
    outside = re.sub(r"\([^)]*\)", " ", choice.name)
    return [_words(n) for n in (*names, *inside, outside) if _words(n)]


def _best(query: list[str], choice: StageChoice) -> int | None:
    scores = [s for name in _aliases(choice) if (s := _score(query, name)) is not None]
    return min(scores) if scores else None


def find_stage(library: Library, query: str) -> str:
    """The key ('pathway.stage') of the stage ``query`` names.

    Raises:
        GoalError: if it names none (with a suggestion) or several equally well.
    """
    text = query.strip()
    choices = stage_choices(library)
    keys = {c.key for c in choices}
    if text in keys:
        return text
    by_id = [c for c in choices if c.key.split(".", 1)[1] == text]
    if len(by_id) == 1:
        return by_id[0].key
    words = _words(text)
    if not words:
        raise GoalError("name a stage, e.g. 'Superintendent' or 'PIP level 3'")
    scored = [(score, c) for c in choices if (score := _best(words, c)) is not None]
    if not scored:
        guess = did_you_mean(text, [c.name for c in choices], cutoff=0.7)
        hint = f" (did you mean '{guess}'?)" if guess else ""
        raise GoalError(f"no stage is called '{text}'{hint}")
    best = min(score for score, _ in scored)
    top = [c for score, c in scored if score == best]
    if len(top) > 1:
        # The stage with fewest stages before it wins: senior leadership's chief inspector
        # is the promotion ladder's, reached again; the HPDS by the positive-action
        # programmes is the HPDS after Equip to Achieve.
        book = ActionBook.of(library)
        fewest = min(book.prerequisite_count(c.key) for c in top)
        top = [c for c in top if book.prerequisite_count(c.key) == fewest]
    if len(top) > 1:
        listed = "; ".join(f"{c.name} ({c.pathway_name}: {c.key})" for c in top)
        raise GoalError(
            f"'{text}' could be any of: {listed}. Write more of the name, or the key",
            [c.key for c in top],
        )
    return top[0].key
