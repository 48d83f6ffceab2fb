"""Reading exports: encodings, separators, formats, statuses, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from retex_nlp import (
    Codebook,
    ColumnNotFoundError,
    RetexInputError,
    inspect_file,
    iter_answers,
    read_answers,
    status_summary,
)
from retex_nlp.io.iramuteq import parse_iramuteq, write_iramuteq
from retex_nlp.io.read import read_table

ROWS = [
    ("1", "Assistante familiale", "ASE", "Les enfants étaient plus apaisés, moins de visites médiatisées."),
    ("2", "Éducatrice spécialisée", "AEMO", "Difficile de garder le lien avec les familles en télétravail."),
    ("3", "Psychologue", "ASE", "RAS"),
    ("4", "Assistante familiale", "ASE", ""),
    ("5", "Puéricultrice", "PMI", "Manque de moyens : pas d’ordinateur, la visio ne marchait pas."),
]


def write_csv(path, sep=";", encoding="utf-8", bom=False, newline="\r\n"):
    header = sep.join(["id", "profession", "service", "difficultes"])
    lines = [header] + [sep.join(f'"{v}"' if sep in v or '"' in v else v for v in row) for row in ROWS]
    data = newline.join(lines) + newline
    raw = data.encode(encoding)
    if bom:
        raw = b"\xef\xbb\xbf" + raw
    path.write_bytes(raw)
    return path


def test_cp1252_excel_export_is_detected_and_decoded(tmp_path):
    path = write_csv(tmp_path / "excel.csv", encoding="cp1252")
    answers = read_answers(path, text="difficultes", id="id")
    assert answers.attrs["encoding"] == "cp1252"
    assert answers.attrs["separator"] == ";"
    assert answers.loc[0, "text"].startswith("Les enfants étaient plus apaisés")
    assert "pas d’ordinateur" in answers.loc[4, "text"]  # cp1252 0x92 is ’, not a control char
    assert answers.loc[1, "profession"] == "Éducatrice spécialisée"


def test_latin1_without_cp1252_bytes(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,texte\n1,Très fatiguée à la fin\n2,Équipe soudée\n".encode("latin-1"))
    answers = read_answers(path, text="texte")
    assert answers["text"].tolist() == ["Très fatiguée à la fin", "Équipe soudée"]
    assert answers.attrs["encoding"] in ("cp1252", "latin-1")
    assert answers.attrs["separator"] == ","


def test_semicolon_csv_with_bom_and_tab_and_utf16(tmp_path):
    bom = read_answers(write_csv(tmp_path / "bom.csv", bom=True), text="difficultes")
    assert bom.attrs["encoding"] == "utf-8-sig"
    assert list(bom.columns[:7]) == ["answer_id", "respondent_id", "open_question", "text", "status", "status_note", "source_row"]
    assert "profession" in bom.columns  # the BOM did not stick to the first column name
    tab = read_answers(write_csv(tmp_path / "tab.tsv", sep="\t"), text="difficultes")
    assert tab.attrs["separator"] == "\t"
    utf16 = read_answers(write_csv(tmp_path / "u16.txt", sep="\t", encoding="utf-16"), text="difficultes",
                         format="csv")
    assert utf16.attrs["encoding"] == "utf-16"
    assert utf16.loc[1, "text"] == ROWS[1][3]


def test_mixed_encoding_lines_are_decoded_and_reported(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes("id;texte\n1;Réponse en UTF-8\n".encode() + "2;Réponse collée depuis Excel\n".encode("cp1252"))
    answers = read_answers(path, text="texte")
    assert answers["text"].tolist() == ["Réponse en UTF-8", "Réponse collée depuis Excel"]
    # the line is read and counts as an answer; the note says how it was decoded
    assert answers.loc[1, "status"] == "ok"
    assert "pas en UTF-8" in answers.loc[1, "status_note"] and "cp1252" in answers.loc[1, "status_note"]
    assert answers.loc[0, "status_note"] == ""
    assert answers.attrs["encoding"].startswith("mixed")


def test_every_row_gets_a_status_and_nothing_is_dropped(tmp_path):
    answers = read_answers(write_csv(tmp_path / "s.csv"), text="difficultes", id="id")
    assert len(answers) == len(ROWS)
    assert answers["status"].tolist() == ["ok", "ok", "non_answer", "empty", "ok"]
    assert answers["source_row"].tolist() == [2, 3, 4, 5, 6]
    summary = status_summary(answers).set_index("status")["n"].to_dict()
    assert summary == {"ok": 3, "empty": 1, "non_answer": 1, "duplicate": 0, "unreadable": 0}


def test_non_answers_and_duplicates(tmp_path):
    texts = ["RAS", "-", "néant", "Je ne sais pas.", "/", "N.S.P", "Rien", "Le lien avec les familles",
             "Le lien avec les familles", "le lien avec les familles !"]
    frame = pd.DataFrame({"id": ["a", "b", "c", "d", "e", "f", "g", "h", "h", "i"], "txt": texts})
    answers = read_answers(frame, text="txt", id="id")
    assert answers["status"].tolist()[:6] == ["non_answer"] * 6
    assert answers.loc[6, "status"] == "ok"  # "rien" is an answer (nothing went well)
    # same respondent, same text -> duplicate; another respondent saying it -> an answer
    assert answers["status"].tolist()[7:] == ["ok", "duplicate", "ok"]
    assert "h" in answers.loc[8, "status_note"]
    assert answers["answer_id"].is_unique
    # a column named "id" is the respondent id without being asked for
    assert read_answers(frame, text="txt")["status"].tolist() == answers["status"].tolist()
    # without an id, equal answers are different respondents
    no_id = read_answers(frame.rename(columns={"id": "groupe"}), text="txt")
    assert (no_id["status"] == "duplicate").sum() == 0 and no_id["respondent_id"].tolist()[:2] == ["1", "2"]
    extra = read_answers(frame, text="txt", id="id", non_answers=["rien"])
    assert extra.loc[6, "status"] == "non_answer"


def test_stacked_questions_long_format(tmp_path):
    frame = pd.DataFrame({"id": ["1", "2"], "metier": ["AF", "ES"],
                          "q_difficultes": ["Isolement", "Surcharge"], "q_reussites": ["Solidarité", ""]})
    answers = read_answers(frame, text=["q_difficultes", "q_reussites"], id="id")
    assert len(answers) == 4
    assert answers["open_question"].tolist() == ["q_difficultes", "q_difficultes", "q_reussites", "q_reussites"]
    assert answers["answer_id"].tolist() == ["1:q_difficultes", "2:q_difficultes", "1:q_reussites", "2:q_reussites"]
    assert answers["metier"].tolist() == ["AF", "ES", "AF", "ES"]
    assert answers["status"].tolist() == ["ok", "ok", "ok", "empty"]


def test_xlsx_by_sheet_name_and_index(tmp_path):
    path = tmp_path / "enquete.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Lisez-moi", index=False)
        pd.DataFrame({"Profession": ["AF", "ES", "AF"], "Réponse": ["Plus calmes", 12, "#N/A"]}).to_excel(
            writer, sheet_name="Réponses", index=False)
    answers = read_answers(path, text="Réponse", sheet="Réponses")
    assert answers["text"].tolist() == ["Plus calmes", "12", "#N/A"]
    assert answers["status"].tolist() == ["ok", "ok", "unreadable"]
    assert answers["source_row"].tolist() == [2, 3, 4]
    assert read_answers(path, text="réponse", sheet=1)["Profession"].tolist() == ["AF", "ES", "AF"]
    with pytest.raises(RetexInputError, match=r"pas de feuille nommée 'Feuil1'.*Lisez-moi.*Réponses"):
        read_answers(path, text="Réponse", sheet="Feuil1")


def test_missing_column_error_names_file_column_and_what_was_found(tmp_path):
    path = write_csv(tmp_path / "enquete.csv")
    with pytest.raises(ColumnNotFoundError) as err:
        read_answers(path, text="difficulte")
    message = str(err.value)
    assert "enquete.csv" in message and "colonne « difficulte »" in message
    assert "difficultes" in message  # the columns found, and the suggestion


def test_without_text_column_the_error_suggests_the_column_of_free_answers(tmp_path):
    path = tmp_path / "odpe.csv"
    path.write_text("id;Profil;Qu'est-ce qui vous aide au quotidien ?;Ancienneté\n"
                    "1;AF;Le soutien de la référente et les réunions d'équipe;12\n"
                    "2;ASE;Pouvoir appeler quelqu'un le soir quand ça ne va pas;3\n", encoding="utf-8")
    with pytest.raises(ColumnNotFoundError) as err:
        read_answers(path)
    assert "odpe.csv" in str(err.value)
    assert "semble contenir les réponses libres : « Qu'est-ce qui vous aide au quotidien ? »" in str(err.value)
    short = tmp_path / "codes.csv"
    short.write_text("id;profil;service\n1;AF;Nord\n2;TS;Sud\n", encoding="utf-8")
    with pytest.raises(ColumnNotFoundError) as err:
        read_answers(short)
    assert "semble" not in str(err.value)  # no column of sentences: nothing suggested


def test_inspect_offers_the_text_and_id_columns_the_app_and_cli_preselect(tmp_path):
    from typer.testing import CliRunner

    from retex_nlp import inspect_file
    from retex_nlp.cli import app

    survey = tmp_path / "sondage.csv"  # LimeSurvey-like: id by its tool's name, question as header
    survey.write_text("ID de la réponse;Profil;Qu'est-ce qui vous aide au quotidien ?\n"
                      "11;AF;Le soutien de la référente et les réunions d'équipe\n"
                      "12;ASE;Pouvoir appeler quelqu'un le soir quand ça ne va pas\n", encoding="utf-8")
    info = inspect_file(survey)
    assert (info.text_column, info.id_column) == ("Qu'est-ce qui vous aide au quotidien ?", "ID de la réponse")
    named = tmp_path / "verbatims.csv"  # a column named for the answers wins over a wordier one
    named.write_text("N°;Commentaire du service;RÉPONSE\n1;un long commentaire du service sur la période;Trop "
                     "de dossiers\n2;encore un long commentaire écrit par le service;Rien\n", encoding="utf-8")
    info = inspect_file(named)
    assert (info.text_column, info.id_column) == ("RÉPONSE", "N°")
    codes = tmp_path / "codes.csv"
    codes.write_text("profil;service\nAF;Nord\nTS;Sud\n", encoding="utf-8")
    assert (inspect_file(codes).text_column, inspect_file(codes).id_column) == (None, None)
    out = CliRunner().invoke(app, ["inspect", str(survey)]).output
    assert "semble contenir les réponses libres : « Qu'est-ce qui vous aide au quotidien ? »" in out
    assert "--id-col 'ID de la réponse'" in out


def test_a_repeated_header_from_pasted_exports_is_no_answer(tmp_path):
    pasted = tmp_path / "deux_exports.csv"  # two services' exports pasted one after the other
    pasted.write_text("id;service;reponse\n1;AF;Trop de dossiers en même temps\n2;ASE;Le manque de temps\n"
                      "id;service;reponse\n3;PMI;reponse\n4;PMI;Les réunions d'équipe aident\n", encoding="utf-8")
    answers = read_answers(pasted, text="reponse")
    assert len(answers) == 5  # nothing lost: the header line is kept, marked
    header = answers[answers["source_row"] == 4].iloc[0]
    assert header["status"] == "non_answer" and "en-tête répétée" in header["status_note"]
    # an answer that only says the column's word, on a row of real cells, is no header
    assert "en-tête" not in answers[answers["source_row"] == 5].iloc[0]["status_note"]
    assert answers[answers["source_row"] != 4]["status"].eq("ok").all()
    assert any("répètent l'en-tête (ligne 4)" in n for n in answers.attrs["notes"])
    # the second export saved with its own byte order mark: its header is still the header
    with_bom = tmp_path / "deux_exports_bom.csv"
    with_bom.write_bytes(pasted.read_bytes().replace(b"\nid;", b"\n\xef\xbb\xbfid;"))
    for read in (read_answers, lambda p, **k: pd.concat(list(iter_answers(p, chunksize=2, **k)), ignore_index=True)):
        again = read(with_bom, text="reponse")
        assert again["status"].tolist() == answers["status"].tolist()
        assert again["respondent_id"].tolist() == answers["respondent_id"].tolist() == ["1", "2", "id", "3", "4"]
    single = tmp_path / "une_colonne.csv"
    single.write_text("Témoignage\nJ'ai tenu grâce à l'équipe\nTémoignage\nLa nuit est longue\n", encoding="utf-8")
    answers = read_answers(single, text="Témoignage")
    assert answers["status"].tolist() == ["ok", "non_answer", "ok"]


def test_workbook_dates_read_as_the_person_saw_them(tmp_path):
    import datetime

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["N°", "Réponse", "Date de l'entretien"])
    book.active.append([1, "Le soutien de l'équipe m'a aidée", datetime.datetime(2021, 3, 12)])
    book.active.append([2.0, "Les visites médiatisées", datetime.datetime(2021, 3, 12, 14, 30)])
    book.save(tmp_path / "entretiens.xlsx")
    answers = read_answers(tmp_path / "entretiens.xlsx", text="Réponse")
    assert answers["Date de l'entretien"].tolist() == ["2021-03-12", "2021-03-12 14:30:00"]
    assert answers["answer_id"].tolist() == ["1", "2"]


def test_binary_empty_and_misnamed_files(tmp_path):
    xlsx_as_csv = tmp_path / "export.csv"
    xlsx_as_csv.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(RetexInputError, match=r"export.csv.*archive ZIP"):
        read_answers(xlsx_as_csv, text="x")
    binary = tmp_path / "data.csv"
    binary.write_bytes(b"abc\x00\x01\x02" * 10 + b"\xff\xfe\x00")
    with pytest.raises(RetexInputError, match="data.csv"):
        read_answers(binary, text="x")
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    with pytest.raises(RetexInputError, match=r"vide.csv.*vide"):
        read_answers(empty, text="x")
    with pytest.raises(RetexInputError, match="introuvable"):
        read_answers(tmp_path / "absent.csv", text="x")


def test_file_with_only_non_answers(tmp_path):
    path = tmp_path / "ras.csv"
    path.write_text("reponse\nRAS\nnéant\n-\n\nJe ne sais pas\n", encoding="utf-8")
    answers = read_answers(path, text="reponse")
    assert answers["status"].tolist() == ["non_answer", "non_answer", "non_answer", "non_answer"]
    from retex_nlp import term_frequencies

    assert term_frequencies(answers).empty


def test_ragged_rows_are_flagged_not_lost(tmp_path):
    """A row of more cells than the header: the separator typed in an answer without quotes.
    When the answer is the last column the cells go back into it and it counts, said; else the
    row is unreadable and its extra cells stay in the last column: no cell is dropped."""
    path = tmp_path / "ragged.csv"
    path.write_text("id;texte\n1;Bonne réponse\n2;Trop de dossiers; pas assez de temps;;\n3\n4;Fin;;\n",
                    encoding="utf-8")
    answers = read_answers(path, text="texte")
    assert answers["status"].tolist() == ["ok", "ok", "empty", "ok"]
    assert answers["text"].tolist() == ["Bonne réponse", "Trop de dossiers; pas assez de temps", "", "Fin"]
    assert answers.loc[1, "source_row"] == 3
    assert "séparateur « ; » sans guillemets (3 champs alors que l'en-tête en a 2)" in answers.loc[1, "status_note"]
    assert answers.loc[3, "status_note"] == ""  # empty cells after the last one are no extra cells
    streamed = pd.concat(list(iter_answers(path, text="texte", chunksize=2)), ignore_index=True)
    assert streamed[["text", "status", "status_note"]].equals(answers[["text", "status", "status_note"]])

    middle = tmp_path / "milieu.csv"
    middle.write_text("id;texte;service\n1;Bonne réponse;ASE\n2;Trop;de;champs;PMI\n", encoding="utf-8")
    answers = read_answers(middle, text="texte")
    assert answers["status"].tolist() == ["ok", "unreadable"] and "5 champs" in answers.loc[1, "status_note"]
    assert answers["service"].tolist() == ["ASE", "de;champs;PMI"]
    with pytest.raises(RetexInputError, match=r"ligne 3.*5 champs alors que l'en-tête en a 3.*guillemets"):
        read_table(middle).info.require_whole_rows("codes")


def test_jsonl_with_a_broken_line(tmp_path):
    path = tmp_path / "a.jsonl"
    lines = [json.dumps({"id": 1, "texte": "Appels vidéo quotidiens", "service": "ASE"}, ensure_ascii=False),
             "{not json", json.dumps({"id": 3, "texte": None, "service": "PMI"})]
    path.write_text("\n".join(lines), encoding="utf-8")
    answers = read_answers(path, text="texte", id="id")
    assert answers["status"].tolist() == ["ok", "unreadable", "empty"]
    assert answers.loc[1, "source_row"] == 2 and "JSON invalide" in answers.loc[1, "status_note"]


def test_txt_lines_and_folder_of_testimonies(tmp_path):
    path = tmp_path / "reponses.txt"
    path.write_text("Plus de temps en famille\n\nFatigue des équipes\n", encoding="utf-8")
    answers = read_answers(path)
    assert answers["text"].tolist() == ["Plus de temps en famille", "", "Fatigue des équipes"]
    assert answers["status"].tolist() == ["ok", "empty", "ok"]
    folder = tmp_path / "temoignages"
    folder.mkdir()
    (folder / "t01.txt").write_text("Premier témoignage.\nSur deux lignes.", encoding="utf-8")
    (folder / "t02.txt").write_bytes("Deuxième témoignage, écrit sous Windows.".encode("cp1252"))
    testimonies = read_answers(folder)
    assert testimonies["file"].tolist() == ["t01.txt", "t02.txt"]
    assert testimonies.loc[1, "text"] == "Deuxième témoignage, écrit sous Windows."


def test_a_folder_of_word_and_writer_testimonies(tmp_path):
    """RETEX testimonies are often Word documents: .docx and .odt are read beside .txt, their
    paragraphs in order and their metadata attached; a file of another kind (a .pdf) is named in
    the notes, never dropped silently; Word's lock files (~$…) are no testimony."""
    from docx import Document
    from odf.opendocument import OpenDocumentText
    from odf.text import H
    from odf.text import P as OdfP

    folder = tmp_path / "retex"
    folder.mkdir()
    word = Document()
    word.add_paragraph("Pendant le confinement, les enfants accueillis étaient plus apaisés.")
    word.add_paragraph("")
    word.add_paragraph("Les visites médiatisées en visio ont tenu le lien avec les parents.")
    word.add_table(rows=1, cols=1).cell(0, 0).text = "Le retour au collège a été difficile."
    word.save(str(folder / "af_entretien.docx"))
    writer = OpenDocumentText()
    writer.text.addElement(H(outlinelevel=1, text="Stress professionnel"))
    writer.text.addElement(OdfP(text="Nous étions seuls face aux urgences, sans cadre d'astreinte joignable."))
    writer.save(str(folder / "es_entretien.odt"))
    (folder / "psy_entretien.txt").write_text("Les consultations par téléphone ont rassuré les familles.", encoding="utf-8")
    (folder / "synthese.pdf").write_bytes(b"%PDF-1.4 ")
    (folder / "~$_entretien.docx").write_bytes(b"\x00lock")
    pd.DataFrame({"fichier": ["af_entretien", "es_entretien.odt", "psy_entretien"],
                  "profession": ["assistante familiale", "éducateur", "psychologue"]}).to_csv(
        folder / "metadonnees.csv", index=False, sep=";")
    answers = read_answers(folder, variables=["file", "profession"])
    texts = answers.set_index("file")["text"].to_dict()
    assert list(texts) == ["af_entretien.docx", "es_entretien.odt", "psy_entretien.txt"]
    assert texts["af_entretien.docx"] == ("Pendant le confinement, les enfants accueillis étaient plus apaisés.\n\n"
                                          "Les visites médiatisées en visio ont tenu le lien avec les parents.\n\n"
                                          "Le retour au collège a été difficile.")
    assert texts["es_entretien.odt"].startswith("Stress professionnel\n\nNous étions seuls face aux urgences")
    assert answers["profession"].tolist() == ["assistante familiale", "éducateur", "psychologue"]
    assert (answers["status"] == "ok").all()
    assert any("synthese.pdf" in n and "non lu" in n for n in answers.attrs["notes"])
    assert not any("~$" in n for n in answers.attrs["notes"])


