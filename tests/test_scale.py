"""Scale: chunked reading and counting, resumable embeddings, Dask workers give the same results."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest

from retex_nlp import read_answers, specificities, term_frequencies
from retex_nlp.embed import EmbeddingCache, TfidfEmbedder, USEEmbedder
from retex_nlp.files import safe_frame
from retex_nlp.io.read import iter_answers
from retex_nlp.scale import count_terms, dask_client, embed_corpus
from retex_nlp.themes import ThemeFinder, theme_stability


@pytest.fixture(scope="module")
def sample_csv(gdn_sample, tmp_path_factory):
    """A gzip'd CSV of 3,000 real answers (250 per question), as the large files are stored."""
    frame = gdn_sample.groupby("question_code", sort=True).head(250).reset_index(drop=True)
    path = tmp_path_factory.mktemp("scale") / "gdn_3000.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        frame.to_csv(fh, index=False)
    return path


def question_files(sample: pd.DataFrame, folder, codes: list[str], n: int) -> list[str]:
    """One gzip'd CSV of ``n`` real answers per question, as the Grand Débat files are stored."""
    paths = []
    for code in codes:
        path = folder / f"{code}.csv.gz"
        with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
            sample[sample["question_code"] == code].head(n).to_csv(fh, index=False)
        paths.append(str(path))
    return paths


def concat(chunks) -> pd.DataFrame:
    return pd.concat(list(chunks), ignore_index=True)


# -- reading in chunks ------------------------------------------------------------------------

def test_chunked_reading_gives_what_whole_reading_gives(sample_csv):
    whole = read_answers(sample_csv)
    chunks = list(iter_answers(sample_csv, chunksize=700))
    assert [len(c) for c in chunks] == [700, 700, 700, 700, 200]
    pd.testing.assert_frame_equal(concat(chunks), whole)
    assert whole["source_row"].iloc[-1] == 3001 and whole["status"].eq("ok").mean() > 0.95


def test_chunked_reading_keeps_statuses_ids_and_duplicates_across_chunks(tmp_path):
    lines = ["id;service;reponse"]
    lines += [f"r{i};ASE;Réponse numéro {i} sur le télétravail" for i in range(1, 9)]
    lines += ["r3;ASE;Réponse numéro 3 sur le télétravail",  # the same respondent said it again
              "r9;PMI;RAS", "r10;PMI;", "r2;AEMO;Une autre réponse du répondant r2"]
    path = tmp_path / "export.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    whole = read_answers(path, text="reponse", id="id")
    chunked = concat(iter_answers(path, text="reponse", id="id", chunksize=3))
    pd.testing.assert_frame_equal(chunked, whole)
    by_row = chunked.set_index("source_row")
    assert by_row.loc[10, "status"] == "duplicate" and "r3" in by_row.loc[10, "status_note"]
    assert by_row.loc[11, "status"] == "non_answer" and by_row.loc[12, "status"] == "empty"
    assert by_row.loc[13, "answer_id"] == "r2#2"  # a repeated id stays unique
    assert chunked.attrs["encoding"] == "cp1252"


def test_streamed_utf8_file_with_a_cp1252_line_far_down_loses_nothing(tmp_path):
    # The encoding is detected on the first MiB; a Windows-1252 line pasted after it is decoded
    # with the code page that suits it and reported on its own line, as a whole-file read does.
    good = "Le confinement a été difficile pour les familles accueillies, éloignées de tout.\n"
    n_good = (1 << 20) // len(good.encode()) + 50
    raw = ("text\n" + good * n_good).encode("utf-8") + "Réponse écrite sous Windows\n".encode("cp1252")
    path = tmp_path / "mixed.csv"
    path.write_bytes(raw)
    chunks = list(iter_answers(path, chunksize=5000))
    streamed = concat(chunks)
    assert len(streamed) == n_good + 1
    last = streamed.iloc[-1]
    assert last["text"] == "Réponse écrite sous Windows"
    assert last["status"] == "ok" and "cp1252" in last["status_note"] and last["source_row"] == n_good + 2
    pd.testing.assert_frame_equal(streamed, read_answers(path))


