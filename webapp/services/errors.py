"""Errors a service raises for a caller to turn into a 4xx."""

from __future__ import annotations


class ValidationFailed(ValueError):
    """Input was refused; `errors` maps each field to the reason."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


# PostgreSQL cannot store U+0000 in text; SQLite can. Refused everywhere alike.
NUL_REASON = "must not contain NUL characters"


def has_nul(text: str | None) -> bool:
    return bool(text) and "\x00" in text


class NotFound(LookupError):
    pass


class Conflict(RuntimeError):
    """The request clashes with the current state (e.g. undoing a merge twice)."""