def test_excel_unicode_text_is_a_table_and_a_text_with_a_tab_stays_lines(tmp_path):
    """Excel's "Texte Unicode (.txt)": UTF-16 with tabs between columns is read as the table
    it is (an answer on two lines in quotes stays one answer), by read_answers and by
    iter_answers; a text with a tab here and there stays one answer per line."""
    answers = read_answers(DATA / "excel_texte_unicode.txt", text="reponse", id="id")
    assert answers["text"].tolist() == ["J'ai été épuisée par la charge", "Trop de dossiers,\nretour tardif", "Ça va mieux"]
    assert answers["service"].tolist() == ["ASE", "PMI", "ASE"] and answers["respondent_id"].tolist() == ["1", "2", "3"]
    streamed = pd.concat(iter_answers(DATA / "excel_texte_unicode.txt", text="reponse", id="id", chunksize=2))
    assert streamed["text"].tolist() == answers["text"].tolist()
    path = tmp_path / "notes.txt"
    path.write_text("Première réponse\tavec une tabulation\nDeuxième réponse\nTroisième réponse\n", encoding="utf-8")
    assert read_answers(path)["text"].tolist() == ["Première réponse\tavec une tabulation", "Deuxième réponse",
                                                   "Troisième réponse"]


def test_survey_tools_exports_id_columns_and_second_header_row(tmp_path):
    """SurveyMonkey: "Respondent ID" is the respondent id and its second header row
    ("Open-Ended Response") is a non-answer, counted, not an answer; LimeSurvey: "ID de la
    réponse" is the id."""
    rows = [["Respondent ID", "Collector ID", "Quelles difficultés rencontrez-vous ?", "Votre profession"],
            [None, None, "Open-Ended Response", "Response"],
            [11890, 4455, "Trop de dossiers par référent", "Éducatrice"],
            [11891, 4455, "Manque de places en famille d'accueil", "Assistante familiale"]]
    pd.DataFrame(rows).to_excel(tmp_path / "surveymonkey.xlsx", header=False, index=False)
    answers = read_answers(tmp_path / "surveymonkey.xlsx", text="Quelles difficultés rencontrez-vous ?")
    assert answers["status"].tolist() == ["non_answer", "ok", "ok"]
    assert answers["respondent_id"].tolist()[1:] == ["11890", "11891"]
    (tmp_path / "limesurvey.csv").write_text('"ID de la réponse";"Date de soumission";"Vos remarques"\n'
                                             '"17";"2025-03-01";"Plus de formation"\n"18";"2025-03-02";"RAS"\n',
                                             encoding="utf-8")
    lime = read_answers(tmp_path / "limesurvey.csv", text="Vos remarques")
    assert lime["respondent_id"].tolist() == ["17", "18"] and lime["status"].tolist() == ["ok", "non_answer"]


