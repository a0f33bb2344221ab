"""The logic DSL against the original's ``LogicProcessor``, live: the recorded cases and generated ones."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mls_async.logic import LogicProcessor
from mls_async.models import MLSModelError

if os.environ.get("MLS_PARITY_REQUIRED"):
    import sktmls  # noqa: F401
else:
    pytest.importorskip("sktmls", reason="the parity suite needs the original: pip install --no-deps sktmls==2026.10.7")
pytestmark = pytest.mark.parity


def _original(logic: Any, data: dict) -> dict[str, str]:
    from sktmls.utils.logic import LogicProcessor as Original

    try:
        value = Original().apply(logic, dict(data))
    except Exception as exc:  # noqa: BLE001 - an error is the answer
        return {"error": type(exc).__name__}
    return {"type": type(value).__name__, "repr": repr(value)}


def _ours(logic: Any, data: dict) -> dict[str, str]:
    try:
        value = asyncio.run(LogicProcessor.apply(logic, dict(data)))
    except MLSModelError as exc:
        return {"error": type(exc).__name__}
    return {"type": type(value).__name__, "repr": repr(value)}


def _agree(logic: Any, data: dict) -> None:
    expected, got = _original(logic, data), _ours(logic, data)
    if "error" in expected:
        assert "error" in got, f"{logic!r}: the original raises {expected['error']}, ours answered {got}"
    else:
        assert got == expected, f"{logic!r} on {data!r}"


def test_the_recorded_answers_are_the_originals_now():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "scripts/record_logic_answers.py", "--check"], cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(-5, 5, allow_nan=False),
    st.sampled_from(["", "a", "1", "2.5", "x y"]),
)
numbers = st.one_of(st.integers(-20, 20), st.floats(-20, 20, allow_nan=False, allow_infinity=False))
lists = st.lists(scalars, max_size=5)
BINARY = [
    "==",
    "===",
    "!=",
    "!==",
    "<",
    "<=",
    ">",
    ">=",
    "in",
    "contains",
    "is",
    "%",
    "/",
    "-",
    "get",
    "remove",
    "pick_in",
    "any_in",
    "all_in",
    "join",
    "repeat",
    "first",
]
VARIADIC = [
    "and",
    "or",
    "cat",
    "+",
    "*",
    "min",
    "max",
    "count",
    "merge",
    "list",
    "dict",
    "mean",
    "argmin",
    "argmax",
    "closest",
    "closest_upper",
    "closest_lower",
    "if_min",
    "if_max",
    "if_closest",
    "if_closest_upper",
    "if_closest_lower",
    "return",
]
UNARY = [
    "!",
    "!!",
    "all",
    "any",
    "int",
    "float",
    "str",
    "len",
    "empty",
    "unique",
    "remove_empty",
    "remove_duplicated",
    "abs",
    "exp",
    "sigmoid",
    "norm",
    "dict_keys",
    "dict_values",
    "km_to_latitude_degrees",
]
FAST = settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@FAST
@given(op=st.sampled_from(BINARY), a=st.one_of(scalars, lists), b=st.one_of(scalars, lists))
def test_binary_operators_agree(op, a, b):
    _agree({op: [a, b]}, {})


@FAST
@given(op=st.sampled_from(VARIADIC), args=st.lists(st.one_of(numbers, scalars), max_size=6))
def test_variadic_operators_agree(op, args):
    _agree({op: args}, {})


@FAST
@given(op=st.sampled_from(UNARY), a=st.one_of(scalars, lists, numbers))
def test_unary_operators_agree(op, a):
    _agree({op: [a]}, {})


@FAST
@given(
    path=st.sampled_from(["a", "a.b", "a.0", "l.1", "l.9", "", "n", "d.k", "d.x.y"]),
    default=st.one_of(st.none(), scalars),
)
def test_var_agrees(path, default):
    data = {"a": {"b": 1, "0": "zero"}, "l": [1, None, 3], "n": None, "d": {"k": [1]}}
    _agree({"var": [path, default]}, data)
    _agree({"missing": [path, "x"]}, data)
