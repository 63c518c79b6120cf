"""Run the consistency properties against a pathway library, with hypothesis.

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> report = verify(load_library([SHIPPED_LIBRARY]), examples=3, seed=1,
...                 only=["record_json_round_trip"])
>>> [(r.name, r.ok) for r in report.results]
[('record_json_round_trip', True)]
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from pathways.loader import load_library
from pathways.model.library import Library

from .properties import PROPERTIES, Context, PropertyFailure

__all__ = [
    "PROFILES",
    "PropertyResult",
    "VerifyReport",
    "describe",
    "library_yaml_round_trip",
    "verify",
]

#: examples per property
PROFILES = {"quick": 25, "default": 60, "long": 400}


@dataclass
class PropertyResult:
    name: str
    doc: str
    ok: bool
    examples: int
    seconds: float
    failure: PropertyFailure | None = None
    error: str | None = None


@dataclass
class VerifyReport:
    library_version: str
    results: list[PropertyResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)


def verify(
    library: Library,
    examples: int = PROFILES["quick"],
    seed: int | None = None,
    only: Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    make_engine: Callable[[Library], Any] | None = None,
) -> VerifyReport:
    """Run every property (or those named in ``only``) on ``examples`` drawn records each.

    A failing property is shrunk by hypothesis to a small counterexample, kept in the
    result's ``failure``. Runs are reproducible with ``seed``. ``progress(done, total)``
    is called after each property.

    ``make_engine`` makes the engine under test (default: the rules engine); a test
    passes a deliberately faulty one to show the properties find its fault.

    Raises:
        KeyError: if ``only`` names a property that does not exist.
    """
    ctx = Context(library, make_engine=make_engine)
    names = list(only) if only is not None else list(PROPERTIES)
    for name in names:
        if name not in PROPERTIES:
            raise KeyError(f"no property '{name}'; the properties: {', '.join(PROPERTIES)}")
    report = VerifyReport(library.digest)
    report.results.append(_yaml_result(library))
    if only is not None and "library_yaml_round_trip" not in names:
        report.results.pop()
    for done, name in enumerate(names, 1):
        report.results.append(_run(ctx, name, examples, seed))
        if progress is not None:
            progress(done, len(names))
    return report


def _run(ctx: Context, name: str, examples: int, seed: int | None) -> PropertyResult:
    prop = PROPERTIES[name]
    doc = (prop.__doc__ or "").strip().split("\n\n")[0]
    doc = " ".join(doc.split())
    started = time.perf_counter()

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        verbosity=Verbosity.quiet,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,  # the first counterexample, not an ExceptionGroup
        derandomize=seed is None,
    )
    @given(st.data())
    def run(data: Any) -> None:
        prop(ctx, data)

    if seed is not None:
        run = hypothesis_seed(seed)(run)
    try:
        run()
    except PropertyFailure as failure:
        return PropertyResult(
            name, doc, False, examples, time.perf_counter() - started, failure=failure
        )
    except Exception as exc:  # a crash in the engine is a finding too, not a traceback
        return PropertyResult(
            name,
            doc,
            False,
            examples,
            time.perf_counter() - started,
            error=f"{type(exc).__name__}: {exc}",
        )
    return PropertyResult(name, doc, True, examples, time.perf_counter() - started)


def library_yaml_round_trip(library: Library, directory: Path) -> Library:
    """Write ``library`` as YAML files under ``directory`` and load them again."""

    cat = library.catalogue.model_dump(mode="json", by_alias=True, exclude_none=True)
    (directory / "catalogue.yaml").write_text(
        yaml.safe_dump({"catalogue": cat}, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    for pid, pathway in library.pathways.items():
        data = pathway.model_dump(mode="json", by_alias=True, exclude_none=True)
        (directory / f"{pid}.yaml").write_text(
            yaml.safe_dump({"pathway": data}, sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
    # The source index is data about the documents, not rules: it goes across as it is.
    for i, index in enumerate(library.source_index_files):
        name = "sources.yaml" if i == 0 else f"sources_{i}.yaml"
        (directory / name).write_bytes(Path(index).read_bytes())
    return load_library([directory])


def _yaml_result(library: Library) -> PropertyResult:
    import tempfile

    started = time.perf_counter()
    doc = "The library written out as YAML and loaded again has the same rules and hash."
    with tempfile.TemporaryDirectory(prefix="pathways-verify-") as tmp:
        try:
            again = library_yaml_round_trip(library, Path(tmp))
        except Exception as exc:
            return PropertyResult(
                "library_yaml_round_trip",
                doc,
                False,
                1,
                time.perf_counter() - started,
                error=f"the library written as YAML does not load again: {exc}",
            )
    ok = again.digest == library.digest
    return PropertyResult(
        "library_yaml_round_trip",
        doc,
        ok,
        1,
        time.perf_counter() - started,
        error=None if ok else f"hash {library.digest[:12]} became {again.digest[:12]}",
    )


def describe(failure: PropertyFailure) -> str:
    """A counterexample in plain words, with the record as YAML."""
    record = failure.person.model_dump(mode="json", exclude_defaults=True)
    lines = [
        f"Stage:    {failure.stage}",
        f"As of:    {failure.as_of}",
        f"Engine:   {failure.engine_said}",
        f"Expected: {failure.expected}",
    ]
    if failure.detail:
        lines.append(f"Details:  {failure.detail}")
    lines.append("Record (the smallest hypothesis found):")
    lines += ["  " + line for line in yaml.safe_dump(record, sort_keys=False).splitlines()]
    return "\n".join(lines)
