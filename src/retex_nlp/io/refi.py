"""Read REFI-QDA files: the codes of a codebook (``.qdc``) or project (``.qdpx``), so that a
coding grid built in NVivo, ATLAS.ti, MAXQDA or QualCoder (or exported by retex_nlp) becomes a
codebook; and the texts of a project, with their cases' variables and the codes put on them,
so that a corpus kept in one of those tools can be analysed.

REFI-QDA 1.5: a ``.qdc`` file is XML in the ``urn:QDA-XML:codebook:1.0`` namespace; a ``.qdpx``
file is a zip holding ``project.qde`` (``urn:QDA-XML:project:1.0``) whose ``<CodeBook>`` has
the same ``<Codes>``. Each ``<Code>`` has a ``name``, an optional ``isCodable`` and an optional
``<Description>``; codes nest (a tree of themes and sub-themes). A project's ``<Sources>`` hold
``<TextSource>`` elements (the text inline in ``<PlainTextContent>`` or in the zip under
``Sources/``, named by ``plainTextPath="internal://…"``), coded by ``<PlainTextSelection>``
elements whose ``<Coding>`` points at a code; ``<Cases>`` give variable values to sources.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from ..errors import RetexInputError
from ..normalize import fold
from .documents import document_text
from .encoding import decode_bytes

__all__ = ["read_refi_codes", "read_refi_sources"]

#: Folded names of the codes that say "in no theme" (as :data:`retex_nlp.coding.codebook.OTHER`):
#: no theme of a codebook; on a source, a code that the hand codes read as "in no theme".
NO_THEME_NAMES = frozenset({"autre"})
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


def _root(path: Path) -> ET.Element:
    try:
        return ET.fromstring(_xml(path))
    except ET.ParseError as exc:
        what, it = ("projet", "le") if path.suffix.lower() == ".qdpx" else ("grille", "la")
        raise RetexInputError(f"{what} REFI-QDA illisible (XML mal formé, ligne {exc.position[0]}) : "
                              f"exportez-{it} de nouveau", path=path) from None


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _codes(root: ET.Element, skip: frozenset[str]) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """(guid, name as read_refi_codes gives it, description) of every codable code, and the
    codes left out by ``skip`` (guid -> name as written)."""
    books = [el for el in root.iter() if _local(el.tag) == "Codes"]
    if not books:
        return [], {}
    found: list[tuple[str, str, str, str]] = []  # (guid, name, parent name, description)
    left: dict[str, str] = {}

    def walk(codes: ET.Element, parent: str) -> None:
        for code in _children(codes, "Code"):
            name = " ".join((code.get("name") or "").split())
            description = next((" ".join((d.text or "").split()) for d in _children(code, "Description")), "")
            if name and fold(name) in skip:
                left[code.get("guid", "")] = name
            elif name and code.get("isCodable", "true").strip().lower() != "false":
                found.append((code.get("guid", ""), name, parent, description))
            walk(code, name or parent)

    walk(books[0], "")
    counts: dict[str, int] = {}
    for _, name, _, _ in found:
        counts[fold(name)] = counts.get(fold(name), 0) + 1
    return [(guid, f"{parent}{PATH_SEPARATOR}{name}" if counts[fold(name)] > 1 and parent else name, description)
            for guid, name, parent, description in found], left


def read_refi_codes(path: str | Path, skip: frozenset[str] = NO_THEME_NAMES) -> list[dict[str, str]]:
    """The codable codes of a ``.qdc`` or ``.qdpx`` file, in the file's order (a parent before
    its children), as ``{"name": …, "description": …}``. A code that is not codable
    (``isCodable="false"``, a folder of codes) is left out, its children kept. A name that
    several codes share is prefixed with its parent's (``Parent / Enfant``); codes whose folded
    name is in ``skip`` are left out. French errors name the file."""
    path = Path(path)
    root = _root(path)
    if not any(_local(el.tag) == "Codes" for el in root.iter()):
        raise RetexInputError("aucune liste de codes (<Codes>) dans ce fichier REFI-QDA", path=path)
    found, _ = _codes(root, skip)
    if not found:
        raise RetexInputError("aucun code dans ce fichier REFI-QDA", path=path)
    return [{"name": name, "description": description} for _, name, description in found]


#: The keys :func:`read_refi_sources` gives every record.
_OWN = ("file", "text", "codes_refi")
#: The kinds of REFI-QDA sources that hold no text of their own (a PDF's text may be given as
#: a ``<Representation>``, read then).
_OTHER_SOURCES = {"PDFSource": "PDF", "PictureSource": "image", "AudioSource": "audio", "VideoSource": "vidéo"}


def _source_text(source: ET.Element, members: dict[str, str], archive: zipfile.ZipFile | None) -> str:
    """The plain text of a TextSource (or a PDF's text representation); raises ValueError with
    a French reason when it is not in the project."""
    inline = _children(source, "PlainTextContent")
    if inline:
        return inline[0].text or ""
    where = source.get("plainTextPath") or source.get("richTextPath") or ""
    if not where:
        raise ValueError("source sans texte (ni PlainTextContent, ni plainTextPath)")
    if not where.startswith("internal://") or archive is None:
        raise ValueError(f"texte hors du projet ({where}) : exportez le projet avec ses sources")
    name = where[len("internal://"):]
    member = members.get(f"sources/{name}".lower()) or members.get(name.lower())
    if member is None:
        raise ValueError(f"texte absent de l'archive (Sources/{name})")
    if Path(name).suffix.lower() in (".docx", ".odt"):  # only the rich text (MAXQDA may export so)
        try:
            return document_text(Path(member), archive.read(member))
        except RetexInputError:
            raise ValueError(f"texte riche illisible (Sources/{name} : document endommagé ?)") from None
    return decode_bytes(archive.read(member), Path(member)).text


def read_refi_sources(path: str | Path) -> tuple[list[dict[str, str | None]], dict[int, str], list[str]]:
    """The text sources of a REFI-QDA project (``.qdpx``), in the file's order: one record per
    source with ``file`` (the source's name), ``text``, one key per variable its cases (or the
    source itself) give a value, and ``codes_refi`` (the codes put on any part of it, named as
    :func:`read_refi_codes` names them, joined by ``;``). Also the problems (record number ->
    French reason: a source whose text is not in the project keeps its row, text ``None``) and
    notes (sources that hold no text: PDF without text, images, audio, video)."""
    path = Path(path)
    root = _root(path)
    found, left = _codes(root, NO_THEME_NAMES)
    codes = {**left, **{guid: name for guid, name, _ in found}}  # "Autre" on a source: in no theme
    variables = {v.get("guid"): " ".join((v.get("name") or "").split())
                 for v in root.iter() if _local(v.tag) == "Variable"}

    def values(element: ET.Element) -> dict[str, str]:
        out = {}
        for vv in _children(element, "VariableValue"):
            ref = next((r.get("targetGUID") for r in _children(vv, "VariableRef")), None)
            value = next((" ".join((c.text or "").split()) for c in vv if _local(c.tag).endswith("Value")), "")
            if ref in variables and variables[ref] and value:
                out[variables[ref]] = value
        return out

    by_source: dict[str, dict[str, str]] = {}
    for case in (el for el in root.iter() if _local(el.tag) == "Case"):
        given = values(case)
        for ref in _children(case, "SourceRef"):
            target = by_source.setdefault(ref.get("targetGUID", ""), {})
            for key, value in given.items():  # a source in two cases with two values keeps both
                target[key] = value if target.get(key) in (None, value) else f"{target[key]} ; {value}"
    sources_el = next((el for el in root.iter() if _local(el.tag) == "Sources"), None)
    if sources_el is None:
        raise RetexInputError("aucune source (<Sources>) dans ce projet REFI-QDA", path=path)
    records: list[dict[str, str | None]] = []
    problems: dict[int, str] = {}
    skipped: dict[str, int] = {}
    archive = zipfile.ZipFile(path) if path.suffix.lower() == ".qdpx" else None
    try:
        members = {n.lower(): n for n in archive.namelist()} if archive is not None else {}
        for source in sources_el:
            kind = _local(source.tag)
            text_el = source
            if kind in _OTHER_SOURCES:
                text_el = next(iter(_children(source, "Representation")), None)
                if text_el is None:
                    skipped[_OTHER_SOURCES[kind]] = skipped.get(_OTHER_SOURCES[kind], 0) + 1
                    continue
            elif kind != "TextSource":
                continue
            record: dict[str, str | None] = {"file": " ".join((source.get("name") or "").split()) or None}
            try:
                record["text"] = _source_text(text_el, members, archive)
            except ValueError as exc:
                record["text"] = None
                problems[len(records) + 1] = str(exc)
            given = {**values(source), **by_source.get(source.get("guid", ""), {})}
            # a variable named like one of the reader's keys keeps its values apart
            record.update({f"variable_{k}" if k in _OWN else k: v for k, v in given.items()})
            applied = [codes[ref.get("targetGUID")] for sel in text_el.iter() if _local(sel.tag) == "Coding"
                       for ref in _children(sel, "CodeRef") if ref.get("targetGUID") in codes]
            record["codes_refi"] = ";".join(dict.fromkeys(applied)) or None
            records.append(record)
    finally:
        if archive is not None:
            archive.close()
    if not records:
        raise RetexInputError("aucun texte dans ce projet REFI-QDA" + (
            " (seulement : " + ", ".join(f"{n} {k}" for k, n in skipped.items()) + ")" if skipped else ""), path=path)
    notes = [f"{n} source(s) {kind} sans texte non lue(s) (exportez-en le texte pour l'analyser)"
             for kind, n in skipped.items()]
    return records, problems, notes
