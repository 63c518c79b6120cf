"""Messages about example case files, each paired with the words it must contain and the
line and column it points at (the pattern of tests/fixtures/broken/cases.yaml).

Each entry is a case file's text, and the one problem the file must have.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from authoring.cases import parse_cases
from pathways import SHIPPED_LIBRARY, load_library
from pathways.model.library import Library
from pathways.yamlsource import read_yaml_text

HEAD = """\
- name: a constable's next steps
  as_of: 2024-06-01
  record: {id: T1, kind: officer, joined: 2022-09-05, ranks: [{rank: constable, start: 2022-09-05}]}
  expect: {pip.level_1: not_eligible}
"""

MESSAGES: list[dict[str, Any]] = [
    {
        "name": "an empty next-step phrase is refused: it is part of every step",
        "text": HEAD + '  next_steps: [{text: "", stage: pip.level_1}]\n',
        "line": 5,
        "column": 23,
        "code": "invalid-value",
        "contains": [
            "'text' is empty: an empty phrase is part of every next step",
            "or give 'stage' alone",
        ],
        "not": ["quotes"],
    },
    {
        "name": "an empty phrase in a list of phrases",
        "text": HEAD + '  not_next_steps: ["Attend", ""]\n',
        "line": 5,
        "column": 30,
        "code": "invalid-value",
        "contains": ["'item 2 of not_next_steps' is empty"],
        "not": ["quotes"],
    },
    {
        "name": "a number where text belongs asks for quotes",
        "text": HEAD + "  next_steps: [{text: 3, stage: pip.level_1}]\n",
        "line": 5,
        "column": 23,
        "code": "wrong-type",
        "contains": ["'text' should be text, not 3", "put the value in quotes"],
        "not": [],
    },
    {
        "name": "an empty case name",
        "text": HEAD.replace("a constable's next steps", '""', 1),
        "line": 1,
        "column": 9,
        "code": "invalid-value",
        "contains": ["'name' is empty", "write the name"],
        "not": ["quotes"],
    },
]


@pytest.fixture(scope="module")
def shipped() -> Library:
    return load_library([SHIPPED_LIBRARY])


@pytest.mark.parametrize("want", MESSAGES, ids=[m["name"] for m in MESSAGES])
def test_case_file_message(want: dict[str, Any], shipped: Library) -> None:
    doc = read_yaml_text(textwrap.dedent(want["text"]), "cases.yaml")
    _, problems = parse_cases(doc, shipped)
    assert len(problems) == 1, [p.format() for p in problems]
    problem = problems[0]
    assert (problem.code, problem.line, problem.column) == (
        want["code"],
        want["line"],
        want["column"],
    ), problem.format()
    text = problem.format()
    assert all(phrase in text for phrase in want["contains"]), text
    assert not any(phrase in text for phrase in want["not"]), text