def test_iramuteq_round_trip(tmp_path):
    frame = pd.DataFrame({"id": ["1", "2", "3"], "profession": ["Assistante familiale", "Psychologue", "Cadre"],
                          "service": ["ASE", "PMI", "MECS"],
                          "texte": ["Les enfants plus apaisés.", "Visio * avec les familles", "RAS"]})
    answers = read_answers(frame, text="texte", id="id")
    out = write_iramuteq(answers, tmp_path / "corpus.txt", variables=["profession", "service"])
    content = out.read_text(encoding="utf-8")
    assert content.startswith("**** *profession_Assistante_familiale *service_ASE\nLes enfants plus apaisés.")
    back = read_answers(out)
    assert back.attrs["format"] == "iramuteq"
    assert back["text"].tolist() == ["Les enfants plus apaisés.", "Visio avec les familles"]  # RAS not written
    assert back["profession"].tolist() == ["Assistante_familiale", "Psychologue"]
    assert back["service"].tolist() == ["ASE", "PMI"]


def test_iramuteq_export_passes_the_corpus_checker_rules(tmp_path):
    import re

    frame = pd.DataFrame({"id": ["1", "2", "3"], "métier": ["Éducateur spécialisé", "Assistant·e familial·e", "Psy."],
                          "service": ["MECS-Nord", "A.S.E. 59", ""], "question": ["Q1 - difficultés", "Q1 - difficultés", "Q2"],
                          "texte": ["Réponse\x0b avec *étoile*", "Les familles d'accueil", "Le calme"]})
    answers = read_answers(frame, text="texte", id="id")
    out = write_iramuteq(answers, tmp_path / "corpus.txt", variables=["métier", "service"], theme="question")
    lines = out.read_text(encoding="utf-8").splitlines()
    stars = [x for x in lines if x.startswith("****")]
    themes = [x for x in lines if x.startswith("-*")]
    assert len(stars) == 3 and len(themes) == 3
    assert all(re.fullmatch(r"\*{4}( \*[A-Za-z0-9]+_[A-Za-z0-9_]+)+", x) for x in stars), stars
    assert all(re.fullmatch(r"-\*[A-Za-z0-9]+_[A-Za-z0-9_]+", x) for x in themes), themes
    assert stars[0] == "**** *metier_Educateur_specialise *service_MECS_Nord"
    assert stars[2].endswith("*service_NA") and themes[0] == "-*question_Q1_difficultes"
    assert not [x for x in lines if re.search(r"[\x00-\x08\x0b-\x1f]", x) or ("*" in x and not x.startswith(("****", "-*")))]
    mapping = pd.read_csv(tmp_path / "corpus_modalites.csv", dtype=str, keep_default_na=False)
    assert {"variable": "métier", "valeur": "Éducateur spécialisé",
            "dans_iramuteq": "*metier_Educateur_specialise"} in mapping.to_dict("records")
    # read back: the same answers, the modalities as IRaMuTeQ will show them
    back = read_answers(out)
    assert back["text"].tolist() == ["Réponse avec étoile", "Les familles d'accueil", "Le calme"]
    # an empty modality ("*age_") is a variable too
    texts = parse_iramuteq("**** *prof_AF *age_\nLa fatigue.\n")
    assert texts[0].variables == {"prof": "AF", "age": ""}


