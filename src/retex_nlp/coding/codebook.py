"""A codebook: the themes an analyst expects, with definitions, keywords and examples.

In YAML::

    themes:
      - name: liens numériques
        description: Les échanges avec les familles et les enfants par visio ou téléphone.
        keywords: [visio, téléphone, appel*, "lien avec les familles"]
        examples: ["Les appels vidéo quotidiens ont maintenu le lien."]
        counter_examples: ["Pas d'ordinateur pour travailler."]

or as an XLSX sheet with the same columns (lists separated by ``;`` or line breaks).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from ..errors import RetexInputError

__all__ = ["Theme", "Codebook", "OTHER"]

#: A name no codebook theme may take: in French reports, answers in no theme are "autre".
OTHER = "autre"


@dataclass
class Theme:
    """One codebook theme."""

    name: str
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    counter_examples: list[str] = field(default_factory=list)


@dataclass
class Codebook:
    """A list of themes, read from and written to YAML or XLSX."""

    themes: list[Theme]

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.themes]

    @classmethod
    def from_dict(cls, data: dict, source: str = "<dict>") -> Codebook:
        items = data.get("themes") if isinstance(data, dict) else data
        if not isinstance(items, list) or not items:
            raise RetexInputError("a codebook needs a non-empty list 'themes'", path=source)
        themes = []
        for i, item in enumerate(items, start=1):
            if not isinstance(item, dict) or not str(item.get("name", "")).strip():
                raise RetexInputError(f"theme {i} has no name", path=source)
            unknown = set(item) - {"name", "description", "keywords", "examples", "counter_examples"}
            if unknown:
                raise RetexInputError(f"theme {item['name']!r}: unknown keys {sorted(unknown)}", path=source)
            themes.append(Theme(str(item["name"]).strip(), str(item.get("description") or ""),
                                [str(x) for x in item.get("keywords") or []],
                                [str(x) for x in item.get("examples") or []],
                                [str(x) for x in item.get("counter_examples") or []]))
        names = [t.name for t in themes]
        if len(set(names)) != len(names) or OTHER in names:
            raise RetexInputError(f"theme names must be unique and not {OTHER!r}: {names}", path=source)
        return cls(themes)

    @classmethod
    def read(cls, path: str | Path, sheet: str | int = 0) -> Codebook:
        """Read a codebook from ``.yml``/``.yaml`` or ``.xlsx`` (columns name, description,
        keywords, examples, counter_examples; lists separated by ``;`` or line breaks)."""
        path = Path(path)
        if not path.exists():
            raise RetexInputError("codebook not found", path=path)
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, sheet_name=sheet, dtype=str).fillna("")
            frame.columns = [str(c).strip().lower() for c in frame.columns]
            if "name" not in frame.columns:
                raise RetexInputError(f"no 'name' column; columns are {list(frame.columns)}", path=path)
            items = []
            for _, row in frame.iterrows():
                item = {"name": row["name"], "description": row.get("description", "")}
                for key in ("keywords", "examples", "counter_examples"):
                    item[key] = [x.strip() for x in re.split(r"[;\n]", row.get(key, "")) if x.strip()]
                items.append(item)
            return cls.from_dict({"themes": items}, str(path))
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise RetexInputError(f"invalid YAML: {exc}", path=path) from exc
        return cls.from_dict(data, str(path))

    def to_yaml(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(yaml.safe_dump({"themes": [asdict(t) for t in self.themes]}, allow_unicode=True,
                                       sort_keys=False), encoding="utf-8")
        return path

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{**asdict(t), **{k: "; ".join(getattr(t, k)) for k in
                                                ("keywords", "examples", "counter_examples")}} for t in self.themes])

    def to_xlsx(self, path: str | Path) -> Path:
        path = Path(path)
        self.to_frame().to_excel(path, index=False, sheet_name="codebook")
        return path
