"""The records store, on SQLite and on PostgreSQL (every test runs on both; see conftest)."""

from __future__ import annotations

import datetime as dt
import random
from functools import cache

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url

from accreditation import Person
from store import SaveStats, Store, StoreError
from store.schema import protected
from store.store import MIGRATIONS
from workforce.synthetic import generate_people

TABLES = {"people", "protected_characteristics", "library_versions", "audit_log"}


@cache
def _people(n: int, seed: int = 11) -> tuple[Person, ...]:
    return tuple(generate_people(n, seed))


def people(n: int = 50, seed: int = 11) -> list[Person]:
    return [p.model_copy(deep=True) for p in _people(n, seed)]


def head_revision() -> str:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def alembic_versions(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


# --- schema --------------------------------------------------------------------------


def test_migrations_create_the_schema_and_reopening_changes_nothing(db_url: str) -> None:
    first = Store(db_url)
    try:
        assert TABLES | {"alembic_version"} <= set(inspect(first.engine).get_table_names())
        assert alembic_versions(first) == [head_revision()]
        first.save_people(people(3), actor="test")
    finally:
        first.close()
    again = Store(db_url)  # migrates again: already at head, so nothing happens
    try:
        assert alembic_versions(again) == [head_revision()]
        assert again.count_people() == 3
        assert len(again.audit()) == 3
    finally:
        again.close()


# --- people --------------------------------------------------------------------------


def test_records_round_trip_with_protected_characteristics_and_dates(store: Store) -> None:
    population = people(50)
    assert store.save_people(population, actor="hr-import") == SaveStats(created=50)
    for person in population:
        assert store.get_person(person.id) == person
        assert store.record_version(person.id) == 1
    # The sample is varied: officers and staff, characteristics set and missing, open
    # and closed periods, items of every kind.
    assert {p.kind.value for p in population} == {"officer", "staff"}
    assert any(p.protected.ethnicity for p in population)
    assert any(p.protected.gender is None for p in population)
    assert any(r.end is not None for p in population for r in p.ranks)
    assert any(c.revalidated for p in population for c in p.credentials)
    assert store.get_person("nobody") is None
    assert store.record_version("nobody") is None
    created = store.audit(target=population[0].id)
    assert [(e.action, e.actor) for e in created] == [("record.create", "hr-import")]
    assert created[0].after["version"] == 1


def test_saving_the_same_records_again_changes_nothing(store: Store) -> None:
    store.save_people(people(50), actor="import-1")
    audit_before = store.audit(limit=1000)
    assert store.save_people(people(50), actor="import-2") == SaveStats(unchanged=50)
    assert store.audit(limit=1000) == audit_before
    assert {store.record_version(p.id) for p in people(50)} == {1}


def test_a_changed_item_bumps_the_version_and_is_audited(store: Store) -> None:
    population = people(50)
    store.save_people(population, actor="import-1")
    person = next(p for p in population if p.courses)
    old_courses = [c.model_dump(mode="json") for c in person.courses]
    person.courses[0].completed = dt.date(2001, 2, 3)
    stats = store.save_people(population, actor="import-2")
    assert stats == SaveStats(updated=1, unchanged=49)
    assert store.record_version(person.id) == 2
    assert store.get_person(person.id) == person
    entry = store.audit(target=person.id)[0]
    assert (entry.action, entry.actor) == ("record.update", "import-2")
    assert entry.before == {"courses": old_courses}
    assert entry.after["courses"][0]["completed"] == "2001-02-03"
    assert entry.after["version"] == 2
    assert set(entry.after) == {"courses", "version"}  # only the changed section
    assert len(store.audit(limit=1000)) == 51


def test_a_changed_protected_characteristic_is_a_new_version_audited_without_values(
    store: Store,
) -> None:
    person = people(1)[0]
    store.save_people([person], actor="import-1")
    person.protected.disability = "prefer_not_to_say"
    assert store.save_people([person], actor="import-2") == SaveStats(updated=1)
    assert store.get_person(person.id) == person
    assert store.record_version(person.id) == 2
    entry = store.audit(target=person.id)[0]
    # Which characteristics changed is logged, their values are not (they live in a
    # table of their own, so access to them can be granted separately).
    assert entry.before == {"protected": ["disability"]}
    assert entry.after == {"protected": ["disability"], "version": 2}
    assert "prefer_not_to_say" not in repr(entry)


def test_delete_is_audited(store: Store) -> None:
    population = people(5)
    store.save_people(population, actor="import")
    gone = population[2]
    assert store.delete_person(gone.id, actor="dpo") is True
    assert store.get_person(gone.id) is None
    assert store.count_people() == 4
    with store.engine.connect() as conn:
        left = conn.execute(select(func.count()).select_from(protected)).scalar_one()
    assert left == 4
    entry = store.audit(target=gone.id)[0]
    assert (entry.action, entry.actor, entry.after) == ("record.delete", "dpo", None)
    assert (entry.before["id"], entry.before["name"]) == (gone.id, gone.name)
    assert store.delete_person(gone.id, actor="dpo") is False
    assert len(store.audit(target=gone.id)) == 2


def test_iter_people_returns_everyone_in_id_order(store: Store) -> None:
    population = people(50)
    shuffled = population[:]
    random.Random(3).shuffle(shuffled)
    store.save_people(shuffled, actor="import")
    read = list(store.iter_people(batch=7))  # several batches, the last one short
    assert [p.id for p in read] == sorted(p.id for p in population)
    assert read == sorted(population, key=lambda p: p.id)


def test_a_failed_transaction_stores_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError, match="import aborted"), store.transaction() as conn:
        store.save_people(people(20), actor="import", conn=conn)
        assert store.get_person(people(1)[0].id, conn) is not None  # visible inside
        raise RuntimeError("import aborted")
    assert store.count_people() == 0
    assert store.audit() == []
    assert list(store.iter_people()) == []


