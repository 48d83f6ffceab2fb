from retex_nlp.normalize import fold, normalize_answer, normalize_text


def test_apostrophes_spaces_ligatures_and_punctuation():
    assert normalize_text("S’adapter\u00a0!!!") == "S'adapter !"
    assert normalize_text("le cœur   du métier ?!?") == "le coeur du métier ?"
    assert normalize_text("l\u02bcenfant\u202fet la fami\u00adlle") == "l'enfant et la famille"
    # decomposed é (e + combining acute) becomes one character
    assert normalize_text("e\u0301quipe") == "équipe"
    assert normalize_text("attente.....") == "attente..."


def test_one_word_key_ignores_case_punctuation_and_apostrophe_style():
    keys = {normalize_answer(x) for x in ["S'adapter !", "s’adapter", "S'ADAPTER", "  s'adapter.  "]}
    assert keys == {"s'adapter"}
    assert normalize_answer("Épuisant...") == "épuisant"


def test_fold_for_column_names():
    assert fold(" Métier ") == fold("metier")
