"""Command line: ``retex inspect | terms | themes | code | analyse | edit | report | models``.

A thin shell over the public Python API (``retex_nlp``): each command reads its options,
calls the library, and prints what happened in French (the people who run it read French).
"""

from __future__ import annotations

import functools
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand, TyperGroup

from .answers import STATUS_LABELS_FR as _STATUS_FR
from .errors import RetexError


class _FrenchHelpOption:
    """The ``--help`` option of a command or group, described in French."""

    def get_help_option(self, ctx):  # noqa: ANN001, ANN201 - click's signature
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "Afficher cette aide."
        return option


class _Command(_FrenchHelpOption, TyperCommand):
    pass


class _Group(_FrenchHelpOption, TyperGroup):
    pass


app = typer.Typer(
    cls=_Group,
    help="retex_nlp : analyse des réponses libres en français (questionnaires, témoignages).",
    no_args_is_help=True,
    add_completion=False,
)

InputArg = Annotated[Path, typer.Argument(help="Fichier CSV, XLSX, JSONL, TXT, corpus IRaMuTeQ, projet REFI-QDA (.qdpx : NVivo, ATLAS.ti, MAXQDA), témoignage .docx/.odt, ou dossier de .txt.")]
TextCol = Annotated[list[str] | None, typer.Option("--text-col", "-t", help="Colonne(s) des réponses libres.")]
IdCol = Annotated[str | None, typer.Option("--id-col", help="Colonne identifiant le répondant.")]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="Feuille XLSX (nom ou numéro, 0 = première).")]
EncodingOpt = Annotated[str | None, typer.Option("--encoding", help="Forcer l'encodage (détecté sinon).")]
SepOpt = Annotated[str | None, typer.Option("--sep", help="Forcer le séparateur CSV (détecté sinon).")]



def _sheet(value: str | None) -> str | int | None:
    return int(value) if value is not None and value.isdigit() else value


def _fail(exc: Exception) -> None:
    typer.echo(f"Erreur : {exc}", err=True)
    raise typer.Exit(code=2)


