"""The Reinert classification as IRaMuTeQ users read it: dendrogram, AFC, similitudes, a page.

:func:`write_reinert` writes, for a :class:`~retex_nlp.themes.reinert.ReinertResult`:
``classes.csv`` (one row per segment), ``profils.csv`` (active and supplementary forms),
``modalites.csv``, ``segments_typiques.csv``, ``lexicometrie.xlsx`` (the same tables),
``dendrogramme.png``, ``afc.png``, ``similitudes.png``, ``similitudes.html`` (interactive:
hover a form for its frequency and links), ``chd.html`` (everything on one page, no network),
``lexicometrie.docx`` (the same, to edit in Word),
and ``corpus_iramuteq.txt`` for users who continue in IRaMuTeQ.
"""

from __future__ import annotations

import base64
import html
import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from ..files import make_dir, write_csv, write_xlsx
from ..io.iramuteq import write_iramuteq
from .charts import _plt, figure_png

__all__ = ["dendrogram_chart", "afc_chart", "similitudes_chart", "similitudes_html", "write_reinert"]

_PALETTE = ["#1f5f99", "#b5452b", "#2e7d32", "#7b3fa0", "#a66a00", "#00796b", "#c2185b", "#455a64",
            "#5d4037", "#3949ab", "#827717", "#0277bd"]


def _colour(k: int) -> str:
    return _PALETTE[(int(k) - 1) % len(_PALETTE)]


