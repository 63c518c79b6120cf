"""The routes of HR's record page, the goal API and HR's succession reports in the API, in
the route registry of tests/test_web_routes.py (kept here so that module stays readable)."""

from __future__ import annotations

RECORD = "test_web_record_edit.py"
GOAL = "test_web_goal_api.py"

#: route -> (tests that call it, tests that send it bad input and check the problem)
PEOPLE_ROUTES: dict[tuple[str, str], tuple[list[str], list[str]]] = {
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
    ("GET", "/api/reports/key-posts"): (
        ["test_web_keyposts.py::test_the_report_in_the_api_is_the_pages_csv_for_hr_only"],
        ["test_web_keyposts.py::test_the_report_in_the_api_is_the_pages_csv_for_hr_only"],
    ),
    ("GET", "/api/reports/talent-cascade"): (
        ["test_web_cascade.py::test_the_cascade_in_the_api_is_the_pages_for_hr_only"],
        ["test_web_cascade.py::test_the_cascade_in_the_api_is_the_pages_for_hr_only"],
    ),
}
