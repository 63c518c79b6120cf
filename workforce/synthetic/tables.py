"""The shape of the synthetic workforce, as data: who is in it and how often things happen.

Every weight and chance the generator draws from lives here, so the population can be
reshaped without reading the code that draws it (:mod:`.draw` turns these tables into
cumulative ones). Proportions are illustrative, shaped on the MPS of the sources, not
official figures; dates cite the source document where there is one.

Changing any value here changes every generated population (the same seed no longer gives
the same people): ``tests/test_synthetic.py`` pins a digest of a seeded population.
"""

from __future__ import annotations

import datetime as dt

# --- officers and staff --------------------------------------------------------------------

#: The share of police staff; the rest are officers.
STAFF_SHARE = 0.37
#: Days per month, for minimum periods in months.
MONTH = 30.44
YEAR = 365

#: Ranks, lowest first, and the share of officers whose current rank each is.
RANKS = (
    "constable",
    "sergeant",
    "inspector",
    "chief_inspector",
    "superintendent",
    "chief_superintendent",
    "commander",
    "deputy_assistant_commissioner",
    "assistant_commissioner",
)
RANK_WEIGHTS = (0.735, 0.155, 0.06, 0.026, 0.013, 0.0065, 0.003, 0.001, 0.0005)
#: Minimum months in the rank below before each promotion (to sergeant: months of service).
GAP_MIN_MONTHS = (0, 36, 24, 24, 24, 24, 24, 18, 18)
CONSTABLE, SERGEANT, INSPECTOR, CHIEF_INSPECTOR, SUPERINTENDENT, CHIEF_SUPT, COMMANDER = range(7)

#: Staff bands, lowest first, and the share of staff whose current band each is.
BANDS = ("band_e", "band_d", "band_c", "band_b", "band_a")
BAND_WEIGHTS = (0.46, 0.31, 0.165, 0.05, 0.015)
BAND_C, BAND_B = 2, 3

#: Years of service of the longest-serving officer and member of staff.
MAX_OFFICER_SERVICE_YEARS = 34.5
MAX_STAFF_SERVICE_YEARS = 38

# --- business groups and roles ---------------------------------------------------------------

#: The seven business groups of the 2007 structure, and how many units (OCUs) each has.
GROUPS = (
    "territorial_policing",
    "specialist_operations",
    "central_operations",
    "operational_services",
    "specialist_crime",
    "human_resources",
    "resources",
)
UNITS = (("TP", 32), ("SO", 8), ("CO", 10), ("OS", 8), ("SC", 12), ("HR", 4), ("RES", 4))

#: Where each kind of work is posted: (business group, weight).
UNIFORM_GROUPS = (
    ("territorial_policing", 0.72),
    ("central_operations", 0.1),
    ("specialist_operations", 0.08),
    ("operational_services", 0.06),
    ("specialist_crime", 0.04),
)
DETECTIVE_GROUPS = (
    ("territorial_policing", 0.4),
    ("specialist_crime", 0.3),
    ("specialist_operations", 0.1),
    ("central_operations", 0.08),
    ("operational_services", 0.05),
    ("human_resources", 0.04),
    ("resources", 0.03),
)
ROADS_GROUPS = (("central_operations", 0.8), ("operational_services", 0.2))
INTELLIGENCE_GROUPS = (
    ("territorial_policing", 0.45),
    ("specialist_crime", 0.3),
    ("specialist_operations", 0.15),
    ("central_operations", 0.1),
)
PERFORMANCE_GROUPS = (
    ("resources", 0.35),
    ("territorial_policing", 0.35),
    ("human_resources", 0.2),
    ("operational_services", 0.1),
)
INVESTIGATIVE_STAFF_GROUPS = (
    ("territorial_policing", 0.5),
    ("specialist_crime", 0.3),
    ("central_operations", 0.1),
    ("operational_services", 0.1),
)
#: Uniform roles of constables, and of sergeants and above.
UNIFORM_ROLES = (("response", 0.5), ("community", 0.25), ("investigation", 0.25))
SENIOR_UNIFORM_ROLES = (("response", 0.35), ("community", 0.25), ("investigation", 0.4))

# --- protected characteristics ---------------------------------------------------------------

#: Ethnicities counted as black and minority ethnic (for Equip to Achieve).
BME = ("mixed", "asian", "black", "chinese", "other")
OFFICER_ETHNICITY = (
    ("white", 0.885),
    ("black", 0.025),
    ("asian", 0.035),
    ("mixed", 0.02),
    ("chinese", 0.005),
    ("other", 0.01),
    ("not_stated", 0.02),
)
STAFF_ETHNICITY = (
    ("white", 0.82),
    ("black", 0.065),
    ("asian", 0.06),
    ("mixed", 0.025),
    ("chinese", 0.01),
    ("other", 0.01),
    ("not_stated", 0.01),
)
OFFICER_GENDER = (("male", 0.705), ("female", 0.285), ("other", 0.002), ("not_stated", 0.008))
STAFF_GENDER = (("male", 0.44), ("female", 0.55), ("other", 0.002), ("not_stated", 0.008))
OFFICER_DISABILITY = (("no", 0.9), ("yes", 0.03), ("not_stated", 0.07))
STAFF_DISABILITY = (("no", 0.86), ("yes", 0.06), ("not_stated", 0.08))
#: The chance that each of the three is not recorded at all.
MISSING_SHARE = 0.03

# --- chances by current rank (constable first) ----------------------------------------------

#: Selected for the High Potential Development Scheme.
HPDS_CHANCE = (0.015, 0.02, 0.08, 0.1, 0.06, 0.06, 0.06, 0.06, 0.06)
#: Trained as a promotion assessor.
ASSESSOR_TRAINING_CHANCE = (0, 0.05, 0.15, 0.3, 0.5, 0.6, 0.7, 0.7, 0.7)

# --- when things began -----------------------------------------------------------------------

HPDS_START = dt.date(2002, 1, 1)  # illustrative
PIP_START = dt.date(2005, 1, 1)  # PIP accreditation (003 Appendix 1, January 2005)
STAFF_PIP_START = dt.date(2008, 1, 1)  # "later extended to" staff: illustrative date
STREAMING_START = dt.date(2006, 1, 1)  # recruit streaming, illustrative
PD_START = dt.date(2004, 1, 1)  # Promoting Difference, illustrative
E2A_START = dt.date(2008, 5, 1)  # Equip to Achieve launched May 2008 (001 para 10)
WBA_START = dt.date(2008, 10, 1)  # work-based assessment route (002 rec 15-17)
FSL_START = dt.date(2010, 4, 1)  # Foundation for Senior Leadership (002 rec 9)

# --- revalidation ----------------------------------------------------------------------------

PIP_REVALIDATION = 1826  # days, about 60 months: the catalogue's validity for 'pip'
SHORT_REVALIDATION = 1095  # days, about 36 months: 'analyst_nos' and 'work_based_assessor'