def test_a_record_the_database_cannot_hold_is_refused_on_every_backend(store: Store) -> None:
    # The record model refuses such an id already; the store must refuse it on its own too
    # (a caller that builds records without validating them).
    valid = Person.model_validate({"id": "W1", "kind": "officer", "joined": "2020-01-06"})
    too_long = valid.model_copy(update={"id": "W" * 40})
    with pytest.raises(StoreError, match="longer than 32"):
        store.save_people([*people(3), too_long], actor="import")
    assert store.count_people() == 0  # the whole call is one transaction


def test_json_round_trips_unicode(store: Store) -> None:
    person = Person.model_validate(
        {
            "id": "W-uni_1",
            "kind": "officer",
            "name": "Zoë Ñúñez 李小龍 🚓",
            "joined": "2020-01-06",
            "ranks": [{"id": "r—1", "rank": "constable", "start": "2020-01-06"}],
            "protected": {"ethnicity": "mixed—other", "gender": "ženska"},
            "attributes": {"note": '\u2018quoted\u2019 "and" \\ back/slash \u00a0\u2028'},
        }
    )
    store.save_people([person], actor="Åsa Øberg")
    assert store.get_person(person.id) == person
    assert store.audit(target=person.id)[0].actor == "Åsa Øberg"
    files = {"catalogue.yaml": "catalogue:\n  name: Cátálogue — 日本\n"}
    store.publish_library(files, "e" * 64, "Bibliothèque", "Zoë", note="première ✓")
    version = store.library_version("e" * 64)
    assert version is not None
    assert (version.files, version.name, version.note) == (files, "Bibliothèque", "première ✓")


@pytest.mark.slow  # a large batch
def test_a_large_batch_saves_in_one_call(store: Store) -> None:
    population = people(2000, seed=5)
    assert store.save_people(population, actor="bulk") == SaveStats(created=2000)
    assert store.count_people() == 2000
    assert store.get_person(population[-1].id) == population[-1]
    assert store.save_people(population, actor="bulk") == SaveStats(unchanged=2000)


# --- library versions ----------------------------------------------------------------

V1, V2 = "ab" + "1" * 62, "ab" + "2" * 62  # share a prefix: "ab" is ambiguous
FILES_1 = {"catalogue.yaml": "catalogue: {id: c, name: C}\n", "fsl.yaml": "pathway: {}\n"}
FILES_2 = {**FILES_1, "pip.yaml": "pathway: {id: pip}\n"}


