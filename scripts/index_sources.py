#!/usr/bin/env python3
"""Make a source index (the citable units of a library's source documents) from the documents.

    .venv/bin/python scripts/index_sources.py                     # the shipped library
    .venv/bin/python scripts/index_sources.py --check             # is the committed index current?
    .venv/bin/python scripts/index_sources.py --catalogue my/catalogue.yaml \\
        --documents my/policies/ --out my/sources.yaml --unknown warning

For each source of the catalogue that names a ``file``, the file is read from
``--documents`` (default: ``../shared/domain/sources`` beside the repository) and split
into units (docs/language.md, "Source index", says what the checker does with them):

- a line ``N. text`` is ``para N`` (``section X para N`` if ``para N`` is taken, e.g. a
  section that numbers its paragraphs from 1 again; every paragraph in a lettered
  section also answers to ``section X para N``);
- a line ``Recommendation N: text`` is ``rec N``;
- a line ``X. Heading`` (X a capital letter) starts ``section X``; unnumbered paragraphs
  under it are that unit's text;
- ``Summary`` and other short headings (no full stop, followed by a long paragraph or a
  bullet) start a unit named by the heading; a line ``Appendix N[: title]`` starts
  ``Appendix N``, and its bullets that begin ``Word N -`` (``Level 2 - ...``) are also
  units of their own (``Appendix 1 Level 2``);
- lines before all of these (title, ``Report:``, ``Date:``, ``By:``) are ``header``; a long
  paragraph there instead starts ``introduction``;
- bullets (``•``) belong to the unit above them;
- a table with a ``Ref`` column (one row per recommendation, rows continued over page
  breaks) gives ``rec N`` for the recommendation and ``rec N <Month Year> update`` for
  each dated update in the other columns; a row ``15, 16 and 17`` is ``rec 15-17`` and
  answers to ``rec 15``, ``rec 16`` and ``rec 17`` too.

Archive boilerplate (``You are in:``, the archive warning, contact lines) is left out.
A document these rules do not fit can be indexed by hand in the same format.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "pathways" / "library"
DOCUMENTS = REPO.parent / "shared" / "domain" / "sources"
HEADER_NOTE = """\
# The citable units of the shipped library's source documents, made from the archived
# MPA papers by scripts/index_sources.py: do not edit by hand; run the script again.
# `pathways check` resolves every `source:` of the library against it, and
# `pathways sources` shows each rule beside the words it cites (docs/sources.md).
"""

BOILERPLATE = (
    re.compile(r"^You are in:?$"),
    re.compile(r"^Contents$"),
    re.compile(r"^Warning: This is archived material"),
    re.compile(r"^See the MOPC website"),
    re.compile(r"^Send an e-mail linking to this page"),
    re.compile(r"^Feedback$"),
    re.compile(r"^Supporting material$"),
    re.compile(r"^For more information contact:?$"),
    re.compile(r"^MPA general:"),
    re.compile(r"^Media enquiries:"),
)
PARA = re.compile(r"^(\d+)\.\s+(.+)$")
REC = re.compile(r"^Recommendation (\d+):\s*(.+)$")
SECTION = re.compile(r"^([A-Z])\.\s+(.+)$")
APPENDIX = re.compile(r"^Appendix (\d+)\s*(?::\s*(.*))?$")
BULLET = re.compile(r"^\s*[\u2022\u25cf*]\s*(.+)$")
LABELLED = re.compile(r"^(\w+ \d+)\s*[\u2013\u2014:-]\s")
FIELD = re.compile(r"^[A-Z][\w ()]{0,30}: \S")
UPDATE = re.compile(r"(January|February|March|April|May|June|July|August|September|October|"
                    r"November|December) (\d{4}) Update:", re.IGNORECASE)  # fmt: skip
LONG = 100  # a "long" line: a paragraph, not a heading or a title
HEADING = 60  # headings are at most this long


@dataclass
class _Unit:
    ref: str
    title: str | None = None
    lines: list[str] = field(default_factory=list)
    also: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ref": self.ref}
        if self.also:
            out["also"] = self.also
        if self.title:
            out["title"] = self.title
        out["text"] = "\n".join(self.lines)
        return out


def _boilerplate(line: str) -> bool:
    return any(p.search(line) for p in BOILERPLATE)


def _next_text(lines: list[str], i: int) -> str | None:
    for line in lines[i + 1 :]:
        if line.strip() and not _boilerplate(line.strip()):
            return line
    return None


def _is_heading(line: str, following: str | None) -> bool:
    if len(line) > HEADING or line.endswith((".", ":", ",", ";")) or FIELD.match(line):
        return False
    if following is None:
        return False
    return len(following.strip()) > LONG or bool(BULLET.match(following))


class _Prose:
    """Splits a report (numbered paragraphs, lettered sections, appendices) into units."""

    def __init__(self) -> None:
        self.units: list[_Unit] = []
        self.refs: set[str] = set()
        self.current: _Unit | None = None
        self.section: str | None = None
        self.appendix: _Unit | None = None
        self.started = False  # past the header

    def start(self, ref: str, title: str | None = None, first: str | None = None) -> _Unit:
        if ref in self.refs:  # a repeated heading continues its unit
            unit = next(u for u in self.units if u.ref == ref)
        else:
            unit = _Unit(ref, title)
            self.units.append(unit)
            self.refs.add(ref)
        if first:
            unit.lines.append(first)
        self.current = unit
        self.started = True
        return unit

    def line(self, line: str, following: str | None) -> None:
        text = line.strip()
        if self.appendix is not None:
            self._appendix_line(line)
            return
        if m := APPENDIX.match(text):
            self.appendix = self.start(f"Appendix {m[1]}", m[2])
            self.section = None
        elif m := REC.match(text):
            self.start(f"rec {m[1]}", None, m[2])
        elif m := SECTION.match(text):
            self.section = m[1]
            self.start(f"section {m[1]}", m[2])
        elif m := PARA.match(text):
            ref = f"para {m[1]}"
            also = f"section {self.section} para {m[1]}" if self.section else None
            if ref in self.refs and also:
                ref, also = also, None
            unit = self.start(ref, None, m[2])
            if also:
                unit.also.append(also)
        elif BULLET.match(line) and self.current is not None:
            self.current.lines.append("\u2022 " + BULLET.match(line)[1])  # type: ignore[index]
        elif text == "Summary" or (
            (self.started or not FIELD.match(text)) and _is_heading(text, following)
        ):
            if text == "Summary":
                self.section = None
            self.start(text.lower() if text == "Summary" else text)
        elif not self.started:
            if len(text) > LONG and not FIELD.match(text) and self._has_header():
                self.start("introduction", None, text)
            else:
                self._header().lines.append(text)
        elif self.current is not None:
            self.current.lines.append(text)

    def _has_header(self) -> bool:
        return "header" in self.refs

    def _header(self) -> _Unit:
        if "header" not in self.refs:
            unit = _Unit("header")
            self.units.insert(0, unit)
            self.refs.add("header")
        return next(u for u in self.units if u.ref == "header")

    def _appendix_line(self, line: str) -> None:
        assert self.appendix is not None
        text = line.strip()
        if m := APPENDIX.match(text):
            self.appendix = self.start(f"Appendix {m[1]}", m[2])
            return
        bullet = BULLET.match(line)
        words = "\u2022 " + bullet[1] if bullet else text
        self.appendix.lines.append(words)
        if bullet and (label := LABELLED.match(bullet[1])):
            sub = _Unit(f"{self.appendix.ref} {label[1]}", None, [bullet[1]])
            self.units.append(sub)
            self.refs.add(sub.ref)


def index_prose(text: str) -> list[_Unit]:
    lines = [ln.rstrip() for ln in text.splitlines()]
    prose = _Prose()
    for i, line in enumerate(lines):
        if not line.strip() or _boilerplate(line.strip()):
            continue
        prose.line(line, _next_text(lines, i))
    return [u for u in prose.units if any(s.strip() for s in u.lines)]


def _clean(cell: str) -> str:
    cell = re.sub(r"<li[^>]*>", "\n\u2022 ", cell)
    cell = re.sub(r"</p>\s*<p>|<br\s*/?>", "\n", cell)
    cell = re.sub(r"<[^>]+>", "", cell)
    cell = html.unescape(cell)
    lines = [re.sub(r"[ \t]+", " ", ln).strip() for ln in cell.split("\n")]
    return "\n".join(ln for ln in lines if ln)


def _updates(ref: str, cell: str) -> list[_Unit]:
    """A column's dated updates ('April 2008 Update: ...'), each a unit."""
    text = _clean(cell)
    if not text or text in ("N/A", "-"):
        return []
    marks = list(UPDATE.finditer(text))
    if not marks:
        return [_Unit(f"{ref} latest update", None, [text])]
    out = []
    for m, nxt in zip(marks, [*marks[1:], None], strict=True):
        body = text[m.end() : nxt.start() if nxt else len(text)].strip()
        out.append(_Unit(f"{ref} {m[1].capitalize()} {m[2]} update", None, [body]))
    return out


