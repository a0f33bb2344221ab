"""The hedging policy on its own: the delay learned from latencies, the budget, the options' checks."""

from __future__ import annotations

import pytest

from mls_async._hedging import Hedger, HedgingPolicy, LatencyWindow, LookupStats, TokenBucket


def test_the_delay_is_the_percentile_of_recent_latencies_within_floor_and_ceiling():
    hedger = Hedger(HedgingPolicy(percentile=90, min_delay=0.005, max_delay=0.5, min_samples=10))
    for _ in range(9):
        hedger.answered(0.020)
    assert hedger.delay() is None  # too few samples to judge
    for ms in range(10, 101):  # latencies 10..100 ms
        hedger.answered(ms / 1000)
    assert hedger.delay() == pytest.approx(0.090)
    fast = Hedger(HedgingPolicy(min_delay=0.030, min_samples=1))
    fast.answered(0.001)
    assert fast.delay() == 0.030
    slow = Hedger(HedgingPolicy(max_delay=0.2, min_samples=1))
    slow.answered(5.0)
    assert slow.delay() == 0.2


def test_the_delay_is_never_shorter_than_a_multiple_of_the_median():
    hedger = Hedger(HedgingPolicy(percentile=95, min_ratio=1.5, min_delay=0.001, min_samples=1))
    for _ in range(100):
        hedger.answered(0.020)  # reads that all take about the same time
    assert hedger.delay() == pytest.approx(0.030)  # not 20 ms: a copy then would seldom answer first
    assert Hedger(HedgingPolicy(min_ratio=0, min_delay=0.001, min_samples=1)).delay() is None
    plain = Hedger(HedgingPolicy(min_ratio=0, min_delay=0.001, min_samples=1))
    plain.answered(0.020)
    assert plain.delay() == pytest.approx(0.020)


def test_a_disabled_policy_never_hedges():
    hedger = Hedger(HedgingPolicy.off())
    for _ in range(100):
        hedger.answered(0.02)
    assert hedger.delay() is None


def test_the_window_forgets_old_latencies():
    window = LatencyWindow(size=8)
    for _ in range(8):
        window.add(1.0)
    assert window.percentile(50) == 1.0
    for _ in range(8):
        window.add(0.01)
    assert window.percentile(99) == 0.01 and len(window) == 8


def test_the_budget_caps_hedges_as_a_share_of_requests():
    hedger = Hedger(HedgingPolicy(budget=0.1, burst=2))
    hedges = 0
    for _ in range(1000):
        hedger.sent()
        hedges += hedger.try_hedge()
    # the burst, then one hedge per ten requests
    assert 100 <= hedges <= 102
    stats = hedger.stats.snapshot()
    assert stats["hedges_sent"] == hedges and stats["requests"] == 1000 + hedges
    assert stats["hedges_denied"] == 1000 - hedges


def test_the_bucket_refills_only_as_requests_are_sent():
    bucket = TokenBucket(rate=0.5, capacity=1)
    assert bucket.spend() and not bucket.spend()
    bucket.earn()
    assert not bucket.spend()
    bucket.earn()
    assert bucket.spend()


@pytest.mark.parametrize(
    "options",
    [
        {"percentile": 0},
        {"percentile": 100},
        {"min_delay": -1},
        {"min_delay": 2, "max_delay": 1},
        {"budget": 1.5},
        {"burst": 0},
        {"min_samples": 0},
        {"min_ratio": -1},
        {"min_ratio": float("nan")},
    ],
)
def test_bad_options_are_refused_naming_the_option(options):
    with pytest.raises(ValueError, match=next(iter(options))):
        HedgingPolicy(**options)


def test_stats_snapshot_is_a_plain_dict():
    stats = LookupStats()
    stats.count("lookups", 3)
    stats.count("timeouts")
    assert stats.snapshot() == {
        "lookups": 3,
        "requests": 0,
        "hedges_sent": 0,
        "hedges_won": 0,
        "hedges_denied": 0,
        "timeouts": 1,
        "cancelled": 0,
    }
