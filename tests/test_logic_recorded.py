"""Our logic DSL against the original's recorded answers: same value and type, or both raising."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mls_async.logic import LogicProcessor
from mls_async.models import MLSModelError
from tests.logic_cases import CASES

RECORDED = json.loads((Path(__file__).parent / "fixtures" / "logic_answers.json").read_text())


def ours(logic: Any, data: dict) -> dict[str, str]:
    import asyncio

    try:
        value = asyncio.run(LogicProcessor.apply(logic, dict(data)))
    except MLSModelError as exc:  # where the original raises, ours raises an MLSModelError
        return {"error": type(exc).__name__}
    return {"type": type(value).__name__, "repr": repr(value)}


def test_the_fixture_covers_every_case_and_every_operator():
    from mls_async.logic import OPERATIONS

    assert [entry["logic"] for entry in RECORDED] == [repr(logic) for logic, _ in CASES]
    used: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict) and node:
            used.add(next(iter(node)))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for logic, _ in CASES:
        walk(logic)
    clock = {"weekday", "ndays", "day", "month", "year", "hour", "minute", "second", "microsecond", "now"}
    assert set(OPERATIONS) - clock - used == set()


@pytest.mark.parametrize("index", range(len(CASES)), ids=[repr(logic)[:60] for logic, _ in CASES])
def test_same_answer_as_the_original(index):
    logic, data = CASES[index]
    expected = {k: v for k, v in RECORDED[index].items() if k != "logic"}
    got = ours(logic, data)
    if "error" in expected:
        assert "error" in got, f"the original raises {expected['error']}; ours answered {got}"
    else:
        assert got == expected
