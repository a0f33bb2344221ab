"""Hedged reads: when to send a second copy of a slow lookup, and how many such copies to allow.

A read that has not answered within a high percentile of recent latencies is likely stuck
behind a slow shard, a pause or a lost packet; a second identical request usually answers
first ("The Tail at Scale", Dean and Barroso, CACM 2013). Three parts, kept apart so that
each is tested on its own:

- :class:`HedgingPolicy`: the user's options (on/off, percentile, floor, budget).
- :class:`Hedger`: per profile API, the recent latencies and a token bucket, so that hedges
  stay a bounded share of requests and a store slow everywhere gets no storm of copies.
- :class:`LookupStats`: what the lookups did, for a service to watch its tail.

Only reads are hedged: the profile API's GETs, which repeat safely.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass, field, fields

__all__ = ["HedgingPolicy", "Hedger", "LatencyWindow", "LookupStats", "TokenBucket"]

logger = logging.getLogger("mls_async.hedging")


@dataclass(frozen=True)
class HedgingPolicy:
    """When a lookup gets a second, identical request.

    Args:
        enabled: hedge at all.
        percentile: the delay before a hedge is this percentile of recent latencies (0-100).
        min_delay: never hedge sooner than this many seconds after the first request.
        max_delay: never wait longer than this many seconds before hedging.
        budget: hedges allowed per request sent, on average (0.05: at most 5% more requests).
        burst: hedges allowed at once after a quiet spell (the token bucket's depth).
        min_samples: latencies seen before the first hedge; until then there is no basis for a delay.
    """

    enabled: bool = True
    percentile: float = 95.0
    min_delay: float = 0.010
    max_delay: float = 1.0
    budget: float = 0.05
    burst: float = 10.0
    min_samples: int = 20

    def __post_init__(self) -> None:
        if not 0 < self.percentile < 100:
            raise ValueError(f"percentile={self.percentile!r} must be between 0 and 100 (exclusive), e.g. 95")
        if self.min_delay < 0 or self.max_delay < self.min_delay:
            raise ValueError(f"min_delay={self.min_delay!r} and max_delay={self.max_delay!r} must satisfy "
                             "0 <= min_delay <= max_delay")
        if not 0 <= self.budget <= 1:
            raise ValueError(f"budget={self.budget!r} must be a share of requests between 0 and 1, e.g. 0.05")
        if self.burst < 1:
            raise ValueError(f"burst={self.burst!r} must be at least 1")
        if self.min_samples < 1:
            raise ValueError(f"min_samples={self.min_samples!r} must be at least 1")

    @classmethod
    def off(cls) -> HedgingPolicy:
        return cls(enabled=False)


class LatencyWindow:
    """The most recent latencies (a ring buffer) and a percentile of them, refreshed every few samples."""

    def __init__(self, size: int = 512, refresh_every: int = 32) -> None:
        self._samples: list[float] = []
        self._size = size
        self._next = 0
        self._refresh_every = refresh_every
        self._since_refresh = 0
        self._cached: dict[float, float] = {}

    def __len__(self) -> int:
        return len(self._samples)

    def add(self, seconds: float) -> None:
        if len(self._samples) < self._size:
            self._samples.append(seconds)
        else:
            self._samples[self._next] = seconds
            self._next = (self._next + 1) % self._size
        self._since_refresh += 1
        if self._since_refresh >= self._refresh_every:
            self._cached.clear()
            self._since_refresh = 0

    def percentile(self, q: float) -> float | None:
        """The ``q``-th percentile (nearest rank) of the window, or None when it is empty."""
        if not self._samples:
            return None
        cached = self._cached.get(q)
        if cached is None:
            ordered = sorted(self._samples)
            rank = max(0, math.ceil(q / 100 * len(ordered)) - 1)
            cached = self._cached[q] = ordered[rank]
        return cached


class TokenBucket:
    """Each request earns ``rate`` tokens (up to ``capacity``); a hedge spends one."""

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity

    def earn(self) -> None:
        self.tokens = min(self.capacity, self.tokens + self.rate)

    def spend(self) -> bool:
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


@dataclass
class LookupStats:
    """Counters of one profile client's lookups; read them, or ``snapshot()`` for a dict.

    ``requests`` counts every request sent (first tries, hedges and retries), so
    ``requests / lookups`` is the load a service puts on the store per lookup.
    """

    lookups: int = 0
    requests: int = 0
    hedges_sent: int = 0
    hedges_won: int = 0
    hedges_denied: int = 0
    timeouts: int = 0
    cancelled: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, name: str, n: int = 1) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + n)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}


class Hedger:
    """Per profile API: decides whether and when a lookup in flight gets a hedge."""

    def __init__(self, policy: HedgingPolicy, stats: LookupStats | None = None) -> None:
        self.policy = policy
        self.stats = stats if stats is not None else LookupStats()
        self._latencies = LatencyWindow()
        self._bucket = TokenBucket(policy.budget, policy.burst)
        self._lock = threading.Lock()

    def sent(self) -> None:
        """A first request went out: it earns hedge budget."""
        with self._lock:
            self._bucket.earn()
        self.stats.count("requests")

    def answered(self, seconds: float) -> None:
        """A request answered after ``seconds``: the latency feeds the delay."""
        with self._lock:
            self._latencies.add(seconds)

    def delay(self) -> float | None:
        """Seconds to wait before hedging a lookup sent now, or None: no hedge for it."""
        policy = self.policy
        if not policy.enabled:
            return None
        with self._lock:
            if len(self._latencies) < policy.min_samples:
                return None
            observed = self._latencies.percentile(policy.percentile)
        assert observed is not None
        return min(policy.max_delay, max(policy.min_delay, observed))

    def try_hedge(self) -> bool:
        """Whether the budget allows one more hedge now (it is spent if so)."""
        with self._lock:
            allowed = self._bucket.spend()
        if allowed:
            self.stats.count("hedges_sent")
            self.stats.count("requests")
        else:
            self.stats.count("hedges_denied")
            logger.debug("hedge denied: budget spent")
        return allowed