@pytest.mark.parametrize("kind", ["jsonl", "txt"])
def test_chunked_jsonl_and_txt(tmp_path, kind):
    texts = ["S'adapter", "", "Manque de moyens", "RAS", "Visio tous les jours", "Garder le lien"] * 3
    path = tmp_path / f"answers.{kind}"
    if kind == "jsonl":
        lines = [json.dumps({"text": t, "service": "ASE"}, ensure_ascii=False) for t in texts] + ["{pas du json"]
    else:
        lines = texts
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole = read_answers(path)
    chunked = concat(iter_answers(path, chunksize=4))
    pd.testing.assert_frame_equal(chunked, whole)
    assert len(chunked) == len(lines)  # blank answers and bad lines included
    if kind == "jsonl":
        assert chunked.iloc[-1]["status"] == "unreadable" and "JSON" in chunked.iloc[-1]["status_note"]


# -- counting in chunks -----------------------------------------------------------------------

def test_chunked_counts_equal_in_memory_counts(sample_csv, analyzer):
    answers = read_answers(sample_csv)
    counts = count_terms(sample_csv, by="question_code", chunksize=800, analyzer=analyzer)
    expected = term_frequencies(answers, by="question_code", analyzer=analyzer)
    got = counts.frequencies()
    pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(counts.specificities(), specificities(answers, "question_code", analyzer=analyzer))
    whole = counts.total().frequencies()
    pd.testing.assert_frame_equal(whole, term_frequencies(answers, analyzer=analyzer))
    assert counts.statuses == answers["status"].value_counts().to_dict()
    # a word of the environment questions is over-used there, not in the tax questions
    spec = counts.specificities().set_index(["question_code", "term"])["specificity"]
    assert spec[("ECO_00", "pollution")] > 10 and spec[("FIS_02", "pollution")] < 0


# -- embeddings ------------------------------------------------------------------------------

class Interrupted(RuntimeError):
    pass


class CountingEmbedder:
    """Wraps an embedder, counts what it embeds, and can die after ``fail_after`` blocks."""

    def __init__(self, embedder, fail_after: int | None = None):
        self.embedder, self.name = embedder, embedder.name
        self.fail_after, self.calls, self.texts = fail_after, 0, 0

    def encode(self, texts):
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise Interrupted("killed")
        self.calls += 1
        self.texts += len(texts)
        return self.embedder.encode(texts)


def test_embeddings_resume_after_an_interruption(gdn_sample, tmp_path):
    texts = gdn_sample["text"].head(1000).tolist() + gdn_sample["text"].head(50).tolist()  # 50 repeats
    tfidf = TfidfEmbedder(n_components=64).fit(texts)
    full = embed_corpus(texts, tfidf, block=128)
    dying = CountingEmbedder(tfidf, fail_after=3)
    with pytest.raises(Interrupted):
        embed_corpus(texts, dying, cache_dir=tmp_path / "cache", block=128)
    assert len(EmbeddingCache(tmp_path / "cache").index(tfidf)) == 3 * 128  # three blocks on disk
    again = CountingEmbedder(tfidf)
    resumed = embed_corpus(texts, again, cache_dir=tmp_path / "cache", block=128, out=tmp_path / "emb.npy")
    assert again.texts == 1000 - 3 * 128  # only what was not done, each distinct text once
    assert isinstance(resumed, np.memmap) and resumed.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(resumed), full)
    np.testing.assert_array_equal(np.load(tmp_path / "emb.npy"), full)
    third = CountingEmbedder(tfidf)
    embed_corpus(texts, third, cache_dir=tmp_path / "cache", block=128)
    assert third.texts == 0


# -- Dask ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client():
    pytest.importorskip("dask.distributed")
    with dask_client(workers=2) as c:
        yield c