def test_iramuteq_thematic_parts_become_questions():
    corpus = "**** *prof_AF\n-*difficultes\nLa fatigue.\n-*reussites\nLe calme.\n**** *prof_ES\nSeul texte\n"
    texts = parse_iramuteq(corpus)
    assert [(t.theme, t.text, t.variables["prof"]) for t in texts] == [
        ("difficultes", "La fatigue.", "AF"), ("reussites", "Le calme.", "AF"), (None, "Seul texte", "ES")]


def test_inspect_file_reports_encoding_separator_and_columns(tmp_path):
    info = inspect_file(write_csv(tmp_path / "x.csv", encoding="cp1252"))
    assert (info.format, info.encoding, info.separator, info.n_rows) == ("csv", "cp1252", ";", 5)
    assert info.columns == ["id", "profession", "service", "difficultes"]


def test_real_grand_debat_sample_keeps_every_row(gdn_sample, tmp_path):
    path = tmp_path / "gdn.csv"
    gdn_sample.to_csv(path, index=False)
    answers = read_answers(path, text="text", variables=["question_code"])
    assert len(answers) == len(gdn_sample) == 12_000
    assert answers["text"].tolist() == gdn_sample["text"].tolist()
    counts = answers["status"].value_counts()
    assert counts["ok"] > 11_800
    assert set(counts.index) <= {"ok", "non_answer", "empty"}
    # the short ones flagged are really non-answers ("?", "...", "RAS", "Néant")
    flagged = answers.loc[answers["status"] == "non_answer", "text"].str.len()
    assert flagged.max() < 40


def test_long_padded_non_answers_are_still_found(tmp_path):
    # long answers skip the non-answer normalisation only when they hold too many letters
    path = tmp_path / "pad.csv"
    rows = ["je ne sais pas " + "!" * 80, "RAS" + " " * 100 + ".", "Rien à signaler, " + "." * 60,
            "Je ne sais pas si le télétravail a aidé les familles mais les visites ont manqué " * 2]
    path.write_text("text\n" + "\n".join(f'"{r}"' for r in rows) + "\n", encoding="utf-8")
    assert read_answers(path)["status"].tolist() == ["non_answer", "non_answer", "non_answer", "ok"]


def test_csv_with_a_title_or_blank_lines_above_its_header(tmp_path):
    """An export saved with a title line (and a blank line) above the header, or with blank lines
    first: the header is found, row numbers stay the file's, the title is said, nothing is lost;
    a one-column file whose answers hold commas keeps its first line as the header."""
    from retex_nlp import iter_answers

    titled = tmp_path / "titre.csv"
    titled.write_text("Enquête ODPE 2023 - assistants familiaux\n\nid;service;réponse\n"
                      "1;ASE Nord;Trop de réunions\n2;ASE Sud;Manque de relais\n3;MECS;\"Un texte\nsur deux lignes\"\n",
                      encoding="utf-8")
    answers = read_answers(titled, text="réponse", id="id")
    assert answers["text"].tolist() == ["Trop de réunions", "Manque de relais", "Un texte\nsur deux lignes"]
    assert answers["service"].tolist() == ["ASE Nord", "ASE Sud", "MECS"]
    assert answers["source_row"].tolist() == [4, 5, 6]
    assert any("Enquête ODPE 2023" in n and "en-tête lu ligne 3" in n for n in answers.attrs["notes"])
    streamed = pd.concat(list(iter_answers(titled, text="réponse", id="id")))
    assert streamed["text"].tolist() == answers["text"].tolist()
    blanks = tmp_path / "blancs.csv"
    blanks.write_text("\n  \nid,texte,service\n1,\"Trop de réunions, pas de relais\",ASE\n2,Fatigue,PMI\n", encoding="utf-8")
    answers = read_answers(blanks, text="texte")
    assert answers["text"].tolist() == ["Trop de réunions, pas de relais", "Fatigue"]
    assert answers["source_row"].tolist() == [4, 5]
    one = tmp_path / "une_colonne.csv"
    one.write_text("réponse\nTrop de réunions, pas de relais\nFatigue\nLe manque de moyens, de temps\nRien du tout\n"
                   "Un peu de tout, vraiment\n", encoding="utf-8")
    answers = read_answers(one, text="réponse")
    assert len(answers) == 5 and answers["text"].iloc[0] == "Trop de réunions, pas de relais"
    # a title in A1 of a sheet saved as CSV: the title's row holds empty cells
    a1 = tmp_path / "titre_a1.csv"
    a1.write_text("Enquête ODPE 2024;;\nid;profession;réponse\n1;AF;Très dur\n2;ES;Fatigue\n", encoding="utf-8")
    answers = read_answers(a1, text="réponse", id="id")
    assert answers["text"].tolist() == ["Très dur", "Fatigue"] and answers["profession"].tolist() == ["AF", "ES"]
    assert any("Enquête ODPE 2024" in n and "en-tête lu ligne 2" in n for n in answers.attrs["notes"])
    # a header whose other columns have no name is a header, not a title (its next row is numbers)
    unnamed = tmp_path / "sans_noms.csv"
    unnamed.write_text("Numéro de la réponse;;\n1;AF;Très dur\n2;ES;Fatigue\n3;AF;Bien\n", encoding="utf-8")
    assert len(read_answers(unnamed, text="colonne_3")) == 3


def test_metadata_that_does_not_match_the_folder_is_said(tmp_path):
    """A testimony the metadata file does not describe, and a metadata row naming no file (a typo):
    both are read (nothing lost, nothing merged) and both are said, with the names."""
    folder = tmp_path / "temoignages"
    folder.mkdir()
    (folder / "entretien_01.txt").write_text("Les visites ont été remplacées par des appels en visio.", encoding="utf-8")
    (folder / "Entretien_02.TXT").write_text("J'étais épuisée le soir, seule face aux situations.", encoding="utf-8")
    (folder / "entretien_03.txt").write_bytes("Le service nous a prêté une tablette.".encode("cp1252"))
    pd.DataFrame({"fichier": ["entretien_01", "Entretien_02.txt", "entretien_3.txt"],
                  "profession": ["assistante familiale", "éducatrice", "psychologue"]}).to_csv(
        folder / "metadonnees.csv", index=False, sep=";")
    answers = read_answers(folder)
    assert answers.set_index("file")["profession"].to_dict() == {
        "entretien_01.txt": "assistante familiale", "Entretien_02.TXT": "éducatrice", "entretien_03.txt": None}
    notes = answers.attrs["notes"]
    assert any("1 témoignage(s) sans ligne dans metadonnees.csv" in n and "entretien_03.txt" in n for n in notes)
    assert any("ne correspondent à aucun témoignage du dossier" in n and "entretien_3.txt" in n for n in notes)
    # one testimony described twice (with the extension once): which row is right is asked
    pd.DataFrame({"fichier": ["entretien_01", "entretien_03", "Entretien_01.txt"],
                  "profession": ["assistante familiale", "psychologue", "éducatrice"]}).to_csv(
        folder / "metadonnees.csv", index=False, sep=";")
    with pytest.raises(RetexInputError, match=r"metadonnees\.csv, ligne 4, colonne « fichier » : témoignage "
                                              r"« Entretien_01\.txt » décrit deux fois \(déjà ligne 2\)"):
        read_answers(folder)
    # a service typed with a « ; » unquoted falls into a cell past the header: refused, not cut short
    (folder / "metadonnees.csv").write_text("fichier;profession;service\nentretien_01;éducatrice;MECS;Lille\n",
                                           encoding="utf-8")
    with pytest.raises(RetexInputError, match=r"metadonnees\.csv, ligne 2 : ligne illisible : 4 champs.*"
                                              r"\(plusieurs valeurs\) se met entre guillemets"):
        read_answers(folder)