def test_publish_activate_and_roll_back_library_versions(store: Store) -> None:
    assert store.active_library() is None
    before = dt.datetime.now(dt.UTC)
    first = store.publish_library(
        FILES_1, V1, "Met pathways", "alice", dt.date(2026, 1, 1), note="first"
    )
    assert (first.digest, first.name, first.author, first.note) == (
        V1,
        "Met pathways",
        "alice",
        "first",
    )
    assert first.files == FILES_1 and first.effective_date == dt.date(2026, 1, 1)
    assert first.active and store.active_library() == first
    published = first.published_at
    assert published.tzinfo is not None  # UTC, on every backend
    assert before - dt.timedelta(seconds=5) <= published <= dt.datetime.now(dt.UTC)

    second = store.publish_library(FILES_2, V2, "Met pathways", "bob")
    assert second.active and second.effective_date is None
    active = store.active_library()
    assert active is not None and active.digest == V2
    assert [(v.digest, v.active) for v in store.library_versions()] == [
        (V2, True),
        (V1, False),
    ]

    store.activate_library("ab1", actor="carol", reason="v2 breaks PIP")  # a unique prefix
    active = store.active_library()
    assert active is not None and active.digest == V1 and active.files == FILES_1
    assert len(store.library_versions()) == 2  # nothing is deleted
    for prefix, message in [("ab", "more than one"), ("ff", "no library version")]:
        with pytest.raises(StoreError, match=message):
            store.activate_library(prefix, actor="carol")
    with pytest.raises(StoreError, match="no library version"):
        store.activate_library("a_", actor="carol")  # '_' is not a LIKE wildcard here

    published_1 = {"name": "Met pathways", "files": sorted(FILES_1), "note": "first"}
    published_2 = {"name": "Met pathways", "files": sorted(FILES_2), "note": None}
    log = [(e.action, e.actor, e.target, e.before, e.after) for e in reversed(store.audit())]
    dated = {"effective_from": "2026-01-01", "reason": None, "replaced": []}
    rolled_back = {"effective_from": None, "reason": "v2 breaks PIP", "replaced": [2]}
    assert log == [
        ("library.publish", "alice", V1, None, published_1),
        ("library.schedule", "alice", V1, None, dated),
        ("library.activate", "alice", V1, None, V1),
        ("library.publish", "bob", V2, None, published_2),
        ("library.activate", "bob", V2, V1, V2),
        ("library.rollback", "carol", V1, None, rolled_back),
        ("library.activate", "carol", V1, V2, V1),
    ]

    # Publishing a stored digest again only re-activates it (no second copy).
    again = store.publish_library(FILES_2, V2, "Met pathways", "dave")
    assert again.active and again.author == "bob"
    latest = store.audit(limit=1)[0]
    assert (latest.action, latest.actor, latest.before, latest.after) == (
        "library.activate",
        "dave",
        V1,
        V2,
    )
    store.activate_library(V2.upper()[:10], actor="dave")  # already active: nothing to log
    assert len(store.audit()) == 8
    assert len(store.library_versions()) == 2


# --- unusable databases --------------------------------------------------------------


def test_an_unusable_url_is_a_store_error_naming_it(db_url: str) -> None:
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        with open(url.database, "w") as fh:
            fh.write("this is not a database file\n" * 200)
        bad = db_url
    else:  # a database that does not exist, with a password that must not be shown
        bad = url.set(database="no_such_database", password="s3cret").render_as_string(
            hide_password=False
        )
    with pytest.raises(StoreError, match="cannot prepare database") as caught:
        Store(bad)
    assert "no_such_database" in str(caught.value) or "not a database" in str(caught.value)
    assert "s3cret" not in str(caught.value)
    with pytest.raises(StoreError, match="cannot use database 'nosuchdb://x'"):
        Store("nosuchdb://x")


# --- the PostgreSQL harness itself ------------------------------------------------------


def test_without_server_binaries_the_harness_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pg

    monkeypatch.setattr(pg, "SEARCH", "/nonexistent/postgresql/*/bin")
    with pytest.raises(pg.PostgresUnavailable) as caught:
        pg.start_server()
    message = str(caught.value)
    assert "scripts/system-deps.sh" in message and f"{pg.SKIP_ENV}=1" in message
