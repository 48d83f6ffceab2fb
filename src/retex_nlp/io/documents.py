"""The text of a Word (``.docx``) or Writer (``.odt``) document: a testimony typed in a word
processor, or a REFI-QDA source kept as rich text."""

from __future__ import annotations

import io
from pathlib import Path

from ..errors import RetexInputError, require

__all__ = ["document_text"]


def document_text(path: Path, content: bytes | None = None) -> str:
    """The text of a Word (.docx) or Writer (.odt) testimony: its paragraphs and headings in
    order, then the paragraphs of its tables' cells, empty ones left out, a blank line between
    two. ``content``: the document's bytes when it is not a file of its own (a member of an
    archive; ``path`` then names it and gives its kind)."""
    source = str(path) if content is None else io.BytesIO(content)
    if path.suffix.lower() == ".docx":
        docx = require("docx", "report")
        try:
            document = docx.Document(source)
        except Exception as exc:  # a damaged file, a .doc renamed .docx
            raise RetexInputError(f"document Word illisible ({type(exc).__name__} : {exc})", path=path) from exc
        parts = [p.text for p in document.paragraphs]
        parts += [p.text for table in document.tables for row in table.rows for cell in row.cells
                  for p in cell.paragraphs]
    else:
        from odf import teletype
        from odf.namespaces import TEXTNS
        from odf.opendocument import load

        try:
            body = load(source).text
        except Exception as exc:
            raise RetexInputError(f"document OpenDocument illisible ({type(exc).__name__} : {exc})",
                                  path=path) from exc
        parts = []

        def walk(node) -> None:
            for child in node.childNodes:
                if getattr(child, "qname", None) in ((TEXTNS, "p"), (TEXTNS, "h")):
                    parts.append(teletype.extractText(child))
                elif getattr(child, "childNodes", None):
                    walk(child)

        walk(body)
    return "\n\n".join(p.strip() for p in parts if p and p.strip())
