"""Errors the engine raises for caller input.

Design goal: one exception type that names the offending field, so the API can turn it
into its one error shape ``{"error": {"code", "message", "field"}}`` without parsing text.
"""

from __future__ import annotations


class SpecError(ValueError):
    """Caller input is invalid.

    Args:
        field: dotted path of the offending field, e.g. ``"layers[1]"`` or ``"data.X"``.
        message: plain sentence naming the problem and, where there is one, the limit.
        code: short machine-readable code (``"invalid"``, ``"out_of_range"``, ``"shape"``...).
    """

    def __init__(self, field: str, message: str, code: str = "invalid") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.code = code
