"""The officer pages and the route API: a goal and its routes, the ranked steps, what if by
name, the PDR print, the diagram page, and what each role sees of protected
characteristics. The demo officers (workforce/demo.py) are the records."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator

import pytest
from api_kit import auth, problem
from fastapi.testclient import TestClient

from accreditation.periods import add_months
from store import Store
from store.users import Users
from web.app import create_app
from web.testing import PASSWORD, Seeded, seed
from workforce.demo import store_demo_officers

# Slow: a store and app of its own, and a sign-in (argon2) in most tests (make test-fast
# leaves these out; the API modules and tests/test_security.py keep the web in it).
pytestmark = pytest.mark.slow

TODAY = dt.date.today()
CONSTABLE, LAPSED, EXPIRING = "W900001", "W900002", "W900003"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    made = seed(f"sqlite:///{tmp_path_factory.mktemp('weboff') / 'web.db'}", people=6)
    store = Store(made.url)
    try:
        store_demo_officers(store, TODAY)
        users = Users(store)
        for pid in (CONSTABLE, LAPSED, EXPIRING):
            users.add(pid, PASSWORD, "officer", pid, must_change=False)
            made.tokens[pid] = users.new_token(pid, "test")
    finally:
        store.close()
    return made


@pytest.fixture(scope="module")
def app_client(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(create_app(seeded.url, workers=1), follow_redirects=False) as c:
        yield c


def csrf_of(text: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert found
    return found.group(1)


def signed_in(app_client: TestClient, username: str) -> TestClient:
    c = TestClient(app_client.app, follow_redirects=False)
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303
    return c


def words(text: str) -> str:
    """The page's text without tags, entities decoded, spaces squeezed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def test_my_pathways_opens_with_the_goal_its_route_and_the_ranked_steps(
    app_client: TestClient,
) -> None:
    c = signed_in(app_client, CONSTABLE)
    page = c.get(f"/people/{CONSTABLE}")
    assert page.status_code == 200
    text = words(page.text)
    # Summary first: goal, next steps, what is held, then every pathway.
    order = [text.index(h) for h in ("My goal", "Next steps", "What you hold", "Every pathway")]
    assert order == sorted(order)
    assert "Chief inspector (Promotion ladder)" in text
    assert "by the first of 2 routes" in text
    # Each action once, however many stages ask for it.
    steps = re.findall(r'<p class="step-text">(.*?)</p>', page.text)
    assert steps and len(steps) == len(set(steps))
    assert text.count("Seek promotion to chief inspector") <= 1
    # Sergeant: the exam and board are passed; the date is the day two years' service are done.
    joined = dt.date.fromisoformat(c.get(f"/api/people/{CONSTABLE}").json()["joined"])
    sergeant = add_months(joined, 24)
    assert f"Sergeant: ◷ eligible from {sergeant}" in text


def test_a_goal_is_chosen_by_name_saved_and_a_second_writer_is_told(
    app_client: TestClient,
) -> None:
    c = signed_in(app_client, EXPIRING)
    url = f"/people/{EXPIRING}/goal"
    preview = c.get(url, params={"to": "PIP level 3"})
    assert preview.status_code == 200
    text = words(preview.text)
    assert "Routes to PIP level 3 - senior investigating officer" in text
    assert "Make PIP level 3 - senior investigating officer my goal" in text
    version = re.search(r'name="version" value="(\d+)"', preview.text)
    assert version is not None
    token = csrf_of(preview.text)
    saved = c.post(
        url, data={"csrf_token": token, "goal": "pip.level_3", "version": version.group(1)}
    )
    assert saved.status_code == 303
    assert "PIP level 3 - senior investigating officer (Professionalising" in words(c.get(url).text)
    # The same form again (the page was opened before the change): told, not overwritten.
    again = c.post(
        url, data={"csrf_token": token, "goal": "Superintendent", "version": version.group(1)}
    )
    assert again.status_code == 409
    assert "after you opened the page: it is now 'pip.level_3'" in html.unescape(again.text)
    bad = c.post(url, data={"csrf_token": token, "goal": "Superintendant", "version": "2"})
    assert bad.status_code == 422 and "did you mean" in html.unescape(bad.text)
    current = re.search(r'name="version" value="(\d+)"', c.get(url).text)
    assert current is not None
    cleared = c.post(
        url, data={"csrf_token": token, "action": "clear", "version": current.group(1)}
    )
    assert cleared.status_code == 303 and "No goal is chosen yet" in c.get(url).text
    assert c.post(url, data={"goal": "pip.level_3", "version": "0"}).status_code == 403  # CSRF
    other = c.get(f"/people/{CONSTABLE}/goal", headers={"Accept": "text/html"})
    assert other.status_code == 403