def test_testimony_folder_with_its_metadata_file(tmp_path):
    """A folder of .txt testimonies and a metadata sheet (file name -> profession, service): each
    testimony carries its variables, up to the quotes' attributions."""
    import socket

    import retex_nlp as rx

    source = pd.read_csv(Path(__file__).resolve().parents[1] / "corpora" / "grand_debat_extrait.csv", dtype=str)
    texts = source[source["question_code"] == "ECO_06"]["text"].head(24).tolist()
    folder = tmp_path / "temoignages"
    folder.mkdir()
    rows = []
    for i, text in enumerate(texts):
        (folder / f"t{i:02d}.txt").write_text(text, encoding="utf-8")
        rows.append({"Fichier": f"t{i:02d}" if i % 2 else f"t{i:02d}.txt",  # with or without .txt
                     "profession": "Assistante familiale" if i < 12 else "Psychologue", "service": f"S{i % 3}"})
    pd.DataFrame(rows).to_csv(folder / "metadonnees.csv", index=False, sep=";")
    answers = read_answers(folder)
    assert len(answers) == 24 and answers["profession"].tolist()[:13] == ["Assistante familiale"] * 12 + ["Psychologue"]
    assert answers.loc[5, "service"] == "S2" and "Fichier" not in answers.columns
    explicit = tmp_path / "autre.xlsx"
    pd.DataFrame(rows).drop(columns=["service"]).to_excel(explicit, index=False)
    assert read_answers(folder, metadata=explicit)["profession"].tolist() == answers["profession"].tolist()
    pd.DataFrame({"nom": ["t01"], "profession": ["x"]}).to_csv(tmp_path / "sans_fichier.csv", index=False)
    with pytest.raises(RetexInputError, match="colonne « fichier »"):
        read_answers(folder, metadata=tmp_path / "sans_fichier.csv")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", lambda *a, **k: (_ for _ in ()).throw(OSError("no network")))
        project = rx.analyse(folder, text="text", by="profession", attribution="{profession}", embedder="tfidf",
                             clusterer="kmeans", n_themes=2, n_quotes=4, seed=0)
    assert set(project.quotes["attribution"]) <= {"Assistante familiale", "Psychologue"}
    assert set(project.by_group["profession"]["group"]) == {"Assistante familiale", "Psychologue"}


def test_a_csv_saved_without_header_keeps_its_first_answer(tmp_path):
    """A one-column export whose first line is an answer: that answer is read (not taken as a
    column name), in the file path and in the streaming path, and a note says so; a question
    or a column name on the first line stays the header."""
    answers_text = ["Les familles d'accueil manquent de soutien le week-end.",
                    "Trop de paperasse, pas assez de temps avec les enfants.",
                    "On se sent seuls face aux situations difficiles !"]
    plain = tmp_path / "sans_entete.csv"
    plain.write_text("\n".join(answers_text) + "\n", encoding="utf-8")
    answers = read_answers(plain)
    assert answers["text"].tolist() == answers_text and answers["source_row"].tolist() == [1, 2, 3]
    assert "pas de ligne d'en-tête" in answers.attrs["notes"][0]
    streamed = pd.concat(list(iter_answers(plain, chunksize=2)))
    assert streamed["text"].tolist() == answers_text
    with_id = tmp_path / "id_sans_entete.csv"
    with_id.write_text("R-01;" + answers_text[0] + "\nR-02;" + answers_text[1] + "\n", encoding="utf-8")
    info = inspect_file(with_id)
    assert info.columns == ["colonne_1", "text"] and info.n_rows == 2
    question = tmp_path / "question.csv"
    question.write_text("Que pensez-vous de l'accompagnement proposé ?\n" + "\n".join(answers_text) + "\n",
                        encoding="utf-8")
    info = inspect_file(question)
    assert info.columns == ["Que pensez-vous de l'accompagnement proposé ?"] and info.n_rows == 3 and not info.notes
    instruction = tmp_path / "consigne.csv"
    instruction.write_text("Décrivez les difficultés rencontrées pendant le confinement.\n" + "\n".join(answers_text)
                           + "\n", encoding="utf-8")
    assert inspect_file(instruction).columns == ["Décrivez les difficultés rencontrées pendant le confinement."]
    named = tmp_path / "nommee.csv"
    named.write_text("id;Commentaires libres des professionnels\n1;" + answers_text[0] + "\n", encoding="utf-8")
    assert inspect_file(named).columns == ["id", "Commentaires libres des professionnels"]


def test_xlsx_title_rows_above_the_header_and_an_empty_first_sheet(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Lisez-moi"  # left empty
    sheet = book.create_sheet("Résultats")
    sheet["A1"] = "Enquête ODPE 2025 — assistants familiaux"
    sheet.merge_cells("A1:C1")
    sheet.append([])
    sheet.append(["id", "profession", "réponse"])
    for row in ROWS:
        sheet.append([row[0], row[1], row[3] or None])
    path = tmp_path / "export.xlsx"
    book.save(path)
    answers = read_answers(path, text="réponse")
    assert answers.attrs["sheet"] == "Résultats"
    assert answers["text"].fillna("").tolist() == [r[3] for r in ROWS]
    assert answers["source_row"].tolist() == [4, 5, 6, 7, 8]  # the sheet's own row numbers
    notes = " ".join(answers.attrs["notes"])
    assert "'Lisez-moi' est vide" in notes and "Enquête ODPE 2025" in notes and "ligne 3" in notes
    # a first row of column names is never skipped, even when a row below has more cells
    plain = tmp_path / "plain.xlsx"
    pd.DataFrame({"réponse": ["Plus calmes", "Moins de visites"], "note": [None, "x"]}).to_excel(plain, index=False)
    assert read_answers(plain, text="réponse")["text"].tolist() == ["Plus calmes", "Moins de visites"]


def test_xlsx_a_cell_merged_over_several_answers_holds_for_each_of_them(tmp_path):
    """A service typed once and merged beside its answers (as a formatted Excel table has it):
    every answer keeps its service; a cell merged across columns stays in its own column."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Service et profession", None, "Difficultés rencontrées", "Commentaire"])
    sheet.merge_cells("A1:B1")  # the header row is left as it is
    sheet.append(["ASE", "éducatrice", "Trop de dossiers par référent, on ne voit plus les enfants.", None])
    sheet.append([None, "assistante sociale", "Les visites médiatisées sont annulées faute de salle.", None])
    sheet.append([None, "éducateur", "Peu de temps pour écrire les rapports au juge.", "urgent"])
    sheet.append(["PMI", "puéricultrice", "Les familles ne viennent plus aux consultations depuis la fermeture.", None])
    sheet.append([None, "médecin", "Le poste de psychologue est vacant depuis un an.", None])
    sheet.merge_cells("A2:A4")
    sheet.merge_cells("A5:A6")
    sheet.merge_cells("C5:D5")  # an answer spread over two columns: not copied into the comment
    path = tmp_path / "tableau_mis_en_forme.xlsx"
    book.save(path)
    answers = read_answers(path, text="Difficultés rencontrées", variables=["Service et profession", "Commentaire"])
    assert answers["Service et profession"].tolist() == ["ASE", "ASE", "ASE", "PMI", "PMI"]
    assert answers["Commentaire"].tolist() == [None, None, "urgent", None, None]
    assert answers["source_row"].tolist() == [2, 3, 4, 5, 6]
    notes = " ".join(answers.attrs["notes"])
    assert "cellules fusionnées" in notes and "A2:A4" in notes and "3 cellule(s)" in notes


def test_a_row_of_groups_above_the_header_is_no_header(tmp_path):
    """A formatted survey table: a title, a row of groups merged across their columns
    ("Identification", "Questions ouvertes") and a column named on both rows (merged down),
    then the column names. Read before as the header, the groups left the real column names as
    a first answer and the second question without a name."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Enquête ODPE 2024 — assistants familiaux", None, None, None, None])
    sheet.merge_cells("A1:E1")
    sheet.append(["N°", "Identification", None, "Questions ouvertes", None])
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:C2")
    sheet.merge_cells("D2:E2")
    sheet.append([None, "profession", "service", "Difficultés", "Ressources"])
    sheet.append([1, "assistante familiale", "Nord", "La fatigue, les nuits courtes.", "Mon conjoint"])
    sheet.append([2, "assistante familiale", "Sud", "Le manque de relais quand un enfant va mal.", None])
    sheet.append([3, "éducateur", "Nord", None, "Les collègues"])
    path = tmp_path / "enquete_mise_en_forme.xlsx"
    book.save(path)
    answers = read_answers(path, text=["Difficultés", "Ressources"])
    assert answers["respondent_id"].tolist() == ["1", "2", "3"] * 2
    assert answers["service"].tolist() == ["Nord", "Sud", "Nord"] * 2
    assert answers["status"].tolist() == ["ok", "ok", "empty", "ok", "empty", "ok"]
    assert "« Identification », « Questions ouvertes »" in " ".join(answers.attrs["notes"])


