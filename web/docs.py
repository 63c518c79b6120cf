"""The API's documentation page, ``/docs``: Swagger UI from files installed with the app
(the ``fastapi-offline`` package), so it works without the internet and within the pages'
Content-Security-Policy (scripts only from this server, none inline).

The page is an ordinary page of the site (its header, skip link and heading); Swagger UI is
started by ``/static/docs.js``. It reads ``/openapi.json``; "Authorize" takes an API token
(HTTP bearer). A signed-in user can also try GET calls with their session, and unsafe ones
too: ``docs.js`` sends the session's CSRF token (from the page) as ``X-CSRF-Token``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from .pagekit import page

__all__ = ["ASSETS", "ASSETS_URL", "install_docs", "router"]

#: Swagger UI's script and style sheet, as installed (swagger-ui-bundle.js, swagger-ui.css).
ASSETS = Path(str(resources.files("fastapi_offline") / "static"))
ASSETS_URL = "/docs/assets"

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    """Swagger UI for the JSON API."""
    return page(request, "docs.html", openapi_url=request.app.openapi_url, assets=ASSETS_URL)


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs`` and Swagger UI's files (``/docs/assets/...``)."""
    app.include_router(router)
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