def test_the_route_api_names_routes_and_steps_and_refuses_bad_goals(
    app_client: TestClient, seeded: Seeded
) -> None:
    r = app_client.get(
        f"/api/people/{CONSTABLE}/route",
        params={"to": "Chief inspector"},
        headers=auth(seeded, CONSTABLE),
    )
    assert r.status_code == 200, r.text
    plan = r.json()
    assert plan["goal"] == "promotion.chief_inspector" and len(plan["routes"]) == 2
    first, second = plan["routes"]
    assert first["reached_on"] < second["reached_on"]
    keys = [s["key"] for s in plan["steps"]]
    assert len(keys) == len(set(keys))
    bad = app_client.get(
        f"/api/people/{CONSTABLE}/route",
        params={"to": "Superintendant"},
        headers=auth(seeded, CONSTABLE),
    )
    body = problem(bad, 422)
    assert body["errors"][0]["field"] == "query.to" and "did you mean" in body["detail"]
    problem(app_client.get(f"/api/people/{CONSTABLE}/route", headers=auth(seeded, "hr")), 422)
    problem(
        app_client.get(
            f"/api/people/{LAPSED}/route",
            params={"to": "pip.level_3"},
            headers=auth(seeded, CONSTABLE),
        ),
        403,
    )
    problem(
        app_client.get(
            "/api/people/W404/route", params={"to": "pip.level_3"}, headers=auth(seeded, "hr")
        ),
        404,
    )


def test_officers_see_positive_action_criteria_neutrally_and_hr_sees_each(
    app_client: TestClient, seeded: Seeded
) -> None:
    mine = app_client.get(f"/api/people/{LAPSED}/decisions", headers=auth(seeded, LAPSED)).text
    hrs = app_client.get(f"/api/people/{LAPSED}/decisions", headers=auth(seeded, "hr")).text
    for said in ("A woman", "From a black or minority ethnic group", "A disabled officer"):
        assert said not in mine
        assert said in hrs
    assert "Meets this programme's positive-action criteria" in mine
    # The requirements met or not, on the page (the diagram's tooltips carry the published
    # rule's words, the same for everyone, not whether this person meets them).
    c = signed_in(app_client, LAPSED)
    page = c.get(f"/people/{LAPSED}/pathways/positive_action").text
    judged = html.unescape(page.split('id="stages-h"')[1])
    assert "A woman" not in judged and "minority ethnic" not in judged
    assert "✔ met Meets this programme's positive-action criteria" in words(judged)
    # A man sees no list of characteristics he does not have either.
    c2 = signed_in(app_client, CONSTABLE)
    page = c2.get(f"/people/{CONSTABLE}/pathways/positive_action").text
    judged = html.unescape(page.split('id="stages-h"')[1])
    assert "A woman" not in judged and "not listed one by one" in judged


def test_the_pdr_print_leaves_positive_action_out_unless_asked(app_client: TestClient) -> None:
    c = signed_in(app_client, LAPSED)
    plain = words(c.get(f"/people/{LAPSED}/print").text)
    assert "Where I stand" in plain and "Goal and route" in plain and "Agreed actions" in plain
    assert "PIP level 3" in plain
    assert "Promoting Difference" not in plain and "Equip to Achieve" not in plain
    assert "not eligible" not in plain  # no lists of stages not open
    chosen = words(c.get(f"/people/{LAPSED}/print", params={"positive_action": "true"}).text)
    assert "Promoting Difference" in chosen


