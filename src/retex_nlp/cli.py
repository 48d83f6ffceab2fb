"""Command line: ``retex inspect | terms | themes | code | analyse | models`` (a thin layer over the Python API).

Messages are in French: the people who run these commands read French.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .errors import RetexError
from .io.read import STATUS_LABELS_FR as _STATUS_FR

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



def _sheet(value: str | None) -> str | int | None:
    return int(value) if value is not None and value.isdigit() else value


def _fail(exc: Exception) -> None:
    typer.echo(f"Erreur : {exc}", err=True)
    raise typer.Exit(code=2)


def _read(input: Path, text_col, id_col, sheet, encoding, sep):
    from .io.read import read_answers

    text = text_col[0] if text_col and len(text_col) == 1 else text_col
    return read_answers(input, text=text, id=id_col, sheet=_sheet(sheet), encoding=encoding, sep=sep)


def _read_many(inputs: list[Path], text_col, id_col, sheet, encoding, sep):
    """One file as read_answers reads it; several stacked, with a ``fichier`` column and ids
    prefixed by the file name (so that they stay unique)."""
    import pandas as pd

    if len(inputs) == 1:
        return _read(inputs[0], text_col, id_col, sheet, encoding, sep)
    parts = []
    for path in inputs:
        part = _read(path, text_col, id_col, sheet, encoding, sep)
        stem = path.name.split(".")[0]
        part.insert(1, "fichier", stem)
        part["answer_id"] = stem + ":" + part["answer_id"].astype(str)
        parts.append(part)
    answers = pd.concat(parts, ignore_index=True)
    answers.attrs.update(parts[0].attrs, source=", ".join(map(str, inputs)))
    return answers


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


WorkersOpt = Annotated[int | None, typer.Option("--workers", help="Répartir sur N processus (Dask LocalCluster).")]
SchedulerOpt = Annotated[str | None, typer.Option("--scheduler", help="Adresse d'un ordonnanceur Dask existant (tcp://hôte:8786).")]
ChunkOpt = Annotated[int, typer.Option("--chunksize", help="Réponses lues et traitées par paquet.")]


@app.command()
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
    from .clouds import word_cloud, word_clouds
    from .scale import count_terms, dask_client
    from .text.analyzer import FrenchAnalyzer

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
    table.to_csv(out, index=False, encoding="utf-8")
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
        whole.to_csv(overall, index=False, encoding="utf-8")
        typer.echo(f"Termes de l'ensemble -> {overall}")
    if specificities_out is not None:
        counts.specificities().to_csv(specificities_out, index=False, encoding="utf-8")
        typer.echo(f"Spécificités -> {specificities_out}")


EmbedderOpt = Annotated[str, typer.Option("--embedder", help="use (défaut, hors ligne), st:CHEMIN ou tfidf.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Graine aléatoire (mêmes réponses + même graine = mêmes thèmes).")]
CacheOpt = Annotated[Path | None, typer.Option("--cache", help="Dossier du cache des plongements.")]


@app.command()
def themes(
    inputs: Annotated[list[Path], typer.Argument(help="Un ou plusieurs fichiers (réunis : un seul jeu de thèmes).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV : une ligne par réponse (answer_id, theme, theme_label).")],
    text_col: TextCol = None,
    by: Annotated[list[str] | None, typer.Option("--by", help="Variable(s) de groupe pour le tableau thème x groupe.")] = None,
    n_themes: Annotated[int | None, typer.Option("--n-themes", help="Nombre de thèmes visé.")] = None,
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

    from .crosstab import theme_by_group
    from .scale import dask_client, embed_corpus
    from .terms import answer_texts
    from .themes import ThemeFinder, theme_stability

    try:
        answers = _read_many(inputs, text_col, id_col, sheet, encoding, sep)
        finder = ThemeFinder(embedder, n_themes=n_themes, seed=seed, cache_dir=cache, sample_size=sample_size)
        ok_texts = answer_texts(answers)["text"].astype(str).tolist()
        with dask_client(scheduler, workers) as client:
            emb = embed_corpus(ok_texts, finder._embedder(), cache=cache, client=client)
        assigned = finder.fit_transform(answers, embeddings=emb)
        report = None
        if stability:
            report = theme_stability(answers, emb, sample_size=sample_size, seeds=(seed, seed + 1), first=finder,
                                     embedder=finder._embedder(), n_themes=n_themes, cache_dir=cache)
    except (RetexError, KeyError, ValueError) as exc:
        _fail(exc)
    result = answers[["answer_id"]].merge(assigned.drop(columns=["answer_id"]), left_index=True, right_index=True)
    for col in by or []:
        result[col] = answers[col].to_numpy()
    out.parent.mkdir(parents=True, exist_ok=True)
    result.to_csv(out, index=False, encoding="utf-8")
    table = finder.themes_
    table.to_csv(out.with_name(out.stem + "_themes.csv"), index=False, encoding="utf-8")
    ok = result["status"] == "ok"
    share = float((result.loc[ok, "theme"] != -1).mean()) if ok.any() else 0.0
    typer.echo(f"{len(table) - 1} thèmes ({finder.clustering_}, ajustés sur {finder.n_answers_fitted_} réponses), "
               f"{share:.1%} des {int(ok.sum())} réponses exploitables classées -> {out}")
    for row in table.head(40).itertuples(index=False):
        typer.echo(f"  {row.theme:>3}  {row.size:>6}  {row.label}")
    for col in by or []:
        theme_by_group(result[ok], col).to_csv(out.with_name(f"{out.stem}_par_{col}.csv"), index=False, encoding="utf-8")
    if report is not None:
        summary = {k: v for k, v in report.items() if k != "finders"}
        out.with_name(out.stem + "_stabilite.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
        typer.echo(f"Stabilité entre deux échantillons (graines {seed} et {seed + 1}) : ARI {summary['ari']:.2f}, "
                   f"NMI {summary['nmi']:.2f} ; thèmes {summary['themes']}")
    if save:
        finder.save(save)
        typer.echo(f"Modèle enregistré -> {save}")


@app.command()
def code(
    input: InputArg,
    codebook: Annotated[Path, typer.Option("--codebook", help="Grille de codage YAML ou XLSX.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV : answer_id, codes, score_<thème>…")],
    text_col: TextCol = None,
    embedder: EmbedderOpt = "use",
    threshold: Annotated[float, typer.Option("--threshold", help="Score minimal pour coder un thème (0-1).")] = 0.4,
    save: Annotated[Path | None, typer.Option("--save", help="Dossier où enregistrer le codeur calibré.")] = None,
    model: Annotated[Path | None, typer.Option("--model", help="Codeur enregistré (--save) à réutiliser pour une nouvelle vague.")] = None,
    cache: CacheOpt = None,
    new_themes: Annotated[bool, typer.Option("--new-themes", help="Chercher de nouveaux thèmes dans les réponses « autre ».")] = False,
    seed: SeedOpt = 0,
    id_col: IdCol = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    sep: SepOpt = None,
) -> None:
    """Coder les réponses avec une grille de codage (thèmes, définitions, mots-clés, exemples)."""
    from .codebook import CodebookCoder
    from .mixed import MixedCoder

    try:
        answers = _read(input, text_col, id_col, sheet, encoding, sep)
        coder = CodebookCoder.load(model) if model else CodebookCoder(codebook, embedder, threshold=threshold,
                                                                       cache_dir=cache)
        coded = MixedCoder(coder, seed=seed).fit_transform(answers) if new_themes else coder.transform(answers)
    except (RetexError, KeyError, ValueError) as exc:
        _fail(exc)
    out.parent.mkdir(parents=True, exist_ok=True)
    coded.to_csv(out, index=False, encoding="utf-8")
    ok = coded[coded["status"] == "ok"]
    counts = ok["codes"].str.split(";").explode().value_counts()
    typer.echo(f"{len(coded)} réponses codées ({len(ok)} exploitables) -> {out}")
    for name, n in counts.items():
        typer.echo(f"  {n:>6}  {name}")
    if save:
        coder.save(save)
        typer.echo(f"Codeur enregistré -> {save}")


@app.command()
def analyse(
    input: InputArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Dossier des résultats (rapport HTML, Excel, Word…).")],
    text_col: TextCol = None,
    by: Annotated[list[str] | None, typer.Option("--by", help="Variable(s) à comparer (service, profession…).")] = None,
    codebook: Annotated[Path | None, typer.Option("--codebook", help="Grille de codage YAML ou XLSX (sinon thèmes trouvés dans les réponses).")] = None,
    new_themes: Annotated[bool, typer.Option("--new-themes", help="Avec une grille : chercher aussi de nouveaux thèmes dans les réponses « autre ».")] = False,
    n_themes: Annotated[int | None, typer.Option("--n-themes", help="Nombre de thèmes souhaité.")] = None,
    n_quotes: Annotated[int, typer.Option("--quotes", help="Citations par thème.")] = 5,
    attribution: Annotated[str | None, typer.Option("--attribution", help="Modèle d'attribution, ex. \"{profession}, {service}\".")] = None,
    names: Annotated[Path | None, typer.Option("--names", help="Fichier de noms à toujours masquer (un par ligne).")] = None,
    mask_institutions: Annotated[bool, typer.Option("--mask-institutions", help="Masquer aussi les établissements nommés.")] = False,
    title: Annotated[str | None, typer.Option("--title", help="Titre du rapport.")] = None,
    embedder: EmbedderOpt = "use",
    seed: SeedOpt = 0,
    cache: CacheOpt = None,
    id_col: IdCol = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    sep: SepOpt = None,
) -> None:
    """Toute l'analyse : lecture, termes, thèmes ou codage, citations, rapport pseudonymisé."""
    from tqdm.auto import tqdm

    from .analysis import analyse as run_analysis

    steps = ["Lecture des réponses", "Pseudonymisation", "Termes", "Thèmes / codage", "Citations représentatives",
             "Graphiques"]
    bar = tqdm(total=len(steps) + 1, desc="Analyse", unit="étape")

    def progress(message: str) -> None:
        bar.set_description(message)
        bar.update(1)

    choices = out / "citations_choix.yml"
    try:
        text = text_col[0] if text_col and len(text_col) == 1 else (text_col or "text")
        report = run_analysis(input, text=text, by=by, id=id_col, codebook=codebook, new_themes=new_themes,
                              n_themes=n_themes, embedder=embedder, n_quotes=n_quotes, attribution=attribution,
                              names=names, mask_institutions=mask_institutions, choices=choices, title=title,
                              seed=seed, cache_dir=cache, progress=progress, sheet=_sheet(sheet), encoding=encoding,
                              sep=sep)
        bar.set_description("Écriture du rapport")
        paths = report.write(out)
        bar.update(1)
    except (RetexError, KeyError, ValueError) as exc:
        bar.close()
        _fail(exc)
    bar.close()
    if not choices.exists():
        from .quotes import QuoteChoices

        QuoteChoices().save(choices)
    counts = dict(zip(report.summary["status"], report.summary["n"], strict=True))
    typer.echo(f"{sum(counts.values())} réponses lues : " + ", ".join(
        f"{n} {_STATUS_FR[s]}" for s, n in counts.items() if n))
    typer.echo(f"{len(report.themes)} thèmes, {len(report.quotes)} citations (pseudonymisées).")
    labels = {"html": "Rapport HTML", "xlsx": "Classeur Excel", "docx": "Document Word",
              "answers": "Réponses codées (CSV)", "themes": "Thèmes (CSV)", "quotes": "Citations (CSV)",
              "qdpx": "Projet REFI-QDA (NVivo, ATLAS.ti, MAXQDA, QualCoder)",
              "pseudonymisation": "Table de pseudonymisation (à vérifier, NE PAS diffuser)"}
    for key, path in paths.items():
        typer.echo(f"  {labels.get(key, key):<55} {path}")
    typer.echo(f"  {'Citations épinglées / écartées (à modifier puis relancer)':<55} {choices}")


models_app = typer.Typer(help="Modèles de plongements (sentence-transformers) sous models/.")
app.add_typer(models_app, name="models")


@models_app.command("pull")
def models_pull(
    name: Annotated[str, typer.Argument(help="Identifiant Hugging Face, ex. sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2")],
    to: Annotated[Path, typer.Option("--to", help="Dossier des modèles.")] = Path("models"),
) -> None:
    """Télécharger un modèle (seule commande qui utilise le réseau, à lancer sur une machine connectée)."""
    from sentence_transformers import SentenceTransformer

    target = to / name.split("/")[-1]
    typer.echo(f"Téléchargement de {name} (réseau demandé explicitement) ...")
    SentenceTransformer(name, device="cpu").save(str(target))
    typer.echo(f"Modèle enregistré -> {target} ; utilisez --embedder st:{target}")


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="retex")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
