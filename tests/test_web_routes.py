"""Every route of the web app is tested, and no input makes any API route answer 500.

:data:`ROUTES` names, for each route of ``create_app(...)``, the tests that call it and (for
the API) the tests that send it bad input and check the problem details. The tests are read
as source: a test counts for a route only if it really calls that method and path (a
``client.get("/path")``-style call, also with an f-string path whose ``{...}`` parts match
any path segment, or a playwright ``page.goto(...)``); a bad-input test must check a
``problem(...)``. A new route without an entry here fails :func:`test_every_route_is_listed`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from web.app import create_app
from web.testing import Seeded, routes

HERE = Path(__file__).parent
METHODS = {"get", "post", "put", "delete", "patch"}
API = "test_web_api.py"
MANAGE = "test_web_manage_api.py"
PAGES = "test_web_pages.py"
REPORTS = "test_web_reports.py"
OFFICER = "test_web_officer.py"
OPENAPI = "test_web_openapi.py"
DOCS = "test_web_docs_browser.py"
REPORTS_API = "test_web_reports_api.py"
RECORD = "test_web_record_edit.py"
GOAL = "test_web_goal_api.py"
COMPLIANCE = "test_web_compliance.py"
KEYPOSTS = "test_web_keyposts.py"
CASCADE = "test_web_cascade.py"
WHO_ACTS, CSVS = (
    "test_hr_sees_who_must_act_and_equality_only_counts",
    "test_compliance_csv_for_each_role",
)
POSTS = "test_hr_adds_changes_and_retires_a_key_post_with_its_trail"
POST_REPORT, MENTORS = (
    "test_the_report_its_csv_and_the_quarterly_snapshot",
    "test_hr_sees_the_cascade_and_its_csv",
)

#: route -> (tests that call it, tests that send it bad input and check the problem)
ROUTES: dict[tuple[str, str], tuple[list[str], list[str]]] = {
    # --- the JSON API ---
    ("GET", "/api/me"): (
        [f"{API}::test_me_with_each_token"],
        [f"{MANAGE}::test_admin_revokes_anyones_token"],
    ),
    ("GET", "/api/people/{person_id}/decisions"): (
        [
            f"{API}::test_decisions_for_own_record",
            f"{API}::test_decision_summary_is_small_and_agrees_with_the_full_decision",
        ],
        [
            f"{API}::test_bad_as_of_is_a_validation_problem",
            f"{API}::test_without_a_valid_token_is_401",
        ],
    ),
    ("POST", "/api/people/{person_id}/what-if"): (
        [f"{API}::test_what_if_with_specs_and_items"],
        [f"{API}::test_what_if_bad_payloads", f"{API}::test_what_if_bodies_that_are_not_objects"],
    ),
    ("GET", "/api/people/{person_id}/route"): (
        [f"{OFFICER}::test_the_route_api_names_routes_and_steps_and_refuses_bad_goals"],
        [f"{OFFICER}::test_the_route_api_names_routes_and_steps_and_refuses_bad_goals"],
    ),
    ("GET", "/api/pathways"): ([f"{API}::test_pathways"], [f"{API}::test_pathways"]),
    ("GET", "/api/pathways/{pathway_id}"): ([f"{API}::test_pathways"], [f"{API}::test_pathways"]),
    ("GET", "/api/pathways/{pathway_id}/diagram.svg"): (
        [f"{MANAGE}::test_diagram_svg_plain_and_with_own_overlay"],
        [
            f"{MANAGE}::test_diagram_svg_bad_requests",
            f"{MANAGE}::test_diagram_without_graphviz_is_503_not_500",
        ],
    ),
    ("GET", "/api/people"): (
        [f"{MANAGE}::test_list_people_pages_and_filters"],
        [f"{MANAGE}::test_list_people_bad_query_is_422"],
    ),
    ("POST", "/api/people"): (
        [f"{MANAGE}::test_create_read_delete_a_record"],
        [f"{MANAGE}::test_create_bad_records_are_422_naming_the_field"],
    ),
    ("GET", "/api/people/{person_id}"): (
        [f"{API}::test_get_record_protected_characteristics_only_for_hr"],
        [f"{API}::test_get_record_protected_characteristics_only_for_hr"],
    ),
    ("PUT", "/api/people/{person_id}"): (
        [f"{API}::test_put_record_creates_then_updates"],
        [
            f"{API}::test_put_bad_records",
            f"{MANAGE}::test_replace_with_a_bad_record_names_the_field",
        ],
    ),
    ("DELETE", "/api/people/{person_id}"): (
        [f"{MANAGE}::test_create_read_delete_a_record"],
        [f"{MANAGE}::test_records_routes_are_hr_only"],
    ),
    ("GET", "/api/versions"): (
        [f"{API}::test_versions_for_hr_only"],
        [f"{API}::test_versions_for_hr_only"],
    ),
    ("GET", "/api/versions/{digest}"): (
        [f"{MANAGE}::test_publish_refuses_errors_then_publishes_and_rolls_back"],
        [f"{MANAGE}::test_activate_an_unknown_version_is_404"],
    ),
    ("POST", "/api/library/check"): (
        [f"{MANAGE}::test_check_several_files_as_json_or_uploads"],
        [
            f"{MANAGE}::test_library_bad_payloads_are_422_naming_the_field",
            f"{MANAGE}::test_library_bad_bodies_and_uploads",
        ],
    ),
    ("POST", "/api/library/publish"): (
        [f"{MANAGE}::test_publish_refuses_errors_then_publishes_and_rolls_back"],
        [f"{MANAGE}::test_library_bad_payloads_are_422_naming_the_field"],
    ),
    ("POST", "/api/library/activate"): (
        [f"{MANAGE}::test_publish_refuses_errors_then_publishes_and_rolls_back"],
        [
            f"{MANAGE}::test_library_bad_payloads_are_422_naming_the_field",
            f"{MANAGE}::test_activate_an_unknown_version_is_404",
        ],
    ),
    ("POST", "/api/tokens"): (
        [f"{MANAGE}::test_make_list_use_and_revoke_a_token"],
        [f"{MANAGE}::test_token_bad_payloads", f"{MANAGE}::test_a_token_cannot_make_tokens"],
    ),
    ("GET", "/api/tokens"): (
        [f"{MANAGE}::test_make_list_use_and_revoke_a_token"],
        [f"{MANAGE}::test_make_list_use_and_revoke_a_token"],
    ),
    ("DELETE", "/api/tokens/{token_id}"): (
        [f"{MANAGE}::test_admin_revokes_anyones_token"],
        [f"{MANAGE}::test_revoke_bad_ids"],
    ),
    ("GET", "/api/reports/pipeline"): (
        [f"{REPORTS_API}::test_pipeline_counts_for_everyone_people_for_hr_only"],
        [f"{REPORTS_API}::test_pipeline_bad_input_is_a_problem"],
    ),
    ("GET", "/api/reports/pipeline.csv"): (
        [f"{REPORTS_API}::test_pipeline_csv_is_the_pages"],
        [f"{REPORTS_API}::test_pipeline_bad_input_is_a_problem"],
    ),
    ("GET", "/api/reports/equality"): (
        [
            f"{REPORTS_API}::test_equality_json_is_the_csv_with_hidden_counts_null",
            f"{REPORTS_API}::test_equality_trend_and_projection",
        ],
        [
            f"{REPORTS_API}::test_equality_monitoring_for_equality_and_hr_only",
            f"{REPORTS_API}::test_equality_bad_input_is_a_problem",
        ],
    ),
    ("GET", "/api/reports/equality.csv"): (
        [f"{REPORTS_API}::test_equality_json_is_the_csv_with_hidden_counts_null"],
        [
            f"{REPORTS_API}::test_equality_monitoring_for_equality_and_hr_only",
            f"{REPORTS_API}::test_equality_bad_input_is_a_problem",
        ],
    ),
    ("GET", "/api/reports/characteristics"): (
        [f"{REPORTS_API}::test_characteristic_counts_for_equality_only"],
        [f"{REPORTS_API}::test_characteristic_counts_for_equality_only"],
    ),
    ("GET", "/api/reports/records-to-check"): (
        [f"{REPORTS_API}::test_records_to_check_for_hr_only"],
        [f"{REPORTS_API}::test_records_to_check_bad_input_is_a_problem"],
    ),
    ("POST", "/api/library/impact"): (
        [f"{REPORTS_API}::test_impact_preview_for_hr_only"],
        [
            f"{REPORTS_API}::test_impact_preview_for_hr_only",
            f"{REPORTS_API}::test_impact_bad_input_is_a_problem",
        ],
    ),
    # --- the pages ---
    ("GET", "/docs"): (
        [
            f"{OPENAPI}::test_docs_are_served_from_this_server",
            f"{DOCS}::test_docs_work_offline_and_authorise_with_a_token",
        ],
        [],
    ),
    ("GET", "/"): ([f"{PAGES}::test_role_start_pages"], []),
    ("GET", "/login"): ([f"{PAGES}::test_sign_in_and_out"], []),
    ("POST", "/login"): ([f"{PAGES}::test_sign_in_and_out"], [f"{PAGES}::test_wrong_password"]),
    ("POST", "/logout"): (
        [f"{PAGES}::test_sign_in_and_out"],
        [f"{PAGES}::test_forms_without_the_csrf_token_are_refused"],
    ),
    ("GET", "/people/{person_id}"): (
        [f"{PAGES}::test_my_pathways"],
        [f"{PAGES}::test_bad_as_of_on_a_page_is_422"],
    ),
    ("GET", "/people/{person_id}/pathways/{pathway_id}"): ([f"{PAGES}::test_pathway_page"], []),
    ("GET", "/people/{person_id}/print"): (
        [
            f"{PAGES}::test_print_view",
            f"{OFFICER}::test_the_pdr_print_leaves_positive_action_out_unless_asked",
        ],
        [],
    ),
    ("GET", "/people/{person_id}/goal"): (
        [f"{OFFICER}::test_a_goal_is_chosen_by_name_saved_and_a_second_writer_is_told"],
        [],
    ),
    ("POST", "/people/{person_id}/goal"): (
        [f"{OFFICER}::test_a_goal_is_chosen_by_name_saved_and_a_second_writer_is_told"],
        [],
    ),
    ("GET", "/people/{person_id}/pathways/{pathway_id}/diagram"): (
        [f"{OFFICER}::test_the_diagram_opens_on_its_own_page_with_links_to_the_requirements"],
        [],
    ),
    ("GET", "/people/{person_id}/what-if"): ([f"{PAGES}::test_what_if_page"], []),
    ("POST", "/people/{person_id}/what-if"): ([f"{PAGES}::test_what_if_page"], []),
    ("GET", "/api/people/{person_id}/goal"): (
        [f"{GOAL}::test_an_officer_sets_changes_and_removes_their_goal_and_a_stale_writer_is_told"],
        [f"{GOAL}::test_bad_goals_and_other_peoples_goals_are_refused"],
    ),
    ("PUT", "/api/people/{person_id}/goal"): (
        [f"{GOAL}::test_an_officer_sets_changes_and_removes_their_goal_and_a_stale_writer_is_told"],
        [f"{GOAL}::test_bad_goals_and_other_peoples_goals_are_refused"],
    ),
    ("DELETE", "/api/people/{person_id}/goal"): (
        [f"{GOAL}::test_an_officer_sets_changes_and_removes_their_goal_and_a_stale_writer_is_told"],
        [f"{GOAL}::test_bad_goals_and_other_peoples_goals_are_refused"],
    ),
    ("GET", "/people/{person_id}/record"): (
        [f"{RECORD}::test_the_second_of_two_editors_is_told_and_nothing_is_lost"],
        [],
    ),
    ("POST", "/people/{person_id}/record"): (
        [f"{RECORD}::test_only_hr_opens_or_saves_records"],
        [],
    ),
    ("GET", "/people"): ([f"{PAGES}::test_hr_sees_anyone"], []),
    ("GET", "/equality"): ([f"{PAGES}::test_role_start_pages"], []),
    ("POST", "/library/impact"): (
        [f"{REPORTS}::test_hr_sees_the_impact_of_a_rule_change_before_publishing"],
        [],
    ),
    ("GET", "/reports/pipeline"): ([f"{REPORTS}::test_pipeline_names_people_for_hr_only"], []),
    ("GET", "/reports/pipeline.csv"): (
        [f"{REPORTS}::test_pipeline_names_people_for_hr_only"],
        [],
    ),
    ("GET", "/reports/compliance"): ([f"{COMPLIANCE}::{WHO_ACTS}"], [f"{COMPLIANCE}::{CSVS}"]),
    ("GET", "/reports/compliance.csv"): ([f"{COMPLIANCE}::{CSVS}"], [f"{COMPLIANCE}::{CSVS}"]),
    ("GET", "/key-posts"): ([f"{KEYPOSTS}::{POSTS}"], []),
    ("POST", "/key-posts"): ([f"{KEYPOSTS}::{POSTS}"], []),
    ("GET", "/key-posts/{post_id}"): ([f"{KEYPOSTS}::{POSTS}"], []),
    ("POST", "/key-posts/{post_id}"): ([f"{KEYPOSTS}::{POSTS}"], []),
    ("GET", "/reports/key-posts"): ([f"{KEYPOSTS}::{POST_REPORT}"], []),
    ("GET", "/reports/key-posts.csv"): ([f"{KEYPOSTS}::{POST_REPORT}"], []),
    ("POST", "/reports/key-posts/snapshot"): ([f"{KEYPOSTS}::{POST_REPORT}"], []),
    ("GET", "/reports/talent-cascade"): ([f"{CASCADE}::{MENTORS}"], []),
    ("GET", "/reports/talent-cascade.csv"): ([f"{CASCADE}::{MENTORS}"], []),
    ("GET", "/reports/equality"): (
        [f"{REPORTS}::test_equality_report_for_equality_and_hr_only"],
        [],
    ),
    ("GET", "/reports/equality.csv"): (
        [f"{REPORTS}::test_equality_csv_is_suppressed_and_consistent"],
        [],
    ),
    ("GET", "/library"): (
        [f"{PAGES}::test_hr_library_pathway_page_has_the_diagram_and_sourced_rules"],
        [],
    ),
    ("GET", "/library/pathways/{pathway_id}"): (
        [f"{PAGES}::test_hr_library_pathway_page_has_the_diagram_and_sourced_rules"],
        [],
    ),
    ("GET", "/library/upload"): (
        [f"{PAGES}::test_hr_edits_a_file_in_place_and_sees_the_diff_before_publishing"],
        [],
    ),
    ("POST", "/library/check"): (
        [f"{PAGES}::test_hr_uploads_a_broken_file_then_publishes_a_fixed_one"],
        [f"{PAGES}::test_check_refuses_bad_file_names"],
    ),
    ("POST", "/library/publish"): (
        [f"{PAGES}::test_hr_uploads_a_broken_file_then_publishes_a_fixed_one"],
        [],
    ),
    ("POST", "/library/activate"): (
        [f"{PAGES}::test_hr_rolls_back_to_an_earlier_version_from_the_library_page"],
        [],
    ),
    ("GET", "/admin/users"): ([f"{PAGES}::test_admin_adds_a_user"], []),
    ("POST", "/admin/users"): ([f"{PAGES}::test_admin_adds_a_user"], []),
    ("GET", "/admin/users/{username}"): (
        [f"{PAGES}::test_admin_changes_a_role_on_the_users_page"],
        [],
    ),
    ("POST", "/admin/users/{username}"): (
        [
            f"{PAGES}::test_admin_changes_a_role_on_the_users_page",
            f"{PAGES}::test_admin_disables_enables_and_resets_a_user",
        ],
        [],
    ),
    ("GET", "/data-quality"): (["test_web_dataquality.py::test_hr_sees_records_to_check"], []),
    ("GET", "/account"): ([f"{PAGES}::test_own_account_tokens_and_password"], []),
    ("POST", "/account/tokens"): ([f"{PAGES}::test_own_account_tokens_and_password"], []),
    ("POST", "/account/tokens/{token_id}/revoke"): (
        [f"{PAGES}::test_own_account_tokens_and_password"],
        [],
    ),
    ("POST", "/account/password"): ([f"{PAGES}::test_own_account_tokens_and_password"], []),
}


def app_routes() -> set[tuple[str, str]]:
    return routes(create_app("sqlite://", workers=1))


def _text(node: ast.expr) -> str | None:
    """A call's path argument as text, with f-string parts as ``\\x00``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "\x00" for v in node.values)
    return None