def test_the_extra_header_rows_of_qualtrics_and_surveymonkey_exports_are_no_answers(tmp_path):
    path = tmp_path / "qualtrics.csv"
    path.write_text('ResponseId,Q1,Q2\nResponse ID,Quelle est votre profession ?,Quelles difficultés rencontrez-vous ?\n'
                    '{"ImportId":"_recordId"},{"ImportId":"QID1"},{"ImportId":"QID2_TEXT"}\n'
                    "R_1,AF,La fatigue et les nuits courtes\nR_2,ES,Le manque de relais\n", encoding="utf-8")
    answers = read_answers(path, text="Q2")
    assert answers["status"].tolist() == ["non_answer", "non_answer", "ok", "ok"]  # kept, not counted
    assert answers["source_row"].tolist() == [2, 3, 4, 5]
    assert "Qualtrics" in answers["status_note"].iloc[0] and "ImportId" in " ".join(answers.attrs["notes"])
    chunks = list(iter_answers(path, text="Q2", chunksize=2))
    assert pd.concat(chunks)["status"].tolist() == ["non_answer", "non_answer", "ok", "ok"]
    # SurveyMonkey: a second row says what each column of a question holds
    path = tmp_path / "surveymonkey.csv"
    path.write_text("Respondent ID,Profession,Quelles difficultés ?,Autre\n,Response,Open-Ended Response,"
                    "Autre (veuillez préciser)\n101,AF,La fatigue,\n102,ES,Le manque de relais,rien\n", encoding="utf-8")
    answers = read_answers(path, text="Quelles difficultés ?")
    assert answers["status"].tolist() == ["non_answer", "ok", "ok"] and answers["source_row"].tolist() == [2, 3, 4]


