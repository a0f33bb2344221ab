"""The httpx clients our clients own: httpx's, minus the cookie jar.

The MLS protocol sets no cookies, yet httpx parses every response into its jar and
merges the jar into every request; that was a sixth of the client's CPU per feature
lookup. These clients keep an empty jar that ignores ``Set-Cookie``.
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["AsyncHTTPClient", "HTTPClient"]


class _NoCookies(httpx.Cookies):
    def extract_cookies(self, response: httpx.Response) -> None:
        return None


_JAR = "_mls_no_cookies"


def _jar(client: Any) -> httpx.Cookies:
    jar = client.__dict__.get(_JAR)
    if jar is None:
        jar = client.__dict__[_JAR] = _NoCookies()
    return jar


class AsyncHTTPClient(httpx.AsyncClient):
    cookies = property(_jar, lambda client, value: None, doc="An empty jar that ignores Set-Cookie.")


class HTTPClient(httpx.Client):
    cookies = property(_jar, lambda client, value: None, doc="An empty jar that ignores Set-Cookie.")
