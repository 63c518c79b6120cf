"""A few varied records the engine tests share (synthetic people, never real data)."""

from __future__ import annotations

from pathlib import Path

from accreditation.record import Person

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "inspector_pip.json"

OFFICER = Person.model_validate(
    {
        "id": "W2001",
        "kind": "officer",
        "joined": "2015-09-01",
        "ranks": [
            {"rank": "constable", "start": "2015-09-01", "end": "2019-03-31"},
            {"rank": "sergeant", "start": "2019-04-01"},
        ],
        "postings": [
            {"business_group": "territorial_policing", "role": "response", "start": "2015-09-01"}
        ],
        "courses": [{"course": "initial_police_training", "completed": "2015-12-18"}],
        "assessments": [{"assessment": "sergeants_exam", "date": "2018-10-02"}],
    }
)
STAFF = Person.model_validate(
    {
        "id": "S3001",
        "kind": "staff",
        "joined": "2010-02-01",
        "bands": [
            {"band": "band_d", "start": "2010-02-01", "end": "2015-12-31"},
            {"band": "band_c", "start": "2016-01-01"},
        ],
        "postings": [
            {
                "business_group": "specialist_crime",
                "role": "intelligence_analyst",
                "start": "2010-02-01",
            }
        ],
        "courses": [{"course": "intelligence_analysis_training", "completed": "2010-06-30"}],
        "credentials": [
            {"credential": "analyst_nos", "awarded": "2011-01-10", "revalidated": ["2014-01-05"]}
        ],
    }
)
CHIEF_INSPECTOR = Person.model_validate(
    {
        "id": "W1500",
        "kind": "officer",
        "joined": "2000-01-10",
        "ranks": [
            {"rank": "constable", "start": "2000-01-10", "end": "2004-12-31"},
            {"rank": "sergeant", "start": "2005-01-01", "end": "2009-12-31"},
            {"rank": "inspector", "start": "2010-01-01", "end": "2014-12-31"},
            {"rank": "chief_inspector", "start": "2015-01-01"},
        ],
        "courses": [
            {"id": "F1", "course": "fsl_stage_1", "completed": "2015-06-01"},
            {"id": "F2", "course": "fsl_stage_2", "completed": "2016-06-01"},
        ],
    }
)
INSPECTOR = Person.model_validate_json(EXAMPLE.read_text())
PEOPLE = [OFFICER, STAFF, CHIEF_INSPECTOR, INSPECTOR]
