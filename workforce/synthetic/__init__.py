"""A seeded synthetic workforce: realistic, varied, valid records for tests, demos and benchmarks.

Every record is made up. Names are ``Synthetic Person NNNNNN``; ids are ``W`` (officers,
warrant numbers) or ``S`` (police staff) followed by six digits of the person's index.
Everything a record names (ranks, bands, roles, courses ...) is an id of the shipped
catalogue, and no item is dated after ``as_of``.

What the population looks like (proportions are illustrative, shaped on the MPS of the
sources, not official figures):

- about 63% officers in an MPS-like rank pyramid (about 73% constables, 16% sergeants,
  6% inspectors, 2.6% chief inspectors, 1.3% superintendents, a handful of chief
  superintendents and ACPO), 37% police staff in Bands E (most) to A (few);
- rank and band histories without gaps or overlaps, each promotion after a minimum period
  in rank (three years' service to sergeant, two years in each later rank), with the
  exams, boards, recommendations and assessment centres that led to it; temporary ranks
  (acting up, and the six-month work-based assessment as temporary superintendent) lie
  within the substantive rank below;
- back-to-back postings in the seven business groups of the 2007 structure, with roles
  that fit the rank: recruits in their stream, trainee and qualified detectives rotating
  between groups, detective sergeants and inspectors, senior investigating officers;
  police staff as researchers and analysts or civilian investigators (the rest of the
  staff have no posting, because the catalogue has no role for them);
- courses, exams, PIP levels 1-4 (revalidated every five years, some lapsed), analyst and
  work-based assessor accreditations, FSL stages for chief inspectors and above (from
  2010-04-01), endorsements (some expired), programme memberships (HPDS, talent pool,
  Emerging Leaders, Equip to Achieve for some BME constables to chief inspectors,
  Promoting Difference, the Talent Cascade);
- protected characteristics, in the catalogue's values: where recorded, ethnicity about 86%
  white (officers 88.5%, staff 82%; the rest black, asian, mixed, chinese, other or
  not_stated), gender about 71/29 male/female for officers and 45/55 for staff, disability
  about 3% (officers) and 6% (staff); each of the three is missing for about 3% of people.

The API:

- :func:`generate_people` ``(n, seed, as_of)``: ``n`` validated :class:`Person` objects;
- :func:`generate_records`: the same people as plain dicts, not validated (about twice as
  fast, e.g. for bulk loading; ``Person.model_validate`` accepts each);
- :func:`generate_person` / :func:`generate_record` ``(rng, index, as_of)``: one person
  drawn from the caller's :class:`random.Random`. ``generate_people(n, seed)`` is
  ``generate_person(rng, i)`` for ``i`` in ``range(n)`` with one ``Random(seed)``, so a
  smaller population is a prefix of a larger one with the same seed.

Generation is deterministic for a seed (never the global random state) and fast: about
25,000 validated people per second on one core of the benchmark machine, consumed one by
one (see benchmarks/README.md).

>>> people = list(generate_people(3, seed=7))
>>> [p.id[0] for p in people], len({p.id for p in people})
(['S', 'W', 'W'], 3)
>>> people == list(generate_people(3, seed=7))
True
>>> people[1].kind.value, people[1].ranks[0].rank, people[1].ranks[0].start == people[1].joined
('officer', 'constable', True)
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from accreditation.record import Person

from .officers import officer
from .record import Record
from .staff import staff
from .tables import STAFF_SHARE

__all__ = [
    "DEFAULT_AS_OF",
    "MAX_PEOPLE",
    "generate_people",
    "generate_person",
    "generate_record",
    "generate_records",
]

DEFAULT_AS_OF = dt.date(2024, 6, 1)
MAX_PEOPLE = 1_000_000
"""Ids carry six digits of the person's index, so at most this many people per population."""


def generate_record(rng: random.Random, index: int, as_of: dt.date = DEFAULT_AS_OF) -> Record:
    """One synthetic person as a plain dict (the shape :class:`Person` validates), not validated.

    Raises:
        ValueError: if ``index`` does not fit the six-digit ids.
    """
    if not 0 <= index < MAX_PEOPLE:
        raise ValueError(f"index {index} is outside 0..{MAX_PEOPLE - 1} (ids have six digits)")
    day = as_of.toordinal()
    if rng.random() < STAFF_SHARE:
        return staff(rng, index, day)
    return officer(rng, index, day)


def generate_person(rng: random.Random, index: int, as_of: dt.date = DEFAULT_AS_OF) -> Person:
    """One synthetic person, drawn from ``rng``: the ``index``-th of a population.

    >>> p = generate_person(random.Random(1), 42)
    >>> p.id[1:], p.name
    ('000042', 'Synthetic Person 000042')
    """
    return Person.model_validate(generate_record(rng, index, as_of))


def generate_records(n: int, seed: int, as_of: dt.date = DEFAULT_AS_OF) -> Iterator[Record]:
    """The records of :func:`generate_people` as plain dicts, without validation (faster,
    e.g. for bulk loading); ``Person.model_validate`` accepts each of them.

    Raises:
        ValueError: at once, if ``n`` is negative or more than :data:`MAX_PEOPLE`.
    """
    if not 0 <= n <= MAX_PEOPLE:
        raise ValueError(f"n must be between 0 and {MAX_PEOPLE}, not {n}")
    return _records(n, random.Random(seed), as_of)


def _records(n: int, rng: random.Random, as_of: dt.date) -> Iterator[Record]:
    for index in range(n):
        yield generate_record(rng, index, as_of)


def generate_people(n: int, seed: int, as_of: dt.date = DEFAULT_AS_OF) -> Iterator[Person]:
    """``n`` synthetic people as of ``as_of``, the same ones every time for the same seed.

    Person ``i`` depends only on the seed, ``as_of`` and the people before it, so a longer
    population starts with a shorter one. Nothing in a record is dated after ``as_of``.

    Raises:
        ValueError: at once, if ``n`` is negative or more than :data:`MAX_PEOPLE`.
    """
    return map(Person.model_validate, generate_records(n, seed, as_of))
