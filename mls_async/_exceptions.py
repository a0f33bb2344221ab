"""The typed error hierarchy. Every failure of a client call is an ``MLSClientError``.

HTTP statuses and transport failures are mapped to these classes in exactly one
place, :func:`mls_async._response.error_for_status` and the base client's send loop.
"""

from __future__ import annotations

__all__ = [
    "MLSClientError",
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
    """A client was configured with an invalid or missing setting."""

    def __init__(self, msg: str) -> None:
        super().__init__(400, msg)


class MLSValidationError(MLSClientError, ValueError):
    """An SDK method was called with bad arguments; raised before any request."""

    def __init__(self, msg: str) -> None:
        super().__init__(400, msg)


class MLSBadRequestError(MLSClientError):
    """400 or 422: the server rejected the request."""


class MLSUnauthorizedError(MLSClientError):
    """401: missing or wrong credentials."""


class MLSForbiddenError(MLSClientError):
    """403: the account may not do this."""


class MLSNotFoundError(MLSClientError):
    """404: no such resource."""


class DoesNotExist(MLSNotFoundError):
    """Nothing matched a lookup (the original SDK's name for a 404)."""

    def __init__(self, msg: str = "결과가 존재하지 않습니다", **kwargs) -> None:
        super().__init__(404, msg, **kwargs)


class DatasetError(DoesNotExist):
    """No dataset matched (the original ``sktmls.datasets.DatasetError``)."""


class MLSConflictError(MLSClientError):
    """409: the resource exists already, or more than one matched."""


class MLSRateLimitError(MLSClientError):
    """429: too many requests."""


class MLSServerError(MLSClientError):
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
