"""The app's shared parts, typed: the store, the decision service and the users.

``create_app`` keeps them on ``app.state`` (Starlette's untyped namespace); routes and
helpers reach them through these accessors, or take them as FastAPI dependencies
(``store: AppStore``), so mypy checks every use and nothing imports them from ``.app``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from store import Store
from store.users import Users

from .service import DecisionService

__all__ = ["AppStore", "AppUsers", "Service", "service_of", "store_of", "users_of"]


def store_of(request: Request) -> Store:
    """The records store of the app serving ``request``."""
    store: Store = request.app.state.store
    return store


def service_of(request: Request) -> DecisionService:
    """The decision service (engine workers, the library in force) of the app."""
    service: DecisionService = request.app.state.service
    return service


def users_of(request: Request) -> Users:
    """The users and their API tokens."""
    users: Users = request.app.state.users
    return users


AppStore = Annotated[Store, Depends(store_of)]
Service = Annotated[DecisionService, Depends(service_of)]
AppUsers = Annotated[Users, Depends(users_of)]