def test_ods_a_cell_merged_over_several_answers_holds_for_each_of_them(tmp_path):
    """The same in a LibreOffice Calc file (pandas reads the covered cells as empty)."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="Réponses")
    rows = [(["Service", "Réponse"], None),
            (["Pôle enfance", "Les rencontres parents-enfants se font en visio."], 3),
            ([None, "Les éducateurs ne peuvent plus se déplacer."], None),
            ([None, "Les familles d'accueil sont épuisées."], None),
            (["PMI", "Les consultations reprennent."], None)]
    for cells, span in rows:
        row = TableRow()
        for j, value in enumerate(cells):
            if value is None:
                row.addElement(CoveredTableCell())
                continue
            cell = TableCell(valuetype="string", **({"numberrowsspanned": span} if span and j == 0 else {}))
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    doc.spreadsheet.addElement(table)
    doc.save(str(tmp_path / "export_calc.ods"))
    answers = read_answers(tmp_path / "export_calc.ods", text="Réponse", variables=["Service"])
    assert answers["Service"].tolist() == ["Pôle enfance"] * 3 + ["PMI"]
    assert "A2:A4" in " ".join(answers.attrs["notes"])
    # and in an Excel 97-2003 workbook (the same sheet, written with xlwt)
    old = read_answers(DATA / "cellules_fusionnees_97.xls", text="Réponse", variables=["Service"])
    assert old["Service"].tolist() == ["Pôle enfance"] * 3 + ["PMI"]
    assert old["text"].tolist() == answers["text"].tolist()


def test_an_answer_written_on_several_lines_without_quotes_stays_one_answer(tmp_path):
    """A hand-made export with line breaks inside an answer and no quotes: the lines that
    continue it are joined to it (they were rows of their own, their text in the id column and
    no answer), and said; a row holding only its id is no continuation."""
    path = tmp_path / "saisie_main.csv"
    path.write_text("id;service;réponse\n"
                    "1;ASE;On manque de familles d'accueil dans le secteur.\n"
                    "Les enfants attendent des mois en foyer\n"
                    "et les fratries sont séparées.\n"
                    "2;PMI;Les consultations ont repris en septembre.\n"
                    "3\n"
                    "4;ASE;Plus de formation sur les écrits professionnels.\n", encoding="utf-8")
    answers = read_answers(path, text="réponse", id="id", variables=["service"])
    assert answers["respondent_id"].tolist() == ["1", "2", "3", "4"]
    assert answers["text"].tolist()[0] == ("On manque de familles d'accueil dans le secteur.\n"
                                           "Les enfants attendent des mois en foyer\net les fratries sont séparées.")
    assert answers["status"].tolist() == ["ok", "ok", "empty", "ok"]
    assert answers["source_row"].tolist() == [2, 5, 6, 7]
    assert "suite lue ligne 3, 4" in answers["status_note"].iloc[0]
    assert any("plusieurs lignes sans guillemets" in n for n in answers.attrs["notes"])
    # read in chunks (retex terms on a large file): the same answers, and one note, not one per answer
    from retex_nlp import iter_answers

    chunks = list(iter_answers(path, text="réponse", id="id", chunksize=2))
    assert pd.concat(chunks)["text"].tolist() == answers["text"].tolist()
    assert sum("plusieurs lignes sans guillemets" in n for n in chunks[-1].attrs["notes"]) == 1

    # the answer in a middle column: its next line holds the rest of the row ("…;ASE"); the
    # second line had become a row of its own, its text as the respondent id and "ASE" an answer
    middle = tmp_path / "milieu.csv"
    middle.write_text("id;réponse;service\n"
                      "1;Plus de formation;ASE\n"
                      "2;Les consultations ont repris;PMI\n"
                      "3;On manque de familles d'accueil\n"
                      "dans le secteur;ASE\n"
                      "4;Les consultations ont repris\n"
                      "en septembre\n"
                      "avec les puéricultrices;PMI\n", encoding="utf-8")
    answers = read_answers(middle, text="réponse", id="id", variables=["service"])
    assert answers["respondent_id"].tolist() == ["1", "2", "3", "4"]
    assert answers["text"].tolist()[2:] == ["On manque de familles d'accueil\ndans le secteur",
                                            "Les consultations ont repris\nen septembre\navec les puéricultrices"]
    assert answers["service"].tolist() == ["ASE", "PMI", "ASE", "PMI"] and answers["status"].eq("ok").all()
    streamed = pd.concat(list(iter_answers(middle, text="réponse", id="id", variables=["service"], chunksize=1)))
    assert streamed["text"].tolist() == answers["text"].tolist()
    # a file whose rows lack their last cell: its rows are never merged (no service seen in a whole row)
    short = tmp_path / "courtes.csv"
    short.write_text("profession;réponse;service\nAssistante familiale;Bonne réponse\nÉducateur spécialisé;Autre réponse\n"
                     "Psychologue;Encore une;PMI\n", encoding="utf-8")
    answers = read_answers(short, text="réponse")
    assert answers["text"].tolist() == ["Bonne réponse", "Autre réponse", "Encore une"]
    assert answers["profession"].tolist()[:2] == ["Assistante familiale", "Éducateur spécialisé"]


def test_json_exports_list_object_and_lines(tmp_path):
    items = [{"id": 1, "texte": "Les enfants étaient plus apaisés."}, {"id": 2, "texte": None},
             {"id": 3, "texte": "Manque de moyens.", "tags": ["visio"]}]
    listed = tmp_path / "export.json"
    listed.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    answers = read_answers(listed, text="texte", id="id")
    assert answers["text"].fillna("").tolist() == ["Les enfants étaient plus apaisés.", "", "Manque de moyens."]
    assert answers["status"].tolist() == ["ok", "empty", "ok"] and answers["tags"].iloc[2] == '["visio"]'
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"enquete": "ODPE", "reponses": [*items, [1, 2]]}), encoding="utf-8")
    answers = read_answers(wrapped, text="texte")
    assert len(answers) == 4 and answers["status"].iloc[3] == "unreadable"  # the stray list is reported, not lost
    assert "'reponses'" in answers.attrs["notes"][0]
    lines = tmp_path / "lines.json"
    lines.write_text("\n".join(json.dumps(x) for x in items), encoding="utf-8")
    assert len(read_answers(lines, text="texte")) == 3
    broken = tmp_path / "broken.json"
    broken.write_text('[{"texte": "a"', encoding="utf-8")
    with pytest.raises(RetexInputError, match="broken.json.*JSON invalide"):
        read_answers(broken, text="texte")


def test_libreoffice_ods_export_reads_like_a_workbook(tmp_path):
    path = tmp_path / "export.ods"
    with pd.ExcelWriter(path, engine="odf") as writer:
        pd.DataFrame().to_excel(writer, sheet_name="Vide", index=False)
        pd.DataFrame([["Enquête ODPE 2025", None, None], [None, None, None], ["id", "profession", "réponse"],
                      *[[r[0], r[1], r[3] or None] for r in ROWS]]).to_excel(
            writer, sheet_name="Données", index=False, header=False)
    answers = read_answers(path, text="réponse", id="id")
    assert answers.attrs["format"] == "ods" and answers.attrs["sheet"] == "Données"
    assert answers["text"].fillna("").tolist() == [r[3] for r in ROWS]
    assert answers["status"].tolist() == ["ok", "ok", "non_answer", "empty", "ok"]
    assert answers["source_row"].tolist() == [4, 5, 6, 7, 8]
    assert read_answers(path, text="réponse", sheet="données")["profession"].iloc[0] == ROWS[0][1]


DATA = Path(__file__).resolve().parent / "data"


def test_an_excel_97_workbook_is_read_from_its_fullest_sheet():
    answers = read_answers(DATA / "ancien_excel_97.xls", text="difficultes", id="id")
    assert answers.attrs["format"] == "xls" and answers.attrs["sheet"] == "Réponses"
    assert any("Consignes" in note and "Réponses" in note for note in answers.attrs["notes"])
    assert answers["text"].tolist()[:2] == ["Trop de travail, je suis épuisée par les visites médiatisées.",
                                           "Pas assez de moyens ; l'équipe reste soudée malgré tout."]
    assert answers["status"].tolist() == ["ok", "ok", "empty", "non_answer", "ok"]
    assert answers["source_row"].tolist() == [2, 3, 4, 5, 6]
    assert answers["profession"].tolist()[1] == "Éducateur spécialisé"
    assert answers.loc[0, "date"].startswith("2025-03-12")
    # the first sheet is still there for who asks for it
    first = read_answers(DATA / "ancien_excel_97.xls", sheet=0)
    assert first.attrs["sheet"] == "Consignes"
    assert first["text"].tolist() == ["Lisez-moi : les réponses sont dans la feuille suivante."]


def test_a_web_page_saved_as_xls_is_read_as_its_table():
    answers = read_answers(DATA / "page_web.xls", text="difficultes", id="id")
    assert answers.attrs["format"] == "html"
    assert answers["text"].tolist() == ["Trop de travail, je suis épuisée.",
                                        "Pas assez de moyens & de temps ; l'équipe tient.", ""]
    assert answers["status"].tolist() == ["ok", "ok", "empty"]
    assert answers["profession"].tolist()[1] == "Éducateur spécialisé"


def test_a_few_lines_before_the_answers_sheet_do_not_hide_it(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Lisez-moi"
    book.active.append(["Enquête auprès des assistants familiaux — les réponses sont dans l'autre feuille."])
    answers_sheet = book.create_sheet("Réponses")
    answers_sheet.append(["id", "texte"])
    for i in range(6):
        answers_sheet.append([i + 1, f"Réponse numéro {i + 1} : trop de travail et pas assez de relais."])
    book.save(tmp_path / "deux.xlsx")
    answers = read_answers(tmp_path / "deux.xlsx", text="texte", id="id")
    assert len(answers) == 6 and answers.attrs["sheet"] == "Réponses"
    # two sheets of answers of comparable size: the first is read, as before
    for i in range(6):
        book["Lisez-moi"].append([f"Autre réponse {i} sur le manque de moyens."])
    book.save(tmp_path / "deux.xlsx")
    assert read_answers(tmp_path / "deux.xlsx").attrs["sheet"] == "Lisez-moi"


def test_column_names_are_cleaned_and_repeats_said(tmp_path):
    path = tmp_path / "entetes.csv"
    path.write_text("\ufeff\u200bid ;\u200b Texte ;Texte\n1;Trop de travail.;Pas de relais.\n1;Bonne équipe.;Soutien.\n",
                    encoding="utf-8")
    answers = read_answers(path, text="Texte", id="id")
    assert answers["text"].tolist() == ["Trop de travail.", "Bonne équipe."]
    assert answers["answer_id"].tolist() == ["1", "1#2"]
    assert answers["Texte.1"].tolist() == ["Pas de relais.", "Soutien."]
    notes = " | ".join(answers.attrs["notes"])
    assert "« Texte » en double" in notes and "identifiant(s) en double" in notes and "« 1 »" in notes


def test_an_excel_2003_xml_spreadsheet_saved_as_xls_is_read():
    answers = read_answers(DATA / "excel_xml_2003.xls", text="difficultes", id="id")
    assert answers.attrs["format"] == "xmlss" and answers.attrs["sheet"] == "Réponses"
    assert answers["text"].tolist() == ["Trop de travail & de visites, je suis épuisée.",
                                        "Pas assez de moyens ; l'équipe tient.", "=1+1 n'est pas une formule ici"]
    assert answers["source_row"].tolist() == [2, 3, 5]  # ss:Index rows keep their numbers
    assert answers["profession"].tolist() == ["Assistante familiale", None, "Psychologue"]  # ss:Index cells their column


def test_a_table_placed_lower_right_and_rows_of_empty_cells(tmp_path):
    """A sheet whose table starts at C3 (columns A and B unnamed and empty) gives no empty
    "colonne_1", "colonne_2" to every output; a CSV's rows of empty cells (";;", as Excel saves
    the formatted rows under a table) are no answers, as in a sheet; a column name quoted after
    a space (which CSV takes literally) is read without its quotes."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for j, name in enumerate(["Identifiant", "Service", "Votre réponse"]):
        sheet.cell(row=3, column=3 + j, value=name)
    for i, row in enumerate([("A1", "ASE", "Les visites sont trop espacées"), ("A2", "PMI", "Un vrai soutien")]):
        for j, value in enumerate(row):
            sheet.cell(row=4 + i, column=3 + j, value=value)
    sheet.cell(row=4, column=8, value="note en marge")  # an unnamed column with a value is kept
    book.save(tmp_path / "c3.xlsx")
    info = inspect_file(tmp_path / "c3.xlsx")
    assert info.columns == ["Identifiant", "Service", "Votre réponse", "colonne_8"]  # H: the sheet's column
    assert any("droite de l'en-tête (colonne(s) H)" in n for n in info.notes)
    assert info.text_column == "Votre réponse"
    answers = read_answers(tmp_path / "c3.xlsx", text="Votre réponse")
    assert answers["respondent_id"].tolist() == ["A1", "A2"] and answers["Service"].tolist() == ["ASE", "PMI"]
    assert answers["colonne_8"].tolist() == ["note en marge", None]

    path = tmp_path / "lignes_vides.csv"
    path.write_text("id;texte;service\n1;Bonjour à tous;ASE\n;;\n2;Au revoir;PMI\n3;;ASE\n;;\n;;\n", encoding="utf-8")
    for read in (read_answers, lambda p, **k: pd.concat(list(iter_answers(p, chunksize=2, **k)), ignore_index=True)):
        answers = read(path, text="texte")
        assert answers["respondent_id"].tolist() == ["1", "2", "3"]  # the row of an id alone stays, empty
        assert answers["status"].tolist() == ["ok", "ok", "empty"] and answers["source_row"].tolist() == [2, 4, 5]

    quoted = tmp_path / "guillemets.csv"
    quoted.write_bytes('"id" ; " Votre réponse "\r\n1;"Oui, vraiment"\r\n2;Non'.encode())
    answers = read_answers(quoted, text="Votre réponse")
    assert answers["text"].tolist() == ["Oui, vraiment", "Non"] and answers["open_question"].iloc[0] == "Votre réponse"


