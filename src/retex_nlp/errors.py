"""Exceptions raised by retex_nlp. Each names the file, row and column at fault."""

from __future__ import annotations

from pathlib import Path

__all__ = ["RetexError", "RetexInputError", "ColumnNotFoundError", "ModelNotFoundError"]


class RetexError(Exception):
    """Base class of every error raised on purpose by retex_nlp."""


class RetexInputError(RetexError, ValueError):
    """The input cannot be read as asked. The message says where and what was found."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.row = row
        self.column = column
        where = []
        if self.path:
            where.append(f"file {self.path}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        prefix = (", ".join(where) + ": ") if where else ""
        super().__init__(prefix + message)


class ColumnNotFoundError(RetexInputError, KeyError):
    """A column asked for is not in the input."""

    def __str__(self) -> str:  # KeyError would quote the message otherwise
        return self.args[0]


class ModelNotFoundError(RetexError, FileNotFoundError):
    """A model is not on this machine; the message says how to put it there."""
