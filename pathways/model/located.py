"""The base of every language model: strict fields, and where each was written."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, PrivateAttr

from pathways.problems import Location

__all__ = ["LocatedModel"]


class LocatedModel(BaseModel):
    """Base of every language model: strict fields, and where it was written."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False)
    _loc: Location | None = PrivateAttr(default=None)

    @property
    def location(self) -> Location | None:
        """Where this item was written (file, line, column, path), once loaded."""
        return self._loc