def _nvivo_project(path: Path) -> Path:
    """A REFI-QDA project as NVivo exports one: texts in the archive or inline, cases giving
    variables, codes nested (two sub-codes "Autres"), a PDF with its text, a PDF without, an
    audio file, a text kept outside the project, a variable named "text"."""
    import zipfile

    q = "urn:QDA-XML:project:1.0"
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{q}" name="RETEX AF" origin="NVivo 14">
 <CodeBook><Codes>
  <Code guid="c1" name="Conditions de travail" isCodable="true">
   <Code guid="c2" name="Épuisement" isCodable="true"><Description>Fatigue des équipes.</Description></Code>
   <Code guid="c3" name="Autres" isCodable="true"/>
  </Code>
  <Code guid="c4" name="Liens familiaux" isCodable="true"><Code guid="c5" name="Autres" isCodable="true"/></Code>
  <Code guid="c6" name="Autre" isCodable="true"/>
 </Codes></CodeBook>
 <Variables><Variable guid="v1" name="profession" typeOfVariable="Text"/>
  <Variable guid="v2" name="text" typeOfVariable="Text"/></Variables>
 <Cases>
  <Case guid="k1" name="AF Rouen"><VariableValue><VariableRef targetGUID="v1"/><TextValue>assistante familiale</TextValue>
   </VariableValue><VariableValue><VariableRef targetGUID="v2"/><TextValue>entretien</TextValue></VariableValue>
   <SourceRef targetGUID="s1"/><SourceRef targetGUID="s3"/></Case>
  <Case guid="k2" name="Psy"><VariableValue><VariableRef targetGUID="v1"/><TextValue>psychologue</TextValue></VariableValue>
   <SourceRef targetGUID="s2"/></Case>
 </Cases>
 <Sources>
  <TextSource guid="s1" name="Entretien 1" plainTextPath="internal://s1.txt">
   <PlainTextSelection guid="p1" startPosition="0" endPosition="10"><Coding guid="g1"><CodeRef targetGUID="c2"/></Coding>
    <Coding guid="g2"><CodeRef targetGUID="c5"/></Coding></PlainTextSelection>
   <PlainTextSelection guid="p2" startPosition="12" endPosition="20"><Coding guid="g3"><CodeRef targetGUID="c2"/></Coding>
   </PlainTextSelection>
  </TextSource>
  <TextSource guid="s2" name="Entretien 2"><PlainTextContent>Les visites médiatisées
sont trop courtes.</PlainTextContent>
   <PlainTextSelection guid="p3" startPosition="0" endPosition="5"><Coding guid="g4"><CodeRef targetGUID="c6"/></Coding>
   </PlainTextSelection></TextSource>
  <PDFSource guid="s3" name="Compte rendu" path="relative://cr.pdf">
   <Representation guid="r3" plainTextPath="internal://r3.txt"/></PDFSource>
  <PDFSource guid="s4" name="Scan" path="relative://scan.pdf"/>
  <AudioSource guid="s5" name="Audio" path="relative://a.mp3"/>
  <TextSource guid="s6" name="Entretien 3" plainTextPath="relative://dehors.txt"/>
 </Sources>
</Project>"""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde.encode("utf-8"))
        archive.writestr("Sources/s1.txt", "\ufeffOn est épuisées, les familles aussi.".encode())
        archive.writestr("Sources/r3.txt", "Réunion de synthèse : placement maintenu.".encode())
    return path


def test_a_refi_qda_project_is_read_as_answers(tmp_path):
    """A project exported from NVivo, ATLAS.ti, MAXQDA or QualCoder (.qdpx): one row per text
    source (a PDF's text too), its cases' variables as columns, the codes put on it; a text
    left outside the project keeps its row, unreadable with the reason; sources with no text
    are said, never dropped silently. (Before, a .qdpx was refused as a ZIP archive.)"""
    path = _nvivo_project(tmp_path / "retex.qdpx")
    answers = read_answers(path)
    assert answers["file"].tolist() == ["Entretien 1", "Entretien 2", "Compte rendu", "Entretien 3"]
    assert answers["text"].tolist()[:3] == ["On est épuisées, les familles aussi.",
                                            "Les visites médiatisées\nsont trop courtes.",
                                            "Réunion de synthèse : placement maintenu."]
    assert answers["status"].tolist() == ["ok", "ok", "ok", "unreadable"]
    assert "relative://dehors.txt" in answers["status_note"].iloc[3]
    assert answers["profession"].tolist() == ["assistante familiale", "psychologue", "assistante familiale", None]
    assert answers["variable_text"].tolist()[0] == "entretien"
    assert answers["codes_refi"].tolist() == ["Épuisement;Liens familiaux / Autres", "Autre", None, None]
    notes = " ".join(answers.attrs["notes"])
    assert "1 source(s) PDF sans texte" in notes and "1 source(s) audio sans texte" in notes
    # the codes named as the project's codebook names them: the two read together
    assert Codebook.read(path).names == ["Conditions de travail", "Épuisement", "Conditions de travail / Autres",
                                         "Liens familiaux", "Liens familiaux / Autres"]
    assert inspect_file(path).format == "qdpx"
    # a source whose only text is a Word document in the archive (as MAXQDA may export it)
    import io
    import zipfile

    import docx

    document = docx.Document()
    document.add_paragraph("Premier paragraphe.")
    document.add_paragraph("Second paragraphe.")
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(tmp_path / "riche.qdpx", "w") as archive:
        archive.writestr("project.qde", '<Project xmlns="urn:QDA-XML:project:1.0"><Sources>'
                         '<TextSource guid="a" name="E1" richTextPath="internal://a.docx"/>'
                         '<TextSource guid="b" name="E2" richTextPath="internal://b.docx"/></Sources></Project>')
        archive.writestr("Sources/a.docx", buffer.getvalue())
        archive.writestr("Sources/b.docx", b"pas un document")
    rich = read_answers(tmp_path / "riche.qdpx", text="text")
    assert rich["text"].tolist() == ["Premier paragraphe.\n\nSecond paragraphe.", ""]
    assert rich["status_note"].iloc[1] == "texte riche illisible (Sources/b.docx : document endommagé ?)"
    # as hand codes: "Autre" says "in no theme", a source with no code is not coded yet
    from retex_nlp.coding import read_codes

    assert dict(read_codes(path, themes=Codebook.read(path))) == {"1": "Épuisement;Liens familiaux / Autres", "2": ""}
    assert dict(read_codes(path, id_col="file", themes=Codebook.read(path))) == {
        "Entretien 1": "Épuisement;Liens familiaux / Autres", "Entretien 2": ""}


def test_one_testimony_typed_in_word_is_read_as_one(tmp_path):
    """A single Word or Writer document is one testimony (as in a folder of them), cut into
    segments like one; before, it was refused as "une archive ZIP (un .docx renommé ?)"."""
    import docx

    from retex_nlp.text.segment import is_testimony_corpus

    document = docx.Document()
    document.add_paragraph("Témoignage d'une assistante familiale.")
    document.add_paragraph("Nous avons accueilli trois enfants pendant le confinement, ce fut difficile.")
    document.save(tmp_path / "temoignage.docx")
    answers = read_answers(tmp_path / "temoignage.docx", text="text")
    assert answers["file"].tolist() == ["temoignage.docx"] and answers["status"].tolist() == ["ok"]
    assert answers["text"].iloc[0] == ("Témoignage d'une assistante familiale.\n\nNous avons accueilli trois enfants "
                                       "pendant le confinement, ce fut difficile.")
    assert is_testimony_corpus(answers)
    (tmp_path / "abime.docx").write_bytes(b"PK\x03\x04 pas un document")
    with pytest.raises(RetexInputError, match=r"abime\.docx : document Word illisible"):
        read_answers(tmp_path / "abime.docx", text="text")
