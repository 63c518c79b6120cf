"""Where each model of a library file was written: every pathway, stage, requirement,
obligation, catalogue entry (and addition) and source-index unit gets the place in the
YAML it came from, so that problems found later (by the checker) can say
file:line:column."""

from __future__ import annotations

from .indexfiles import locate_index
from .model.additions import ADDABLE, CatalogueAdditionsFile
from .model.catalogue import SECTIONS, CatalogueFile
from .model.pathway import PathwayFile
from .model.requirements import LocatedModel, Requirement
from .model.sources import SourceIndexFile
from .model.tree import placed_children
from .yamlsource import YamlDocument

__all__ = ["LoadedFile", "attach_locations"]

LoadedFile = PathwayFile | CatalogueFile | CatalogueAdditionsFile | SourceIndexFile


def attach_locations(model: LoadedFile, doc: YamlDocument) -> None:
    def put(obj: LocatedModel, path: tuple[str | int, ...]) -> None:
        obj._loc = doc.location(path)

    if isinstance(model, SourceIndexFile):
        locate_index(model, doc)
        return
    if isinstance(model, CatalogueFile):
        put(model.catalogue, ("catalogue",))
        for section in SECTIONS:
            for i, entry in enumerate(getattr(model.catalogue, section)):
                put(entry, ("catalogue", section, i))
        for i, unit in enumerate(model.catalogue.units):
            for j, period in enumerate(unit.business_groups):
                put(period, ("catalogue", "units", i, "business_groups", j))
        return
    if model.catalogue is not None:  # a pathway file's additions, or a file of them
        put(model.catalogue, ("catalogue",))
        for section in ADDABLE:
            for i, entry in enumerate(getattr(model.catalogue, section)):
                put(entry, ("catalogue", section, i))
    if isinstance(model, CatalogueAdditionsFile):
        return
    pw = model.pathway
    put(pw, ("pathway",))
    for i, stage in enumerate(pw.stages):
        base = ("pathway", "stages", i)
        put(stage, base)
        if stage.awards is not None:
            put(stage.awards, (*base, "awards"))
        for j, req in enumerate(stage.requires):
            _attach_requirement(req, (*base, "requires", j), doc)
    for i, prog in enumerate(pw.progressions):
        put(prog, ("pathway", "progressions", i))
    for i, obligation in enumerate(pw.obligations):
        base = ("pathway", "obligations", i)
        put(obligation, base)
        for path, req in obligation.requirements():
            key, _, index = path.partition("[")
            where = (*base, key, int(index.rstrip("]"))) if index else (*base, key)
            _attach_requirement(req, where, doc)
        for j, start in enumerate(obligation.from_):
            put(start, (*base, "from", j))


def _attach_requirement(req: Requirement, path: tuple[str | int, ...], doc: YamlDocument) -> None:
    req._loc = doc.location(path)
    for place, child in placed_children(req):
        _attach_requirement(child, (*path, *place), doc)