@cache
def web_tests() -> dict[str, tuple[ast.FunctionDef, str]]:
    """``FILE::name`` -> (the test function's syntax tree, its source) for every web test."""
    out = {}
    for file in sorted(HERE.glob("test_web_*.py")):
        source = file.read_text(encoding="utf-8")
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                out[f"{file.name}::{node.name}"] = (
                    node,
                    ast.get_source_segment(source, node) or "",
                )
    return out


def _calls_in(func: ast.FunctionDef) -> set[tuple[str, str]]:
    """(METHOD, path) of each call in a test. A call whose path is a variable counts for
    every path literal of the same function (``url = f"/x/{id}"; c.get(url)``)."""
    paths = {
        t.split("?")[0]
        for node in ast.walk(func)
        if isinstance(node, ast.expr) and (t := _text(node)) is not None and t.startswith("/")
    }
    calls: set[tuple[str, str]] = set()
    for node in ast.walk(func):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        if name not in METHODS | {"goto"} or not node.args:
            continue
        method = "GET" if name == "goto" else name.upper()
        text = _text(node.args[0])
        if text is None:
            calls |= {(method, p) for p in paths}
            continue
        if name == "goto":  # playwright: a full URL
            text = re.sub(r"^(\x00|https?://[^/]+)", "", text)
        calls.add((method, text.split("?")[0]))
    return calls