def _join(before: str, after: str) -> str:
    """A cell continued after a page break: a paragraph cut mid-sentence is one paragraph."""
    cut = re.search(r"</p>\s*$", before)
    if cut and after.startswith("<p>") and not re.search(r"[.:;!?]\s*$", before[: cut.start()]):
        return f"{before[: cut.start()]} {after[3:]}"
    return f"{before} {after}".strip()


def index_table(text: str) -> list[_Unit]:
    """A recommendations table: header lines, then rows of Ref, Recommendation, ... columns."""
    header = _Unit("header")
    rows: list[list[str]] = []
    width = 0
    for raw in text.splitlines():
        if not raw.strip() or _boilerplate(raw.strip()):
            continue
        cells = raw.split("\t")
        if cells[0].strip() == "Ref":
            width = len(cells)
            continue
        if width == 0:
            header.lines.append(raw.strip())
            continue
        cells += [""] * (width - len(cells))
        if cells[0].strip():
            rows.append([c.strip() for c in cells])
        elif rows:
            for k, cell in enumerate(cells[1:], 1):
                if cell.strip():
                    rows[-1][k] = _join(rows[-1][k], cell.strip())
    units = [header] if header.lines else []
    for row in rows:
        numbers = [int(n) for n in re.findall(r"\d+", row[0])]
        if len(numbers) > 1:
            ref = f"rec {numbers[0]}-{numbers[-1]}"
            also = [f"rec {n}" for n in range(numbers[0], numbers[-1] + 1)]
        else:
            ref, also = f"rec {numbers[0]}", []
        units.append(_Unit(ref, None, [_clean(row[1])], also))
        for column in (row[2], row[4]):  # the response and the latest progress
            for update in _updates(ref, column):
                update.also = [f"{a}{update.ref[len(ref) :]}" for a in also]
                units.append(update)
    return units


