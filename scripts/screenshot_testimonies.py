"""The guide's picture of quotes from testimonies (docs/img/rapport_temoignages.png).

    python scripts/screenshot_testimonies.py

Builds the folder of 16 testimonies the tests use (four real Grand Débat answers each, with a
metadonnees.csv), runs ``rx.analyse`` on it with the default settings, opens the report in
headless Chromium (Debian's, offline), unfolds one whole testimony and takes the picture.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import retex_nlp as rx  # noqa: E402
from test_segment import _testimony_folder  # noqa: E402


def main() -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    work = Path(tempfile.mkdtemp(prefix="temoignages_"))
    folder, _ = _testimony_folder(work)
    rx.analyse(folder, by="profession", attribution="{profession}, {service}", seed=0, out=work / "projet")
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1100,1500",
                "--host-resolver-rules=MAP * ~NOTFOUND"):
        options.add_argument(arg)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get((work / "projet" / "rapport" / "report.html").as_uri())
        heading = next(h for h in driver.find_elements("tag name", "h2") if "disent" in h.text)
        driver.find_elements("css selector", "blockquote details summary")[1].click()
        driver.execute_script("arguments[0].scrollIntoView();", heading)
        time.sleep(0.5)
        driver.save_screenshot(str(ROOT / "docs" / "img" / "rapport_temoignages.png"))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