def dendrogram_chart(result):
    """The classification tree: each class with its size, share and top forms."""
    from scipy.cluster.hierarchy import dendrogram

    plt = _plt()
    classes = result.classes
    k = len(classes)
    fig, ax = plt.subplots(figsize=(10, 0.55 * k + 1.5))
    if k >= 2 and len(result.chd.children_):
        counts = [1] * k  # scipy's linkage counts leaves (here: classes)
        rows = []
        for (a, b), h in zip(result.chd.children_, result.chd.heights_, strict=True):
            counts.append(counts[a] + counts[b])
            rows.append([a, b, h, counts[-1]])
        labels = [f"classe {c} — {n} seg. ({s:.0%}) : {textwrap.shorten(t, 60, placeholder='…')}"
                  for c, n, s, t in zip(classes["class"], classes["segments"], classes["share"], classes["top_terms"],
                                        strict=True)]
        tree = dendrogram(np.array(rows, dtype=float), orientation="left", labels=labels, ax=ax,
                          color_threshold=0, above_threshold_color="#555555")
        for tick, leaf in zip(ax.get_yticklabels(), tree["leaves"], strict=True):
            tick.set_color(_colour(leaf + 1))
        ax.set_xlabel("chi² des partitions (cumulé)")
    ax.set_title("Classification descendante hiérarchique (méthode Reinert)")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def afc_chart(afc: dict, n_per_class: int = 12):
    """Forms coloured by the class they over-represent most, classes and modalities marked."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(10, 8))
    terms = afc["terms"].groupby("class").head(n_per_class)
    if "dim2" not in terms:
        terms = terms.assign(dim2=0.0)
    texts = [ax.text(row.dim1, row.dim2, row.term, color=_colour(row[terms.columns.get_loc("class")]),
                     fontsize=8 + min(6, math.log1p(abs(row.chi2)) / 1.5), ha="center", va="center")
             for row in terms.itertuples(index=False)]
    classes = afc["classes"]
    for row in classes.itertuples(index=False):
        ax.scatter(row.dim1, getattr(row, "dim2", 0.0), marker="s", s=90, color=_colour(row[classes.columns.get_loc("class")]))
        texts.append(ax.text(row.dim1, getattr(row, "dim2", 0.0), f"classe {row[classes.columns.get_loc('class')]}",
                             fontsize=10, fontweight="bold", ha="left", va="bottom"))
    for row in afc["modalities"].itertuples(index=False):
        ax.scatter(row.dim1, getattr(row, "dim2", 0.0), marker="*", s=120, color="black")
        ax.annotate(row.modality, (row.dim1, getattr(row, "dim2", 0.0)), textcoords="offset points", xytext=(6, -10),
                    fontsize=8, style="italic")
    eig = afc["eigenvalues"]
    shares = eig["share"].tolist() + [0, 0]
    ax.axhline(0, color="#bbbbbb", lw=0.8)
    ax.axvline(0, color="#bbbbbb", lw=0.8)
    ax.set_xlabel(f"axe 1 ({shares[0]:.1%} de l'inertie)")
    ax.set_ylabel(f"axe 2 ({shares[1]:.1%} de l'inertie)")
    xs = pd.concat([terms["dim1"], classes["dim1"], afc["modalities"]["dim1"]])
    ys = pd.concat([terms["dim2"], classes.get("dim2", classes["dim1"] * 0), afc["modalities"].get("dim2", pd.Series(dtype=float))])
    if len(xs):
        pad_x = 0.1 * (xs.max() - xs.min() or 1)
        pad_y = 0.14 * (ys.max() - ys.min() or 1)
        ax.set_xlim(xs.min() - pad_x, xs.max() + pad_x)
        ax.set_ylim(ys.min() - pad_y, ys.max() + pad_y)
    title = "Analyse factorielle des correspondances : classes et formes (★ : modalités)"
    if afc.get("left_out"):
        title += "\n(classes de moins de 10 segments non représentées : " + ", ".join(map(str, afc["left_out"])) + ")"
    ax.set_title(title)
    fig.tight_layout()
    if len(texts) > 1:  # words of one class pile up around it: spread them, a thin line to their point
        from adjustText import adjust_text

        adjust_text(texts, ax=ax, expand=(1.2, 1.5), force_text=(0.3, 0.5), iter_lim=250, arrowprops={"arrowstyle": "-", "color": "#9e9e9e", "lw": 0.4})
    return fig


def _layout(graph, seed: int) -> dict:
    import networkx as nx

    if graph.number_of_nodes() == 0:
        return {}
    # Fruchterman-Reingold, as IRaMuTeQ draws it; spread for a tree's many leaves
    return nx.spring_layout(graph, seed=seed, k=2.5 / math.sqrt(graph.number_of_nodes()), iterations=300)


def similitudes_chart(graph, seed: int = 0):
    """The similitudes tree: edge width = co-occurrence, node size = frequency, colour = community."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(11, 9))
    pos = _layout(graph, seed)
    weights = [d["weight"] for _, _, d in graph.edges(data=True)] or [1]
    top = max(weights)
    for a, b, d in graph.edges(data=True):
        ax.plot([pos[a][0], pos[b][0]], [pos[a][1], pos[b][1]], color="#9e9e9e", lw=0.6 + 5 * d["weight"] / top,
                zorder=1)
        mid = ((pos[a][0] + pos[b][0]) / 2, (pos[a][1] + pos[b][1]) / 2)
        ax.text(*mid, str(d["cooccurrence"]), fontsize=6, color="#616161", ha="center", va="center")
    freq = [d["frequency"] for _, d in graph.nodes(data=True)] or [1]
    biggest = max(freq)
    for node, d in graph.nodes(data=True):
        ax.text(pos[node][0], pos[node][1], node, ha="center", va="center", zorder=2,
                fontsize=7 + 11 * math.sqrt(d["frequency"] / biggest), color=_colour(d.get("community", 1)),
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75})
    ax.set_axis_off()
    ax.set_title("Analyse de similitudes (arbre maximum des cooccurrences)")
    fig.tight_layout()
    return fig


