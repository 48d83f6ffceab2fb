"""Read the codes of a REFI-QDA codebook (``.qdc``) or project (``.qdpx``), so that a coding
grid built in NVivo, ATLAS.ti, MAXQDA or QualCoder (or exported by retex_nlp) becomes a codebook.

REFI-QDA 1.5: a ``.qdc`` file is XML in the ``urn:QDA-XML:codebook:1.0`` namespace; a ``.qdpx``
file is a zip holding ``project.qde`` (``urn:QDA-XML:project:1.0``) whose ``<CodeBook>`` has
the same ``<Codes>``. Each ``<Code>`` has a ``name``, an optional ``isCodable`` and an optional
``<Description>``; codes nest (a tree of themes and sub-themes).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from ..errors import RetexInputError
from ..normalize import fold

__all__ = ["read_refi_codes"]

#: Separator between a parent code's name and its child's, when the child's name alone is not
#: unique in the codebook (two sub-themes "Autres difficultés" under two themes).
PATH_SEPARATOR = " / "


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _xml(path: Path) -> bytes:
    if path.suffix.lower() != ".qdpx":
        return path.read_bytes()
    try:
        with zipfile.ZipFile(path) as archive:
            members = [n for n in archive.namelist() if n.lower().endswith(".qde")]
            if not members:
                raise RetexInputError("projet REFI-QDA sans fichier project.qde : exportez-le de nouveau", path=path)
            return archive.read(members[0])
    except zipfile.BadZipFile:
        raise RetexInputError("ce fichier .qdpx n'est pas une archive zip lisible (projet REFI-QDA incomplet ?)",
                              path=path) from None


def read_refi_codes(path: str | Path, skip: frozenset[str] = frozenset()) -> list[dict[str, str]]:
    """The codable codes of a ``.qdc`` or ``.qdpx`` file, in the file's order (a parent before
    its children), as ``{"name": …, "description": …}``. A code that is not codable
    (``isCodable="false"``, a folder of codes) is left out, its children kept. A name that
    several codes share is prefixed with its parent's (``Parent / Enfant``); codes whose folded
    name is in ``skip`` are left out. French errors name the file."""
    path = Path(path)
    try:
        root = ET.fromstring(_xml(path))
    except ET.ParseError as exc:
        raise RetexInputError(f"grille REFI-QDA illisible (XML mal formé, ligne {exc.position[0]}) : "
                              "exportez-la de nouveau", path=path) from None
    books = [el for el in root.iter() if _local(el.tag) == "Codes"]
    if not books:
        raise RetexInputError("aucune liste de codes (<Codes>) dans ce fichier REFI-QDA", path=path)
    found: list[tuple[str, str, str]] = []  # (name, parent name, description)

    def walk(codes: ET.Element, parent: str) -> None:
        for code in codes:
            if _local(code.tag) != "Code":
                continue
            name = " ".join((code.get("name") or "").split())
            description = next((" ".join((d.text or "").split()) for d in code if _local(d.tag) == "Description"), "")
            if name and code.get("isCodable", "true").strip().lower() != "false" and fold(name) not in skip:
                found.append((name, parent, description))
            walk(code, name or parent)

    walk(books[0], "")
    if not found:
        raise RetexInputError("aucun code dans ce fichier REFI-QDA", path=path)
    counts: dict[str, int] = {}
    for name, _, _ in found:
        counts[fold(name)] = counts.get(fold(name), 0) + 1
    return [{"name": f"{parent}{PATH_SEPARATOR}{name}" if counts[fold(name)] > 1 and parent else name,
             "description": description} for name, parent, description in found]