def _french_errors(command):
    """Any retex_nlp error left by a command (writing its outputs, say) is a French message and
    exit code 2, never a traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except RetexError as exc:
            _fail(exc)

    return wrapper


def _read(inputs: Path | list[Path], text_col, id_col, sheet, encoding, sep):
    """One file, or several stacked (``read_answers`` does both)."""
    from . import read_answers

    text = text_col[0] if text_col and len(text_col) == 1 else text_col
    source = inputs if not isinstance(inputs, list) or len(inputs) > 1 else inputs[0]
    answers = read_answers(source, text=text, id=id_col, sheet=_sheet(sheet), encoding=encoding, sep=sep)
    for old, new in answers.attrs.get("renamed_columns", {}).items():
        typer.echo(f"Remarque : la colonne « {old} » du fichier porte un nom réservé par retex_nlp ; "
                   f"elle est gardée sous le nom « {new} ».", err=True)
    return answers


def _encoding_text(encoding: str | None, confidence: float | None) -> str:
    """``cp1252 (confiance élevée : 0.9)`` for a detected code page; just the name when sure."""
    if not encoding:
        return "-"
    if confidence is None or confidence >= 1.0:
        return f"{encoding} (certain)"
    level = "élevée" if confidence >= 0.6 else "moyenne" if confidence >= 0.3 else "faible : vérifiez les accents, ou --encoding"
    return f"{encoding} (confiance {level} : {confidence:.2f})"


def print_summary(answers) -> None:
    """Print the status summary of an answers DataFrame, in French."""
    from . import status_summary

    attrs = answers.attrs
    sep = {"\t": "tabulation", ";": "point-virgule", ",": "virgule", "|": "barre verticale"}.get(
        attrs.get("separator") or "", attrs.get("separator") or "-")
    typer.echo(f"Fichier      : {attrs.get('source')}")
    typer.echo(f"Format       : {attrs.get('format')}   encodage : "
               f"{_encoding_text(attrs.get('encoding'), attrs.get('encoding_confidence'))}   séparateur : {sep}")
    if attrs.get("sheet"):
        typer.echo(f"Feuille      : {attrs['sheet']}")
    for note in attrs.get("notes", []):
        typer.echo(f"Remarque     : {note}")
    typer.echo(f"Question(s)  : {', '.join(map(str, attrs.get('text_columns', [])))}")
    typer.echo(f"Réponses     : {len(answers)}")
    for row in status_summary(answers).itertuples(index=False):
        typer.echo(f"  {row.status:<11} {row.n:>8}  ({row.share:6.1%})  {_STATUS_FR[row.status]}")
    bad = answers[answers["status"] == "unreadable"]
    for row in bad.head(10).itertuples(index=False):
        typer.echo(f"  ligne {row.source_row} : {row.status_note}")
    if len(bad) > 10:
        typer.echo(f"  … et {len(bad) - 10} autres lignes illisibles")


@app.command()
@_french_errors
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
            from . import inspect_file

            info = inspect_file(input, sheet=_sheet(sheet), encoding=encoding, sep=sep)
            separator = ("-" if info.separator is None else "aucun (une seule colonne)" if len(info.columns) == 1
                         else repr(info.separator))
            typer.echo(f"Fichier : {info.path}\nFormat : {info.format}   encodage : "
                       f"{_encoding_text(info.encoding, info.encoding_confidence)}   "
                       f"séparateur : {separator}\nColonnes : {info.columns}\nLignes : {info.n_rows}")
            if len(info.sheets) > 1:
                typer.echo(f"Feuilles : {info.sheets} (lue : {info.sheet!r} ; une autre avec --sheet)")
            for note in info.notes:
                typer.echo(f"Remarque : {note}")
            if info.text_column:
                ident = f" --id-col {shlex.quote(info.id_column)}" if info.id_column else ""
                typer.echo(f"Colonne qui semble contenir les réponses libres : « {info.text_column} » "
                           f"(bilan : retex inspect {shlex.quote(str(input))} --text-col "
                           f"{shlex.quote(info.text_column)}{ident})")
            typer.echo("Indiquez la colonne des réponses avec --text-col pour le bilan des réponses.")
            return
        answers = _read(input, text_col, id_col, sheet, encoding, sep)
    except RetexError as exc:
        _fail(exc)
    print_summary(answers)


WorkersOpt = Annotated[int | None, typer.Option("--workers", help="Répartir sur N processus (Dask LocalCluster).")]
SchedulerOpt = Annotated[str | None, typer.Option("--scheduler", help="Adresse d'un ordonnanceur Dask existant (tcp://hôte:8786).")]
ChunkOpt = Annotated[int, typer.Option("--chunksize", help="Réponses lues et traitées par paquet.")]


@app.command()
@_french_errors
def terms(
    inputs: Annotated[list[Path], typer.Argument(help="Un ou plusieurs fichiers (CSV, CSV.gz, XLSX, JSONL, TXT…).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Fichier CSV des termes à écrire.")],
    text_col: TextCol = None,
    by: Annotated[list[str] | None, typer.Option("--by", help="Variable(s) de groupe (service, profession…).")] = None,
    unit: Annotated[str, typer.Option("--unit", help="lemma, form ou ngram.")] = "lemma",
    one_word: Annotated[bool, typer.Option("--one-word", help="Chaque réponse entière est un terme (« en un mot »).")] = False,
    top: Annotated[int | None, typer.Option("--top", help="Garder les N termes les plus fréquents (par groupe).")] = None,
    min_count: Annotated[int, typer.Option("--min-count", help="Fréquence minimale.")] = 1,
    wordcloud: Annotated[Path | None, typer.Option("--wordcloud", help="Nuage de mots (PNG ou SVG) ; un par groupe avec --by.")] = None,
    specificities_out: Annotated[Path | None, typer.Option("--specificities", help="CSV des spécificités par groupe (avec --by).")] = None,
    overall: Annotated[Path | None, typer.Option("--overall", help="CSV des termes de l'ensemble (avec --by).")] = None,
    lexicon: Annotated[Path | None, typer.Option("--lexicon", help="Lexique YAML (expressions, variantes, sigles) à ajouter.")] = None,
    chunksize: ChunkOpt = 50_000,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    id_col: IdCol = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    sep: SepOpt = None,
) -> None:
    """Compter les termes (lemmes, formes, n-grammes) des réponses, par groupe si demandé.

    Les fichiers sont lus par paquets de --chunksize réponses : la mémoire ne grandit pas avec
    la taille du corpus. --workers N ou --scheduler ADRESSE répartissent le travail avec Dask."""
    from . import FrenchAnalyzer, word_cloud, word_clouds
    from .files import write_csv
    from .scale import count_terms, dask_client

    if specificities_out is not None and (not by or len(by) != 1):
        _fail(RetexError("--specificities demande exactement une variable --by"))
    try:
        analyzer = FrenchAnalyzer(lexicon=lexicon).load_default_table() if lexicon else None
        text = text_col[0] if text_col and len(text_col) == 1 else text_col
        with dask_client(scheduler, workers) as client:
            counts = count_terms(inputs, unit=unit, by=by or None, one_word=one_word, analyzer=analyzer,
                                 chunksize=chunksize, client=client, text=text, id=id_col, sheet=_sheet(sheet),
                                 encoding=encoding, sep=sep)
        table = counts.frequencies(min_count=min_count, top=top)
    except (RetexError, KeyError, ValueError) as exc:
        _fail(exc)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_csv(table, out)
    n_all = sum(counts.statuses.values())
    n_ok = counts.statuses.get("ok", 0)
    typer.echo(f"{len(table)} termes ({n_ok} réponses exploitables sur {n_all}) -> {out}")
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
    if overall is not None:
        whole = counts.total().frequencies(min_count=min_count, top=top)
        write_csv(whole, overall)
        typer.echo(f"Termes de l'ensemble -> {overall}")
    if specificities_out is not None:
        write_csv(counts.specificities(), specificities_out)
        typer.echo(f"Spécificités -> {specificities_out}")


EmbedderOpt = Annotated[str, typer.Option("--embedder", help="use (défaut, hors ligne), st:CHEMIN, tfidf, ou un greffon.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Graine aléatoire (mêmes réponses + même graine = mêmes thèmes).")]
CacheOpt = Annotated[Path | None, typer.Option("--cache", help="Dossier du cache des plongements.")]
ClustererOpt = Annotated[str, typer.Option("--method", help="Regroupement : hdbscan (défaut), kmeans, ou reinert (classification descendante hiérarchique de Reinert, comme IRaMuTeQ).")]


@app.command()
@_french_errors
def themes(
    inputs: Annotated[list[Path], typer.Argument(help="Un ou plusieurs fichiers (réunis : un seul jeu de thèmes).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV : une ligne par réponse (answer_id, theme, theme_label).")],
    text_col: TextCol = None,
    by: Annotated[list[str] | None, typer.Option("--by", help="Variable(s) de groupe pour le tableau thème x groupe.")] = None,
    n_themes: Annotated[int | None, typer.Option("--n-themes", help="Nombre de thèmes visé.")] = None,
    clusterer: ClustererOpt = "hdbscan",
    embedder: EmbedderOpt = "use",
    seed: SeedOpt = 0,
    save: Annotated[Path | None, typer.Option("--save", help="Dossier où enregistrer le modèle (ex. models/vague1).")] = None,
    cache: CacheOpt = None,
    sample_size: Annotated[int, typer.Option("--sample-size", help="Au-delà, ajuster sur un échantillon puis classer toutes les réponses.")] = 30_000,
    stability: Annotated[bool, typer.Option("--stability", help="Mesurer la stabilité : second échantillon (graine + 1), ARI entre les deux classements.")] = False,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    id_col: IdCol = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    sep: SepOpt = None,
) -> None:
    """Trouver les thèmes des réponses (BERTopic sur plongements de phrases, hors ligne).

    Les plongements sont calculés une fois (--cache : sur disque, reprise après interruption ;
    --workers/--scheduler : répartis avec Dask). Au-delà de --sample-size réponses, les thèmes
    sont trouvés sur un échantillon et chaque réponse est ensuite classée."""
    import json

    from . import theme_by_group, with_themes
    from .files import write_csv
    from .scale import dask_client, find_themes

    try:
        answers = _read(inputs, text_col, id_col, sheet, encoding, sep)
        with dask_client(scheduler, workers) as client:
            finder, assigned, report = find_themes(answers, embedder, cache_dir=cache, client=client,
                                                   clusterer=clusterer, n_themes=n_themes, sample_size=sample_size,
                                                   seed=seed, stability=stability)
    except (RetexError, KeyError, ValueError) as exc:
        _fail(exc)
    result = with_themes(answers, assigned)
    write_csv(result, out)
    table = finder.themes_
    write_csv(table, out.with_name(out.stem + "_themes.csv"))
    ok = result["status"] == "ok"
    share = float((result.loc[ok, "theme_id"] != -1).mean()) if ok.any() else 0.0
    typer.echo(f"{len(table)} thèmes ({finder.clustering_}, ajustés sur {finder.n_answers_fitted_} réponses), "
               f"{share:.1%} des {int(ok.sum())} réponses exploitables classées -> {out}")
    for row in table.head(40).itertuples(index=False):
        typer.echo(f"  {row.theme_id:>3}  {row.size:>6}  {row.label}")
    for col in by or []:
        write_csv(theme_by_group(result[ok], col), out.with_name(f"{out.stem}_par_{col}.csv"))
    if report is not None:
        summary = {k: v for k, v in report.items() if k != "finders"}
        out.with_name(out.stem + "_stabilite.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
        typer.echo(f"Stabilité entre deux échantillons (graines {seed} et {seed + 1}) : ARI {summary['ari']:.2f}, "
                   f"NMI {summary['nmi']:.2f} ; thèmes {summary['themes']}")
    if save:
        finder.save(save)
        typer.echo(f"Modèle enregistré -> {save}")


@app.command()
@_french_errors
def code(
    input: InputArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV : vos colonnes, theme_id, theme_label, score_<thème>…")],
    codebook: Annotated[Path | None, typer.Option("--codebook", help="Grille de codage YAML, XLSX, ODS, CSV, ou REFI-QDA (.qdc, .qdpx : NVivo, ATLAS.ti, MAXQDA).")] = None,
    text_col: TextCol = None,
    embedder: EmbedderOpt = "use",
    threshold: Annotated[float, typer.Option("--threshold", help="Score minimal pour coder un thème (0-1).")] = 0.4,
    save: Annotated[Path | None, typer.Option("--save", help="Dossier où enregistrer le codeur calibré.")] = None,
    model: Annotated[Path | None, typer.Option("--model", help="Codeur enregistré (--save) à réutiliser pour une nouvelle vague.")] = None,
    cache: CacheOpt = None,
    new_themes: Annotated[bool, typer.Option("--new-themes", help="Chercher de nouveaux thèmes dans les réponses « autre ».")] = False,
    train: Annotated[list[Path] | None, typer.Option("--train", help="Réponses codées à la main (CSV/XLSX : identifiant + « codes » séparés par ;, ou une colonne par thème cochée d'un x) ; répétable, dans l'ordre des tours.")] = None,
    review: Annotated[int, typer.Option("--review", help="Lister N réponses à coder ou corriger ensuite (les plus utiles au codeur).")] = 0,
    review_out: Annotated[Path | None, typer.Option("--review-out", help="Classeur des réponses à revoir (défaut : <out>_a_revoir.xlsx).")] = None,
    seed: SeedOpt = 0,
    id_col: IdCol = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    sep: SepOpt = None,
) -> None:
    """Coder les réponses avec une grille de codage (thèmes, définitions, mots-clés, exemples).

    Avec --train, le codeur apprend des réponses codées à la main et affiche son accord
    (validation croisée) thème par thème ; --review N liste les réponses à corriger ensuite,
    dans un classeur à renvoyer avec --train au tour suivant."""
    from . import Codebook, CodebookCoder, MixedCoder, with_themes
    from .coding import read_codes, write_review
    from .files import write_csv

    if codebook is None and model is None:
        _fail(RetexError("indiquez la grille de codage (--codebook) ou un codeur enregistré (--model)"))
    try:
        answers = _read(input, text_col, id_col, sheet, encoding, sep)
        if model:
            coder = CodebookCoder.load(model, cache_dir=cache)
            coded = MixedCoder(coder, seed=seed).fit_transform(answers) if new_themes else coder.transform(answers)
        else:
            coder = CodebookCoder(codebook, embedder, threshold=threshold, cache_dir=cache, seed=seed)
            codes = None
            if train:
                codes = read_codes(train, id_col=answers.attrs.get("id_column"), themes=Codebook.read(codebook))
                codes.require(answers, f"les réponses exploitables de {Path(input).name}")
                coder.fit(answers, codes)
            if new_themes:
                mixed = MixedCoder(coder, seed=seed, cache_dir=cache)
                coded = mixed.fit_transform(answers)
                coder = mixed.coder_
            else:
                coded = coder.transform(answers) if codes is not None else coder.fit_transform(answers)
        # without --train too: the first round lists one answer per group of similar answers
        to_review = coder.to_review(review, answers) if review else None
    except (RetexError, KeyError, ValueError) as exc:
        _fail(exc)
    result = with_themes(answers, coded)
    write_csv(result, out)
    ok = coded[coded["status"] == "ok"]
    counts = ok["theme_label"].replace("", "(sans thème)").str.split(";").explode().value_counts()
    typer.echo(f"{len(coded)} réponses codées ({len(ok)} exploitables) -> {out}")
    for name, n in counts.items():
        typer.echo(f"  {n:>6}  {name}")
    _print_keyword_warnings(coder)
    report = getattr(coder, "report_", None)
    if report is not None:
        mean = report.attrs.get("mean_kappa")
        mean = "non mesuré" if mean is None or mean != mean else mean
        typer.echo(f"Accord avec vos {report.attrs.get('n_coded')} réponses codées (validation croisée) : "
                   f"kappa moyen {mean}, F1 micro {report.attrs.get('micro_f1')}")
        for row in report.itertuples(index=False):
            if row.kappa != row.kappa:  # NaN: coded too rarely to be cross-validated
                typer.echo(f"  {row.theme:<40} {row.n_coded:>5} codées  non mesuré (il faut au moins 2 réponses codées "
                           "avec ce thème et 2 sans)")
                continue
            typer.echo(f"  {row.theme:<40} {row.n_coded:>5} codées  précision {row.precision}  rappel {row.recall}  "
                       f"kappa {row.kappa}")
        if report.attrs.get("n_coded", 0) < 10 * max(len(report), 1):
            typer.echo("  (moins de 10 réponses codées par thème : ces chiffres bougent beaucoup d'un tirage à l'autre ; "
                       "codez-en davantage, par exemple avec --review)")
    if to_review is not None:
        path = review_out or out.with_name(out.stem + "_a_revoir.xlsx")
        write_review(to_review, path, coder.codebook_)
        typer.echo(f"{len(to_review)} réponses à revoir -> {path} (corrigez la colonne « codes », puis --train)")
    if save:
        coder.save(save)
        typer.echo(f"Codeur enregistré -> {save}")


@app.command()
@_french_errors
def analyse(
    inputs: Annotated[list[Path], typer.Argument(help="Un ou plusieurs fichiers (CSV, XLSX, JSONL, TXT, IRaMuTeQ) ou un dossier de .txt.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Dossier du projet (état, journal, rapport/ à diffuser, prive/).")],
    text_col: TextCol = None,
    by: Annotated[list[str] | None, typer.Option("--by", help="Variable(s) à comparer (service, profession…).")] = None,
    codebook: Annotated[Path | None, typer.Option("--codebook", help="Grille de codage YAML, XLSX, ODS, CSV ou REFI-QDA .qdc/.qdpx (sinon thèmes trouvés dans les réponses).")] = None,
    new_themes: Annotated[bool, typer.Option("--new-themes", help="Avec une grille : chercher aussi de nouveaux thèmes dans les réponses hors grille.")] = False,
    train: Annotated[list[Path] | None, typer.Option("--train", help="Avec une grille : réponses codées à la main (identifiant + « codes », ou une colonne par thème cochée d'un x) ; répétable, dans l'ordre des tours ; gardées dans le projet.")] = None,
    n_themes: Annotated[int | None, typer.Option("--n-themes", help="Nombre de thèmes souhaité.")] = None,
    clusterer: ClustererOpt = "hdbscan",
    n_quotes: Annotated[int, typer.Option("--quotes", help="Citations par thème.")] = 5,
    attribution: Annotated[str | None, typer.Option("--attribution", help="Modèle d'attribution, ex. \"{profession}, {service}\" (toute colonne du fichier).")] = None,
    names: Annotated[Path | None, typer.Option("--names", help="Fichier de noms à toujours masquer (un par ligne).")] = None,
    mask_institutions: Annotated[bool, typer.Option("--mask-institutions", help="Masquer aussi les établissements nommés.")] = False,
    title: Annotated[str | None, typer.Option("--title", help="Titre du rapport.")] = None,
    embedder: EmbedderOpt = "use",
    seed: SeedOpt = 0,
    cache: Annotated[Path | None, typer.Option("--cache", help="Dossier du cache des plongements (défaut : DOSSIER/cache).")] = None,
    metadata: Annotated[Path | None, typer.Option("--metadata", help="Dossier de témoignages : fichier des métadonnées (colonne « fichier » + profession, service…) ; metadonnees.csv du dossier par défaut.")] = None,
    segments: Annotated[bool | None, typer.Option("--segments/--no-segments", help="Découper les textes longs en segments de phrases (thèmes, codage et citations par segment, reliés au témoignage). Par défaut : oui pour un dossier de .txt ou des réponses de 80 mots et plus.")] = None,
    segment_size: Annotated[int, typer.Option("--segment-size", help="Taille des segments (mots, en phrases entières).")] = 40,
    id_col: IdCol = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    sep: SepOpt = None,
) -> None:
    """Toute l'analyse : lecture, termes, thèmes ou codage, citations, rapport pseudonymisé.

    Le résultat est un projet : « retex edit DOSSIER » le modifie (renommer, fusionner, scinder
    des thèmes, épingler ou écarter des citations) et « retex report DOSSIER » refait le rapport."""
    from tqdm.auto import tqdm

    from . import analyse as run_analysis

    steps = ["Lecture des réponses", "Pseudonymisation", "Termes", "Thèmes / codage", "Écriture du projet et du rapport"]
    bar = tqdm(total=len(steps), desc="Analyse", unit="étape")

    def progress(message: str) -> None:
        bar.set_description(message)
        bar.update(1)

    try:
        text = text_col[0] if text_col and len(text_col) == 1 else (text_col or "text")
        source = inputs if len(inputs) > 1 else inputs[0]
        project = run_analysis(source, text=text, by=by, id=id_col, codebook=codebook, new_themes=new_themes, train=train,
                               n_themes=n_themes, clusterer=clusterer, embedder=embedder, n_quotes=n_quotes,
                               attribution=attribution, names=names, mask_institutions=mask_institutions,
                               title=title, seed=seed, cache_dir=cache, out=out, progress=progress,
                               segments=segments, segment_size=segment_size,
                               sheet=_sheet(sheet), encoding=encoding, sep=sep, metadata=metadata)
    except (RetexError, KeyError, ValueError) as exc:
        bar.close()
        _fail(exc)
    bar.close()
    for old, new in project.settings.get("renamed_columns", {}).items():
        typer.echo(f"Remarque : la colonne « {old} » porte un nom réservé par retex_nlp ; gardée sous « {new} ».")
    _print_statuses(project.answers_read)
    held = project.identifying_ids()
    if held and project.settings.get("pseudonymize", True):
        typer.echo(f"Remarque : les identifiants des répondants sont {held} : dans les fichiers partagés, ils sont "
                   "remplacés par R0001, R0002… ; la correspondance est dans le dossier privé "
                   "(identifiants_repondants.csv). Vos fichiers de codage (--train) gardent les identifiants du fichier.")
    elif held:
        typer.echo(f"Attention : les identifiants des répondants sont {held} et la pseudonymisation est désactivée : "
                   "ils figurent tels quels dans les fichiers partagés.")
    if project.settings.get("segments"):
        seg = project.settings["segments"]
        typer.echo(f"{seg['testimonies']} textes longs découpés en {seg['segments']} segments d'environ "
                   f"{seg['size']} mots (--no-segments pour les garder entiers) ; chaque segment garde son "
                   "témoignage (testimony_id) et ses métadonnées.")
    _print_keyword_warnings(getattr(project.model, "coder_", project.model))
    _print_outputs(project, out)
    typer.echo(f"Pour modifier : retex edit {out} --rename ID NOM … ; puis : retex report {out}")


def _print_statuses(answers) -> None:
    """How many answers were read, and why those left out were."""
    counts = answers["status"].value_counts()
    typer.echo(f"{len(answers)} réponses lues : " + ", ".join(
        f"{int(counts[s])} {label}" for s, label in _STATUS_FR.items() if counts.get(s)))


def _print_keyword_warnings(coder) -> None:
    """The codebook's keywords that cannot mark a theme (too general, function words only), and
    the words of their names that stand for the keywords of the themes that have none."""
    for warning in getattr(coder, "keyword_warnings_", []):
        typer.echo(f"Attention, {warning}.")
    words = getattr(coder, "name_words_", None) or {}
    if words:
        shown = [f"« {name} » : {', '.join(ws) if ws else 'aucun (mots trop courants ou partagés)'}"
                 for name, ws in list(words.items())[:8]]
        more = f" ; et {len(words) - 8} autre(s)" if len(words) > 8 else ""
        typer.echo(f"Thèmes sans mots-clés : les mots de leur nom en tiennent lieu — {' ; '.join(shown)}{more}.")


def _print_outputs(project, out: Path) -> None:
    themes = project.themes
    typer.echo(f"{len(themes)} thèmes, {len(project.quotes)} citations (pseudonymisées).")
    segmented = "testimonies" in themes.columns
    if segmented:
        typer.echo("  (n°, segments, témoignages, thème)")
    for row in themes.head(40).itertuples(index=False):
        typer.echo(f"  {row.theme_id:>3}  {row.size:>6}  " + (f"{row.testimonies:>5}  " if segmented else "")
                   + str(row.label))
    labels = {"html": "Rapport HTML", "xlsx": "Classeur Excel", "docx": "Document Word",
              "answers": "Réponses codées (CSV)", "themes": "Thèmes (CSV)", "quotes": "Citations (CSV)",
              "qdpx": "Projet REFI-QDA (NVivo, ATLAS.ti, MAXQDA, QualCoder)",
              "qdc": "Grille de codage REFI-QDA (.qdc)",
              "pseudonymisation": "Table de pseudonymisation (à vérifier, NE PAS diffuser)",
              "identifiants": "Identifiants des répondants et leurs pseudonymes (NE PAS diffuser)"}
    for key, path in _rendered(out).items():
        typer.echo(f"  {labels.get(key, key):<55} {path}")


def _rendered(out: Path) -> dict[str, Path]:
    report = out / "rapport"
    paths = {"html": report / "report.html", "xlsx": report / "report.xlsx", "docx": report / "report.docx",
             "answers": report / "answers_coded.csv", "themes": report / "themes.csv",
             "quotes": report / "quotes.csv", "qdpx": report / "project.qdpx", "qdc": report / "grille.qdc",
             "pseudonymisation": out / "prive" / "pseudonymisation_a_verifier.csv",
             "identifiants": out / "prive" / "identifiants_repondants.csv"}
    return {k: p for k, p in paths.items() if p.exists()}


# Each edit option and how many values follow it; applied in the order they are typed.
_EDIT_OPTIONS = {"--rename": 2, "--merge": 2, "--split": 2, "--move": 2, "--recode": 2, "--pin-quote": 1,
                 "--ban-quote": 1, "--undo": 0}


def _parse_edits(args: list[str]) -> list[tuple[str, list[str]]]:
    edits, i = [], 0
    while i < len(args):
        option = args[i]
        if option not in _EDIT_OPTIONS:
            raise RetexError(f"option inconnue {option!r} ; options : {', '.join(_EDIT_OPTIONS)}")
        n = _EDIT_OPTIONS[option]
        values = args[i + 1:i + 1 + n]
        if len(values) < n or any(v in _EDIT_OPTIONS for v in values):
            raise RetexError(f"{option} attend {n} valeur(s)")
        edits.append((option, values))
        i += 1 + n
    return edits


def _theme_id(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise RetexError(f"{value!r} n'est pas un numéro de thème (colonne theme_id de themes.csv)") from None


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
@_french_errors
def edit(
    ctx: typer.Context,
    project_dir: Annotated[Path, typer.Argument(help="Dossier du projet (écrit par retex analyse --out).")],
    show: Annotated[bool, typer.Option("--list", help="Afficher les thèmes et le journal des modifications.")] = False,
) -> None:
    """Modifier un projet : chaque option s'applique dans l'ordre où elle est écrite.

    \b
      --rename ID NOM          renommer le thème ID (colonne theme_id de themes.csv)
      --merge ID ID            fusionner le second thème dans le premier
      --split ID N             scinder le thème ID en N (regroupement de ses réponses)
      --move ID_REPONSE ID     mettre une réponse dans le thème ID (-1 : aucun thème)
      --recode ID_REPONSE IDS  donner à une réponse ces thèmes (ex. "2;5", "" : aucun)
      --pin-quote TEXTE        mettre cette citation en tête de son thème
      --ban-quote TEXTE        ne jamais montrer cette citation (ni ses copies)
      --undo                   annuler la dernière modification

    Puis « retex report DOSSIER » refait le rapport avec les modifications."""
    from . import Project

    try:
        project = Project.open(project_dir)
        for option, values in _parse_edits(list(ctx.args)):
            if option == "--rename":
                project.rename(_theme_id(values[0]), values[1])
            elif option == "--merge":
                project.merge([_theme_id(values[0]), _theme_id(values[1])])
            elif option == "--split":
                project.split(_theme_id(values[0]), _theme_id(values[1]))
            elif option == "--move":
                project.move(values[0], _theme_id(values[1]))
            elif option == "--recode":
                project.recode(values[0], [_theme_id(v) for v in values[1].split(";") if v.strip()])
            elif option == "--pin-quote":
                project.pin_quote(values[0])
            elif option == "--ban-quote":
                project.ban_quote(values[0])
            else:
                undone = project.undo()
                typer.echo(f"Annulé : {undone.get('action')}")
                continue
            typer.echo(f"Fait : {project.history()[-1].split(' : ', 1)[-1]}")
        if ctx.args:
            project.save(render=False)
    except RetexError as exc:
        _fail(exc)
    if show or not ctx.args:
        for row in project.themes.itertuples(index=False):
            typer.echo(f"  {row.theme_id:>3}  {row.size:>6}  {row.label}")
        for line in project.history():
            typer.echo(f"  {line}")
    if ctx.args:
        typer.echo(f"{len(project.journal)} modification(s) enregistrée(s) dans {project_dir / 'journal.yml'} ; "
                   f"pour refaire le rapport : retex report {project_dir}")


@app.command()
@_french_errors
def report(
    project_dir: Annotated[Path, typer.Argument(help="Dossier du projet (écrit par retex analyse --out).")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Dossier où écrire le rapport (défaut : DOSSIER/rapport).")] = None,
) -> None:
    """Refaire tous les fichiers du rapport depuis l'état du projet, sans rien recalculer."""
    from . import Project

    try:
        project = Project.open(project_dir)
        if out is None:
            project.render()
            _print_outputs(project, project_dir)
        else:
            paths = project.render(out)
            typer.echo(f"{len(project.themes)} thèmes, {len(project.quotes)} citations.")
            for path in paths.values():
                typer.echo(f"  {path}")
    except RetexError as exc:
        _fail(exc)


