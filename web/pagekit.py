"""What the page modules share: the signed-in user, and rendering a template.

Pages are server-rendered Jinja2 templates (``web/templates``); every page gets the
user and the session's CSRF token, and is never cached (it may show a record).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse

from pathways.dates import Day
from store.users import Role, User

from .auth import page_user, session_user

__all__ = ["AsOf", "Signed", "home_of", "page"]

Signed = Annotated[User, Depends(page_user)]
AsOf = Annotated[Day | None, Query()]


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with ``context``, the user and the CSRF token; ``no-store``."""
    context.setdefault("user", session_user(request))
    context["csrf"] = request.state.session["c"]
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def home_of(user: User) -> str:
    """Where a user starts: an officer on their own pathways, the other roles on their tool.

    >>> home_of(User("hr", Role.HR))
    '/people'
    >>> home_of(User("W1", Role.OFFICER, "W1"))
    '/people/W1'
    """
    if user.role is Role.OFFICER and user.person_id:
        return f"/people/{user.person_id}"
    return {Role.HR: "/people", Role.EQUALITY: "/equality", Role.ADMIN: "/admin/users"}.get(
        user.role, "/"
    )
