"""The local web app in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver``) driven by Selenium, the app started by ``retex app`` as a user would.

The browser tests run in a network namespace where only the loopback interface is up
(``unshare -n``): the app, the browser and its driver reach nothing but 127.0.0.1, so a page
that needed a CDN, a font download or usage statistics would fail here. ``test_app_suite_offline``
starts that run; inside it (``RETEX_APP_NETNS=1``) the browser tests themselves run. Where
``unshare`` is not permitted (not root), the browser tests run in the normal network, and say so.
Screenshots of each step go to ``docs/img/app_*.png`` with ``RETEX_UPDATE_SCREENSHOT=1``.
"""

from __future__ import annotations

import html
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from .conftest import BUNDLED, ROOT

pytest.importorskip("shiny", reason="the app extra is not installed (pip install 'retex_nlp[app]')")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
RETEX = Path(sys.executable).with_name("retex")
INSIDE = os.environ.get("RETEX_APP_NETNS") == "1"
SHOTS = ROOT / "docs" / "img"


def _can_isolate() -> bool:
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    return probe.returncode == 0


ISOLATE = not INSIDE and _can_isolate()
needs_browser = pytest.mark.skipif(CHROMIUM is None or DRIVER is None,
                                   reason="chromium and chromium-driver (Debian) are not installed: make test installs them")
browser_suite = pytest.mark.skipif(ISOLATE, reason="run inside a network namespace by test_app_suite_offline")


