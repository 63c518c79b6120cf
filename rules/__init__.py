"""The eligibility engine (durable-rules): compiles a pathway library into rulesets.

Built in issue 3; this package exists so the project layout is in place.
"""

__all__: list[str] = []