def index_document(doc_id: str, path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    text = data.decode("utf-8")
    is_table = any(line.startswith("Ref\t") for line in text.splitlines())
    units = index_table(text) if is_table else index_prose(text)
    seen: set[str] = set()
    for unit in units:
        for ref in (unit.ref, *unit.also):
            if ref.lower() in seen:
                raise SystemExit(f"{path.name}: the unit '{ref}' is found twice")
            seen.add(ref.lower())
    return {
        "id": doc_id,
        "file": path.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "units": [u.as_dict() for u in units],
    }


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def render(index: dict[str, Any]) -> str:
    body = yaml.dump(
        {"source_index": index},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=92,
        default_flow_style=False,
    )
    return HEADER_NOTE + body


def build(catalogue: Path, documents: Path, unknown: str) -> str:
    cat = yaml.safe_load(catalogue.read_text(encoding="utf-8"))["catalogue"]
    docs = []
    for source in cat.get("sources", []):
        if not source.get("file"):
            continue
        path = documents / source["file"]
        if not path.is_file():
            raise SystemExit(f"{path}: not found (source '{source['id']}' of {catalogue})")
        docs.append(index_document(str(source["id"]), path))
    return render({"unknown": unknown, "documents": docs})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--catalogue", type=Path, default=SHIPPED / "catalogue.yaml")
    parser.add_argument("--documents", type=Path, default=DOCUMENTS)
    parser.add_argument("--out", type=Path, default=SHIPPED / "sources.yaml")
    parser.add_argument(
        "--unknown",
        choices=("error", "warning"),
        default="error",
        help="how 'pathways check' reports a citation of a unit the index lacks "
        "(error: the index is complete)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if --out is not current")
    args = parser.parse_args(argv)
    text = build(args.catalogue, args.documents, args.unknown)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(f"{args.out} is out of date: run {Path(__file__).name} again", file=sys.stderr)
            return 1
        print(f"{args.out} is current")
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
