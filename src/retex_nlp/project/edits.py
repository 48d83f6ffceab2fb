"""The analyst's edits: what they are, and how each changes the themes of a project.

An edit is a small dict, written as one entry of the project's journal (``journal.yml``),
in French since analysts read it::

    - action: renommer         # thème: 3, nom: "Lien avec les familles"
    - action: fusionner        # thèmes: [3, 5] (into the first), nom: optional
    - action: scinder          # thème: 3, parts: 2 -> nouveaux: [3, 17]
    - action: déplacer         # réponses: [id, ...], thème: 4 (-1: in no theme)
    - action: recoder          # réponse: id, thèmes: [1, 4] ([]: in no theme)
    - action: épingler         # texte: a quote to put first in its theme
    - action: écarter          # texte: a quote never to show (every copy)

:class:`ThemeState` holds what edits change (the themes, and which answers are in which) and
:func:`apply_edit` applies one edit to it; a project replays its journal over the state its
analysis produced, so the same journal always gives the same themes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..answers import NO_THEME
from ..errors import RetexInputError
from ..quotes import QuoteChoices
from ..themes import split_members

__all__ = ["ThemeState", "ThemeInfo", "apply_edit", "ACTIONS", "describe_edit"]

ACTIONS = ("renommer", "fusionner", "scinder", "déplacer", "recoder", "épingler", "écarter")


@dataclass
class ThemeInfo:
    """A theme: its label, whether a person chose it (else it follows the key terms), its
    description (codebook themes), and where it comes from."""

    label: str
    user_label: bool = False
    description: str = ""
    origin: str = "analyse"


@dataclass
class ThemeState:
    """Themes by id, the theme ids of each ``ok`` answer, and the quote choices."""

    themes: dict[int, ThemeInfo]
    pairs: dict[str, list[int]]
    choices: QuoteChoices = field(default_factory=QuoteChoices)

    def members(self, theme: int) -> list[str]:
        return [a for a, ts in self.pairs.items() if theme in ts]

    def check(self, theme: int) -> None:
        if theme not in self.themes:
            raise RetexInputError(f"pas de thème {theme} ; les thèmes sont {sorted(self.themes)} "
                                  "(colonne theme_id de themes.csv)")

    def copy(self) -> ThemeState:
        return ThemeState({t: ThemeInfo(**vars(i)) for t, i in self.themes.items()},
                          {a: list(ts) for a, ts in self.pairs.items()},
                          QuoteChoices(list(self.choices.pin), list(self.choices.ban)))


def _as_int(value, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RetexInputError(f"{what} doit être un numéro de thème, pas {value!r}") from None


def apply_edit(state: ThemeState, edit: dict, embed: Callable[[Sequence[str]], np.ndarray], seed: int = 0) -> dict:
    """Apply ``edit`` to ``state`` (in place) and return the edit as recorded (a split records
    the ids it created). ``embed(answer_ids)`` gives the vectors of answers (for a split)."""
    action = edit.get("action")
    if action == "renommer":
        theme = _as_int(edit.get("thème"), "thème")
        state.check(theme)
        label = str(edit.get("nom") or "").strip()
        if not label:
            raise RetexInputError(f"renommer le thème {theme} : le nouveau nom est vide")
        state.themes[theme].label, state.themes[theme].user_label = label, True
        return {"action": action, "thème": theme, "nom": label}
    if action == "fusionner":
        themes = [_as_int(t, "thèmes") for t in edit.get("thèmes") or []]
        if len(themes) < 2 or len(set(themes)) != len(themes):
            raise RetexInputError(f"fusionner demande au moins deux thèmes différents, pas {themes}")
        for t in themes:
            state.check(t)
        target = themes[0]
        for answer, ts in state.pairs.items():
            if any(t in ts for t in themes[1:]):
                state.pairs[answer] = list(dict.fromkeys(target if t in themes else t for t in ts))
        for t in themes[1:]:
            del state.themes[t]
        if edit.get("nom"):
            state.themes[target].label, state.themes[target].user_label = str(edit["nom"]), True
        return {"action": action, "thèmes": themes, **({"nom": str(edit["nom"])} if edit.get("nom") else {})}
    if action == "scinder":
        theme = _as_int(edit.get("thème"), "thème")
        state.check(theme)
        n = _as_int(edit.get("parts", 2), "parts")
        members = state.members(theme)
        if n < 2 or len(members) < 2 * n:
            raise RetexInputError(f"le thème {theme} a {len(members)} réponses : impossible de le scinder en {n}")
        parts = split_members(embed(members), n, seed)
        start = max(state.themes) + 1
        new_ids = [theme] + list(range(start, start + n - 1))
        info = state.themes[theme]
        for k, t in enumerate(new_ids):
            state.themes[t] = ThemeInfo("", False, info.description if k == 0 else "", "scission")
        for answer, part in zip(members, parts.tolist(), strict=True):
            state.pairs[answer] = [new_ids[part] if t == theme else t for t in state.pairs[answer]]
        return {"action": action, "thème": theme, "parts": n, "nouveaux": new_ids}
    if action == "déplacer":
        theme = _as_int(edit.get("thème"), "thème")
        if theme != NO_THEME:
            state.check(theme)
        answers = [str(a) for a in edit.get("réponses") or []]
        _check_answers(state, answers)
        for a in answers:
            state.pairs[a] = [] if theme == NO_THEME else [theme]
        return {"action": action, "réponses": answers, "thème": theme}
    if action == "recoder":
        answer = str(edit.get("réponse"))
        _check_answers(state, [answer])
        themes = [_as_int(t, "thèmes") for t in edit.get("thèmes") or []]
        for t in themes:
            state.check(t)
        state.pairs[answer] = list(dict.fromkeys(themes))
        return {"action": action, "réponse": answer, "thèmes": themes}
    if action in ("épingler", "écarter"):
        text = str(edit.get("texte") or "").strip()
        if not text:
            raise RetexInputError(f"{action} : le texte de la citation est vide")
        target = state.choices.pin if action == "épingler" else state.choices.ban
        if text not in target:
            target.append(text)
        return {"action": action, "texte": text}
    raise RetexInputError(f"action inconnue {action!r} ; les actions sont : {', '.join(ACTIONS)}")


def _check_answers(state: ThemeState, answers: list[str]) -> None:
    unknown = [a for a in answers if a not in state.pairs]
    if unknown:
        raise RetexInputError(f"réponses inconnues ou non exploitables : {unknown[:5]} (colonne answer_id "
                              "de answers_coded.csv)")


def describe_edit(edit: dict) -> str:
    """One French sentence for an edit (command line, app)."""
    action = edit.get("action")
    if action == "renommer":
        return f"thème {edit['thème']} renommé « {edit['nom']} »"
    if action == "fusionner":
        return f"thèmes {', '.join(map(str, edit['thèmes']))} fusionnés dans le thème {edit['thèmes'][0]}"
    if action == "scinder":
        return f"thème {edit['thème']} scindé en {edit['parts']} : thèmes {', '.join(map(str, edit['nouveaux']))}"
    if action == "déplacer":
        where = "aucun thème" if edit["thème"] == NO_THEME else f"le thème {edit['thème']}"
        return f"{len(edit['réponses'])} réponse(s) déplacée(s) vers {where}"
    if action == "recoder":
        return f"réponse {edit['réponse']} recodée : {edit['thèmes'] or 'aucun thème'}"
    if action == "épingler":
        return f"citation épinglée : « {edit['texte'][:60]} »"
    if action == "écarter":
        return f"citation écartée : « {edit['texte'][:60]} »"
    return str(edit)