def _matches(route: str, call: str) -> bool:
    pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(route))
    return re.fullmatch(pattern, call.replace("\x00", "X")) is not None


def _calls(test: str, method: str, path: str) -> bool:
    func, _ = web_tests()[test]
    return any(m == method and _matches(path, c) for m, c in _calls_in(func))


def test_every_route_is_listed() -> None:
    found = app_routes()
    assert set(ROUTES) - found == set(), "listed routes the app does not have"
    assert found - set(ROUTES) == set(), "routes with no tests listed in ROUTES"


@pytest.mark.parametrize(("method", "path"), sorted(ROUTES, key=lambda r: (r[1], r[0])))
def test_the_listed_tests_call_the_route(method: str, path: str) -> None:
    uses, bad = ROUTES[(method, path)]
    assert uses, "list a test that calls the route"
    if path.startswith("/api/"):
        assert bad, "list a test that sends the API route bad input"
    known = web_tests()
    for test in uses + bad:
        assert test in known, f"no test {test}"
        assert _calls(test, method, path), f"{test} does not call {method} {path}"
    for test in bad if path.startswith("/api/") else []:
        assert "problem(" in known[test][1], f"{test} does not check a problem response"


def test_the_route_check_sees_a_route_that_is_not_called() -> None:
    assert _matches("/api/people/{person_id}", "/api/people/X")
    assert not _matches("/api/people/{person_id}", "/api/people/X/decisions")
    assert _calls(f"{API}::test_me_with_each_token", "GET", "/api/me")
    assert not _calls(f"{API}::test_me_with_each_token", "GET", "/api/pathways")
    assert not _calls(f"{API}::test_me_with_each_token", "POST", "/api/me")