@app.command()
@_french_errors
def chd(
    inputs: Annotated[list[Path], typer.Argument(help="Un ou plusieurs fichiers (CSV, XLSX, JSONL, TXT, IRaMuTeQ) ou un dossier de .txt.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Dossier des résultats (chd.html, profils, AFC, similitudes…).")],
    text_col: TextCol = None,
    k: Annotated[int, typer.Option("--k", help="Nombre de classes terminales.")] = 10,
    by: Annotated[list[str] | None, typer.Option("--by", help="Variable(s) des répondants à croiser avec les classes (profession, service…).")] = None,
    segment_size: Annotated[int, typer.Option("--segment-size", help="Taille des segments de texte (mots).")] = 40,
    min_freq: Annotated[int, typer.Option("--min-freq", help="Fréquence minimale d'une forme active (segments).")] = 3,
    min_split_members: Annotated[int, typer.Option("--min-split-members", help="Ne pas diviser une classe plus petite.")] = 10,
    title: Annotated[str | None, typer.Option("--title", help="Titre de la page de résultats.")] = None,
    seed: SeedOpt = 0,
    id_col: IdCol = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    sep: SepOpt = None,
) -> None:
    """Classification de Reinert (CHD, comme IRaMuTeQ) : classes de segments, profils, AFC, similitudes.

    Les réponses longues sont découpées en segments d'environ 40 mots, lemmatisées ; les noms,
    verbes, adjectifs et adverbes sont les formes actives. Les textes sont pseudonymisés."""
    from . import reinert, write_reinert
    from .files import make_dir, write_csv
    from .privacy.columns import identifying_ids, with_id_pseudonyms

    try:
        answers = _read(inputs if len(inputs) > 1 else inputs[0], text_col, id_col, sheet, encoding, sep)
        held = identifying_ids(answers)
        if held:  # e-mails as ids: the results give them pseudonyms, the table of both stays private
            answers, _, keys = with_id_pseudonyms(answers)
            private = out.with_name(out.name + "_prive")
            write_csv(keys, make_dir(private) / "identifiants_repondants.csv")
        result = reinert(answers, k=k, by=by, segment_size=segment_size, min_freq=min_freq,
                         min_split_members=min_split_members, seed=seed)
        paths = write_reinert(result, out, title=title or "Classification de Reinert")
    except (RetexError, KeyError, ValueError) as exc:
        _fail(exc)
    _print_statuses(answers)
    if held:
        typer.echo(f"Remarque : les identifiants des répondants sont {held} : "
                   f"les résultats les remplacent par R0001, R0002… ; la correspondance est dans {private / 'identifiants_repondants.csv'} "
                   "(à ne pas diffuser).")
    classes = result.classes
    unclassified = int((result.partition() == 0).sum())
    typer.echo(f"{len(result.segments)} segments, {len(result.features)} formes actives, {len(classes)} classes "
               f"({unclassified} segments non classés) :")
    for row in classes.itertuples(index=False):
        typer.echo(f"  classe {row[0]:>2}  {row.segments:>6} seg. ({row.share:.0%})  {row.top_terms}")
    typer.echo(f"Résultats -> {paths['html']} (et profils.csv, modalites.csv, afc.png, similitudes.html, "
               "corpus_iramuteq.txt…)")


