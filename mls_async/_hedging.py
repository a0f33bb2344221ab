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
            Default 95, as in "The Tail at Scale": a tail of up to about 5% of reads lies
            beyond it and is hedged. (A higher percentile hedges fewer reads, but a tail
            larger than what lies beyond it would hold the delay in the tail itself.)
        min_ratio: never hedge sooner than this multiple of the median latency (default
            1.5). A copy takes about the median itself, so one sent when a read is barely
            slower than usual seldom answers first: on a store whose reads all take about
            the same time, this keeps copies to the few reads that are truly late.
        min_delay: never hedge sooner than this many seconds after the first request
            (default 10 ms: below that a copy costs more than the wait it could save).
        max_delay: never wait longer than this many seconds before hedging (default 1 s).
        budget: hedges allowed per request sent, on average (default 0.05: at most 5% more
            requests, whatever the latencies; a store slow everywhere gets no storm of copies).
        burst: hedges allowed at once after a quiet spell (the token bucket's depth, default 10).
        min_samples: latencies seen before the first hedge (default 20); until then there is
            no basis for a delay.

    Latencies are learned per profile API (``users``/``items`` of one profile) from the
    requests that answered; a request a copy overtook (and that was aborted) is no sample.
    """

    enabled: bool = True
    percentile: float = 95.0
    min_ratio: float = 1.5
    min_delay: float = 0.010
    max_delay: float = 1.0
    budget: float = 0.05
    burst: float = 10.0
    min_samples: int = 20

    def __post_init__(self) -> None:
        if not 0 < self.percentile < 100:
            raise ValueError(f"percentile={self.percentile!r} must be between 0 and 100 (exclusive), e.g. 95")
        if not self.min_ratio >= 0:
            raise ValueError(f"min_ratio={self.min_ratio!r} must be a multiple of the median latency >= 0, e.g. 1.5")
        if self.min_delay < 0 or self.max_delay < self.min_delay:
            raise ValueError(
                f"min_delay={self.min_delay!r} and max_delay={self.max_delay!r} must satisfy "
                "0 <= min_delay <= max_delay"
            )
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
    """The most recent latencies (a ring buffer) and percentiles of them (the hedger keeps what it needs)."""

    def __init__(self, size: int = 512) -> None:
        self._samples: list[float] = []
        self._size = size
        self._next = 0

    def __len__(self) -> int:
        return len(self._samples)

    def add(self, seconds: float) -> None:
        if len(self._samples) < self._size:
            self._samples.append(seconds)
        else:
            self._samples[self._next] = seconds
            self._next = (self._next + 1) % self._size

    def percentiles(self, *qs: float) -> list[float]:
        """The ``q``-th percentiles (nearest rank) of the window, from one sort; empty when it is."""
        if not self._samples:
            return []
        ordered = sorted(self._samples)
        return [ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)] for q in qs]

    def percentile(self, q: float) -> float | None:
        """The ``q``-th percentile (nearest rank) of the window, or None when it is empty."""
        found = self.percentiles(q)
        return found[0] if found else None


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

    - ``lookups``: lookups asked for (identical concurrent ones merged into one request
      still count one each);
    - ``requests``: requests sent to the profile API (first requests, batch requests and
      hedges; a retry after an error is not counted), so ``requests / lookups`` is the load
      a service puts on the store per lookup;
    - ``hedges_sent``, ``hedges_won`` (the copy answered first), ``hedges_denied`` (the
      budget was spent);
    - ``timeouts``: lookups still pending when a deadline passed;
    - ``cancelled``: requests aborted because every caller waiting for them had gone (a
      cancelled caller, or a deadline), not counting the copies a hedge race aborted.
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
            self.__dict__[name] += n

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}


class Hedger:
    """Per profile API: decides whether and when a lookup in flight gets a hedge.

    It shares its stats' lock: one lock per client guards its counters and its hedgers, and a
    request costs one acquisition when it is sent and one when it answers. The delay a
    request gets (:meth:`sent`) is recomputed every ``refresh_every`` answers, not per request.
    """

    def __init__(self, policy: HedgingPolicy, stats: LookupStats | None = None, *, refresh_every: int = 32) -> None:
        self.policy = policy
        self.stats = stats if stats is not None else LookupStats()
        self._latencies = LatencyWindow()
        self._bucket = TokenBucket(policy.budget, policy.burst)
        self._lock = self.stats._lock
        self._refresh_every = refresh_every
        self._since_refresh = 0
        self._delay: float | None = None  # what sent() answers, refreshed as latencies come in

    def sent(self) -> float | None:
        """A first request went out: it earns hedge budget. Seconds before its hedge, or None: no hedge."""
        stats = self.stats
        with self._lock:
            self._bucket.earn()
            stats.requests += 1
            return self._delay

    def answered(self, seconds: float, *, hedge: bool = False) -> None:
        """A request answered after ``seconds``: the latency feeds the delay; ``hedge``: a copy answered first."""
        with self._lock:
            self._latencies.add(seconds)
            if hedge:
                self.stats.hedges_won += 1
            self._since_refresh += 1
            if self._since_refresh >= self._refresh_every or (
                self._delay is None and len(self._latencies) >= self.policy.min_samples
            ):
                self._since_refresh = 0
                self._delay = self._current_delay()
        if hedge:
            logger.debug("hedge won after %.1f ms", seconds * 1000)

    def delay(self) -> float | None:
        """Seconds to wait before hedging a lookup sent now (from the latencies seen so far), or None: no hedge."""
        with self._lock:
            return self._current_delay()

    def _current_delay(self) -> float | None:
        policy = self.policy
        if not policy.enabled or len(self._latencies) < policy.min_samples:
            return None
        observed, median = self._latencies.percentiles(policy.percentile, 50.0)
        return min(policy.max_delay, max(policy.min_delay, observed, policy.min_ratio * median))

    def try_hedge(self) -> bool:
        """Whether the budget allows one more hedge now (it is spent if so)."""
        stats = self.stats
        with self._lock:
            allowed = self._bucket.spend()
            if allowed:
                stats.hedges_sent += 1
                stats.requests += 1
            else:
                stats.hedges_denied += 1
        if not allowed:
            logger.debug("hedge denied: budget spent")
        return allowed
