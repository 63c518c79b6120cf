"""HR's review workflow in the browser (four eyes on): drafts, review, scheduled
publication, history, rollback with a reason, the audit log viewer and its CSV.

One app per module: the tests run in order and build on each other's versions (a draft,
its approval from a date, a rollback), as a deployment would.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from store import Store
from store.users import Users
from web.app import create_app
from web.testing import PASSWORD, Seeded

# Slow: a store and app of its own and a sign-in (argon2) in every test (make test-fast
# leaves it out).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "examples" / "tutorial"
PATHWAY = (TUTORIAL / "armed_officer.yaml").read_text(encoding="utf-8")
CASES = (TUTORIAL / "armed_officer_cases.yaml").read_text(encoding="utf-8")
APRIL = dt.date(2099, 4, 1)


@pytest.fixture(scope="module")
def app(seeded: Seeded) -> Iterator[TestClient]:
    store = Store(seeded.url)
    try:
        Users(store).add("hr2", PASSWORD, "hr", must_change=False)
    finally:
        store.close()
    with TestClient(create_app(seeded.url, workers=1, four_eyes=True)) as c:
        yield c


def client(app: TestClient, username: str) -> TestClient:
    c = TestClient(app.app, follow_redirects=False)
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303, r.text
    return c


def csrf_of(text: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert found
    return found.group(1)


def text_of(response: object) -> str:
    body = getattr(response, "text", "")
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def save(c: TestClient, files: dict[str, str], cases: dict[str, str], title: str) -> int:
    token = csrf_of(c.get("/library/drafts/new").text)
    upload = [("files", (n, t.encode(), "application/yaml")) for n, t in files.items()]
    upload += [("cases", (n, t.encode(), "application/yaml")) for n, t in cases.items()]
    r = c.post("/library/drafts", data={"csrf_token": token, "title": title}, files=upload)
    assert r.status_code == 303, text_of(r)
    return int(r.headers["location"].rsplit("/", 1)[1])


def test_hr_saves_a_new_pathway_with_its_own_entries_and_cases_as_a_draft(app: TestClient) -> None:
    hr = client(app, "hr")
    assert "New draft" in hr.get("/library/drafts/new").text
    draft = save(
        hr, {"armed_officer.yaml": PATHWAY}, {"armed_officer_cases.yaml": CASES}, "Armed officer"
    )
    page = text_of(hr.get(f"/library/drafts/{draft}"))
    assert "waiting for review" in page and "Armed officer" in page
    assert "added pathway 'armed_officer'" in " ".join(page.split())
    assert "credential 'afo_accreditation'" in page  # its own catalogue entries
    assert "No problems found" in page and "5 passed, 0 failed" in page
    assert "You wrote this draft: another HR user reviews and approves it" in page
    assert "Against the version in force today." in text_of(
        hr.get(f"/library/drafts/{draft}?against=active")
    )
    token = csrf_of(hr.get(f"/library/drafts/{draft}").text)
    refused = hr.post(f"/library/drafts/{draft}/approve", data={"csrf_token": token, "version": 1})
    assert refused.status_code == 422 and "four eyes" in text_of(refused)
    listed = text_of(hr.get("/library/drafts"))
    assert f"{draft}: Armed officer" in listed and "5 passed" in listed


def test_a_draft_with_errors_and_failing_cases_is_saved_with_its_findings(app: TestClient) -> None:
    hr = client(app, "hr")
    broken = PATHWAY.replace("    - id: afo_initial_course\n      name: AFO initial course\n", "")
    failing = CASES.replace("armed_officer.afo: eligible", "armed_officer.afo: not_eligible")
    draft = save(hr, {"armed_officer.yaml": broken}, {"cases.yaml": failing}, "Broken")
    page = text_of(hr.get(f"/library/drafts/{draft}"))
    assert "1 error(s)" in page and "unknown course 'afo_initial_course'" in page
    assert "- id: afo_initial_course" in page  # the catalogue entry to paste
    assert "cases.yaml line 14: unknown course 'afo_initial_course' in the record" in page
    hr2 = client(app, "hr2")
    token = csrf_of(hr2.get(f"/library/drafts/{draft}").text)
    r = hr2.post(f"/library/drafts/{draft}/approve", data={"csrf_token": token, "version": 1})
    assert r.status_code == 422 and "cannot be published" in text_of(r)
    mine = csrf_of(hr.get(f"/library/drafts/{draft}").text)
    withdraw = hr.post(f"/library/drafts/{draft}/withdraw", data={"csrf_token": mine, "version": 1})
    assert withdraw.status_code == 303


def test_failing_cases_block_approval_until_a_reason_is_given(app: TestClient) -> None:
    hr = client(app, "hr")
    failing = CASES.replace("armed_officer.afo: eligible", "armed_officer.afo: not_eligible")
    draft = save(hr, {"armed_officer.yaml": PATHWAY}, {"cases.yaml": failing}, "Failing")
    hr2 = client(app, "hr2")
    page = hr2.get(f"/library/drafts/{draft}")
    assert "Example cases fail. Publish anyway because" in page.text
    assert "expected not_eligible, got eligible" in text_of(page)
    token = csrf_of(page.text)
    r = hr2.post(f"/library/drafts/{draft}/approve", data={"csrf_token": token, "version": 1})
    assert r.status_code == 422 and "example cases" in text_of(r)
    r = hr2.post(
        f"/library/drafts/{draft}/request-changes",
        data={"csrf_token": token, "version": 1, "note": "case 1 expects the wrong status"},
    )
    assert r.status_code == 303
    own = hr.get(f"/library/drafts/{draft}")
    page = text_of(own)
    assert "changes requested" in page and "hr2: case 1 expects the wrong status" in page
    withdraw = {"csrf_token": csrf_of(own.text), "version": 2}
    assert hr.post(f"/library/drafts/{draft}/withdraw", data=withdraw).status_code == 303


def test_the_reviewer_is_told_when_the_draft_changed_after_they_opened_it(app: TestClient) -> None:
    hr, hr2 = client(app, "hr"), client(app, "hr2")
    draft = save(hr, {"armed_officer.yaml": PATHWAY}, {}, "Armed officer, take 2")
    token2 = csrf_of(hr2.get(f"/library/drafts/{draft}").text)  # hr2 opens version 1
    token = csrf_of(hr.get(f"/library/drafts/{draft}/edit").text)
    r = hr.post(
        "/library/drafts",
        data={
            "csrf_token": token,
            "title": "Armed officer, take 3",
            "draft_id": draft,
            "version": 1,
            "file:armed_officer.yaml": PATHWAY.replace("12 months", "twelve months"),
        },
    )
    assert r.status_code == 303
    stale = hr2.post(f"/library/drafts/{draft}/approve", data={"csrf_token": token2, "version": 1})
    assert stale.status_code == 409
    assert "not 1 that you saw" in text_of(stale) and "changed by hr" in text_of(stale)
    hr.post(f"/library/drafts/{draft}/withdraw", data={"csrf_token": token, "version": 2})


def approve_from_april(app: TestClient) -> tuple[TestClient, object]:
    """hr writes the armed officer pathway; hr2 reviews it (with its impact) and approves
    it from 1 April: the response to the approval."""
    draft = save(client(app, "hr"), {"armed_officer.yaml": PATHWAY}, {}, "Armed officer")
    hr2 = client(app, "hr2")
    page = hr2.get(f"/library/drafts/{draft}?impact_as_of={APRIL}")
    assert "Who gains and who loses" in page.text and f"as of {APRIL}" in text_of(page)
    r = hr2.post(
        f"/library/drafts/{draft}/approve",
        data={
            "csrf_token": csrf_of(page.text),
            "version": 1,
            "effective_from": APRIL.isoformat(),
            "note": "Armed officer pathway from 1 April",
        },
    )
    assert r.status_code == 303, text_of(r)
    return hr2, r


def test_hr2_approves_from_a_future_date_and_decisions_on_each_side_name_their_version(
    app: TestClient, seeded: Seeded
) -> None:
    hr2, r = approve_from_april(app)
    location = r.headers["location"]  # type: ignore[attr-defined]
    assert location.startswith("/library/versions?message=Draft+")
    versions = " ".join(text_of(hr2.get("/library/versions")).split())
    assert f"{APRIL} on (scheduled) hr hr2 ( draft" in versions, versions
    bearer = {"Authorization": f"Bearer {seeded.tokens['hr']}"}
    url = f"/api/people/{seeded.officer}/decisions"
    before = hr2.get(f"{url}?as_of=2099-03-31", headers=bearer).json()
    after = hr2.get(f"{url}?as_of={APRIL}", headers=bearer).json()
    assert before["library_version"] != after["library_version"]
    assert after["library_version"].startswith(location.split("version+")[1][:12])
    assert "armed_officer" in {s["pathway"] for s in after["stages"]}
    assert "armed_officer" not in {s["pathway"] for s in before["stages"]}


def test_versions_diff_and_rollback_with_a_reason_in_the_audit_log(app: TestClient) -> None:
    hr = client(app, "hr")
    store = app.app.state.store  # type: ignore[attr-defined]
    if store.library_in_force(APRIL) == store.active_library():
        approve_from_april(app)
    # The version in force today, and the one approved from April (other tests of the
    # module may have stored more versions; these two are the ones this test is about).
    base = next(v for v in store.library_versions() if v.active)
    scheduled = store.library_in_force(APRIL)
    assert scheduled is not None and scheduled.digest != base.digest
    diff = text_of(hr.get(f"/library/versions/diff?a={base.digest[:12]}&b={scheduled.digest}"))
    assert "added pathway 'armed_officer'" in " ".join(diff.split())
    confirm = hr.get(f"/library/versions/{base.digest}/rollback")
    assert "cancels what is scheduled" in text_of(confirm) and scheduled.digest[:12] in confirm.text
    token = csrf_of(confirm.text)
    url = f"/library/versions/{base.digest}/rollback"
    assert hr.post(url, data={"csrf_token": token, "confirm": "yes"}).status_code == 422
    assert hr.post(url, data={"csrf_token": token, "reason": "x"}).status_code == 422
    reason = '=HYPERLINK("http://evil") the AFO course is not ready'
    r = hr.post(url, data={"csrf_token": token, "reason": reason, "confirm": "yes"})
    assert r.status_code == 303
    assert store.library_in_force(APRIL).digest == base.digest
    log = text_of(hr.get("/audit?action=library.rollback"))
    assert "the AFO course is not ready" in log and "web:hr" in log
    approvals = text_of(hr.get("/audit?action=draft"))
    assert "author: hr; approver: hr2" in approvals
    exported = hr.get("/audit.csv?action=library")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0] == ["at (UTC)", "user", "action", "target", "details"]
    details = [r[4] for r in rows[1:] if r[2] == "library.rollback"]
    assert details and details[0].startswith("reason: =HYPERLINK")  # text, not a formula:
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_audit_viewer_filters_and_who_may_see_it(app: TestClient, seeded: Seeded) -> None:
    admin = client(app, "admin")
    assert admin.get("/audit").status_code == 200
    assert admin.get("/library/drafts").status_code == 403
    since = dt.date.today().isoformat()
    by_user = text_of(admin.get(f"/audit?who=hr2&since={since}&until={since}"))
    assert "draft.approve" in by_user and "web:hr " not in by_user
    assert "0 entries" in text_of(admin.get("/audit?until=2000-01-01"))
    for role in (seeded.officer, "equality"):
        assert client(app, role).get("/audit").status_code == 403
        assert client(app, role).get("/audit.csv").status_code == 403


def test_direct_publishing_becomes_a_draft_with_four_eyes(app: TestClient, seeded: Seeded) -> None:
    hr = client(app, "hr")
    token = csrf_of(hr.get("/library/upload").text)
    text = (ROOT / "pathways" / "library" / "fsl.yaml").read_text(encoding="utf-8")
    changed = text.replace("name:", "name: Changed", 1)
    r = hr.post(
        "/library/publish",
        data={"csrf_token": token, "name": "fsl.yaml", "text": changed, "note": "FSL rename"},
    )
    assert r.status_code == 303 and "/library/drafts/" in r.headers["location"]
    api = hr.post(
        "/api/library/publish",
        json={"name": "fsl.yaml", "text": changed},
        headers={"Authorization": f"Bearer {seeded.tokens['hr']}"},
    )
    assert api.status_code == 403 and "four eyes" in api.json()["detail"]
