"""The password rule (NIST SP 800-63B, 5.1.1.2): at least 12 characters, not a common
password, not the user name; no other composition rules (they do not help).

"Common" is the 30,000 most used passwords (zxcvbn's list), also once the digits and
symbols people add at either end are taken off, and also repeated (``passwordpassword``),
and runs such as ``aaaaaaaaaaaa`` or ``123456789012``.

>>> password_problem("password", "sam") is not None
True
>>> password_problem("Password2024!", "sam")
'this password is too common (it is a common password with digits or symbols added)'
>>> password_problem("sam.holt.1984", "sam.holt")
'a password must not contain the user name'
>>> password_problem("correct horse battery", "sam") is None
True
"""

from __future__ import annotations

import functools
import string

from zxcvbn.frequency_lists import FREQUENCY_LISTS

__all__ = ["MIN_LENGTH", "password_problem"]

MIN_LENGTH = 12
_ENDS = string.digits + string.punctuation + " "
_RUNS = (
    string.ascii_lowercase,
    string.digits * 3,  # 123456789012 wraps round
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)


@functools.cache
def _common() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def _is_run(text: str) -> bool:
    """One character repeated, or a stretch of the alphabet, digits or keyboard."""
    if len(set(text)) <= 2:
        return True
    return any(text in run or text in run[::-1] for run in _RUNS)


def _repeats_common(text: str) -> bool:
    for size in range(3, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size] in _common() or _is_run(text[:size])
    return False


def password_problem(password: str, username: str) -> str | None:
    """Why ``password`` may not be used by ``username``; None if it may."""
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters"
    if len(password) > 1000:
        return "a password is at most 1,000 characters"
    folded = password.casefold()
    name = username.casefold()
    if len(name) >= 3 and (name in folded or folded in name):
        return "a password must not contain the user name"
    if folded in _common() or _is_run(folded) or _repeats_common(folded):
        return "this password is too common (it is on a list of passwords attackers try first)"
    core = folded.strip(_ENDS)
    if core and core != folded and (core in _common() or _is_run(core) or _repeats_common(core)):
        return "this password is too common (it is a common password with digits or symbols added)"
    return None
