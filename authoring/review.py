"""HR's review workflow over the store: save a draft (checked as it is saved), approve it
(a second HR user, unless four eyes are off), with what the web pages and the CLI share.

A draft is made on the library version in force today (or the shipped library, when no
version is stored); approving publishes that version's files with the draft's over them.

>>> from store import Store
>>> from pathways import SHIPPED_LIBRARY
>>> from pathways.loader import library_files
>>> store = Store("sqlite://")
>>> pip = library_files(SHIPPED_LIBRARY)["pip.yaml"]
>>> text = pip.replace("name: Professionalising Investigation (PIP)", "name: PIP", 1)
>>> draft, check = save_draft(store, "alice", "Shorter PIP name", {"pip.yaml": text}, {})
>>> (draft.id, draft.status, check.errors, draft.base == shipped_digest())
(1, 'open', 0, True)
>>> version = approve_draft(store, 1, "bob", 1)
>>> version.digest == draft.digest, version.author, store.active_library() == version
(True, 'alice', True)
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping

from pathways.loader import SHIPPED_LIBRARY, library_files
from store import LibraryVersion, Store, StoreError
from store.drafts import Draft, DraftError, Drafts

from .diff import load_files
from .drafts import DraftCheck, check_draft, four_eyes

__all__ = ["approve_draft", "base_files", "save_draft", "shipped_digest", "version_files"]


@functools.cache
def _shipped() -> dict[str, str]:
    return library_files(SHIPPED_LIBRARY)


@functools.cache
def shipped_digest() -> str:
    """The shipped library's version (what decisions use while none is stored)."""
    library = load_files(_shipped())
    assert library is not None
    return library.digest


def base_files(store: Store, digest: str | None) -> dict[str, str]:
    """The files of a stored version, or of the shipped library (its digest, or None).

    Raises:
        store.StoreError: if no version has that digest.
    """
    if digest is None or (digest == shipped_digest() and store.library_version(digest) is None):
        return dict(_shipped())
    version = store.library_version(digest)
    if version is None:
        raise StoreError(f"no library version {digest[:12]}")
    return dict(version.files)


def version_files(store: Store, spec: str) -> tuple[str, dict[str, str]]:
    """A stored version by a unique prefix of its digest, or ``shipped``: (digest, files).

    Raises:
        store.StoreError: if no version (or more than one) starts with ``spec``.
    """
    spec = spec.strip().lower()
    if spec == "shipped":
        return shipped_digest(), dict(_shipped())
    found = [v for v in store.library_versions() if v.digest.startswith(spec)] if spec else []
    if len(found) != 1:
        what = "no stored version" if not found else f"{len(found)} stored versions"
        raise StoreError(f"{what} start with '{spec}'; 'pathways versions' lists them")
    return found[0].digest, dict(found[0].files)


def save_draft(
    store: Store,
    author: str,
    title: str,
    files: Mapping[str, str],
    cases: Mapping[str, str],
    *,
    draft_id: int | None = None,
    expected: int | None = None,
) -> tuple[Draft, DraftCheck]:
    """Check the change on the version in force today and save it as a new draft, or as
    a new version of draft ``draft_id`` (which must be at version ``expected``).

    Raises:
        store.drafts.DraftError, store.drafts.StaleDraft: as :class:`store.drafts.Drafts`.
        ValueError: if a file name points outside the library, or there are no files.
    """
    if not files:
        raise ValueError("a draft changes at least one pathway file")
    if not title.strip():
        raise ValueError("give the draft a title: what it changes, in a few words")
    in_force = store.active_library()
    base = in_force.digest if in_force is not None else shipped_digest()
    check = check_draft(base_files(store, base), files, cases)
    if check.digest == base:
        raise ValueError(
            "the draft changes no rule: the library is the one in force (comments and layout "
            "alone are not a new version)"
        )
    drafts = Drafts(store)
    args = (title.strip(), base, dict(files), dict(cases), check.digest, check.checked())
    if draft_id is None:
        return drafts.save(author, *args), check
    if expected is None:
        raise ValueError("say which version of the draft you changed")
    return drafts.update(draft_id, author, expected, *args), check


def approve_draft(
    store: Store,
    draft_id: int,
    reviewer: str,
    expected: int,
    *,
    effective_from: dt.date | None = None,
    note: str | None = None,
    override: str | None = None,
    review_required: bool | None = None,
) -> LibraryVersion:
    """Approve draft ``draft_id`` (seen at version ``expected``) and publish it, from
    ``effective_from`` or now. Four eyes unless ``review_required`` is False (default:
    :func:`authoring.drafts.four_eyes`).

    Raises:
        store.drafts.DraftError: the reasons :meth:`store.drafts.Drafts.approve` gives, or
            the draft no longer gives the library it was checked as (save it again).
        store.drafts.StaleDraft, store.drafts.StaleBase: another person wrote meanwhile.
    """
    drafts = Drafts(store)
    draft = drafts.get(draft_id)
    if draft is None:
        raise DraftError(f"no draft {draft_id}")
    base = base_files(store, draft.base)
    files = {**base, **draft.files}
    library = load_files(files)
    if library is None or library.digest != draft.digest:
        raise DraftError(
            f"draft {draft_id} no longer gives the library it was checked as (the rules code "
            "changed since it was saved): its author saves it again"
        )
    unstored = draft.base is not None and store.library_version(draft.base) is None
    return drafts.approve(
        draft_id,
        reviewer,
        expected,
        files=files,
        name=library.catalogue.name,
        # Made on the shipped library: it is stored too, so the dates before a scheduled
        # version are decided by a version the store keeps (and decisions name).
        base_version=(base, library.catalogue.name) if unstored else None,
        effective_from=effective_from,
        note=note,
        override=override,
        four_eyes=four_eyes() if review_required is None else review_required,
    )
