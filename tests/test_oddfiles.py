"""Odd files: every input gives rows with a status or a French RetexInputError naming the file,
never another exception; nothing merged or garbled silently; streaming = in memory."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import retex_nlp as rx
from retex_nlp.cli import app
from retex_nlp.normalize import strip_controls

from .oddfiles import generate

DATA = Path(__file__).resolve().parent / "data"
EXPECTED = ["Les enfants sont plus apaisés depuis la rentrée.",
            "Difficile de garder le lien avec les familles, l'été.",
            "Réunions à distance : fatigue et isolement, mais moins de trajets.",
            "Très bonne coordination avec l'équipe éducative."]


def both(path: Path, **kwargs) -> pd.DataFrame:
    """read_answers, after checking that iter_answers gives the same rows, ids and statuses."""
    whole = rx.read_answers(path, **kwargs)
    streamed = pd.concat(list(rx.iter_answers(path, chunksize=2, **kwargs)), ignore_index=True)
    for column in ("answer_id", "text", "status", "source_row"):
        assert whole[column].tolist() == streamed[column].tolist(), column
    return whole


def test_broken_gzip_archives_give_french_errors():
    with pytest.raises(rx.RetexInputError, match=r"pas_gzip\.csv\.gz.*pas une archive gzip"):
        rx.read_answers(DATA / "pas_gzip.csv.gz", text="texte")
    with pytest.raises(rx.RetexInputError, match=r"tronque\.csv\.gz.*tronquée"):
        rx.read_answers(DATA / "tronque.csv.gz", text="texte")
    with pytest.raises(rx.RetexInputError, match="tronquée"):
        list(rx.iter_answers(DATA / "tronque.csv.gz", text="texte"))
    result = CliRunner().invoke(app, ["inspect", str(DATA / "tronque.csv.gz"), "--text-col", "texte"])
    assert result.exit_code == 2 and "tronquée" in result.output and "Traceback" not in result.output


def test_a_field_longer_than_csvs_limit_is_read():
    answers = both(DATA / "champ_long.csv.gz", text="texte")
    assert len(answers) == 3 and (answers["status"] == "ok").all()
    assert len(answers.loc[1, "text"]) > 131_072 and answers.loc[2, "text"] == EXPECTED[1]


def test_long_cells_are_cut_at_the_named_limit(monkeypatch):
    monkeypatch.setattr(rx.io.read, "MAX_CELL_CHARS", 1000)
    answers = rx.read_answers(DATA / "champ_long.csv.gz", text="texte")
    assert answers.loc[1, "status"] == "unreadable" and len(answers.loc[1, "text"]) == 1000
    assert "limite de 1 000" in answers.loc[1, "status_note"] and answers.loc[0, "status"] == "ok"


def test_nul_and_control_characters_are_removed_and_the_answers_kept():
    answers = both(DATA / "octet_nul_et_controles.csv", text="texte")
    assert answers["text"].tolist() == [EXPECTED[0], EXPECTED[1], EXPECTED[2],
                                        "Très bonne coordi\nnation avec l'équipe éducative."]
    assert (answers["status"] == "ok").all()


def test_an_unclosed_quote_is_flagged_and_the_rows_after_it_recovered():
    answers = both(DATA / "guillemet_ouvrant.csv", text="texte")
    assert len(answers) == 4  # not merged into one row
    assert answers.loc[1, "status"] == "unreadable" and "guillemet" in answers.loc[1, "status_note"]
    assert answers.loc[1, "text"] == '"Difficile de garder le lien avec les familles'  # kept as written
    assert answers.loc[[0, 2, 3], "text"].tolist() == [EXPECTED[0], EXPECTED[2], EXPECTED[3]]
    assert answers.loc[[0, 2, 3], "status"].tolist() == ["ok"] * 3
    assert answers["profession"].tolist()[2:] == ["Psychologue", "Cadre"]


def test_utf16_without_bom_starting_with_a_dash():
    answers = both(DATA / "utf16le_sans_bom.txt")
    assert answers.attrs["encoding"] == "utf-16-le"
    assert answers["text"].tolist() == ["— Les visites médiatisées ont repris.", "€ 30 par mois, c'est peu.",
                                        "’Enfin du calme’"]


@pytest.mark.parametrize("name", ["cp1252", "latin1", "cp850", "mac_roman"])
def test_single_byte_code_pages_keep_every_accent(name):
    answers = both(DATA / f"encodage_{name}.csv", text="texte")
    assert answers["text"].tolist() == EXPECTED
    assert answers["profession"].tolist()[:2] == ["Éducatrice spécialisée", "Assistant·e familial·e"]
    expected = {"cp1252": "cp1252", "latin1": "cp1252", "cp850": "cp850", "mac_roman": "mac_roman"}[name]
    assert answers.attrs["encoding"] == expected  # latin-1 bytes read the same as cp1252 here
    assert answers.attrs["encoding_confidence"] > 0.5
    result = CliRunner().invoke(app, ["inspect", str(DATA / f"encodage_{name}.csv"), "--text-col", "texte"])
    assert result.exit_code == 0 and f"encodage : {expected}" in result.output and "confiance" in result.output
    forced = rx.read_answers(DATA / f"encodage_{name}.csv", text="texte", encoding="latin-1")
    assert forced.attrs["encoding"] == "latin-1"  # --encoding overrides the detection


def test_lone_cr_line_endings():
    csv_answers = both(DATA / "mac_cr.csv", text="texte")
    assert csv_answers["text"].tolist() == EXPECTED
    txt = both(DATA / "mac_cr.txt")
    assert txt["text"].tolist() == EXPECTED


def test_iramuteq_corpus_with_replacement_characters_is_analysed():
    answers = both(DATA / "iramuteq_fffd.txt")
    assert answers["status"].tolist() == ["ok", "ok"] and "\ufffd" in answers.loc[0, "text"]
    assert answers["age"].tolist() == ["", "30"] and answers["prof"].tolist() == ["AF", "ES"]


def test_bad_separators_and_wide_files(tmp_path):
    with pytest.raises(rx.RetexInputError, match="un seul caractère"):
        rx.read_answers(DATA / "encodage_cp1252.csv", text="texte", sep=";;")
    wide = pd.DataFrame({f"q{i}": ["x"] * 5 for i in range(6000)})
    wide["texte"] = EXPECTED + ["Encore une réponse."]
    wide.to_csv(tmp_path / "large.csv", index=False, sep=";")
    answers = both(tmp_path / "large.csv", text="texte")
    assert answers.shape == (5, 6007) and answers["text"].tolist()[:4] == EXPECTED
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rx.io.read, "MAX_COLUMNS", 1000)
        with pytest.raises(rx.RetexInputError, match="6001 colonnes.*limite de 1000"):
            rx.read_answers(tmp_path / "large.csv", text="texte")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rx.io.read, "MAX_ROWS", 3)
        with pytest.raises(rx.RetexInputError, match=r"large\.csv.*5 lignes.*limite de 3 lignes.*iter_answers"):
            rx.read_answers(tmp_path / "large.csv", text="texte")
        assert sum(len(c) for c in rx.iter_answers(tmp_path / "large.csv", text="texte", chunksize=2)) == 5


def test_generated_odd_files(tmp_path):
    """A few hundred generated exports: no exception but RetexInputError, every row accounted for,
    accents intact, streaming = in memory (a larger run: python tests/oddfiles.py 5000)."""
    files = generate(tmp_path, 300, seed=2026)
    kinds = {f.kind for f in files}
    assert len(files) > 250 and len(kinds) >= 15
    checked = 0
    for odd in files:
        outcomes = []
        for reader in (lambda p: rx.read_answers(p, text="text"),
                       lambda p: pd.concat(list(rx.iter_answers(p, text="text", chunksize=7)), ignore_index=True)):
            try:
                outcomes.append(reader(odd.path))
            except rx.RetexInputError as exc:
                assert odd.path.name in str(exc), str(exc)
                outcomes.append(None)
        whole, streamed = outcomes
        assert (whole is None) == (streamed is None), odd.path.name
        if odd.records is None:
            continue
        assert whole is not None, f"{odd.path.name}: refused"
        assert len(whole) == len(odd.records), odd.path.name
        for column in ("answer_id", "text", "status"):
            assert whole[column].tolist() == streamed[column].tolist(), (odd.path.name, column)
        for i, record in enumerate(odd.records):
            if i in odd.damaged:
                continue
            assert " ".join(whole.loc[i, "text"].split()) == " ".join(strip_controls(record["text"]).split()), \
                (odd.path.name, i)
            if "profession" in record:
                assert whole.loc[i, "profession"] == record["profession"], (odd.path.name, i)
        checked += 1
    assert checked > 150


def test_excel_separator_line():
    answers = both(DATA / "excel_sep.csv", text="texte")
    assert answers["text"].tolist() == ["Très bien, merci", "Difficile"]  # the "," is no separator here
    assert answers.attrs["separator"] == ";" and answers["source_row"].tolist() == [3, 4]


def test_xlsx_formula_cells_without_a_computed_value_keep_their_text(tmp_path):
    """A workbook written by a script (never opened in Excel) holds formulas with no computed
    value: the answer typed "=…" is kept as its text, not lost as an empty cell."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "texte"])
    sheet.append([1, '=HYPERLINK("http://exemple.invalid","clic")'])
    sheet.append([2, "Réponse ordinaire."])
    sheet.append([3, "=1+1"])
    book.save(tmp_path / "formules.xlsx")
    answers = both(tmp_path / "formules.xlsx", text="texte")
    assert answers["text"].tolist() == ['=HYPERLINK("http://exemple.invalid","clic")', "Réponse ordinaire.", "=1+1"]
    assert answers["source_row"].tolist() == [2, 3, 4] and (answers["status"] == "ok").all()