def similitudes_html(graph, seed: int = 0, title: str = "Analyse de similitudes") -> str:
    """The same graph as a self-contained page (inline SVG, no script from anywhere): hovering a
    form shows its frequency and links."""
    pos = _layout(graph, seed)
    if not pos:
        return f"<!DOCTYPE html><html lang='fr'><meta charset='utf-8'><title>{html.escape(title)}</title><p>Graphe vide.</p></html>"
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    width, height, margin = 1100, 850, 60

    def at(p):
        x = margin + (p[0] - min(xs)) / ((max(xs) - min(xs)) or 1) * (width - 2 * margin)
        y = margin + (p[1] - min(ys)) / ((max(ys) - min(ys)) or 1) * (height - 2 * margin)
        return x, y

    weights = [d["weight"] for _, _, d in graph.edges(data=True)] or [1]
    top = max(weights)
    parts = []
    for a, b, d in graph.edges(data=True):
        (x1, y1), (x2, y2) = at(pos[a]), at(pos[b])
        parts.append(f"<line x1='{x1:.1f}' y1='{y1:.1f}' x2='{x2:.1f}' y2='{y2:.1f}' stroke='#9e9e9e' "
                     f"stroke-width='{0.6 + 5 * d['weight'] / top:.2f}'><title>{html.escape(a)} — {html.escape(b)} : "
                     f"{d['cooccurrence']} segments</title></line>")
    biggest = max(d["frequency"] for _, d in graph.nodes(data=True))
    for node, d in graph.nodes(data=True):
        x, y = at(pos[node])
        links = ", ".join(f"{html.escape(n)} ({graph.edges[node, n]['cooccurrence']})" for n in graph.neighbors(node))
        size = 11 + 16 * math.sqrt(d["frequency"] / biggest)
        parts.append(f"<g tabindex='0'><title>{html.escape(node)} : {d['frequency']} segments ; liens : {links}</title>"
                     f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size:.1f}' text-anchor='middle' dominant-baseline='middle' "
                     f"fill='{_colour(d.get('community', 1))}' stroke='white' stroke-width='3' paint-order='stroke'>"
                     f"{html.escape(node)}</text></g>")
    return ("<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:1rem}}"
            "svg{border:1px solid #ddd;max-width:100%;height:auto}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><p>Épaisseur des liens : nombre de segments où les deux formes figurent "
            "ensemble ; taille des mots : nombre de segments ; couleur : communauté. Survolez une forme pour ses "
            f"liens.</p><svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' role='img' "
            f"aria-label='{html.escape(title)}'>{''.join(parts)}</svg></body></html>")


def _img(png: bytes, alt: str) -> str:
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{base64.b64encode(png).decode()}'>"


def _french(classes: pd.DataFrame) -> pd.DataFrame:
    return classes.assign(share=[f"{s:.1%}" for s in classes["share"]]).rename(columns={
        "class": "classe", "share": "part", "answers": "réponses", "top_terms": "formes caractéristiques"})


def _html_table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, escape=True, border=0, classes="t")


def write_reinert(result, directory: str | Path, *, title: str = "Classification de Reinert",
                  n_typical: int = 5) -> dict[str, Path]:
    """Write every output of a Reinert classification in ``directory`` (see the module docstring)."""
    out = make_dir(directory)
    paths: dict[str, Path] = {}
    segments = result.segments.copy()
    paths["classes"] = write_csv(segments, out / "classes.csv")
    profiles = pd.concat([result.profiles, result.supplementary_profiles], ignore_index=True)
    paths["profils"] = write_csv(profiles, out / "profils.csv")
    modalities = result.modalities
    paths["modalites"] = write_csv(modalities, out / "modalites.csv")
    typical = result.typical(n_typical)
    paths["segments_typiques"] = write_csv(typical, out / "segments_typiques.csv")
    paths["xlsx"] = write_xlsx({"Classes": result.classes, "Profils": profiles, "Modalités": modalities,
                                "Segments typiques": typical, "Segments": segments}, out / "lexicometrie.xlsx")
    afc = result.afc()
    graph = result.similitudes()
    pngs = {"dendrogramme": figure_png(dendrogram_chart(result)), "afc": figure_png(afc_chart(afc)),
            "similitudes": figure_png(similitudes_chart(graph, result.chd.seed))}
    for name, png in pngs.items():
        path = out / f"{name}.png"
        path.write_bytes(png)
        paths[name] = path
    page = similitudes_html(graph, result.chd.seed)
    paths["similitudes_html"] = out / "similitudes.html"
    paths["similitudes_html"].write_text(page, encoding="utf-8")
    iramuteq = segments.drop_duplicates("answer_id")
    answers = result.segments.groupby("answer_id", sort=False)["text"].apply(" ".join).reset_index()
    answers = answers.merge(iramuteq.drop(columns=["text", "segment_id", "class"]), on="answer_id", how="left")
    paths["iramuteq"] = write_iramuteq(answers, out / "corpus_iramuteq.txt", variables=result.by or None)
    classes = result.classes
    blocks = []
    for row in classes.itertuples(index=False):
        value = row[0]
        prof = result.profiles
        top = prof[(prof["class"] == value) & (prof["chi2"] > 0)].head(15)[
            ["term", "segments_in_class", "segments_total", "percent", "chi2", "p"]]
        mods = modalities[(modalities["class"] == value) & (modalities["chi2"] > 0) & (modalities["p"] <= 0.05)] \
            if len(modalities) else modalities
        segs = typical[typical["class"] == value]["text"].tolist()
        blocks.append(
            f"<section><h2 style='color:{_colour(value)}'>Classe {value} — {row.segments} segments "
            f"({row.share:.1%})</h2><p><b>Formes caractéristiques</b> (segments de la classe / du corpus contenant "
            f"la forme, %, chi², p)</p>{_html_table(top)}"
            + (f"<p><b>Modalités sur-représentées</b> : {html.escape(', '.join(mods['term']))}</p>" if len(mods) else "")
            + "<p><b>Segments typiques</b></p><ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in segs)
            + "</ul></section>")
    unclassified = int((result.partition() == 0).sum())
    page = ("<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><meta name='viewport' "
            "content='width=device-width, initial-scale=1'>"
            f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;max-width:1100px;margin:1rem auto;"
            "color:#1a1a1a;line-height:1.4} img{max-width:100%} table.t{border-collapse:collapse;font-size:.9rem}"
            "table.t td,table.t th{padding:.15rem .5rem;border-bottom:1px solid #ddd;text-align:left}</style></head>"
            f"<body><h1>{html.escape(title)}</h1>"
            f"<p>{len(result.segments)} segments de texte ({result.segments['answer_id'].nunique()} réponses), "
            f"{len(result.features)} formes actives ; {result.chd.n_clusters_} classes ; {unclassified} segments non "
            "classés (aucune forme retenue). Méthode de Reinert (classification descendante hiérarchique sur la "
            "présence des formes dans les segments), comme IRaMuTeQ ; ce sont des « mondes lexicaux » : des "
            "vocabulaires qui vont ensemble, à lire avec les segments typiques.</p>"
            f"{_img(pngs['dendrogramme'], 'Dendrogramme des classes')}{_html_table(_french(classes))}"
            f"<h2>Analyse factorielle des correspondances</h2>{_img(pngs['afc'], 'AFC des classes et des formes')}"
            f"<h2>Analyse de similitudes</h2>{_img(pngs['similitudes'], 'Graphe de similitudes')}"
            "<p>Version interactive : similitudes.html.</p>" + "".join(blocks) + "</body></html>")
    paths["html"] = out / "chd.html"
    paths["html"].write_text(page, encoding="utf-8")
    paths["docx"] = _write_docx(result, out / "lexicometrie.docx", title, pngs, classes, typical, modalities)
    return paths


