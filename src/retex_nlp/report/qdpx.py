"""Export coded answers as a REFI-QDA project (``.qdpx``), to open and revise the coding in
NVivo, ATLAS.ti, MAXQDA or QualCoder.

A ``.qdpx`` file is a zip holding ``project.qde`` (XML in the ``urn:QDA-XML:project:1.0``
namespace, REFI-QDA 1.5) and the texts under ``Sources/``. Each answer becomes a text source
(its id as name), coded as a whole with each of its themes; each respondent variable becomes a
project variable, and each answer a case carrying the variables' values.
"""

from __future__ import annotations

import uuid
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd

from ..answers import RESERVED, split_codes
from ..files import atomic_path, clean_text

__all__ = ["write_qdpx", "write_qdc", "NAMESPACE", "CODEBOOK_NAMESPACE"]

NAMESPACE = "urn:QDA-XML:project:1.0"
CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
_PALETTE = ["#2B6A9E", "#D1495B", "#EDAE49", "#00798C", "#66A182", "#8D6A9F", "#C97C5D", "#4F6D7A"]
_SKIP = RESERVED | {"themes"}


def _guid(*parts: object) -> str:
    """A stable GUID from the content (same project, same GUIDs: diffs stay readable)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "retex_nlp/" + "/".join(map(str, parts))))


def write_qdpx(answers: pd.DataFrame, path: str | Path, *, codes: str = "theme_label", title: str = "retex_nlp",
               codebook: pd.DataFrame | None = None, variables: list[str] | None = None,
               user: str = "retex_nlp") -> Path:
    """Write ``answers`` (``answer_id``, ``text``, a ``codes`` column of ``;``-joined theme names,
    respondent variables) as a REFI-QDA project. Only answers with a text are exported."""
    path = Path(path)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    ET.register_namespace("", NAMESPACE)
    q = f"{{{NAMESPACE}}}"
    user_guid = _guid("user", user)
    project = ET.Element(f"{q}Project", {"name": title, "origin": "retex_nlp", "creatingUserGUID": user_guid,
                                         "creationDateTime": now})
    users = ET.SubElement(project, f"{q}Users")
    ET.SubElement(users, f"{q}User", {"guid": user_guid, "name": user})

    answers = answers.map(clean_text) if len(answers) else answers  # no control character in the XML
    title, user = clean_text(title), clean_text(user)
    if codebook is not None:
        codebook = codebook.map(clean_text)
    rows = answers[answers["text"].fillna("").astype(str).str.strip() != ""]
    names = sorted({c for v in rows[codes].fillna("") for c in split_codes(v)})
    descriptions = {}
    if codebook is not None and "name" in codebook.columns:
        descriptions = dict(zip(codebook["name"].astype(str), codebook.get("description", "").astype(str), strict=True))
    code_guid = {n: _guid("code", n) for n in names}
    book = ET.SubElement(project, f"{q}CodeBook")
    codes_el = ET.SubElement(book, f"{q}Codes")
    for i, name in enumerate(names):
        code = ET.SubElement(codes_el, f"{q}Code", {"guid": code_guid[name], "name": name, "isCodable": "true",
                                                    "color": _PALETTE[i % len(_PALETTE)]})
        if descriptions.get(name):
            ET.SubElement(code, f"{q}Description").text = descriptions[name]

    variables = variables if variables is not None else [c for c in answers.columns
                                                          if c not in _SKIP and not str(c).startswith("score_")]
    var_guid = {v: _guid("variable", v) for v in variables}
    if variables:
        vars_el = ET.SubElement(project, f"{q}Variables")
        for v in variables:
            ET.SubElement(vars_el, f"{q}Variable", {"guid": var_guid[v], "name": str(v), "typeOfVariable": "Text"})

    source_guid = {str(a): _guid("source", a) for a in rows["answer_id"]}
    if variables:
        cases = ET.SubElement(project, f"{q}Cases")
        for _, row in rows.iterrows():
            case = ET.SubElement(cases, f"{q}Case", {"guid": _guid("case", row["answer_id"]), "name": str(row["answer_id"])})
            for v in variables:
                value = row.get(v)
                if value is None or pd.isna(value) or str(value) == "":
                    continue
                vv = ET.SubElement(case, f"{q}VariableValue")
                ET.SubElement(vv, f"{q}VariableRef", {"targetGUID": var_guid[v]})
                ET.SubElement(vv, f"{q}TextValue").text = str(value)
            ET.SubElement(case, f"{q}SourceRef", {"targetGUID": source_guid[str(row["answer_id"])]})

    sources = ET.SubElement(project, f"{q}Sources")
    files: dict[str, str] = {}
    for _, row in rows.iterrows():
        answer_id = str(row["answer_id"])
        guid = source_guid[answer_id]
        text = str(row["text"])
        files[f"Sources/{guid}.txt"] = text
        source = ET.SubElement(sources, f"{q}TextSource", {
            "guid": guid, "name": answer_id, "plainTextPath": f"internal://{guid}.txt",
            "creatingUser": user_guid, "creationDateTime": now})
        themes = split_codes(row.get(codes) or "")
        if themes:
            selection = ET.SubElement(source, f"{q}PlainTextSelection", {
                "guid": _guid("selection", answer_id), "name": answer_id, "startPosition": "0",
                "endPosition": str(len(text)), "creatingUser": user_guid, "creationDateTime": now})
            for name in themes:
                coding = ET.SubElement(selection, f"{q}Coding", {"guid": _guid("coding", answer_id, name),
                                                                 "creatingUser": user_guid, "creationDateTime": now})
                ET.SubElement(coding, f"{q}CodeRef", {"targetGUID": code_guid[name]})

    xml = ET.tostring(project, encoding="utf-8", xml_declaration=True)
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", xml)
        for name, text in files.items():
            archive.writestr(name, text.encode("utf-8"))
    return path


def write_qdc(codebook: pd.DataFrame, path: str | Path) -> Path:
    """Write a codebook (``name``, optional ``description``) as a REFI-QDA codebook (``.qdc``,
    namespace ``urn:QDA-XML:codebook:1.0``), which NVivo, ATLAS.ti, MAXQDA and QualCoder
    import; code GUIDs are those of :func:`write_qdpx`, so both files name the same codes."""
    ET.register_namespace("", CODEBOOK_NAMESPACE)
    q = f"{{{CODEBOOK_NAMESPACE}}}"
    root = ET.Element(f"{q}CodeBook", {"origin": "retex_nlp"})
    codes_el = ET.SubElement(root, f"{q}Codes")
    names = [clean_text(str(n)) for n in codebook["name"]]
    descriptions = [clean_text(str(d)) if isinstance(d, str) else "" for d in codebook.get(
        "description", pd.Series([""] * len(codebook)))]
    for i, (name, description) in enumerate(zip(names, descriptions, strict=True)):
        code = ET.SubElement(codes_el, f"{q}Code", {"guid": _guid("code", name), "name": name, "isCodable": "true",
                                                    "color": _PALETTE[i % len(_PALETTE)]})
        if description:
            ET.SubElement(code, f"{q}Description").text = description
    with atomic_path(path) as tmp:
        tmp.write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
    return Path(path)
