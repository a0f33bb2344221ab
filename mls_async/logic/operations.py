"""The pure operators of the logic DSL: each takes evaluated arguments and returns a value."""

from __future__ import annotations

import math
import random
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["OPERATIONS"]

KST = ZoneInfo("Asia/Seoul")


def _soft_eq(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return str(a) == str(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b)
    return a == b


def _compare(op: Any, *args: Any) -> bool:
    try:
        if any(isinstance(a, (int, float)) and not isinstance(a, bool) for a in args):
            args = tuple(float(a) for a in args)
        return all(op(args[i], args[i + 1]) for i in range(len(args) - 1))
    except (TypeError, ValueError):
        return False


def _number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return float(value)
    return value


def _plus(*args: Any) -> Any:
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = tuple(args[0])
    return sum(_number(a) for a in args)


def _times(*args: Any) -> float:
    return math.prod(float(a) for a in args)


def _minus(*args: Any) -> Any:
    return -_number(args[0]) if len(args) == 1 else _number(args[0]) - _number(args[1])


def _divide(*args: Any) -> Any:
    return args[0] if len(args) == 1 else float(args[0]) / float(args[1])


def _choose(pairs: tuple, pick: Any) -> Any:
    scores, values = pairs[0::2], pairs[1::2]
    if not scores:
        return None
    return values[pick(range(len(scores)), key=lambda i: scores[i])]


def _closest(x: float, candidates: list, direction: int) -> Any:
    if direction > 0:
        candidates = [c for c in candidates if c >= x]
    elif direction < 0:
        candidates = [c for c in candidates if c <= x]
    return min(candidates, key=lambda c: abs(c - x)) if candidates else None


def _if_closest(args: tuple, direction: int) -> Any:
    x, rest = args[0], args[1:]
    candidates = list(rest[0::2])
    best = _closest(x, candidates, direction)
    return None if best is None else rest[1::2][candidates.index(best)]


def _merge(*args: Any) -> list:
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = tuple(args[0])
    merged: list = []
    for arg in args:
        merged.extend(arg) if isinstance(arg, (list, tuple)) else merged.append(arg)
    return merged


def _elementwise(cast: Any) -> Any:
    def apply(value: Any) -> Any:
        return [cast(v) for v in value] if isinstance(value, (list, tuple)) else cast(value)
    return apply


def _get(container: Any, key: Any, not_found: Any = None) -> Any:
    try:
        return container[key]
    except (KeyError, IndexError, TypeError):
        return not_found


def _make_dict(*args: Any) -> dict:
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = tuple(args[0])
    return dict(zip(args[0::2], args[1::2]))


def _remove_duplicated(values: list, key: Any = None) -> list:
    seen, out = set(), []
    for value in values:
        mark = repr(value.get(key) if key is not None and isinstance(value, dict) else value)
        if mark not in seen:
            seen.add(mark)
            out.append(value)
    return out


def _sample(values: list, n: int, seed: Any = None) -> list:
    return random.Random(seed).sample(list(values), min(int(n), len(values)))


def _sort(values: list, order: str | None = None) -> list:
    return sorted(values, reverse=order == "reverse")


def _sort_by(values: list, key: Any, order: str | None = None) -> list:
    return sorted(values, key=lambda v: v[key], reverse=order == "reverse")


def _now() -> datetime:
    return datetime.now(KST)


def _ndays() -> int:
    import calendar

    now = _now()
    return calendar.monthrange(now.year, now.month)[1]


def _strptime(value: str, fmt: str) -> datetime:
    return datetime.strptime(value, fmt).replace(tzinfo=KST)


def _timedelta(*args: Any) -> Any:
    from dateutil.relativedelta import relativedelta

    return relativedelta(**_make_dict(*args))


def _dt_plus(dt: datetime, *deltas: Any) -> datetime:
    for delta in deltas:
        dt = dt + delta
    return dt


def _geo_distance(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0088 * 2 * math.asin(math.sqrt(a))


def _numpy(name: str) -> Any:
    def apply(*args: Any) -> Any:
        import numpy as np

        if name == "inner":
            return np.inner(np.asarray(args[0], float), np.asarray(args[1], float)).tolist()
        if name == "exp":
            return np.exp(np.asarray(args[0], float)).tolist()
        if name == "sigmoid":
            return (1 / (1 + np.exp(-np.asarray(args[0], float)))).tolist()
        if name == "norm":
            return np.linalg.norm(np.asarray(args[0], float)).tolist()
        return np.mean(np.asarray(args[0], float), axis=0).tolist()
    return apply


def _seq(args: tuple) -> Any:
    return args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args


OPERATIONS: dict[str, Any] = {
    "==": _soft_eq,
    "!=": lambda a, b: not _soft_eq(a, b),
    "===": lambda a, b: type(a) is type(b) and a == b,
    "!==": lambda a, b: not (type(a) is type(b) and a == b),
    "<": lambda *a: _compare(lambda x, y: x < y, *a),
    "<=": lambda *a: _compare(lambda x, y: x <= y, *a),
    ">": lambda a, b: _compare(lambda x, y: x > y, a, b),
    ">=": lambda a, b: _compare(lambda x, y: x >= y, a, b),
    "!": lambda a: not a,
    "!!": lambda a: bool(a),
    "and": lambda *a: next((v for v in a if not v), a[-1] if a else True),
    "or": lambda *a: next((v for v in a if v), a[-1] if a else False),
    "all": lambda *a: all(_seq(a)),
    "any": lambda *a: any(_seq(a)),
    "?:": lambda c, a, b: a if c else b,
    "is": lambda a, b: a is b,
    "in": lambda a, b: a in b if isinstance(b, (list, tuple, dict, str, set)) else False,
    "contains": lambda b, a: a in b if isinstance(b, (list, tuple, dict, str, set)) else False,
    "any_in": lambda a, b: any(v in b for v in a),
    "all_in": lambda a, b: all(v in b for v in a),
    "if_min": lambda *a: _choose(a, min),
    "if_max": lambda *a: _choose(a, max),
    "if_closest": lambda *a: _if_closest(a, 0),
    "if_closest_upper": lambda *a: _if_closest(a, 1),
    "if_closest_lower": lambda *a: _if_closest(a, -1),
    "closest": lambda x, *c: _closest(x, list(c), 0),
    "closest_upper": lambda x, *c: _closest(x, list(c), 1),
    "closest_lower": lambda x, *c: _closest(x, list(c), -1),
    "cat": lambda *a: "".join(str(v) for v in a),
    "join": lambda values, sep: str(sep).join(str(v) for v in values),
    "split": lambda value, sep: [part.strip() for part in str(value).split(sep)],
    "+": _plus,
    "*": _times,
    "-": _minus,
    "/": _divide,
    "%": lambda a, b: _number(a) % _number(b),
    "inner": _numpy("inner"),
    "exp": _numpy("exp"),
    "sigmoid": _numpy("sigmoid"),
    "norm": _numpy("norm"),
    "mean": _numpy("mean"),
    "min": lambda *a: min(_seq(a)),
    "max": lambda *a: max(_seq(a)),
    "argmin": lambda values: min(range(len(values)), key=lambda i: values[i]),
    "argmax": lambda values: max(range(len(values)), key=lambda i: values[i]),
    "abs": abs,
    "round": lambda a, n=0: round(float(a), int(n)),
    "get": _get,
    "for_get": lambda values, key: [_get(v, key) for v in values],
    "int": _elementwise(lambda v: int(float(v))),
    "float": _elementwise(float),
    "str": _elementwise(str),
    "list": lambda *a: list(a),
    "dict": _make_dict,
    "dict_keys": lambda d: list(d.keys()),
    "dict_values": lambda d: list(d.values()),
    "pick": lambda values, indices: [values[i] for i in indices],
    "pick_in": lambda values, allowed: [v for v in values if v in allowed],
    "remove": lambda value, values: [v for v in values if v != value],
    "remove_empty": lambda values: [v for v in values if v not in (None, "", [], {})],
    "remove_duplicated": _remove_duplicated,
    "sample": _sample,
    "first": lambda values, n=1: list(values)[: int(n)],
    "replace": lambda old, new, values: [new if v == old else v for v in values],
    "repeat": lambda a, n: [a] * int(n),
    "range": lambda *a: list(range(*(int(v) for v in a))),
    "len": len,
    "empty": lambda a: not a,
    "unique": lambda values: list(dict.fromkeys(values)),
    "merge": _merge,
    "vmerge": lambda *lists: [list(row) for row in zip(*lists)],
    "count": lambda *a: sum(1 for v in _seq(a) if v),
    "sort": _sort,
    "sort_by": _sort_by,
    "weekday": lambda: _now().isoweekday(),
    "ndays": _ndays,
    "day": lambda: _now().day,
    "month": lambda: _now().month,
    "year": lambda: _now().year,
    "hour": lambda: _now().hour,
    "minute": lambda: _now().minute,
    "second": lambda: _now().second,
    "microsecond": lambda: _now().microsecond,
    "now": _now,
    "strptime": _strptime,
    "strftime": lambda dt, fmt: dt.strftime(fmt),
    "timedelta": _timedelta,
    "dt+": _dt_plus,
    "km_to_latitude_degrees": lambda km: km / 110.574,
    "km_to_longitude_degrees": lambda km, lat: km / (111.320 * math.cos(math.radians(lat))),
    "distance": lambda x1, y1, x2, y2: math.hypot(x2 - x1, y2 - y1),
    "geo_distance": _geo_distance,
    "rand": lambda seed=None: random.Random(seed).random(),
    "beta": lambda a, b, seed=None: random.Random(seed).betavariate(float(a), float(b)),
    "return": lambda *a: a,
}
