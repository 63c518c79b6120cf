"""An individual's record: ranks, postings, learning, accreditations (issue 3)."""

__all__: list[str] = []
