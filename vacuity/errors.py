"""Errors every layer may raise: bad user input is a ``BadInput`` (a ``ValueError``), which the CLI prints
as one line and turns into exit status 2. A leaf module: it imports nothing of the project."""

from __future__ import annotations


class BadInput(ValueError):
    """Invalid user input (parameters, data, paths): the CLI prints the message and exits 2."""


def shorten(value: object, limit: int = 60) -> str:
    """repr() of a user's value for an error message, cut to ``limit`` characters: a message echoes what
    was rejected, not all 5,000 characters of it."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
