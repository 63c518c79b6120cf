"""Career pathways as data: load, validate and check pathway libraries.

>>> library = load_library([SHIPPED_LIBRARY])
>>> "pip" in library.pathways
True
"""

from .loader import SHIPPED_LIBRARY, load_library
from .model.catalogue import Catalogue
from .model.library import Library
from .model.pathway import Award, Pathway, Progression, Stage
from .model.requirements import Requirement
from .problems import Location, PathwayError, Problem, Severity

__all__ = [
    "SHIPPED_LIBRARY",
    "Award",
    "Catalogue",
    "Library",
    "Location",
    "Pathway",
    "PathwayError",
    "Problem",
    "Progression",
    "Requirement",
    "Severity",
    "Stage",
    "load_library",
]