# --- no input makes an API route fail -------------------------------------------------------


@pytest.fixture(scope="module")
def client(client: TestClient) -> TestClient:
    """The session's app (tests/conftest.py), answering a server error as a 500 response
    (the assertion below names the request) instead of raising it here."""
    return TestClient(client.app, raise_server_exceptions=False)


SEGMENTS = ["W999999", "x" * 300, "%00", "..%2F..%2Fetc", "0", "-1", "ü", "%20"]
QUERIES = [
    "",
    "as_of=never",
    "as_of=2024-02-30",
    "limit=-5&offset=x",
    "person=&as_of=",
    "files=maybe",
    "username=" + "u" * 200,
    "q=%25%5F%27",
]
BODIES: list[tuple[bytes, str]] = [
    (b"", "application/json"),
    (b"{", "application/json"),
    (b"[]", "application/json"),
    (b"null", "application/json"),
    (b'{"name": {"deep": [1, 2]}, "text": 5, "files": "x", "digest": null}', "application/json"),
    (b'{"add": [null], "additions": {"courses": [null]}}', "application/json"),
    (b"\x00\x01 not text", "application/octet-stream"),
    (b"--x\r\nContent-Disposition: form-data\r\n\r\nbroken", "multipart/form-data; boundary=x"),
    (b"name=x", "application/x-www-form-urlencoded"),
]


