"""The local web app: ``retex app [DOSSIER]``, for the people who never open Python.

A thin shell (Shiny for Python) over the public API and the project folder: open a file, choose
the columns from lists, run the themes or the codebook coding, work on the result (rename,
merge, split, move answers, pin or ban quotes, review the coder's proposals), download the
report. It listens on 127.0.0.1 only, works with no network (every asset is in the installed
packages), and keeps its state in project folders that ``retex report`` and
:meth:`retex_nlp.Project.open` read too.

>>> from retex_nlp.app import serve
>>> serve("mes_projets/")            # http://127.0.0.1:8765/
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import webbrowser
from pathlib import Path

from ..errors import RetexError, require

__all__ = ["create_app", "serve", "LOCAL_HOSTS", "DEFAULT_PORT"]

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
DEFAULT_PORT = 8765


def _shiny():
    require("shiny", "app")
    require("uvicorn", "app")


def create_app(workspace: str | Path, project: str | Path | None = None):
    """The app (an ASGI application) over ``workspace``, a folder of projects."""
    _shiny()
    from .server import create_app as _create

    return _create(workspace, project)


def _where(path: str | Path | None) -> tuple[Path, Path | None]:
    """(workspace, project to open): a project folder opens in its parent's workspace."""
    if path is None:
        return Path.home() / "retex_projets", None
    path = Path(path).expanduser().resolve()
    if (path / "projet.json").exists():
        return path.parent, path
    if path.exists() and not path.is_dir():
        raise RetexError(f"{path} n'est pas un dossier : indiquez un dossier de projets ou un projet")
    return path, None


def serve(path: str | Path | None = None, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
          open_browser: bool = True, say=print) -> None:
    """Start the app and block until Ctrl+C. ``path``: a project folder, or a folder of projects
    (default ``~/retex_projets``). On another interface than the local one (``host``), every
    request needs the access token printed here."""
    _shiny()
    import uvicorn

    from .access import TokenGate

    workspace, project = _where(path)
    app = create_app(workspace, project)
    token = None
    if host not in LOCAL_HOSTS:
        token = secrets.token_urlsafe(18)
        app = TokenGate(app, token)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise RetexError(f"impossible d'écouter sur {host}:{port} ({exc.strerror or exc}) : le port est peut-être "
                             "déjà pris ; choisissez-en un autre avec --port") from exc
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?projet={project.name}" if project else "")
    if token:
        url += ("&" if "?" in url else "?") + f"token={token}"
        say(f"ATTENTION : l'application écoute sur {host}, pas seulement sur cet ordinateur. Toute personne "
            "qui peut joindre ce port et connaît le jeton verra les réponses. Pour une équipe, placez-la derrière "
            "votre proxy et votre authentification (voir le guide).")
    say(f"retex_nlp : application ouverte sur {url}")
    say(f"Dossier de travail : {workspace}   (Ctrl+C pour arrêter)")
    if open_browser and not os.environ.get("RETEX_NO_BROWSER"):
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning")
