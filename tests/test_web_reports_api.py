"""Every report, and the impact preview, through the JSON API with the pages' access rules:
the pipeline (counts for anyone signed in, people's ids for hr only), equality monitoring
(equality and hr), records by characteristic (equality), the impact of a rule change (hr).
Each rule is tested from the attacker's side: other roles, no token, the session of another
role, and the same figures the page gives."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_kit import auth, problem
from fastapi.testclient import TestClient
from test_data_quality import TRAINING, analyst
from test_web_pages import browser, sign_in

from accreditation.io import load_record
from pathways import SHIPPED_LIBRARY
from web.app import create_app
from web.testing import Seeded, seed
from workforce.fairness import HIDDEN, SUPPRESS_BELOW

DAY = "2024-06-01"
ROOT = Path(__file__).parent.parent
PEOPLE = 80
PERSON_ID = re.compile(r"\b[WS]\d{6}\b")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed(f"sqlite:///{tmp_path_factory.mktemp('reportsapi') / 'web.db'}", people=PEOPLE)


@pytest.fixture(scope="module")
def client(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(create_app(seeded.url, workers=1), follow_redirects=False) as c:
        yield c


def _session(client: TestClient, seeded: Seeded, role: str) -> TestClient:
    return sign_in(browser(client), seeded.officer if role == "officer" else role)


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- the pipeline ------------------------------------------------------------------------------


def test_pipeline_counts_for_everyone_people_for_hr_only(
    client: TestClient, seeded: Seeded
) -> None:
    url = f"/api/reports/pipeline?target=promotion.inspector&as_of={DAY}"
    full = client.get(url, headers=auth(seeded, "hr")).json()
    assert full["target_name"] == "Inspector (Promotion ladder)" and full["people"] == PEOPLE
    total = full["total"]
    for column in ("held", "eligible", "within_6", "within_12"):
        assert total[column] == sum(r[column] for r in full["rows"])
        assert len(total["people"][column]) == total[column]
    assert total["within_6"] <= total["within_12"] and total["eligible"] > 0
    for role in ("officer", "equality", "admin"):
        r = client.get(url, headers=auth(seeded, role))
        assert r.status_code == 200
        body = r.json()
        assert not PERSON_ID.search(r.text), f"{role} sees people's ids"
        assert all(row["people"] is None for row in [*body["rows"], body["total"]])
        assert {k: v for k, v in body["total"].items() if k != "people"} == {
            k: v for k, v in total.items() if k != "people"
        }
    problem(client.get(url), 401)


def test_pipeline_csv_is_the_pages(client: TestClient, seeded: Seeded) -> None:
    query = {"target": "promotion.sergeant", "as_of": DAY}
    for role in ("hr", "officer"):
        api = client.get("/api/reports/pipeline.csv", params=query, headers=auth(seeded, role))
        assert api.status_code == 200 and api.headers["content-type"].startswith("text/csv")
        page = _session(client, seeded, role).get("/reports/pipeline.csv", params=query)
        assert api.text == page.text
        rows = _csv(api.text)
        assert rows[-1]["business_group"] == "all"
        assert ("held_people" in rows[0]) is (role == "hr")
        assert (PERSON_ID.search(api.text) is not None) is (role == "hr")
    problem(client.get("/api/reports/pipeline.csv", params=query), 401)


def test_pipeline_bad_input_is_a_problem(client: TestClient, seeded: Seeded) -> None:
    hr = auth(seeded, "hr")
    body = problem(client.get("/api/reports/pipeline?target=promotion.inspectr", headers=hr), 404)
    assert "did you mean" in body["detail"] and "promotion.inspector" in body["detail"]
    for day in ("9999-12-31", "0001-01-01"):
        body = problem(client.get(f"/api/reports/pipeline?as_of={day}", headers=hr), 422)
        assert body["errors"][0]["field"] == "query.as_of" and "outside the dates" in body["detail"]
    body = problem(client.get("/api/reports/pipeline.csv?as_of=never", headers=hr), 422)
    assert body["errors"][0]["field"] == "query.as_of"
    problem(client.get("/api/reports/pipeline.csv?target=" + "x" * 121, headers=hr), 422)


# --- equality monitoring ------------------------------------------------------------------------


def test_equality_monitoring_for_equality_and_hr_only(client: TestClient, seeded: Seeded) -> None:
    urls = [
        f"/api/reports/equality?as_of={DAY}",
        f"/api/reports/equality?pathway=positive_action&by=ethnicity%2Bgender&as_of={DAY}",
        f"/api/reports/equality.csv?as_of={DAY}",
        f"/api/reports/equality?trend_stage=promotion.sergeant&reference=white&as_of={DAY}",
    ]
    for url in urls:
        for role in ("officer", "admin"):
            body = problem(client.get(url, headers=auth(seeded, role)), 403)
            assert "equality or hr" in body["detail"]
            problem(_session(client, seeded, role).get(url), 403)  # the session: the same
        problem(client.get(url), 401)
        for role in ("equality", "hr"):
            assert client.get(url, headers=auth(seeded, role)).status_code == 200, (url, role)


def test_equality_json_is_the_csv_with_hidden_counts_null(
    client: TestClient, seeded: Seeded
) -> None:
    query = {"pathway": "promotion", "by": "gender", "as_of": DAY}
    equality = auth(seeded, "equality")
    body = client.get("/api/reports/equality", params=query, headers=equality).json()
    rows = _csv(client.get("/api/reports/equality.csv", params=query, headers=equality).text)
    page = _csv(
        _session(client, seeded, "equality").get("/reports/equality.csv", params=query).text
    )
    assert rows == page
    by_cell = {(r["stage"], r["group"]): r for r in rows}
    shown = 0
    for stage in body["stages"]:
        assert stage["by"] == "gender" and stage["pool"]
        for row in stage["rows"]:
            cells = by_cell[(stage["stage"], row["group"])]
            for key, column in (("people", "people_in_pool"), ("has", "held_or_eligible")):
                value = row[key]
                assert cells[column] == (HIDDEN if value is None else str(value))
                assert value is None or value == 0 or value >= SUPPRESS_BELOW
                shown += value is not None
            assert (row["rate"] is None) is (cells["rate"] == "")
    assert shown > 0 and len(by_cell) == sum(len(s["rows"]) for s in body["stages"])
    assert body["projection"]["stage"] == "promotion.superintendent"  # as on the page
    assert body["hidden"].startswith("null counts are hidden")


def test_equality_trend_and_projection(client: TestClient, seeded: Seeded) -> None:
    body = client.get(
        f"/api/reports/equality?trend_stage=promotion.sergeant&as_of={DAY}",
        headers=auth(seeded, "hr"),
    ).json()
    years = [t["as_of"] for t in body["trend"]]
    assert years == sorted(years) and years[-1] == DAY and len(years) <= 5
    assert {t["stage"] for t in body["trend"]} == {"promotion.sergeant"}
    projection = body["projection"]
    assert projection["stage"] == "promotion.superintendent" and projection["by"] == "2026-06-01"
    counts = [projection[k] for k in ("held_now", "without", "with_programme", "pipeline")]
    # Published counts are rounded to 5 and none under 10 (workforce.disclosure.rounded).
    assert all(c is None or (c >= 10 and c % 5 == 0) for c in counts), counts
    shown = [c if c is not None else 0 for c in counts[:3]]
    assert shown[2] >= shown[1] >= shown[0]


def test_equality_bad_input_is_a_problem(client: TestClient, seeded: Seeded) -> None:
    eq = auth(seeded, "equality")
    assert (
        "'by' is one of"
        in problem(client.get("/api/reports/equality?by=religion", headers=eq), 422)["detail"]
    )
    problem(client.get("/api/reports/equality?pathway=nowhere", headers=eq), 404)
    body = problem(
        client.get(f"/api/reports/equality?reference=martian&as_of={DAY}", headers=eq), 422
    )
    assert "choose one of" in body["detail"]
    problem(client.get("/api/reports/equality.csv?as_of=2024-02-30", headers=eq), 422)
    problem(client.get(f"/api/reports/equality?trend_stage=nope&as_of={DAY}", headers=eq), 404)


# --- records by characteristic --------------------------------------------------------------------


def test_characteristic_counts_for_equality_only(client: TestClient, seeded: Seeded) -> None:
    r = client.get("/api/reports/characteristics", headers=auth(seeded, "equality"))
    assert r.status_code == 200
    body = r.json()
    for name in ("gender", "ethnicity", "disability"):
        counts = [row["records"] for row in body[name]]
        assert sum(counts) == PEOPLE and counts == sorted(counts, reverse=True)
    page = _session(client, seeded, "equality").get("/equality").text
    for row in body["gender"]:
        assert f"<td>{row['records']}</td>" in page
    for role in ("hr", "officer", "admin"):  # as the page: equality only
        problem(client.get("/api/reports/characteristics", headers=auth(seeded, role)), 403)
    problem(client.get("/api/reports/characteristics"), 401)


# --- records to check ---------------------------------------------------------------------------


def test_records_to_check_for_hr_only(
    client: TestClient, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    store.save_people([analyst("S900001"), analyst("S900002", trained=True)], actor="test")
    url = f"/api/reports/records-to-check?as_of={DAY}&stage=analyst.intelligence_analyst"
    body = client.get(url, headers=auth(seeded, "hr")).json()
    assert [f["person"] for f in body["findings"]] == ["S900001"] and body["people"] == 1
    assert TRAINING in body["findings"][0]["not_shown"]
    assert body["checked"] == store.count_people() and body["next_after"] is None
    page = _session(client, seeded, "hr").get(
        url.replace("/api/reports/records-to-check", "/data-quality")
    )
    assert "S900001" in page.text and "S900002" not in page.text
    for role in ("officer", "equality", "admin"):
        problem(client.get(url, headers=auth(seeded, role)), 403)
        problem(_session(client, seeded, role).get(url), 403)
    problem(client.get(url), 401)

    monkeypatch.setattr("web.dataquality.PAGE", 5)  # a page at a time, as the page does
    after, checked, found = "", 0, []
    while True:
        part = client.get(url + f"&after={after}", headers=auth(seeded, "hr")).json()
        checked += part["checked"]
        found += [f["person"] for f in part["findings"]]
        if part["next_after"] is None:
            break
        assert part["checked"] == 5
        after = part["next_after"]
    assert checked == store.count_people() and found == ["S900001"]


def test_records_to_check_bad_input_is_a_problem(client: TestClient, seeded: Seeded) -> None:
    hr = auth(seeded, "hr")
    url = "/api/reports/records-to-check"
    problem(client.get(url + "?stage=analyst.nope", headers=hr), 404)
    problem(client.get(url + "?after=../x", headers=hr), 422)
    problem(client.get(url + "?as_of=1066-10-14", headers=hr), 422)


# --- the impact of a rule change ----------------------------------------------------------------


def test_impact_preview_for_hr_only(client: TestClient, seeded: Seeded) -> None:
    """The FSL rule taken out of Senior PNAC: the SPNAC example officer gains it on
    2010-04-01 (as the page and ``pathways impact`` say); nothing is stored."""
    store = client.app.state.store  # type: ignore[attr-defined]
    store.save_people([load_record(ROOT / "examples" / "superintendent_spnac.json")], actor="test")
    before_fsl = (ROOT / "examples/impact/before_fsl/senior_leadership.yaml").read_text()
    body = {"name": "senior_leadership.yaml", "text": before_fsl}
    url = "/api/library/impact?as_of=2010-04-01"
    for role in ("officer", "equality", "admin"):
        problem(client.post(url, json=body, headers=auth(seeded, role)), 403)
    problem(client.post(url, json=body), 401)
    versions = store.library_versions()

    r = client.post(url, json=body, headers=auth(seeded, "hr"))
    assert r.status_code == 200, r.text
    preview = r.json()
    assert preview["changed_pathways"] == ["senior_leadership"] and preview["as_of"] == "2010-04-01"
    impact = preview["impact"]
    [spnac] = [s for s in impact["stages"] if s["stage"] == "senior_leadership.spnac"]
    assert (spnac["gained"], spnac["lost"], spnac["gained_examples"]) == (1, 0, ["W204817"])
    assert spnac["change"] == "changed" and impact["people"] == store.count_people()
    rows = [e for e in impact["equality"] if e["stage"] == "senior_leadership.spnac"]
    assert {e["characteristic"] for e in rows} == {"ethnicity", "gender", "disability"}
    for e in rows:  # the one gainer's groups are hidden; the total is public
        if e["group"] == "all":
            assert e["gained"] == 1
        elif e["group"] is not None:  # None: a table withheld whole
            assert e["gained"] in (None, 0), e
    assert store.library_versions() == versions  # nothing published

    files = {"file": ("senior_leadership.yaml", before_fsl.encode(), "application/x-yaml")}
    as_upload = client.post(url, files=files, headers=auth(seeded, "hr"))
    assert as_upload.json() == preview

    unchanged = (SHIPPED_LIBRARY / "senior_leadership.yaml").read_text()
    r = client.post(url, json={**body, "text": unchanged}, headers=auth(seeded, "hr"))
    assert r.json()["changed_pathways"] == [] and r.json()["impact"] is None


def test_impact_bad_input_is_a_problem(client: TestClient, seeded: Seeded) -> None:
    hr = auth(seeded, "hr")
    url = "/api/library/impact"
    body = problem(
        client.post(url, json={"name": "pip.yaml", "text": "pathway: ["}, headers=hr), 422
    )
    assert body["detail"].startswith("no impact: the checker found") and body["errors"]
    assert body["errors"][0]["file"] == "pip.yaml" and body["errors"][0]["line"]
    problem(client.post(url, content=b"name=x", headers={**hr, "Content-Type": "text/plain"}), 415)
    problem(client.post(url, json={"name": "../x.yaml", "text": "x"}, headers=hr), 422)
    r = client.post(url + "?as_of=9999-01-01", json={"name": "pip.yaml", "text": ""}, headers=hr)
    assert problem(r, 422)["errors"][0]["field"] == "query.as_of"
