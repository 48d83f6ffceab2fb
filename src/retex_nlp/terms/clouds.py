"""Word clouds from term frequencies (wordcloud package), PNG or SVG, one per group if asked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["word_cloud", "word_clouds"]

# Dark, distinguishable colours that stay readable on white (ColorBrewer Dark2 + a navy).
PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#1f3b73", "#666666")


def _colour(word, font_size, position, orientation, random_state=None, **kwargs) -> str:  # noqa: ARG001
    return PALETTE[sum(map(ord, word)) % len(PALETTE)]


def word_cloud(
    frequencies: pd.DataFrame | dict[str, float],
    path: str | Path | None = None,
    *,
    weight: str = "count",
    max_words: int = 100,
    width: int = 1200,
    height: int = 700,
    seed: int = 0,
):
    """Draw a word cloud; returns the ``wordcloud.WordCloud``.

    ``frequencies`` is a :func:`term_frequencies` DataFrame (``term`` and ``weight`` columns) or
    a ``{term: weight}`` mapping. Multiword terms ("manque de moyens") stay whole and accents
    are kept (the shipped font covers French). ``path`` ending in ``.svg`` writes SVG, any other
    suffix PNG. Colours depend on the word only, so one word keeps its colour across clouds.
    """
    from wordcloud import WordCloud

    if isinstance(frequencies, pd.DataFrame):
        top = frequencies.nlargest(max_words, weight)
        freqs = dict(zip(top["term"].astype(str), top[weight].astype(float), strict=True))
    else:
        freqs = dict(sorted(frequencies.items(), key=lambda kv: -kv[1])[:max_words])
    freqs = {k: v for k, v in freqs.items() if v > 0}
    if not freqs:
        raise ValueError("aucun terme à dessiner : la table des fréquences est vide")
    cloud = WordCloud(width=width, height=height, background_color="white", max_words=max_words,
                      color_func=_colour, random_state=seed, prefer_horizontal=0.9, collocations=False,
                      regexp=None, margin=4, relative_scaling=0.5)
    cloud.generate_from_frequencies(freqs)
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() == ".svg":
            path.write_text(cloud.to_svg(embed_font=True), encoding="utf-8")
        else:
            cloud.to_file(str(path))
    return cloud


def word_clouds(frequencies: pd.DataFrame, by: str, directory: str | Path, *, suffix: str = ".png",
                **kwargs) -> dict[str, Path]:
    """One cloud per group of a grouped frequency table; returns ``{group: path}``."""
    directory = Path(directory)
    paths = {}
    for group, part in frequencies.groupby(by, sort=True):
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in str(group)) or "groupe"
        paths[str(group)] = directory / f"nuage_{safe}{suffix}"
        word_cloud(part, paths[str(group)], **kwargs)
    return paths
