from pathlib import Path

from retex_nlp import read_answers, segment_answers, split_segments, split_sentences

TESTIMONY = ("Au début, M. Martin nous appelait chaque jour. Les enfants étaient inquiets ! "
             "Puis, etc. tout s'est calmé… Nous avons repris les visites en juin 2020.")


def test_sentences_do_not_break_on_abbreviations():
    assert split_sentences(TESTIMONY) == [
        "Au début, M. Martin nous appelait chaque jour.", "Les enfants étaient inquiets !",
        "Puis, etc. tout s'est calmé…", "Nous avons repris les visites en juin 2020."]


def test_forty_word_segments_keep_sentences_whole():
    text = " ".join([TESTIMONY] * 6)
    segments = split_segments(text, size=40)
    assert all(30 <= len(s.split()) <= 70 for s in segments[:-1])
    assert " ".join(segments).split() == text.split()  # nothing lost or reordered
    assert all(s.rstrip().endswith((".", "!", "…")) for s in segments)


def test_segments_are_linked_to_their_answer():
    import pandas as pd

    answers = read_answers(pd.DataFrame({"id": ["a", "b", "c"], "t": [TESTIMONY, "Une phrase.", ""]}), text="t", id="id")
    segs = segment_answers(answers)
    assert segs["answer_id"].tolist() == ["a"] * 4 + ["b"]
    assert segs["segment_id"].tolist()[:2] == ["a/1", "a/2"]


def test_long_answers_become_linked_segments_and_nothing_is_lost():
    import pandas as pd

    from retex_nlp.text.segment import segment_testimonies

    long = " ".join([TESTIMONY] * 5)
    answers = read_answers(pd.DataFrame({"id": ["a", "b", "c"], "t": [long, "Une phrase.", ""],
                                         "service": ["UTPAS", "ASE", "PMI"]}), text="t", id="id")
    segs = segment_testimonies(answers, size=20)
    a = segs[segs["testimony_id"] == "a"]
    assert len(a) >= 3 and a["answer_id"].tolist() == [f"a/{k}" for k in range(1, len(a) + 1)]
    assert a["segment"].tolist() == list(range(1, len(a) + 1)) and set(a["service"]) == {"UTPAS"}
    assert " ".join(a["text"]).split() == long.split()  # the testimony back, in order
    # a short answer keeps its id; an empty one is kept, as read
    assert segs.set_index("answer_id").loc["b", "text"] == "Une phrase."
    assert segs.set_index("answer_id").loc["c", "status"] == "empty"
    assert segs["answer_id"].is_unique and set(segs["testimony_id"]) == {"a", "b", "c"}


def _testimony_folder(tmp_path):
    """16 testimonies, each made of four real Grand Débat answers to four different questions (one
    paragraph each), and their metadata (profession, service) in metadonnees.csv."""
    import pandas as pd

    source = pd.read_csv(Path(__file__).resolve().parents[1] / "corpora" / "grand_debat_extrait.csv", dtype=str)
    source["n"] = source["text"].str.split().str.len()
    questions = sorted(source["question_code"].unique())
    assert len(questions) == 4
    pools = [source[(source["question_code"] == q) & source["n"].between(25, 45)]["text"].tolist() for q in questions]
    folder = tmp_path / "temoignages"
    folder.mkdir()
    rows = []
    for i in range(16):
        text = "\n".join(pool[i].strip().rstrip(".") + "." for pool in pools)
        (folder / f"entretien_{i:02d}.txt").write_text(text, encoding="utf-8")
        rows.append({"fichier": f"entretien_{i:02d}.txt", "profession": "Éducateur" if i % 2 else "Assistante familiale",
                     "service": f"UTPAS {i % 4}"})
    pd.DataFrame(rows).to_csv(folder / "metadonnees.csv", index=False)
    return folder, dict(zip([r["fichier"] for r in rows], [r["profession"] for r in rows], strict=True))