@app.command("app")
@_french_errors
def app_command(
    path: Annotated[Path | None, typer.Argument(help="Un projet à ouvrir, ou le dossier où ranger les projets (défaut : ~/retex_projets).")] = None,
    port: Annotated[int, typer.Option("--port", help="Port local.")] = 8765,
    host: Annotated[str, typer.Option("--host", help="Interface d'écoute (127.0.0.1 par défaut ; toute autre demande un jeton d'accès).")] = "127.0.0.1",
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Ne pas ouvrir le navigateur.")] = False,
) -> None:
    """Ouvrir l'application web locale (sur cet ordinateur, sans Internet) : fichier, analyse, thèmes, revue, rapport."""
    from .app import serve

    serve(path, host=host, port=port, open_browser=not no_browser, say=typer.echo)


models_app = typer.Typer(cls=_Group, help="Modèles de plongements (sentence-transformers) sous models/.")
app.add_typer(models_app, name="models")


@models_app.command("pull")
@_french_errors
def models_pull(
    name: Annotated[str, typer.Argument(help="Identifiant Hugging Face, ex. sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2")],
    to: Annotated[Path, typer.Option("--to", help="Dossier des modèles.")] = Path("models"),
) -> None:
    """Télécharger un modèle (seule commande qui utilise le réseau, à lancer sur une machine connectée)."""
    from .errors import require

    try:
        SentenceTransformer = require("sentence_transformers", "themes").SentenceTransformer
    except RetexError as exc:
        _fail(exc)
    target = to / name.split("/")[-1]
    typer.echo(f"Téléchargement de {name} (réseau demandé explicitement) ...")
    SentenceTransformer(name, device="cpu").save(str(target))
    typer.echo(f"Modèle enregistré -> {target} ; utilisez --embedder st:{target}")


