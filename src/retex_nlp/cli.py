"""Command line: ``retex inspect``, ``retex terms`` (a thin layer over the Python API).

Messages are in French: the people who run these commands read French.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .errors import RetexError

app = typer.Typer(
    help="retex_nlp : analyse des réponses libres en français (questionnaires, témoignages).",
    no_args_is_help=True,
    add_completion=False,
)

InputArg = Annotated[Path, typer.Argument(help="Fichier CSV, XLSX, JSONL, TXT, corpus IRaMuTeQ, ou dossier de .txt.")]
TextCol = Annotated[list[str] | None, typer.Option("--text-col", "-t", help="Colonne(s) des réponses libres.")]
IdCol = Annotated[str | None, typer.Option("--id-col", help="Colonne identifiant le répondant.")]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="Feuille XLSX (nom ou numéro, 0 = première).")]
EncodingOpt = Annotated[str | None, typer.Option("--encoding", help="Forcer l'encodage (détecté sinon).")]
SepOpt = Annotated[str | None, typer.Option("--sep", help="Forcer le séparateur CSV (détecté sinon).")]

_STATUS_FR = {"ok": "réponses exploitables", "empty": "vides", "non_answer": "non-réponses (RAS, néant…)",
              "duplicate": "doublons", "unreadable": "illisibles"}


def _sheet(value: str | None) -> str | int | None:
    return int(value) if value is not None and value.isdigit() else value


def _fail(exc: Exception) -> None:
    typer.echo(f"Erreur : {exc}", err=True)
    raise typer.Exit(code=2)


def _read(input: Path, text_col, id_col, sheet, encoding, sep):
    from .io.read import read_answers

    text = text_col[0] if text_col and len(text_col) == 1 else text_col
    return read_answers(input, text=text, id=id_col, sheet=_sheet(sheet), encoding=encoding, sep=sep)


def print_summary(answers) -> None:
    """Print the status summary of an answers DataFrame, in French."""
    from .io.read import status_summary

    attrs = answers.attrs
    sep = {"\t": "tabulation", ";": "point-virgule", ",": "virgule", "|": "barre verticale"}.get(
        attrs.get("separator") or "", attrs.get("separator") or "-")
    typer.echo(f"Fichier      : {attrs.get('source')}")
    typer.echo(f"Format       : {attrs.get('format')}   encodage : {attrs.get('encoding') or '-'}   séparateur : {sep}")
    if attrs.get("sheet"):
        typer.echo(f"Feuille      : {attrs['sheet']}")
    typer.echo(f"Question(s)  : {', '.join(map(str, attrs.get('text_columns', [])))}")
    typer.echo(f"Réponses     : {len(answers)}")
    for row in status_summary(answers).itertuples(index=False):
        typer.echo(f"  {row.status:<11} {row.n:>8}  ({row.share:6.1%})  {_STATUS_FR[row.status]}")
    bad = answers[answers["status"] == "unreadable"]
    for row in bad.head(10).itertuples(index=False):
        typer.echo(f"  ligne {row.row} : {row.note}")
    if len(bad) > 10:
        typer.echo(f"  … et {len(bad) - 10} autres lignes illisibles")


@app.command()
def inspect(
    input: InputArg,
    text_col: TextCol = None,
    id_col: IdCol = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    sep: SepOpt = None,
) -> None:
    """Dire ce que contient un fichier : encodage, séparateur, et l'état de chaque réponse."""
    try:
        if not text_col:
            from .io.read import inspect_file

            info = inspect_file(input, sheet=_sheet(sheet), encoding=encoding, sep=sep)
            typer.echo(f"Fichier : {info.path}\nFormat : {info.format}   encodage : {info.encoding}   "
                       f"séparateur : {info.separator!r}\nColonnes : {info.columns}\nLignes : {info.n_rows}")
            typer.echo("Indiquez la colonne des réponses avec --text-col pour le bilan des réponses.")
            return
        answers = _read(input, text_col, id_col, sheet, encoding, sep)
    except RetexError as exc:
        _fail(exc)
    print_summary(answers)


@app.command()
def terms(
    input: InputArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Fichier CSV des termes à écrire.")],
    text_col: TextCol = None,
    by: Annotated[list[str] | None, typer.Option("--by", help="Variable(s) de groupe (service, profession…).")] = None,
    unit: Annotated[str, typer.Option("--unit", help="lemma, form ou ngram.")] = "lemma",
    one_word: Annotated[bool, typer.Option("--one-word", help="Chaque réponse entière est un terme (« en un mot »).")] = False,
    top: Annotated[int | None, typer.Option("--top", help="Garder les N termes les plus fréquents (par groupe).")] = None,
    min_count: Annotated[int, typer.Option("--min-count", help="Fréquence minimale.")] = 1,
    wordcloud: Annotated[Path | None, typer.Option("--wordcloud", help="Nuage de mots (PNG ou SVG) ; un par groupe avec --by.")] = None,
    specificities_out: Annotated[Path | None, typer.Option("--specificities", help="CSV des spécificités par groupe (avec --by).")] = None,
    lexicon: Annotated[Path | None, typer.Option("--lexicon", help="Lexique YAML (expressions, variantes, sigles) à ajouter.")] = None,
    id_col: IdCol = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    sep: SepOpt = None,
) -> None:
    """Compter les termes (lemmes, formes, n-grammes) des réponses, par groupe si demandé."""
    from .clouds import word_cloud, word_clouds
    from .specificities import specificities
    from .terms import term_frequencies
    from .text.analyzer import FrenchAnalyzer

    try:
        answers = _read(input, text_col, id_col, sheet, encoding, sep)
        analyzer = FrenchAnalyzer(lexicon=lexicon).load_default_table() if lexicon else None
        table = term_frequencies(answers, unit=unit, by=by or None, min_count=min_count, top=top,
                                 one_word=one_word, analyzer=analyzer)
    except (RetexError, KeyError, ValueError) as exc:
        _fail(exc)
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False, encoding="utf-8")
    n_ok = int((answers["status"] == "ok").sum())
    typer.echo(f"{len(table)} termes ({n_ok} réponses exploitables sur {len(answers)}) -> {out}")
    if wordcloud is not None and len(table):
        if by:
            key = " | ".join(by) if len(by) > 1 else by[0]
            if len(by) > 1:
                table[key] = table[by].astype(str).agg(" | ".join, axis=1)
            paths = word_clouds(table, key, wordcloud.parent, suffix=wordcloud.suffix or ".png")
            typer.echo(f"{len(paths)} nuages de mots -> {wordcloud.parent}")
        else:
            word_cloud(table, wordcloud)
            typer.echo(f"Nuage de mots -> {wordcloud}")
    if specificities_out is not None:
        if not by or len(by) != 1:
            _fail(RetexError("--specificities demande exactement une variable --by"))
        spec = specificities(answers, by[0], unit=unit, one_word=one_word, analyzer=analyzer)
        spec.to_csv(specificities_out, index=False, encoding="utf-8")
        typer.echo(f"Spécificités -> {specificities_out}")


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="retex")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