def test_line_breaks_saved_as_ooxml_escapes_are_line_breaks(tmp_path):
    """Excel and XlsxWriter save a line break typed with a carriage return as ``_x000D_`` before
    the line feed; openpyxl leaves it in the text ("Première ligne_x000D_"), where it reached the
    terms and the quotes. A literal ``_x…_`` is saved escaped (``_x005F_``) and stays."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "Qu'est-ce qui vous a_x000D_\naidé ?"])
    sheet.append([1, "Le soutien de l'équipe._x000D_\nLes temps d'échange."])
    sheet.append([2, "Code _x005F_x000D_ cité tel quel"])
    book.save(tmp_path / "sauts.xlsx")
    answers = both(tmp_path / "sauts.xlsx", text="Qu'est-ce qui vous a\naidé ?")
    assert answers["text"].tolist() == ["Le soutien de l'équipe.\nLes temps d'échange.", "Code _x000D_ cité tel quel"]
    assert not any("_x000D_" in t for t in rx.term_frequencies(answers)["term"])


def test_a_file_ending_in_a_block_of_zeros_is_read_and_said(tmp_path):
    """A copy cut short or a file recovered from a damaged disk ends in NUL bytes: they made a
    small UTF-8 or Windows-1252 file read as UTF-16 (one row of Chinese characters) or as a
    binary file. The answers are read, the zeros said; a block of zeros inside is no UTF-16."""
    body = "id;texte\n1;Éducatrice épuisée, très isolée\n2;Famille d'accueil à bout\n"
    expected = ["Éducatrice épuisée, très isolée", "Famille d'accueil à bout"]
    for name, raw in [("utf8.csv", body.encode() + b"\x00" * 500), ("cp1252.csv", body.encode("cp1252") + b"\x00" * 4096),
                      ("utf16.csv", body.encode("utf-16-le") + b"\x00" * 600),
                      ("bloc.csv", body.encode()[:20] + b"\x00" * 512 + body.encode()[20:])]:
        (tmp_path / name).write_bytes(raw)
        answers = both(tmp_path / name, text="texte")
        assert answers["text"].tolist() == expected and (answers["status"] == "ok").all(), name
        zeros = [n for n in answers.attrs["notes"] if "octets nuls" in n]
        assert bool(zeros) == (name != "bloc.csv"), (name, answers.attrs["notes"])
    (tmp_path / "zeros.csv").write_bytes(b"\x00" * 2048)
    for read in (rx.read_answers, lambda p, **k: list(rx.iter_answers(p, chunksize=2, **k))):
        with pytest.raises(rx.RetexInputError, match=r"zeros\.csv.*vide"):
            read(tmp_path / "zeros.csv", text="texte")