def _help_in_french() -> None:
    """The words typer adds to a command's help, in French, and each paragraph of a command's
    docstring as one paragraph (typer's rich help keeps its line breaks and rewraps each line).
    A typer without these names keeps its own words."""
    import inspect

    try:
        from typer import rich_utils
    except ImportError:  # pragma: no cover - typer without rich
        rich_utils = None
    words = {"COMMANDS_PANEL_TITLE": "Commandes", "ERRORS_PANEL_TITLE": "Erreur", "DEFAULT_STRING": "[défaut : {}]",
             "REQUIRED_LONG_STRING": "[obligatoire]", "ABORTED_TEXT": "Interrompu.",
             "DEPRECATED_STRING": "(obsolète) ", "ENVVAR_STRING": "[variable d'environnement : {}]",
             "RICH_HELP": "Aide : [blue]{command_path} {help_option}[/]"}
    for name, french in words.items():
        if rich_utils is not None and hasattr(rich_utils, name):
            setattr(rich_utils, name, french)
    for typer_app in (app, models_app):
        for info in typer_app.registered_commands:
            doc = info.callback.__doc__ if info.callback is not None else None
            if info.cls in (None, TyperCommand):
                info.cls = _Command
            if doc and not info.help:
                info.help = "\n\n".join(" ".join(part.split()) for part in inspect.cleandoc(doc).split("\n\n"))


