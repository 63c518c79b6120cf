"""An individual's record: ranks or bands, postings, learning, accreditations, endorsements.

>>> person = Person.model_validate_json('{"id": "S200", "kind": "staff", "joined": "2019-04-01"}')
>>> person.attribute("workforce")
'staff'
"""

from .periods import add_months, whole_months
from .record import (
    AssessmentResult,
    BandHolding,
    CourseRecord,
    CredentialAward,
    Endorsement,
    Membership,
    Outcome,
    Person,
    PersonKind,
    Posting,
    ProtectedCharacteristics,
    RankHolding,
)

__all__ = [
    "AssessmentResult",
    "BandHolding",
    "CourseRecord",
    "CredentialAward",
    "Endorsement",
    "Membership",
    "Outcome",
    "Person",
    "PersonKind",
    "Posting",
    "ProtectedCharacteristics",
    "RankHolding",
    "add_months",
    "whole_months",
]