def test_testimonies_are_themed_and_quoted_by_segment_linked_to_their_file(tmp_path, no_network):
    import re

    import retex_nlp as rx

    folder, professions = _testimony_folder(tmp_path)
    project = rx.analyse(folder, by="profession", attribution="{profession}", embedder="tfidf", clusterer="kmeans",
                         n_themes=4, n_quotes=3, seed=0, out=tmp_path / "projet")
    seg = project.settings["segments"]
    assert seg["testimonies"] == 16 and seg["segments"] >= 64  # 4 paragraphs of 25-45 words: at least 4 segments
    ok = project.answers[project.answers["status"] == "ok"]
    assert len(ok) == seg["segments"] and ok["answer_id"].str.fullmatch(r"\d+/\d+").all()
    # every segment carries its testimony's file and metadata
    assert (ok["file"].map(professions) == ok["profession"]).all()
    assert ok.groupby("testimony_id")["file"].nunique().eq(1).all()
    # a testimony speaks of several things: its segments land in several themes
    testimonies = project.testimonies()
    assert len(testimonies) == 16 and (testimonies["themes"].str.count(";") >= 1).mean() >= 0.5
    themes = project.themes
    assert (themes["testimonies"] <= themes["size"]).all() and (themes["testimonies"] <= 16).all()
    # quotes are segments, attributed from the metadata, with their whole testimony to read
    quotes = project.quotes
    assert len(quotes) >= 8 and set(quotes["attribution"]) <= set(professions.values())

    def flat(text):
        return " ".join(str(text).split())

    for q in quotes.itertuples():
        testimony = ok.set_index("answer_id").loc[q.answer_id, "testimony_id"]
        assert flat(q.whole_text) == flat(testimonies.loc[testimony, "text"])
        assert flat(q.quote) in flat(q.whole_text) and len(q.quote.split()) < len(q.whole_text.split())
    # the report counts testimonies and opens the whole testimony under each quote
    html = (tmp_path / "projet" / "rapport" / "report.html").read_text(encoding="utf-8")
    assert html.count("Lire le témoignage entier") == len(quotes)
    assert html.count("<strong>") >= len(quotes)  # the quote marked inside its testimony
    assert re.search(r"\d+ segments de \d+ témoignages", html) and "16 textes longs ont été découpés" in html
    assert "16 réponses lues" in html
    # the project opens again with its segments
    again = rx.Project.open(tmp_path / "projet")
    assert again.answers["testimony_id"].tolist() == project.answers["testimony_id"].tolist()
    assert again.quotes["whole_text"].tolist() == quotes["whole_text"].tolist()
    # asked not to, the testimonies stay whole
    whole = rx.analyse(folder, embedder="tfidf", clusterer="kmeans", n_themes=4, segments=False, seed=0)
    assert len(whole.answers) == 16 and "testimony_id" not in whole.answers.columns


def test_segments_are_coded_and_taught_by_segment(tmp_path, no_network):
    """A codebook codes each segment; hand codes of segments teach the coder, hand codes of
    whole testimonies give a French error that says what to do."""
    import pandas as pd
    import pytest

    import retex_nlp as rx

    folder, _ = _testimony_folder(tmp_path)
    book = tmp_path / "grille.yml"
    book.write_text("themes:\n"
                    "  - name: environnement\n    description: pollution, climat, biodiversité\n"
                    "    keywords: [pollution, climat, biodiversité, énergie]\n"
                    "  - name: impôts\n    description: les impôts et les taxes\n"
                    "    keywords: [impôt, taxe, fiscalité, TVA]\n", encoding="utf-8")
    project = rx.analyse(folder, codebook=book, embedder="tfidf", seed=0)
    ok = project.answers[project.answers["status"] == "ok"]
    coded = project.assignments.set_index("answer_id").loc[ok["answer_id"], "theme_label"]
    assert {"environnement", "impôts"} <= set(";".join(coded).split(";"))
    both = project.testimonies()["themes"].str.count(";") >= 1
    assert both.sum() >= 4  # a testimony's segments coded apart: some testimonies get both themes
    # hand codes of segments teach the coder
    first = ok.groupby("testimony_id").head(2)
    labels = project.assignments.set_index("answer_id").loc[first["answer_id"], "theme_label"]
    pd.DataFrame({"answer_id": first["answer_id"].tolist(), "codes": labels.replace("", "environnement").tolist()}
                 ).to_csv(tmp_path / "segments.csv", index=False)
    taught = rx.analyse(folder, codebook=book, embedder="tfidf", seed=0, train=tmp_path / "segments.csv")
    assert taught.settings["training"]["n_coded"] == len(first)
    # hand codes of whole testimonies: a clear error
    pd.DataFrame({"id": ok["testimony_id"].unique()[:4], "codes": "impôts"}).to_csv(tmp_path / "entiers.csv", index=False)
    with pytest.raises(rx.RetexInputError, match="codé.*en entier.*--no-segments"):
        rx.analyse(folder, codebook=book, embedder="tfidf", seed=0, train=tmp_path / "entiers.csv")