@needs_browser
@pytest.mark.skipif(not ISOLATE, reason="unshare -n not permitted here: the browser tests run in the normal network")
def test_app_suite_offline():
    """The browser tests below, run again in a network namespace with only loopback up."""
    env = {**os.environ, "RETEX_APP_NETNS": "1"}
    command = (f"ip link set lo up && exec {sys.executable} -m pytest -q -p no:cacheprovider -x "
               f"{Path(__file__)} -k 'not test_app_suite_offline'")
    run = subprocess.run(["unshare", "-n", "sh", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=1500)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    assert " passed" in run.stdout and " failed" not in run.stdout, run.stdout[-3000:]


# -- the app, started as a user starts it ------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.3)
    raise AssertionError(f"the app did not answer on {url}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workspace = tmp_path_factory.mktemp("projets")
    port = _free_port()
    log = open(workspace.parent / "app.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([str(RETEX), "app", str(workspace), "--no-browser", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "RETEX_NO_BROWSER": "1"})
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_http(url)
        yield {"url": url, "workspace": workspace, "proc": proc, "log": workspace.parent / "app.log"}
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("telechargements")


@pytest.fixture(scope="module")
def browser(downloads):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1000",
                "--lang=fr-FR", "--no-first-run", "--disable-background-networking"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver, condition, timeout: float = 60, what: str = ""):
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:  # an element found may be re-rendered by the app before it is read: look again
        return WebDriverWait(driver, timeout, poll_frequency=0.3,
                             ignored_exceptions=(StaleElementReferenceException,)).until(condition)
    except TimeoutException as exc:
        error = driver.find_elements("id", "message_erreur")
        raise AssertionError(f"waited {timeout}s for {what}; error shown: "
                             f"{error[0].text if error else '(none)'}") from exc


def _text_in(element_id: str, text: str):
    def check(driver):
        found = driver.find_elements("id", element_id)
        return found and text in found[0].text
    return check


def _shot(driver, name: str, tmp: Path, top: bool = True) -> None:
    if top:
        driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'});")
        time.sleep(0.2)
    path = tmp / f"app_{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    if os.environ.get("RETEX_UPDATE_SCREENSHOT"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SHOTS / path.name)


def _tab(driver, value: str) -> None:
    driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'});")
    _wait(driver, lambda d: d.find_element("css selector", f"a[data-value='{value}']").click() is None,
          timeout=10, what=f"the tab {value}")


def _upload(driver, path: Path) -> None:
    driver.find_element("id", "fichier").send_keys(str(path))


def _choose(driver, selectize_id: str, value: str) -> None:
    """Pick ``value`` in a selectize list as a user does: type, then Enter."""
    from selenium.common.exceptions import (
        ElementClickInterceptedException,
        StaleElementReferenceException,
    )
    from selenium.webdriver.common.keys import Keys

    for attempt in range(5):  # the page may still be laying out what it just received
        try:
            box = driver.find_element("id", f"{selectize_id}-selectized")
            driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", box)
            box.click()
            break
        except (ElementClickInterceptedException, StaleElementReferenceException):
            if attempt == 4:
                raise
            time.sleep(0.5)
    box.send_keys(value)
    time.sleep(0.4)
    box.send_keys(Keys.ENTER)
    box.send_keys(Keys.ESCAPE)


def _select(driver, element_id: str, text: str) -> list[str]:
    """Choose ``text`` in a plain <select>; its options as they were. The app may re-render the
    list between finding and choosing: find it again."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import Select

    for attempt in range(5):
        try:
            select = Select(driver.find_element("id", element_id))
            options = [o.text for o in select.options]
            select.select_by_visible_text(text)
            return options
        except StaleElementReferenceException:
            if attempt == 4:
                raise
            time.sleep(0.5)
    return []


def _click(driver, element_id: str) -> None:
    from selenium.common.exceptions import (
        ElementClickInterceptedException,
        StaleElementReferenceException,
    )

    for attempt in range(5):
        try:  # the element may be re-rendered between finding and clicking it: find it again
            element = driver.find_element("id", element_id)
            driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
            element.click()
            return
        except (ElementClickInterceptedException, StaleElementReferenceException):
            if attempt == 4:
                raise
            time.sleep(0.5)


# -- the tests -------------------------------------------------------------------------------------------------
@needs_browser
@browser_suite
def test_page_is_offline_french_and_labelled(server, browser):
    """Every asset comes from the app itself; every control has a label; the keyboard reaches them."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    browser.get(server["url"])
    _wait(browser, lambda d: d.find_elements("id", "fichier"), what="the page")
    time.sleep(1.5)
    assert browser.find_element("tag name", "html").get_attribute("lang") == "fr"
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources and all(r.startswith(server["url"]) or r.startswith("ws://127.0.0.1") for r in resources), \
        [r for r in resources if not r.startswith(server["url"])]
    unlabelled = browser.execute_script("""
        return Array.from(document.querySelectorAll('input, select, textarea, button')).filter(e => {
            if (e.type === 'hidden' || e.closest('.selectize-control') && e.id.endsWith('-selectized')) return false;
            const style = getComputedStyle(e);
            if (e.offsetParent === null && style.position !== 'fixed') return false;
            const label = (e.labels && e.labels.length) || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')
                || (e.tagName === 'BUTTON' && e.textContent.trim());
            return !label;
        }).map(e => e.outerHTML.slice(0, 120));""")
    assert not unlabelled, unlabelled
    focused = []
    for _ in range(8):  # the keyboard alone goes from the tabs to the controls
        ActionChains(browser).send_keys(Keys.TAB).perform()
        element = browser.switch_to.active_element
        focused.append(element.get_attribute("id") or element.tag_name)
    assert "fichier" in focused and "recent" in focused, focused
    assert "Fichier" in browser.page_source and "Ouvrir un fichier de réponses" in browser.page_source


@needs_browser
@browser_suite
def test_a_bad_file_gives_a_french_error(server, browser, tmp_path):
    bad = tmp_path / "reponses.xlsx"
    bad.write_bytes(b"ceci n'est pas un classeur Excel\x00\x01\x02" * 20)
    browser.get(server["url"])
    _wait(browser, lambda d: d.find_elements("id", "fichier"), what="the page")
    _upload(browser, bad)
    _wait(browser, _text_in("message_erreur", "reponses.xlsx"), what="the error message")
    message = browser.find_element("id", "message_erreur").text
    assert "classeur XLSX illisible" in message and "Traceback" not in browser.page_source
    _shot(browser, "erreur", tmp_path)


@needs_browser
@browser_suite
def test_themes_rename_and_the_downloaded_report(server, browser, downloads, tmp_path):
    """Open the bundled extract, pick the columns, run the themes, rename one, refresh the page
    (nothing lost), download the report: the new name is in it."""
    browser.get(server["url"])
    _wait(browser, lambda d: d.find_elements("id", "fichier"), what="the page")
    _upload(browser, BUNDLED)
    _wait(browser, _text_in("inspection", "grand_debat_extrait.csv"), what="the file summary")
    _wait(browser, _text_in("apercu", "Premières réponses"), what="the preview")
    _choose(browser, "variables", "theme")
    time.sleep(1)
    _wait(browser, _text_in("apercu", "ok"), timeout=10, what="the statuses in the preview")
    _shot(browser, "1_fichier", tmp_path)
    _click(browser, "vers_analyse")
    _wait(browser, lambda d: d.find_element("id", "lancer").is_displayed(), what="the analysis tab")
    _click(browser, "lancer")
    _wait(browser, lambda d: d.find_elements("id", "etape_en_cours"), timeout=30, what="the progress")
    _shot(browser, "2_analyse", tmp_path)
    _wait(browser, _text_in("themes_liste", "termes caractéristiques"), timeout=400, what="the themes")
    assert "?projet=" in browser.current_url
    from selenium.webdriver.support.ui import Select

    _wait(browser, lambda d: Select(d.find_element("id", "theme")).select_by_index(0) is None, timeout=10,
          what="the theme list")
    time.sleep(0.5)
    browser.find_element("id", "nouveau_nom").send_keys("Thème renommé dans l'application")
    _click(browser, "renommer")
    _wait(browser, _text_in("themes_liste", "Thème renommé dans l'application"), what="the renamed theme")
    _wait(browser, _text_in("citations", "«"), what="the quotes of the theme")
    _shot(browser, "3_themes", tmp_path)
    browser.refresh()  # the state is in the project: a refreshed page reopens it
    _wait(browser, _text_in("themes_liste", "Thème renommé dans l'application"), timeout=60,
          what="the project reopened after a refresh")
    _tab(browser, "groupes")
    _wait(browser, _text_in("par_groupe", "Thèmes selon theme"), what="the theme x group table")
    _shot(browser, "5_groupes", tmp_path)
    _tab(browser, "rapport")
    _click(browser, "preparer")
    _wait(browser, lambda d: "Rapport prêt" in d.page_source, timeout=180, what="the report")
    _shot(browser, "6_rapport", tmp_path)
    _click(browser, "dl_html")
    target = downloads / "report.html"
    end = time.time() + 30
    while not target.exists() and time.time() < end:
        time.sleep(0.3)
    assert target.exists(), list(downloads.iterdir())
    assert "Thème renommé dans l'application" in html.unescape(target.read_text(encoding="utf-8"))
    _click(browser, "lexicometrie")  # IRaMuTeQ's lexicometry of the same project
    _wait(browser, lambda d: "Analyse lexicométrique prête" in d.page_source, timeout=180, what="the lexicometry")
    _click(browser, "dl_chd_html")
    page = downloads / "chd.html"
    end = time.time() + 30
    while not page.exists() and time.time() < end:
        time.sleep(0.3)
    assert "Classe 1" in page.read_text(encoding="utf-8")
    projects = [p for p in server["workspace"].iterdir() if (p / "projet.json").exists()]
    assert len(projects) == 1 and (projects[0] / "prive" / "source" / BUNDLED.name).exists()
    import retex_nlp as rx

    reopened = rx.Project.open(projects[0])  # the app's project is the library's
    assert "Thème renommé dans l'application" in set(reopened.themes["label"])


@needs_browser
@browser_suite
def test_codebook_written_in_the_form_and_one_review_round(server, browser, tmp_path):
    frame = pd.read_csv(BUNDLED, dtype=str)
    small = frame[frame["question_code"].isin(["FIS_05", "ECO_06", "ECO_00"])].groupby("question_code").head(80)
    path = tmp_path / "enquete_courte.csv"
    small.to_csv(path, index=False)
    browser.get(server["url"])
    _wait(browser, lambda d: d.find_elements("id", "fichier"), what="the page")
    _upload(browser, path)
    _wait(browser, _text_in("apercu", "Premières réponses"), what="the preview")
    _click(browser, "vers_analyse")
    _wait(browser, lambda d: d.find_element("id", "lancer").is_displayed(), what="the analysis tab")
    browser.find_element("css selector", "input[name='methode'][value='grille']").click()
    _wait(browser, lambda d: d.find_elements("id", "g_nom"), what="the codebook form")
    for name, definition, words in [
            ("fiscalité", "Baisser, supprimer ou mieux répartir les impôts et les taxes.", "impôt, taxe, TVA"),
            ("transports", "Se déplacer : voiture, transports en commun, vélo, train.", "voiture, transport en commun, vélo"),
            ("énergie", "Produire et économiser l'énergie : nucléaire, renouvelables, isolation.", "nucléaire, éolien*, isolation")]:
        browser.find_element("id", "g_nom").send_keys(name)
        browser.find_element("id", "g_definition").send_keys(definition)
        browser.find_element("id", "g_mots").send_keys(words)
        _click(browser, "g_ajouter")
        _wait(browser, _text_in("grille_ui", name), what=f"the theme {name} in the codebook")
        _wait(browser, lambda d: d.find_element("id", "g_nom").get_attribute("value") == "", what="the form cleared")
    _shot(browser, "2_grille", tmp_path)
    _click(browser, "lancer")
    _wait(browser, _text_in("themes_liste", "fiscalité"), timeout=400, what="the coded themes")
    _tab(browser, "revue")
    field = browser.find_element("id", "n_revue")
    field.clear()
    field.send_keys("12")
    _click(browser, "proposer")
    _wait(browser, lambda d: d.find_elements("id", "valider_revue"), timeout=60, what="the review queue")
    boxes = browser.find_elements("css selector", "#rev_0 input[type='checkbox']")
    assert [b.get_attribute("value") for b in boxes] == ["fiscalité", "transports", "énergie"]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", boxes[0])
    boxes[0].click()  # the analyst corrects the first proposal
    _shot(browser, "4_revue", tmp_path, top=False)
    _click(browser, "valider_revue")
    _wait(browser, _text_in("accord", "Kappa moyen"), timeout=300, what="the agreement after the round")
    _wait(browser, _text_in("accord", "12 réponses codées à la main"), timeout=10, what="the number of coded answers")
    projects = sorted(p for p in server["workspace"].iterdir() if (p / "projet.json").exists())
    rounds = [r for p in projects for r in (p / "apprentissage").glob("tour_*.csv")] if projects else []
    assert len(rounds) == 1 and len(pd.read_csv(rounds[0])) == 12


@needs_browser
@browser_suite
def test_sheet_from_a_list_and_a_cancelled_run(server, browser, tmp_path):
    """A workbook's second sheet chosen from the list; a run cancelled: the page says so, the
    worker is gone and no project is written."""
    frame = pd.read_csv(BUNDLED, dtype=str)
    book = tmp_path / "enquete.xlsx"
    with pd.ExcelWriter(book) as writer:
        # a first sheet full enough to be read first (a few lines would be passed over for the answers)
        pd.DataFrame({"note": [f"consigne {i}" for i in range(25)]}).to_excel(writer, sheet_name="Lisez-moi", index=False)
        frame.head(300).to_excel(writer, sheet_name="Réponses", index=False)
    before = {p.name for p in server["workspace"].iterdir()}
    browser.get(server["url"])
    _wait(browser, lambda d: d.find_elements("id", "fichier"), what="the page")
    _upload(browser, book)
    _wait(browser, lambda d: d.find_elements("id", "feuille"), what="the sheet list")
    assert _select(browser, "feuille", "Réponses") == ["Lisez-moi", "Réponses"]
    _wait(browser, _text_in("inspection", "300"), what="the second sheet's rows")
    _wait(browser, _text_in("apercu", "Premières réponses"), what="the preview of the second sheet")
    _click(browser, "vers_analyse")
    _wait(browser, lambda d: d.find_element("id", "lancer").is_displayed(), what="the analysis tab")
    _click(browser, "lancer")
    _wait(browser, lambda d: d.find_elements("id", "annuler_calcul"), timeout=30, what="the cancel button")
    _click(browser, "annuler_calcul")
    _wait(browser, lambda d: "Calcul annulé" in d.page_source, what="the cancellation message")
    time.sleep(1)
    assert not browser.find_elements("id", "etape_en_cours")
    new = [p for p in server["workspace"].iterdir() if p.name not in before and not p.name.startswith(".")]
    assert new and not any((p / "projet.json").exists() for p in new)
    # this server's workers only (their spec lies in its workspace): another suite may run beside
    workers = subprocess.run(["pgrep", "-f", f"retex_nlp.app.worker {server['workspace']}"], capture_output=True,
                             text=True).stdout.split()
    assert not workers, workers


@needs_browser
@browser_suite
def test_text_contrast_is_readable(server, browser):
    """WCAG AA: every visible text (labels, buttons, tabs, muted notes) at least 4.5:1 on its background."""
    browser.get(server["url"])
    _wait(browser, lambda d: d.find_elements("id", "fichier"), what="the page")
    low = browser.execute_script("""
        function rgb(s) { const m = s.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : [...m, 1]; }
        function lum(c) { const v = c.slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
                          return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; }
        function background(e) { while (e) { const c = rgb(getComputedStyle(e).backgroundColor); if (c[3] > 0.5) return c; e = e.parentElement; }
                                 return [255, 255, 255, 1]; }
        const probe = document.createElement('p');  // a pale text the check must catch
        probe.textContent = 'sonde-contraste'; probe.style.color = '#bbbbbb';
        document.body.appendChild(probe);
        const out = [];
        for (const e of document.querySelectorAll('label, button, a.nav-link, p, .card-header, th, td, span')) {
            if (!e.offsetParent || !e.textContent.trim()) continue;
            const fg = rgb(getComputedStyle(e).color), bg = background(e);
            const a = lum(fg), b = lum(bg), ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            if (ratio < 4.5) out.push([e.tagName, e.textContent.trim().slice(0, 40), ratio.toFixed(2)]);
        }
        probe.remove();
        return out;""")
    assert [row[1] for row in low] == ["sonde-contraste"], low


# -- without a browser: the command itself -----------------------------------------------------------------------
def test_another_interface_needs_the_printed_token(tmp_path):
    port = _free_port()
    proc = subprocess.Popen([str(RETEX), "app", str(tmp_path), "--no-browser", "--port", str(port), "--host", "0.0.0.0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(3)]
        text = "".join(lines)
        assert "ATTENTION" in text and "token=" in text, text
        token = text.split("token=")[1].split()[0]
        _wait_http(f"http://127.0.0.1:{port}/?token={token}")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
        assert refused.value.code == 403 and "Accès refusé" in refused.value.read().decode("utf-8")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_busy_port_is_a_french_message(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([str(RETEX), "app", str(tmp_path), "--no-browser", "--port", str(port)],
                             capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "port" in run.stderr + run.stdout and "Traceback" not in run.stderr


def test_the_worker_runs_the_lexicometry_of_a_project(tmp_path):
    """The app's long step for IRaMuTeQ users: Reinert classes, profiles, AFC and similitudes of a
    project's pseudonymised texts, written in rapport/lexicometrie/, progress and outcome logged."""
    import json

    import retex_nlp as rx
    from retex_nlp.app.worker import LEXICOMETRY_STEPS, run

    frame = pd.read_csv(BUNDLED, dtype=str)
    frame = frame[frame["question_code"].isin(["FIS_05", "ECO_06"])].groupby("question_code").head(150)
    frame.loc[frame.index[0], "text"] = "Madame Leblanc dit que la santé coûte trop cher à sa famille."
    frame.to_csv(tmp_path / "enquete.csv", index=False)
    project = rx.analyse(tmp_path / "enquete.csv", text="text", by="question_code", embedder="tfidf",
                         names=["Leblanc"], out=tmp_path / "projet")
    log = tmp_path / "avancement.jsonl"
    assert run({"action": "lexicometry", "args": {"project": str(project.path), "k": 4}, "log": str(log)}) == 0
    events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [e["step"] for e in events if "step" in e] == LEXICOMETRY_STEPS and events[-1]["done"]
    out = tmp_path / "projet" / "rapport" / "lexicometrie"
    for name in ("chd.html", "lexicometrie.docx", "lexicometrie.xlsx", "afc.png", "similitudes.html"):
        assert (out / name).stat().st_size > 500, name
    classes = pd.read_csv(out / "classes.csv", dtype=str)
    assert not classes["text"].str.contains("Leblanc").any() and "question_code" in classes.columns
    bad = tmp_path / "erreur.jsonl"
    assert run({"action": "lexicometry", "args": {"project": str(tmp_path / "absent")}, "log": str(bad)}) == 1
    assert "dossier de projet introuvable" in json.loads(bad.read_text(encoding="utf-8").splitlines()[-1])["error"]


def test_a_zip_of_testimonies_becomes_the_folder_the_reader_reads(tmp_path):
    """The app's file picker takes a .zip of .txt testimonies with their metadonnees.csv: unpacked
    flat (a path in the archive never leaves the target), read as a folder of testimonies with
    their metadata; a zip without testimonies or a broken one gives a French error."""
    import zipfile

    import retex_nlp as rx
    from retex_nlp.app.server import unpack_testimonies

    texts = pd.read_csv(BUNDLED, dtype=str)["text"].head(6).tolist()
    archive = tmp_path / "entretiens.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i, text in enumerate(texts):
            zf.writestr(f"entretiens/t{i}.txt", text)
        zf.writestr("entretiens/metadonnees.csv", "fichier,profession\n" + "".join(
            f"t{i}.txt,{'Psychologue' if i % 2 else 'Éducateur'}\n" for i in range(6)))
        zf.writestr("../../evasion.txt", "hors du dossier")
        zf.writestr("__MACOSX/entretiens/._t0.txt", "métadonnées du Mac")
        zf.writestr("entretiens/photo.jpg", b"\xff\xd8")
    folder = unpack_testimonies(archive, tmp_path / "source" / "entretiens")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"t{i}.txt" for i in range(6)] + ["metadonnees.csv", "evasion.txt"])
    assert not (tmp_path / "evasion.txt").exists() and not (tmp_path.parent / "evasion.txt").exists()
    info = rx.inspect_file(folder)
    assert info.format == "txt-folder" and "profession" in info.columns
    answers = rx.read_answers(folder)
    assert answers.set_index("file").loc["t1.txt", "profession"] == "Psychologue"
    empty = tmp_path / "vide.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("notes.md", "rien")
    with pytest.raises(rx.RetexInputError, match="aucun témoignage"):
        unpack_testimonies(empty, tmp_path / "vide")
    (tmp_path / "casse.zip").write_bytes(b"PK\x03\x04 pas une archive")
    with pytest.raises(rx.RetexInputError, match="illisible"):
        unpack_testimonies(tmp_path / "casse.zip", tmp_path / "casse")