_help_in_french()


def _usage_error_class() -> type[Exception]:
    """The usage-error class of the click that typer runs on (vendored in typer >= 0.24)."""
    try:
        from typer._click.exceptions import UsageError
    except ImportError:  # pragma: no cover - older typer on click
        from click.exceptions import UsageError
    return UsageError


_TYPES_FR = {"integer": "un nombre entier", "int": "un nombre entier", "float": "un nombre",
             "boolean": "oui ou non", "bool": "oui ou non"}


def _usage_message_fr(exc: Exception) -> str:
    """What went wrong on the command line (an option typed wrong or missing…), in French; a
    message not known here is given as click wrote it."""
    import re

    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    if kind == "MissingParameter":
        if param is not None and getattr(param, "param_type_name", "") == "option":
            return "option obligatoire manquante : " + " / ".join(param.opts) + "."
        if param is not None:
            name = getattr(param, "human_readable_name", None) or getattr(param, "name", None) or ""
            described = getattr(param, "help", None)
            return f"argument obligatoire manquant : {name}" + (f" ({described.rstrip('.')})." if described else ".")
        return "paramètre obligatoire manquant."
    if kind == "NoSuchOption":
        message = f"option inconnue : {exc.option_name}"
        possible = sorted(getattr(exc, "possibilities", None) or [])
        return message + (f" (options proches : {', '.join(possible)})." if possible else ".")
    text = (exc.format_message() if hasattr(exc, "format_message") else str(exc)).strip()
    if kind == "BadParameter":
        where = " / ".join(param.opts) if param is not None and getattr(param, "opts", None) else ""
        message = getattr(exc, "message", "") or text
        value = re.fullmatch(r"Value (.+) is not a valid (\w+)\.", message)
        if value:
            what = _TYPES_FR.get(value.group(2).lower(), value.group(2))
            return f"valeur invalide pour {where} : {value.group(1)} n'est pas {what}."
        expected = re.match(r"Input should be a valid (\w+)", message)
        if expected:
            return f"valeur invalide pour {where} : il faut {_TYPES_FR.get(expected.group(1).lower(), expected.group(1))}."
        return f"valeur invalide pour {where} : {message}"
    extra = re.fullmatch(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", text)
    if extra:
        return f"argument(s) en trop : {extra.group(1)} (une valeur qui contient des espaces se met entre guillemets)."
    command = re.fullmatch(r"No such command '([^']*)'\.(?: Did you mean (.*)\?)?", text)
    if command:
        guess = f" ; vouliez-vous dire {command.group(2)} ?" if command.group(2) else ""
        return f"commande inconnue : {command.group(1)}{guess} (retex --help liste les commandes)."
    needs = re.fullmatch(r"Option '(.+)' requires (?:an argument|(\d+) arguments)\.?", text)
    if needs:
        return f"l'option {needs.group(1)} demande " + (f"{needs.group(2)} valeurs." if needs.group(2) else "une valeur.")
    takes = re.fullmatch(r"Option '(.+)' does not take a value\.?", text)
    if takes:
        return f"l'option {takes.group(1)} ne prend pas de valeur."
    if text.startswith("Missing command"):
        return "commande manquante (retex --help liste les commandes)."
    return text


def main(args: list[str] | None = None) -> int:
    """The ``retex`` command: its usage errors (an option typed wrong or missing…) are said in
    French with the command's usage and where to find its help, exit code 2, as click does."""
    usage_error = _usage_error_class()
    try:
        result = app(args=args, prog_name="retex", standalone_mode=False)
    except usage_error as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # the help was shown: nothing else to say
            return 2
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            typer.echo(ctx.get_usage(), err=True)
        try:
            message = _usage_message_fr(exc)
        except Exception:  # noqa: BLE001 - a click of another shape: its own words rather than a traceback
            message = exc.format_message()
        typer.echo(f"Erreur : {message}", err=True)
        typer.echo(f"Aide : {ctx.command_path if ctx is not None else 'retex'} --help", err=True)
        return 2
    except (KeyboardInterrupt, EOFError):
        typer.echo("Interrompu.", err=True)
        return 1
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
