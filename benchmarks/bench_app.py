"""The web app: start-up, and upload -> first themes on the bundled extract, in a real browser.

    python benchmarks/bench_app.py [--out docs/benchmarks.md] [--runs 2]

``retex app`` is started as a user starts it (a fresh process) and timed until its page
answers; then headless Chromium (Selenium, Debian's chromium-driver) uploads
``corpora/grand_debat_extrait.csv``, keeps the proposed question column, runs the automatic
themes and waits for the themes table. Baseline in the same run: the same analysis as a whole
``retex analyse`` command (what an analyst would type instead), each with a cold embedding cache.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, markdown, replace_section  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpora" / "grand_debat_extrait.csv"
RETEX = Path(sys.executable).with_name("retex")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(workspace: Path) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    start = time.perf_counter()
    proc = subprocess.Popen([str(RETEX), "app", str(workspace), "--no-browser", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return proc, url, time.perf_counter() - start
        except OSError:
            if time.perf_counter() - start > 120:
                proc.kill()
                raise SystemExit("the app did not start in 120 s") from None
            time.sleep(0.05)


def upload_to_themes(url: str) -> float:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.get(url)
        WebDriverWait(driver, 60).until(lambda d: d.find_elements("id", "fichier"))
        start = time.perf_counter()
        driver.find_element("id", "fichier").send_keys(str(CORPUS))
        WebDriverWait(driver, 60).until(lambda d: d.find_elements("id", "vers_analyse"))
        driver.execute_script("document.getElementById('lancer').click();")
        WebDriverWait(driver, 900, poll_frequency=0.2).until(
            lambda d: "termes caractéristiques" in (d.find_elements("id", "themes_liste") or [None])[0].text
            if d.find_elements("id", "themes_liste") else False)
        return time.perf_counter() - start
    finally:
        driver.quit()


def cli_analyse(out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([str(RETEX), "analyse", str(CORPUS), "--text-col", "text", "--out", str(out)], check=True,
                   capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    rows = []
    for run in range(1, args.runs + 1):
        work = Path(tempfile.mkdtemp(prefix="bench_app_"))
        try:
            proc, url, startup = start_app(work / "projets")
            try:
                themes = upload_to_themes(url)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            baseline = cli_analyse(work / "cli")
        finally:
            shutil.rmtree(work, ignore_errors=True)
        rows.append({"run": run, "retex app: start until the page answers (s)": round(startup, 1),
                     "app: upload -> themes table shown (s)": round(themes, 1),
                     "baseline: retex analyse, whole command (s)": round(baseline, 1),
                     "app / baseline": f"{themes / baseline:.2f}"})
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    if args.out:
        section = "\n".join([
            "## The web app: start-up and first themes (`benchmarks/bench_app.py`)", "",
            f"Command: `python benchmarks/bench_app.py --out docs/benchmarks.md --runs {args.runs}`",
            f"Machine: {machine()}; headless Chromium {os.environ.get('CHROMIUM_VERSION', '(Debian)')} driven by"
            " Selenium. Data: `corpora/grand_debat_extrait.csv` (1,600 answers), cold embedding cache each run."
            " The app time runs from the file sent to the themes table on screen: upload, inspection, preview,"
            " the analysis in its worker process (read, pseudonymise, terms, embed, themes, quotes, report),"
            " then the project opened and its themes and quotes shown. Baseline: the same analysis as one"
            " `retex analyse` command, in the same run.", "",
            markdown(table), "",
        ])
        replace_section(args.out, "## The web app", section)


if __name__ == "__main__":
    main()
