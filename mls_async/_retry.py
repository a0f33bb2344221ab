"""When to retry a failed request and how long to wait first.

Retries cover connection errors, timeouts and 408/429/5xx answers. A request that may
have reached the server is retried only when repeating it is safe: an idempotent
method, or a POST carrying an idempotency key to a server that announced (in its
``MLS-Capabilities`` header) that it deduplicates on it.

A call stops retrying when the server asks to wait longer than ``max_retry_after``
(waiting less than asked would only be refused again), and when the next wait would
end past ``deadline`` seconds after the call began.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from mls_async._exceptions import (
    MLSClientError,
    MLSConnectionError,
    MLSRateLimitError,
    MLSServerError,
    MLSTimeoutError,
)

__all__ = ["RetryPolicy", "IDEMPOTENT_METHODS", "parse_retry_after"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, capped; ``Retry-After`` honoured up to a cap; an overall deadline.

    ``deadline``: seconds from the start of a call after which no retry begins (None: none).
    """

    max_retries: int = 2
    initial_delay: float = 0.25
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    deadline: float | None = 120.0

    @staticmethod
    def is_transient(error: MLSClientError) -> bool:
        """Whether ``error`` may go away on its own: transport failures, 408, 429 and 5xx."""
        if isinstance(error, (MLSTimeoutError, MLSConnectionError)):
            return True
        if isinstance(error, (MLSServerError, MLSRateLimitError)) or error.status == 408:
            return error.status in RETRYABLE_STATUSES
        return False

    def is_unsafe_to_repeat(self, error: MLSClientError, method: str) -> bool:
        """A transient failure of a non-idempotent request: it may or may not have been applied."""
        return self.is_transient(error) and method.upper() not in IDEMPOTENT_METHODS

    def should_retry(self, error: MLSClientError, method: str, *, has_idempotency_key: bool, sent: bool) -> bool:
        """Whether ``error`` for a ``method`` request is worth another attempt.

        ``has_idempotency_key`` means the request carries a key *and* the server
        announced that it deduplicates on it.
        """
        if not self.is_transient(error):
            return False
        if not sent:  # the request never left: repeating it is always safe
            return True
        return method.upper() in IDEMPOTENT_METHODS or has_idempotency_key

    def delay(self, attempt: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait before retry number ``attempt`` (0-based); None: do not retry.

        A ``Retry-After`` longer than ``max_retry_after`` gives up at once: a retry sent
        before the server's time would be refused again.
        """
        if retry_after is not None and retry_after >= 0:
            return retry_after if retry_after <= self.max_retry_after else None
        return self.backoff(attempt)

    def backoff(self, attempt: int) -> float:
        """Seconds of exponential backoff with full jitter before retry number ``attempt`` (0-based)."""
        ceiling = min(self.max_delay, self.initial_delay * (2**attempt))
        return random.uniform(ceiling / 2, ceiling)

    def within_deadline(self, elapsed: float, delay: float) -> bool:
        """Whether a retry after waiting ``delay`` more seconds still begins within the deadline."""
        return self.deadline is None or elapsed + delay <= self.deadline


def parse_retry_after(value: str | None) -> float | None:
    """Parse ``Retry-After`` (seconds or an HTTP date) into seconds; None when absent or bad."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