def test_what_if_picks_an_item_by_name_and_shows_the_requirements_it_meets(
    app_client: TestClient,
) -> None:
    c = signed_in(app_client, LAPSED)
    url = f"/people/{LAPSED}/what-if"
    form = c.get(url)
    assert '<datalist id="catalogue-items">' in form.text
    assert "Senior Investigating Officers" in form.text
    token = csrf_of(form.text)
    r = c.post(url, data={"csrf_token": token, "pick": "PIP level 2", "date": str(TODAY)})
    assert r.status_code == 200, r.text
    text = words(r.text)
    assert "PIP level 2 - volume and serious crime investigator" in text
    assert "✔ met" in text and "held" in text
    assert "pip" not in re.findall(r"<td[^>]*>([^<]*)</td>", r.text)  # names, not ids
    bad = c.post(url, data={"csrf_token": token, "pick": "FSL stage one", "date": str(TODAY)})
    assert bad.status_code == 422
    typo = c.post(url, data={"csrf_token": token, "more": f"course:fsl_stage_33@{TODAY}"})
    assert "did you mean &#39;fsl_stage_3&#39;" in typo.text
    date = c.post(url, data={"csrf_token": token, "pick": "PIP level 2", "date": "2024-13-01"})
    assert date.status_code == 422
    assert "is not a date: write it as YYYY-MM-DD" in html.unescape(date.text)


def test_a_step_has_a_what_if_button_with_its_items(app_client: TestClient) -> None:
    c = signed_in(app_client, LAPSED)
    page = c.get(f"/people/{LAPSED}").text
    found = re.search(r'name="more" value="(credential:pip:2@[0-9-]+)"', page)
    assert found, "the revalidation step has a what-if"
    data = {"csrf_token": csrf_of(page), "more": found.group(1)}
    r = c.post(f"/people/{LAPSED}/what-if", data=data)
    assert r.status_code == 200 and "PIP level 2" in r.text


def test_the_diagram_opens_on_its_own_page_with_links_to_the_requirements(
    app_client: TestClient,
) -> None:
    c = signed_in(app_client, LAPSED)
    r = c.get(f"/people/{LAPSED}/pathways/pip/diagram")
    assert r.status_code == 200
    assert '<script src="/static/zoom.js" defer></script>' in r.text
    assert "<svg" in r.text and 'class="zoomable"' in r.text
    links = re.findall(r'xlink:href="([^"]+)"', r.text)
    assert links and all(link.startswith(f"/people/{LAPSED}/pathways/") for link in links)
    assert c.get(f"/people/{LAPSED}/pathways/nope/diagram").status_code == 404
    js = c.get("/static/zoom.js")
    assert js.status_code == 200 and "viewBox" in js.text


def test_a_bad_date_gets_a_plain_message(app_client: TestClient) -> None:
    c = signed_in(app_client, CONSTABLE)
    r = c.get(f"/people/{CONSTABLE}", params={"as_of": "2024-13-01"})
    assert r.status_code == 422
    text = html.unescape(r.text)
    assert "'2024-13-01' is not a date: write it as YYYY-MM-DD" in text
    assert "month value is outside expected range" not in text


def test_an_obligation_due_comes_first_on_the_page_and_is_in_the_api(
    app_client: TestClient, seeded: Seeded
) -> None:
    chief = "W900004"  # the demo chief inspector: FSL due two months from today
    due = (add_months(TODAY, 2) - dt.timedelta(days=1)).isoformat()
    hr = signed_in(app_client, "hr")
    text = words(hr.get(f"/people/{chief}").text)
    assert text.index("Obligations") < text.index("Goal") < text.index("Next steps")
    assert f"⏲ due by {due} Attend the Foundation for Senior Leadership" in text
    assert f"To do: Attend every stage of the Foundation for Senior Leadership, by {due}" in text
    full = app_client.get(f"/api/people/{chief}/decisions", headers=auth(seeded, "hr")).json()
    (fsl,) = [o for o in full["obligations"] if o["obligation"] == "fsl_for_chief_inspectors"]
    assert (fsl["status"], fsl["due_by"], fsl["owner"]) == ("due", due, "person")
    assert fsl["must"]["met"] is False
    brief = app_client.get(
        f"/api/people/{chief}/decisions",
        params={"detail": "summary"},
        headers=auth(seeded, "hr"),
    ).json()
    # The summary leaves out the requirement trees.
    assert [(o["status"], o["due_by"], o.get("must")) for o in brief["obligations"]] == [
        ("due", due, None)
    ]
