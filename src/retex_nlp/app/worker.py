"""The app's long steps, each in a process of its own: the page never waits on them, and
"Annuler" ends the process.

``python -m retex_nlp.app.worker JOB.json`` runs one step of the public API (``analyse``,
``train``: a review round, ``render``: the report, ``lexicometry``: Reinert's classification with
its profiles, AFC and similitudes in ``rapport/lexicometrie/``) and writes its progress, then its outcome,
as JSON lines in the job's log file::

    {"step": "Termes", "i": 3, "n": 5}
    {"done": true, "project": "/chemin/du/projet"}     or     {"error": "fichier …, ligne 12 : …"}

A retex_nlp error is written as its French message (file, row, column); anything else as a
short French sentence, the traceback going to the job's ``erreurs.log`` only.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path

#: The steps :func:`retex_nlp.analyse` reports, in order (its ``progress`` messages).
ANALYSE_STEPS = ["Lecture des réponses", "Pseudonymisation", "Termes", "Thèmes / codage",
                 "Écriture du projet et du rapport"]
TRAIN_STEPS = ["Ouverture du projet", "Apprentissage sur vos codes et nouveau codage", "Écriture du projet et du rapport"]
RENDER_STEPS = ["Ouverture du projet", "Écriture du rapport (HTML, Excel, Word, REFI-QDA)"]
LEXICOMETRY_STEPS = ["Ouverture du projet", "Segments, lemmes et classification de Reinert",
                     "Profils, AFC, similitudes et pages de résultats"]


class _Log:
    def __init__(self, path: Path, steps: list[str]) -> None:
        self.path, self.steps, self.i = path, steps, 0

    def write(self, event: dict) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(event, ensure_ascii=False) + "\n")

    def step(self, message: str) -> None:
        self.i += 1
        self.write({"step": message, "i": self.i, "n": len(self.steps)})


def run(job: dict) -> int:
    """Run one job (see the module docstring); 0 when it succeeded."""
    import retex_nlp as rx

    log_path = Path(job["log"])
    action, args = job["action"], job.get("args", {})
    steps = {"analyse": ANALYSE_STEPS, "train": TRAIN_STEPS, "render": RENDER_STEPS,
             "lexicometry": LEXICOMETRY_STEPS}[action]
    log = _Log(log_path, steps)
    try:
        if action == "analyse":
            project = rx.analyse(args["source"], text=args["text"], id=args.get("id") or None,
                                 by=args.get("by") or None, codebook=args.get("codebook") or None,
                                 n_themes=args.get("n_themes") or None, title=args.get("title") or None,
                                 clusterer=args.get("clusterer") or "hdbscan",
                                 sheet=args.get("sheet") or None, out=args["out"], progress=log.step)
            log.write({"done": True, "project": str(project.path)})
        elif action == "train":
            log.step(TRAIN_STEPS[0])
            project = rx.Project.open(args["project"])
            log.step(TRAIN_STEPS[1])
            project.train(args["codes"])
            log.step(TRAIN_STEPS[2])
            project.save()
            log.write({"done": True, "project": str(project.path)})
        elif action == "lexicometry":
            log.step(LEXICOMETRY_STEPS[0])
            project = rx.Project.open(args["project"])
            log.step(LEXICOMETRY_STEPS[1])
            shown = project.answers.assign(text=project.texts["shown"].to_numpy())  # already pseudonymised
            result = rx.reinert(shown, k=int(args.get("k") or 10), by=project.by or None,
                                seed=int(project.settings.get("seed", 0)), pseudonymize=False)
            log.step(LEXICOMETRY_STEPS[2])
            rx.write_reinert(result, project.path / "rapport" / "lexicometrie",
                             title=f"Classification de Reinert — {project.settings.get('title') or project.path.name}")
            log.write({"done": True, "project": str(project.path)})
        else:
            log.step(RENDER_STEPS[0])
            project = rx.Project.open(args["project"])
            log.step(RENDER_STEPS[1])
            project.render()
            log.write({"done": True, "project": str(project.path)})
        return 0
    except rx.RetexError as exc:
        log.write({"error": str(exc)})
    except MemoryError:
        log.write({"error": "mémoire insuffisante pour ce calcul : essayez sur moins de réponses"})
    except Exception as exc:  # noqa: BLE001 - the user gets a sentence, the developer the traceback
        (log_path.parent / "erreurs.log").write_text(traceback.format_exc(), encoding="utf-8")
        log.write({"error": f"erreur inattendue ({type(exc).__name__} : {exc}) ; le détail technique est dans "
                            f"{log_path.parent / 'erreurs.log'}"})
    return 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    return run(job)


if __name__ == "__main__":  # pragma: no cover - run by the app as a separate process
    sys.exit(main())
