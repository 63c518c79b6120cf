"""Building each person's record: the stored one (if any), with the people row applied and
the history rows put in by item id; every problem is put on the row that caused it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection

from accreditation.io import record_problem, reference_problems
from accreditation.record import ITEM_SECTIONS, Person
from store import SaveStats, Store

from .schema import ABSENT, BATCH, DATED, FILE_KINDS, PEOPLE_VALUES, PROTECTED
from .state import Found, ItemRow, Pending, Src, State, Stored

__all__ = ["Merging", "explain"]


class Merging(State):
    def _records(self, conn: Connection) -> Iterator[tuple[Person, Stored | None]]:
        """Each person's new record (and the stored one), built and checked, in batches."""
        ids = list(self.pending)
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            stored = self.store.stored_records(chunk, conn)
            for pid in chunk:
                person = self._person(pid, self.pending[pid], stored.get(pid))
                if person is not None:
                    self.accepted += 1
                    yield person, stored.get(pid)
            if self.progress is not None:
                self.progress(start + len(chunk), len(ids))

    @staticmethod
    def _count(records: Iterator[tuple[Person, Stored | None]]) -> SaveStats:
        """What saving would do, without saving."""
        created = updated = unchanged = 0
        for person, old in records:
            if old is None:
                created += 1
            elif old.digest == Store.digest_of(person):
                unchanged += 1
            else:
                updated += 1
        return SaveStats(created, updated, unchanged)

    def _person(self, pid: str, pending: Pending, stored: Stored | None) -> Person | None:
        """The new record, or None (its problems noted; with --skip-bad-rows, without the
        rows that caused them, or with none of its rows if its own row is bad)."""
        own = pending.people_bad or pending.json_bad
        if own is not None:
            if self.skip:
                self._reject_person(pid, pending, own)
            return None
        if not pending.has_rows():
            return None  # only bad history rows
        dropped: set[Src] = set()
        while True:
            found: Found = []
            person = self._build(pid, pending, stored, dropped, found)
            if not found:
                if person is not None and self.catalogue is not None:
                    self._warn(person, pending, dropped)
                return person
            for src, column, message in found:
                self.problem(src, column, message)
            if not self.skip:
                return None
            culprits = {src for src, _, _ in found}
            own_rows = pending.own_sources()
            if culprits & own_rows:
                self._reject_person(pid, pending, min(culprits & own_rows))
                return None
            dropped |= culprits
            if not pending.has_rows(dropped):
                return None

    def _reject_person(self, pid: str, pending: Pending, cause: Src) -> None:
        others = 0
        for src in pending.sources():
            if src not in self.bad and src not in self.rejected:
                self.rejected[src] = (
                    f"not imported: {pid}'s own row ({self.where(cause)}) has a problem"
                )
                others += 1
        note = f"{pid}: none of their rows were imported, because {self.where(cause)} is bad"
        if others:
            note += f" ({others} good row{'s' * (others != 1)} set aside with it)"
        self.report.notes.append(note)

    def _build(
        self,
        pid: str,
        pending: Pending,
        stored: Stored | None,
        dropped: set[Src],
        found: Found,
    ) -> Person | None:
        rows_by_section = {
            section: [r for r in rows if r.src not in dropped]
            for section, rows in pending.items.items()
        }
        item_rows = [r for rows in rows_by_section.values() for r in rows]
        people_src = pending.people[0] if pending.people is not None else None
        json_src: Src | None = None
        if pending.json is not None:
            json_src, person = pending.json
            if not item_rows and people_src is None:
                return person
            data = person.model_dump()
        elif stored is not None:
            data = {**stored.record, "protected": dict(stored.protected)}
        elif pending.people is not None:
            data = {}
        else:
            for row in item_rows:
                found.append(
                    (
                        row.src,
                        "person_id",
                        f"unknown person '{pid}': not in people.csv (nor in a JSON record) of "
                        "this import, nor in the database; add their row to people.csv, or "
                        "correct the person_id",
                    )
                )
            return None
        data["id"] = pid
        kind_src = json_src
        if pending.people is not None:
            given = dict(zip(PEOPLE_VALUES, pending.people[1], strict=True))
            if given["kind"] is not ABSENT:
                kind_src = people_src
            for name in ("kind", "name", "joined"):
                if given[name] is not ABSENT:
                    data[name] = given[name]
            characteristics = dict(data.get("protected") or {})
            for name in PROTECTED:
                if given[name] is not ABSENT:
                    characteristics[name] = given[name]
            data["protected"] = characteristics
        # origins[section][i]: where item i came from (None: the stored record)
        origins: dict[str, list[Src | None]] = {}
        for section in ITEM_SECTIONS:
            items = [dict(item) for item in data.get(section, ())]
            origin: list[Src | None] = [json_src] * len(items)
            rows = rows_by_section.get(section)
            if rows:
                self._put_rows(pid, section, rows, items, origin, found)
            data[section] = items
            origins[section] = origin
        self._check_kind(pid, data, origins, kind_src, people_src, found)
        self._check_unique(pid, data, origins, found)
        if found:
            return None
        try:
            return Person.model_validate(data)
        except ValidationError as exc:
            first = people_src or json_src or item_rows[0].src
            for err in exc.errors():
                found.append(self._locate(err, origins, people_src, json_src, first))
            return None

    def _put_rows(
        self,
        pid: str,
        section: str,
        rows: list[ItemRow],
        items: list[dict[str, Any]],
        origin: list[Src | None],
        found: Found,
    ) -> None:
        """Replace the items with the rows' item ids, and add the others at the end."""
        fields = [c.field for c in FILE_KINDS[section].values]
        at = {item.get("id"): i for i, item in enumerate(items)}
        given: dict[str, Src] = {}
        for row in rows:
            if row.item_id in given:
                found.append(
                    (
                        row.src,
                        "item_id",
                        f"duplicate item_id '{row.item_id}' for {pid}: also on "
                        f"{self.where(given[row.item_id], row.src)}; give each item its own id",
                    )
                )
                continue
            given[row.item_id] = row.src
            item: dict[str, Any] = {"id": row.item_id}
            for name, value in zip(fields, row.values, strict=True):
                if value is not None:
                    item[name] = value
            i = at.get(row.item_id)
            if i is None:
                at[row.item_id] = len(items)
                items.append(item)
                origin.append(row.src)
            else:
                items[i] = item
                origin[i] = row.src

    def _check_kind(
        self,
        pid: str,
        data: dict[str, Any],
        origins: dict[str, list[Src | None]],
        kind_src: Src | None,
        people_src: Src | None,
        found: Found,
    ) -> None:
        """Bands for an officer, ranks for staff: blame the history row, or the people row."""
        kind = data.get("kind")
        wrong = {"officer": "bands", "staff": "ranks"}.get(str(kind))
        if wrong is None:
            return
        right = "ranks" if wrong == "bands" else "bands"
        whose = "a police officer" if kind == "officer" else "police staff"
        for i, src in enumerate(origins[wrong]):
            if self.is_csv(src):
                assert src is not None
                found.append(
                    (
                        src,
                        "person_id",
                        f"{pid} is {whose} ({self.where(kind_src)}), who hold {right}, "
                        f"not {wrong}: put this row in {right}.csv, or correct their kind",
                    )
                )
            elif people_src is not None:
                found.append(
                    (
                        people_src,
                        "kind",
                        f"{pid} has {wrong} in {self.where(src)} (e.g. "
                        f"'{data[wrong][i].get('id')}'), which {kind} cannot hold: correct "
                        f"the kind, or their {wrong}",
                    )
                )
                return

    def _check_unique(
        self,
        pid: str,
        data: dict[str, Any],
        origins: dict[str, list[Src | None]],
        found: Found,
    ) -> None:
        """One item id in two sections: blame the row that brought it."""
        seen: dict[str, tuple[str, Src | None]] = {}
        for section in ITEM_SECTIONS:
            for i, item in enumerate(data[section]):
                item_id = item.get("id")
                if item_id is None:
                    continue
                if item_id not in seen:
                    seen[item_id] = (section, origins[section][i])
                    continue
                other, other_src = seen[item_id]
                src = origins[section][i]
                blame, there = (src, other_src) if self.is_csv(src) else (other_src, src)
                if not self.is_csv(blame):
                    continue  # not a CSV row's doing: validation names the record
                assert blame is not None
                found.append(
                    (
                        blame,
                        "item_id",
                        f"item id '{item_id}' of {pid} is also used in "
                        f"{other if blame == src else section} ({self.where(there, blame)}): "
                        "item ids must be unique within a person's record; give this item its "
                        "own id",
                    )
                )

    def _locate(
        self,
        err: Any,
        origins: dict[str, list[Src | None]],
        people_src: Src | None,
        json_src: Src | None,
        first: Src,
    ) -> tuple[Src, str, str]:
        """The row and column a validation error of a built record belongs to: the item's
        row, else the people row, else the JSON record, else the person's first row."""
        loc = [p for p in err["loc"] if p != "__root__"]
        path, message = explain(err)
        if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
            src = origins.get(loc[0], [])[loc[1]] if loc[0] in origins else None
            if self.is_csv(src):
                assert src is not None
                if len(loc) >= 3:
                    column = "item_id" if loc[2] == "id" else str(loc[2])
                else:  # a check across the item's fields
                    column = {"credentials": "revalidated"}.get(
                        loc[0], "end" if loc[0] in DATED else ""
                    )
                return src, column, message
            if src is not None:
                return src, path, message
        if people_src is not None:
            column = str(loc[0]) if len(loc) == 1 and loc[0] in PEOPLE_VALUES else ""
            return people_src, column, message if column or not path else f"{path}: {message}"
        if json_src is not None:
            return json_src, path, message
        return first, "", f"the record would not be valid: {path or 'record'}: {message}"

    def _warn(self, person: Person, pending: Pending, dropped: set[Src]) -> None:
        """Ids the catalogue does not know, and protected characteristics outside its values."""
        assert self.catalogue is not None
        item_src: dict[tuple[str, int], Src] = {}
        if pending.json is not None:
            for section in ITEM_SECTIONS:
                for i in range(len(getattr(person, section))):
                    item_src[(section, i)] = pending.json[0]
        for section, rows in pending.items.items():
            at = {item.id: i for i, item in enumerate(getattr(person, section))}
            for row in rows:
                if row.src not in dropped and row.item_id in at:
                    item_src[(section, at[row.item_id])] = row.src
        for found in reference_problems(person, self.catalogue):
            hint = f" (did you mean '{found.suggestion}'?)" if found.suggestion else ""
            hint += f"; {found.hint}" if found.hint else ""
            if found.loc[0] == "protected":
                # protected characteristics come from the people file (or the JSON record)
                if pending.people is not None:
                    self.warning(pending.people[0], str(found.loc[1]), found.message + hint)
                elif pending.json is not None:
                    self.warning(pending.json[0], found.path, found.message + hint)
                continue
            where, index, field_name = found.loc
            src = item_src.get((str(where), int(index)))
            if src is not None:
                column = str(field_name) if self.is_csv(src) else found.path
                self.warning(src, column, found.message + hint)


def explain(err: Any) -> tuple[str, str]:
    """A pydantic error as (field path, message), in the wording of accreditation.io."""
    loc = [p for p in err["loc"] if p != "__root__"]
    found = record_problem(err)
    path, message = found.path, found.message
    if found.hint:
        message = f"{message} ({found.hint})"
    if len(loc) == 2 and isinstance(loc[1], int) and err["type"] == "value_error":
        # an item's own check across its fields: name the field to correct
        checked = "end" if loc[0] in DATED else "revalidated" if loc[0] == "credentials" else ""
        path = f"{path}.{checked}" if checked else path
    return path, message
