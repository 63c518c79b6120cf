"""The web front end and JSON API (FastAPI): see docs/web.md."""

__all__: list[str] = []