def _fill(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def _requests(method: str, path: str) -> Iterator[tuple[str, bytes, str]]:
    for segment in SEGMENTS:
        for query in QUERIES[:3] if segment != SEGMENTS[0] else QUERIES:
            yield f"{_fill(path, segment)}?{query}", b"", ""
    if method in ("POST", "PUT"):
        for body, kind in BODIES:
            yield _fill(path, SEGMENTS[0]) + "?as_of=x", body, kind


def _sent(client: TestClient, method: str, url: str, body: bytes, kind: str, who: Any) -> Any:
    headers = {**who, **({"Content-Type": kind} if kind else {})}
    return client.request(method, url, content=body or None, headers=headers)


@pytest.mark.slow  # thousands of requests
@pytest.mark.parametrize(
    ("method", "path"),
    sorted((r for r in ROUTES if r[1].startswith("/api/")), key=lambda r: (r[1], r[0])),
)
def test_no_bad_input_makes_an_api_route_fail(
    client: TestClient, seeded: Seeded, method: str, path: str
) -> None:
    """Made-up ids, junk query strings and bodies, for every role and without a token:
    always a 4xx problem document (or a success), never a 5xx."""
    callers = [{}] + [{"Authorization": f"Bearer {t}"} for t in seeded.tokens.values()]
    for url, body, kind in _requests(method, path):
        for who in callers:
            r = _sent(client, method, url, body, kind, who)
            assert r.status_code < 500, (method, url, body, r.text)
            if r.status_code >= 400:
                assert r.headers["content-type"].startswith("application/problem+json"), url
                assert r.json()["status"] == r.status_code and r.json()["detail"]
