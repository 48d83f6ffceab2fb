"""Shared fixtures: the real corpora beside the repo, and a session-wide analyser."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpora"
SAMPLE_12K = SHARED / "gdn_open_answers" / "sample_12k.csv"
BUNDLED = ROOT / "corpora" / "grand_debat_extrait.csv"


@pytest.fixture
def no_network(monkeypatch):
    """Every socket connection refused: what runs under it makes no network call."""
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture(scope="session")
def use():
    """The default embedder (USE multilingual, shipped weights), loaded once."""
    from retex_nlp import USEEmbedder

    return USEEmbedder()


@pytest.fixture(scope="session")
def analyzer():
    from retex_nlp.text import default_analyzer

    return default_analyzer()


@pytest.fixture(scope="session")
def gdn_sample() -> pd.DataFrame:
    """1,000 real Grand Débat answers per question (Licence Ouverte), from ../shared."""
    if not SAMPLE_12K.exists():
        pytest.skip(f"{SAMPLE_12K} not found (the shared corpora sit beside the repository)")
    return pd.read_csv(SAMPLE_12K, keep_default_na=False)