def _write_docx(result, path: Path, title: str, pngs: dict, classes: pd.DataFrame, typical: pd.DataFrame,
                modalities: pd.DataFrame) -> Path:
    """The same as chd.html, as a Word document to edit (A4)."""
    import io

    from ..errors import require
    from ..files import atomic_path, clean_text
    from .report import _docx_table, a4_document

    Cm = require("docx.shared", "report").Cm
    doc = a4_document()
    doc.add_heading(clean_text(title), level=0)
    doc.add_paragraph(f"{len(result.segments)} segments de texte, {len(result.features)} formes actives, "
                      f"{result.chd.n_clusters_} classes (méthode de Reinert, comme IRaMuTeQ).")
    doc.add_picture(io.BytesIO(pngs["dendrogramme"]), width=Cm(17))
    _docx_table(doc, _french(classes))
    doc.add_heading("Analyse factorielle des correspondances", level=1)
    doc.add_picture(io.BytesIO(pngs["afc"]), width=Cm(16))
    doc.add_heading("Analyse de similitudes", level=1)
    doc.add_picture(io.BytesIO(pngs["similitudes"]), width=Cm(16))
    for row in classes.itertuples(index=False):
        value = row[0]
        doc.add_heading(f"Classe {value} — {row.segments} segments ({row.share:.1%})", level=1)
        prof = result.profiles
        top = prof[(prof["class"] == value) & (prof["chi2"] > 0)].head(15)
        _docx_table(doc, top[["term", "segments_in_class", "segments_total", "percent", "chi2"]].rename(columns={
            "term": "forme", "segments_in_class": "segments de la classe", "segments_total": "segments du corpus",
            "percent": "%", "chi2": "chi²"}))
        if len(modalities):
            mods = modalities[(modalities["class"] == value) & (modalities["chi2"] > 0) & (modalities["p"] <= 0.05)]
            if len(mods):
                doc.add_paragraph("Modalités sur-représentées : " + clean_text(", ".join(mods["term"])))
        for text in typical[typical["class"] == value]["text"]:
            doc.add_paragraph(clean_text(f"« {text} »"), style="Quote")
    doc.add_paragraph("Les noms, lieux et coordonnées ont été remplacés par des mentions entre crochets.")
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return path
