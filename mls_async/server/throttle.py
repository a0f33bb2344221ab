"""Failed logins per client address and account, and the pause they earn."""

from __future__ import annotations

import time

__all__ = ["LoginThrottle"]


class LoginThrottle:
    """Failed logins per (client address, account): after ``attempts`` in a row, a pause that doubles.

    Keyed by address too, so that nobody can lock an account out for its owner elsewhere;
    a success resets the count.
    """

    def __init__(self, attempts: int, first_pause: float = 1.0, max_pause: float = 300.0) -> None:
        self.attempts, self.first_pause, self.max_pause = attempts, first_pause, max_pause
        self._failures: dict[tuple[str, str], tuple[int, float]] = {}  # -> (failures, paused until)

    def wait(self, address: str, account: str) -> float:
        """Seconds this address must wait before trying ``account`` again (0: go ahead)."""
        entry = self._failures.get((address, account))
        return max(0.0, entry[1] - time.monotonic()) if entry else 0.0

    def failed(self, address: str, account: str) -> None:
        failures = self._failures.get((address, account), (0, 0.0))[0] + 1
        pause = 0.0
        if failures >= self.attempts:
            pause = min(self.max_pause, self.first_pause * 2 ** (failures - self.attempts))
        if len(self._failures) > 10_000:  # bounded memory under a spray of names
            self._failures.clear()
        self._failures[(address, account)] = (failures, time.monotonic() + pause)

    def succeeded(self, address: str, account: str) -> None:
        self._failures.pop((address, account), None)