def test_dask_counts_are_identical(sample_csv, analyzer, client):
    assert len(client.scheduler_info()["workers"]) == 2
    local = count_terms(sample_csv, by="question_code", chunksize=500, analyzer=analyzer)
    spread = count_terms(sample_csv, by="question_code", chunksize=500, client=client)
    pd.testing.assert_frame_equal(spread.frequencies(), local.frequencies())
    pd.testing.assert_frame_equal(spread.specificities(), local.specificities())
    bigrams = count_terms(sample_csv, unit="ngram", chunksize=500, client=client, analyzer=analyzer)
    pd.testing.assert_frame_equal(bigrams.frequencies(), count_terms(sample_csv, unit="ngram", chunksize=3000,
                                                                     analyzer=analyzer).frequencies())


def test_dask_embeddings_and_themes_are_identical(gdn_sample, client, tmp_path):
    texts = gdn_sample[gdn_sample["question_code"].isin(["ECO_00", "FIS_02"])]["text"].head(600).tolist()
    use = USEEmbedder()
    local = embed_corpus(texts, use, block=100)
    spread = embed_corpus(texts, use, block=100, client=client, cache_dir=tmp_path / "c")
    np.testing.assert_allclose(spread, local, rtol=0, atol=1e-6)
    a = ThemeFinder(seed=0).fit_transform(texts, embeddings=local)
    b = ThemeFinder(seed=0).fit_transform(texts, embeddings=spread)
    assert (a["theme_id"].to_numpy() == b["theme_id"].to_numpy()).all()


# -- themes on a sample ----------------------------------------------------------------------

def test_theme_stability_between_two_samples(gdn_sample):
    answers = gdn_sample[gdn_sample["question_code"].isin(["ECO_00", "FIS_02", "FIS_06"])].reset_index(drop=True)
    emb = embed_corpus(answers["text"].tolist(), USEEmbedder())
    report = theme_stability(answers, emb, sample_size=1500, seeds=(0, 1))
    assert report["answers"] == 3000 and report["sample_size"] == 1500
    assert all(n >= 3 for n in report["themes"])
    assert all(0.8 <= s <= 1.0 for s in report["share_assigned"])
    # two samples of the same answers find related themes, far from chance (ARI 0)
    assert 0.2 < report["ari"] <= 1.0 and report["nmi"] > 0.3
    first, second = report["finders"]
    assert first.n_answers_fitted_ == second.n_answers_fitted_ == 1500
    assert not np.array_equal(first.fit_texts_, second.fit_texts_)



# -- command line ----------------------------------------------------------------------------

def test_cli_terms_over_several_files_with_two_workers(gdn_sample, tmp_path, analyzer):
    from typer.testing import CliRunner

    from retex_nlp.cli import app

    paths = question_files(gdn_sample, tmp_path, ["ECO_00", "FIS_02"], 300)
    out, whole, spec = tmp_path / "t.csv", tmp_path / "all.csv", tmp_path / "spec.csv"
    result = CliRunner().invoke(app, ["terms", *paths, "--text-col", "text", "--by", "question_code", "--out", str(out),
                                      "--overall", str(whole), "--specificities", str(spec), "--workers", "2",
                                      "--chunksize", "100"])
    assert result.exit_code == 0, result.output
    assert "sur 600" in result.output
    table, overall = pd.read_csv(out), pd.read_csv(whole)
    answers = pd.concat([read_answers(p) for p in paths], ignore_index=True)
    expected = term_frequencies(answers, by="question_code", analyzer=analyzer)
    # the CSV is safe to open in a spreadsheet: a term such as "-ce" is written "'-ce"
    pd.testing.assert_frame_equal(table, safe_frame(expected), check_dtype=False)
    assert overall.set_index("term")["count"].to_dict() == table.groupby("term")["count"].sum().to_dict()
    top = pd.read_csv(spec).sort_values("specificity", ascending=False).groupby("question_code")["term"].first()
    assert top["FIS_02"] in {"impôt", "taxe", "tva", "TVA", "baisser"} and top["ECO_00"] != top["FIS_02"]


