"""The access token asked for when the app listens on another interface than the local one.

Not an authentication system: a random token printed in the terminal, needed once in the URL
(``?token=…``) and then kept in a cookie, so that someone else on the network who finds the port
does not reach the answers. A team serving the app to several people puts it behind its own
reverse proxy and authentication (see the guide).
"""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

COOKIE = "retex_jeton"


class TokenGate:
    """ASGI middleware: HTTP requests and websockets pass only with the token (query or cookie)."""

    def __init__(self, app, token: str) -> None:
        self.app = app
        self.token = token

    def _given(self, scope) -> tuple[bool, bool]:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        in_query = any(secrets.compare_digest(t, self.token) for t in query.get("token", []))
        cookie = SimpleCookie()
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                cookie.load(value.decode("latin-1"))
        in_cookie = COOKIE in cookie and secrets.compare_digest(cookie[COOKIE].value, self.token)
        return in_query, in_cookie

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        in_query, in_cookie = self._given(scope)
        if not (in_query or in_cookie):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            body = "Accès refusé : ouvrez l'adresse complète affichée au lancement de « retex app » (avec ?token=…).".encode()
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] == "http" and in_query and not in_cookie:
            async def with_cookie(message):
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    headers.append((b"set-cookie", f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/".encode()))
                    message = {**message, "headers": headers}
                await send(message)

            await self.app(scope, receive, with_cookie)
            return
        await self.app(scope, receive, send)
