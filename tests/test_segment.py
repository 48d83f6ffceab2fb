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
