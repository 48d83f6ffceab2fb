"""Exceptions raised by retex_nlp. Each names the file, row and column at fault."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

__all__ = ["RetexError", "RetexInputError", "RetexOutputError", "ColumnNotFoundError", "ModelNotFoundError",
           "MissingDependencyError", "require"]


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
            where.append(f"fichier {self.path}")
        if row is not None:
            where.append(f"ligne {row}")
        if column is not None:
            where.append(f"colonne « {column} »")
        prefix = (", ".join(where) + " : ") if where else ""
        super().__init__(prefix + message)


class ColumnNotFoundError(RetexInputError, KeyError):
    """A column asked for is not in the input."""

    def __str__(self) -> str:  # KeyError would quote the message otherwise
        return self.args[0]


class RetexOutputError(RetexError, OSError):
    """A file could not be written (full disk, read-only folder…); nothing half-written is left."""

    def __init__(self, path: str | Path, cause: OSError) -> None:
        import errno

        self.path = str(path)
        reasons = {errno.ENOSPC: "le disque est plein", errno.EROFS: "le dossier est en lecture seule",
                   errno.EACCES: "droits insuffisants sur le dossier", errno.EPERM: "opération non permise",
                   errno.EDQUOT: "quota du disque dépassé"}
        reason = reasons.get(cause.errno, cause.strerror or str(cause))
        super().__init__(f"impossible d'écrire le fichier {self.path} : {reason} ; aucun fichier à moitié écrit "
                         "n'a été laissé (le précédent, s'il existait, est intact)")


class ModelNotFoundError(RetexError, FileNotFoundError):
    """A model is not on this machine; the message says how to put it there."""


class MissingDependencyError(RetexError, ImportError):
    """A step needs an optional part of retex_nlp that is not installed; the message names the
    extra to install (``pip install 'retex_nlp[themes]'``)."""


#: What each optional extra brings, to say it in the message.
_EXTRAS = {"themes": "thèmes et plongements de phrases", "report": "rapports Word et HTML",
           "scale": "grands corpus répartis avec Dask", "app": "application web locale"}


def require(module: str, extra: str) -> ModuleType:
    """Import ``module``, or raise :class:`MissingDependencyError` naming the extra that brings it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"cette étape ({_EXTRAS.get(extra, extra)}) demande le module « {module.split('.')[0]} », "
            f"qui n'est pas installé : pip install 'retex_nlp[{extra}]' (ou 'retex_nlp[all]' pour tout)"
        ) from exc
