"""Static charts for reports (matplotlib, PNG bytes): theme sizes, theme x group heatmap, word cloud."""

from __future__ import annotations

import io
import textwrap

import numpy as np
import pandas as pd

__all__ = ["theme_sizes_chart", "theme_group_heatmap", "word_cloud_png", "figure_png"]


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def figure_png(fig, dpi: int = 120) -> bytes:
    """A matplotlib figure as PNG bytes (the figure is closed)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    _plt().close(fig)
    return buffer.getvalue()


def theme_sizes_chart(themes: pd.DataFrame, title: str = "Nombre de réponses par thème"):
    """Horizontal bars: answers per theme (``label``, ``size``), largest on top."""
    plt = _plt()
    data = themes[themes["size"] > 0].sort_values("size")
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(data) + 1.2))
    labels = [textwrap.shorten(str(x), 55, placeholder="…") for x in data["label"]]
    positions = range(len(data))  # by position: two themes with the same label keep a bar each
    ax.barh(positions, data["size"], color="#2b6a9e")
    ax.set_yticks(positions, labels)
    for y, v in enumerate(data["size"]):
        ax.text(v, y, f" {v}", va="center", fontsize=9)
    ax.set_xlabel("réponses")
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def theme_group_heatmap(table: pd.DataFrame, by: str):
    """Heatmap of % of each group's answers per theme, cells outside ±1.96 residual marked
    (+ over-represented, − under-represented), from :func:`theme_by_group`."""
    plt = _plt()
    pct = table.pivot(index="theme", columns="group", values="pct").fillna(0)
    res = table.pivot(index="theme", columns="group", values="residual").reindex_like(pct)
    fig, ax = plt.subplots(figsize=(1.3 * pct.shape[1] + 4, 0.45 * pct.shape[0] + 1.8))
    im = ax.imshow(pct.to_numpy(), cmap="Blues", aspect="auto")
    ax.set_xticks(range(pct.shape[1]), [textwrap.shorten(str(c), 22, placeholder="…") for c in pct.columns],
                  rotation=30, ha="right")
    ax.set_yticks(range(pct.shape[0]), [textwrap.shorten(str(t), 45, placeholder="…") for t in pct.index])
    top = np.nanmax(pct.to_numpy()) if pct.size else 0
    for i in range(pct.shape[0]):
        for j in range(pct.shape[1]):
            r = res.iat[i, j]
            mark = "+" if r > 1.96 else "−" if r < -1.96 else ""
            value = pct.iat[i, j]
            ax.text(j, i, f"{value:.0f}%{mark}", ha="center", va="center", fontsize=8,
                    color="white" if value > 0.6 * top else "black")
    ax.set_title(f"% des réponses de chaque groupe ({by}) ; + / − : écart significatif")
    fig.colorbar(im, ax=ax, fraction=0.03)
    fig.tight_layout()
    return fig


def word_cloud_png(terms: pd.DataFrame, seed: int = 0) -> bytes:
    """A word cloud of a term table as PNG bytes; negations and intensifiers ("pas", "plus"),
    counted in the term table, are left out of the picture, where alone they say nothing."""
    from ..terms.clouds import word_cloud
    from ..text.lexicon import NEGATIONS_AND_INTENSIFIERS

    shown = terms[~terms["term"].isin(NEGATIONS_AND_INTENSIFIERS)] if "term" in terms.columns else terms
    cloud = word_cloud(shown if len(shown) else terms, seed=seed, width=1000, height=550)
    buffer = io.BytesIO()
    cloud.to_image().save(buffer, format="PNG")
    return buffer.getvalue()
