"""The typed error hierarchy. Every failure of a client call is an ``MLSClientError``.

As in openai-python, three kinds sit under the root:

- ``MLSAPIStatusError``: the server answered with an error status (``status``, the
  envelope's ``code`` and message, ``request_id``); one class per status below it;
- ``MLSConnectionError`` (and ``MLSTimeoutError``): no answer came back;
- ``MLSValidationError`` and ``MLSConfigError``: refused before any request, with no
  status or code (``code`` is None).

HTTP statuses and transport failures are mapped to these classes in exactly one
place, :func:`mls_async._response.error_for_response` and the base client's send loop.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MLSClientError",
    "MLSAPIStatusError",
    "MLSUnprocessableEntityError",
    "MLSConfigError",
    "MLSBadRequestError",
    "MLSUnauthorizedError",
    "MLSForbiddenError",
    "MLSNotFoundError",
    "DoesNotExist",
    "DatasetError",
    "MLSConflictError",
    "MLSRateLimitError",
    "MLSServerError",
    "MLSConnectionError",
    "MLSTimeoutError",
    "MLSValidationError",
    "ModelRegistryError",
    "MLSModelError",
]


class MLSClientError(Exception):
    """Root of every client error: ``code`` (status or platform code) and ``msg``.

    ``status`` is the HTTP status when a response was received, ``request_id`` the
    server's request id when it sent one.
    """

    def __init__(
        self,
        code: int | None = None,
        msg: str = "",
        *,
        status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.status = status
        self.request_id = request_id

    def __str__(self) -> str:
        return self.msg

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, msg={self.msg!r}, status={self.status!r})"


class MLSConfigError(MLSClientError, ValueError):
    """A client was configured with an invalid or missing setting (no request was sent: no code)."""

    def __init__(self, msg: str) -> None:
        super().__init__(None, msg)


class MLSValidationError(MLSClientError, ValueError):
    """An SDK method was called with bad arguments; raised before any request (no code)."""

    def __init__(self, msg: str) -> None:
        super().__init__(None, msg)


class MLSAPIStatusError(MLSClientError):
    """The server answered with an error status: ``status`` is it, ``code`` the envelope's code."""


class MLSBadRequestError(MLSAPIStatusError):
    """400: the server rejected the request."""


class MLSUnprocessableEntityError(MLSBadRequestError):
    """422: the request was well formed but could not be carried out (a model failed to predict, say)."""


class MLSUnauthorizedError(MLSAPIStatusError):
    """401: missing or wrong credentials."""


class MLSForbiddenError(MLSAPIStatusError):
    """403: the account may not do this."""


class MLSNotFoundError(MLSAPIStatusError):
    """404: no such resource."""


class DoesNotExist(MLSNotFoundError):
    """Nothing matched a lookup (the original SDK's name for a 404)."""

    def __init__(self, msg: str = "결과가 존재하지 않습니다", **kwargs: Any) -> None:
        super().__init__(404, msg, **kwargs)


class DatasetError(DoesNotExist):
    """No dataset matched (the original ``sktmls.datasets.DatasetError``)."""


class MLSConflictError(MLSAPIStatusError):
    """409: the resource exists already, or more than one matched."""


class MLSRateLimitError(MLSAPIStatusError):
    """429: too many requests."""


class MLSServerError(MLSAPIStatusError):
    """5xx: the server failed."""


class MLSConnectionError(MLSClientError):
    """The server could not be reached."""


class MLSTimeoutError(MLSConnectionError):
    """The request timed out."""


class ModelRegistryError(MLSClientError):
    """A model registry operation failed (save, load, checksum)."""

    def __init__(self, msg: str, code: int | None = None) -> None:
        super().__init__(code, msg)


class MLSModelError(Exception):
    """A model was built or used wrongly; the message says what and how to fix it."""

    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg = msg
