"""The routes of drafts, reviews, versions and the audit log in the route registry of
tests/test_web_routes.py (kept here so that module stays readable)."""

from __future__ import annotations

REVIEW = "test_web_review.py"

#: route -> (tests that call it, tests that send it bad input and check the problem)
REVIEW_ROUTES: dict[tuple[str, str], tuple[list[str], list[str]]] = {
    ("GET", "/library/drafts"): (
        [f"{REVIEW}::test_hr_saves_a_new_pathway_with_its_own_entries_and_cases_as_a_draft"],
        [],
    ),
    ("GET", "/library/drafts/new"): (
        [f"{REVIEW}::test_hr_saves_a_new_pathway_with_its_own_entries_and_cases_as_a_draft"],
        [],
    ),
    ("POST", "/library/drafts"): (
        [f"{REVIEW}::test_the_reviewer_is_told_when_the_draft_changed_after_they_opened_it"],
        [],
    ),
    ("GET", "/library/drafts/{draft_id}"): (
        [f"{REVIEW}::test_hr_saves_a_new_pathway_with_its_own_entries_and_cases_as_a_draft"],
        [],
    ),
    ("GET", "/library/drafts/{draft_id}/edit"): (
        [f"{REVIEW}::test_the_reviewer_is_told_when_the_draft_changed_after_they_opened_it"],
        [],
    ),
    ("POST", "/library/drafts/{draft_id}/approve"): (
        [
            f"{REVIEW}::test_hr_saves_a_new_pathway_with_its_own_entries_and_cases_as_a_draft",
            f"{REVIEW}::test_the_reviewer_is_told_when_the_draft_changed_after_they_opened_it",
        ],
        [],
    ),
    ("POST", "/library/drafts/{draft_id}/request-changes"): (
        [f"{REVIEW}::test_failing_cases_block_approval_until_a_reason_is_given"],
        [],
    ),
    ("POST", "/library/drafts/{draft_id}/withdraw"): (
        [f"{REVIEW}::test_a_draft_with_errors_and_failing_cases_is_saved_with_its_findings"],
        [],
    ),
    ("GET", "/library/versions"): (
        [
            f"{REVIEW}::test_hr2_approves_from_a_future_date_and_decisions_on_each_side_name_their_version"
        ],
        [],
    ),
    ("GET", "/library/versions/diff"): (
        [f"{REVIEW}::test_versions_diff_and_rollback_with_a_reason_in_the_audit_log"],
        [],
    ),
    ("GET", "/library/versions/{digest}/rollback"): (
        [f"{REVIEW}::test_versions_diff_and_rollback_with_a_reason_in_the_audit_log"],
        [],
    ),
    ("POST", "/library/versions/{digest}/rollback"): (
        [f"{REVIEW}::test_versions_diff_and_rollback_with_a_reason_in_the_audit_log"],
        [],
    ),
    ("GET", "/audit"): ([f"{REVIEW}::test_the_audit_viewer_filters_and_who_may_see_it"], []),
    ("GET", "/audit.csv"): (
        [
            f"{REVIEW}::test_versions_diff_and_rollback_with_a_reason_in_the_audit_log",
            f"{REVIEW}::test_the_audit_viewer_filters_and_who_may_see_it",
        ],
        [],
    ),
}