def test_streamed_cp1252_file_whose_first_mib_is_ascii(tmp_path):
    # nothing in the first MiB tells the encoding: the first accented line decides, and no
    # line is flagged, as when the whole file is read
    plain = "Le confinement a ete difficile pour les familles accueillies.\n"
    n_plain = (1 << 20) // len(plain) + 10
    raw = ("text\n" + plain * n_plain + "Très dur : la visio ne marchait pas\nÉcole fermée\n").encode("cp1252")
    path = tmp_path / "windows.csv"
    path.write_bytes(raw)
    streamed = concat(iter_answers(path, chunksize=4000))
    assert streamed["status"].eq("ok").all()
    assert streamed["text"].iloc[-2:].tolist() == ["Très dur : la visio ne marchait pas", "École fermée"]
    pd.testing.assert_frame_equal(streamed[["text", "status", "source_row"]], read_answers(path)[["text", "status", "source_row"]])


def test_cli_themes_on_several_files_sampled_with_stability_and_cache(gdn_sample, tmp_path):
    from typer.testing import CliRunner

    from retex_nlp.cli import app

    paths = question_files(gdn_sample, tmp_path, ["ECO_00", "FIS_02"], 400)
    cache, out = tmp_path / "cache", tmp_path / "themes.csv"
    args = ["themes", *paths, "--text-col", "text", "--by", "question_code", "--cache", str(cache),
            "--sample-size", "500", "--stability", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "ajustés sur 500 réponses" in result.output and "Stabilité" in result.output
    coded = pd.read_csv(out)
    assert len(coded) == 800 and coded["answer_id"].is_unique
    assert coded["answer_id"].str.startswith(("ECO_00:", "FIS_02:")).all()
    ok = coded[coded["status"] == "ok"]
    assert (ok["theme_id"] != -1).mean() >= 0.8  # every answer assigned, not only the sample
    stability = json.loads((tmp_path / "themes_stabilite.json").read_text(encoding="utf-8"))
    assert 0 < stability["ari"] <= 1 and stability["sample_size"] == 500
    crosstab = pd.read_csv(tmp_path / "themes_par_question_code.csv")
    assert set(crosstab["group"]) == {"ECO_00", "FIS_02"}
    # environment and tax answers fall in different themes: some cells far from independence
    assert crosstab["residual"].abs().max() > 5
    shards = sorted(p.name for p in cache.rglob("shard_*.npy"))
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in cache.rglob("shard_*.npy")) == shards  # nothing embedded twice
    pd.testing.assert_frame_equal(pd.read_csv(out), coded)  # same input and seed, same themes


class _Hashing:
    """A deterministic embedder: each text's vector comes from its bytes alone."""

    name = "hachage-test"

    def encode(self, texts):
        import hashlib

        rows = [np.frombuffer(hashlib.sha256(t.encode("utf-8")).digest(), dtype=np.uint8)[:16] for t in texts]
        return np.asarray(rows, dtype=np.float32)


def _fill(args):
    folder, texts = args
    return EmbeddingCache(folder, shard_size=7).encode(_Hashing(), texts)


def test_embedding_cache_shared_by_processes_and_damaged_shards(gdn_sample, tmp_path):
    import multiprocessing as mp

    texts = gdn_sample["text"].head(400).tolist()
    jobs = [(tmp_path / "cache", texts[i:i + 250]) for i in (0, 50, 100, 150)]  # overlapping texts
    with mp.get_context("spawn").Pool(4) as pool:
        results = pool.map(_fill, jobs)
    expected = _Hashing().encode(texts)
    for (_, part), got, start in zip(jobs, results, (0, 50, 100, 150), strict=True):
        assert np.array_equal(got, expected[start:start + len(part)])
    cache = EmbeddingCache(tmp_path / "cache")
    index = cache.index(_Hashing())
    keys = [EmbeddingCache.key(t) for t in texts]
    assert all(np.array_equal(index[k], v) for k, v in zip(keys, expected, strict=True))
    # a damaged shard (bytes changed on disk) is never returned: removed, its texts embedded again
    shard = sorted((tmp_path / "cache").rglob("shard_*.npy"))[0]
    data = bytearray(shard.read_bytes())
    data[-5] ^= 0xFF
    shard.write_bytes(bytes(data))
    assert np.array_equal(cache.encode(_Hashing(), texts), expected)
    assert not shard.exists() or shard.read_bytes() != bytes(data)
