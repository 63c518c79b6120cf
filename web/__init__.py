"""The web front end and JSON API (FastAPI): see docs/web.md.

``pathways serve`` (cli.serve) starts it with :func:`create_app`; ``web.asgi`` builds it
from the environment for several server processes.
"""

from .app import SECRET_ENV, create_app

__all__ = ["SECRET_ENV", "create_app"]
