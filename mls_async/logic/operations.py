"""The pure operators of the logic DSL, answering as the original SDK's ``LogicProcessor`` does.

Each takes evaluated arguments and returns a value, with the original's semantics, edge
cases included (strict ``closest_*``, falsy elements dropped by ``remove_empty``, ``%``
formatting strings, numpy results where the original returns them). A differential
test compares every operator with the original (``tests/test_logic_recorded.py``).
Where the original raises, the processor raises a ``LogicError`` naming the operator.
"""

from __future__ import annotations

import math
import random
from calendar import monthrange
from collections.abc import Callable
from datetime import datetime
from functools import reduce
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["OPERATIONS", "soft_equals"]

KST = ZoneInfo("Asia/Seoul")
EARTH_RADIUS_KM = 6371.0088  # the mean radius geo_distance uses, as the haversine package does


def soft_equals(a: Any, b: Any) -> bool:
    """``==``: strings compare as strings, booleans as truth values, the rest natively."""
    if isinstance(a, str) or isinstance(b, str):
        return str(a) == str(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) is bool(b)
    return bool(a == b)


def _hard_equals(a: Any, b: Any) -> bool:
    return type(a) is type(b) and bool(a == b)


def _less(a: Any, b: Any, *rest: Any) -> bool:
    """``<``, chained; numbers compare as floats when either side is a number."""
    kinds = {type(a), type(b)}
    if float in kinds or int in kinds:
        try:
            a, b = float(a), float(b)
        except TypeError:
            return False
    return bool(a < b) and (not rest or _less(b, *rest))


def _less_or_equal(a: Any, b: Any, *rest: Any) -> bool:
    return (_less(a, b) or soft_equals(a, b)) and (not rest or _less_or_equal(b, *rest))


def _numeric(value: Any) -> Any:
    """A string as a number: float when it has a '.', else int."""
    if isinstance(value, str):
        return float(value) if "." in value else int(value)
    return value


def _plus(*args: Any) -> Any:
    if len(args) == 1 and isinstance(args[0], list):
        args = tuple(args[0])
    return sum(_numeric(arg) for arg in args)


def _times(*args: Any) -> Any:
    product: Any = 1  # an int with no arguments, else a float, as the original
    for arg in args:
        product = product * float(arg)
    return product


def _minus(*args: Any) -> Any:
    if len(args) == 1:
        return -_numeric(args[0])
    return _numeric(args[0]) - _numeric(args[1])


def _if_min(*args: Any) -> Any:
    import numpy as np

    return args[int(np.argmin([args[i] for i in range(0, len(args) - 1, 2)])) * 2 + 1]


def _if_max(*args: Any) -> Any:
    import numpy as np

    return args[int(np.argmax([args[i] for i in range(0, len(args) - 1, 2)])) * 2 + 1]


def _if_closest(target: Any, *pairs: Any) -> Any:
    distances = list(pairs)
    for i in range(0, len(distances) - 1, 2):
        distances[i] = abs(target - distances[i])
    return _if_min(*distances)


def _if_closest_beyond(keep: Callable[[Any, Any], bool]) -> Callable[..., Any]:
    """``if_closest`` among the pairs whose value is strictly beyond ``target`` (upper or lower)."""

    def choose(target: Any, *pairs: Any) -> Any:
        kept: list[Any] = []
        for i in range(0, len(pairs) - 1, 2):
            if keep(pairs[i], target):
                kept += [pairs[i], pairs[i + 1]]
        return _if_closest(target, *kept) if kept else None

    return choose


def _closest(target: Any, *candidates: Any) -> Any:
    best, best_distance = candidates[0], abs(target - candidates[0])
    for candidate in candidates[1:]:
        distance = abs(target - candidate)
        if best_distance > distance:
            best, best_distance = candidate, distance
    return best


def _closest_beyond(keep: Callable[[Any, Any], bool]) -> Callable[..., Any]:
    def choose(target: Any, *candidates: Any) -> Any:
        kept = [c for c in candidates if keep(c, target)]
        return _closest(target, *kept) if kept else None

    return choose


def _get(container: Any, key: Any, not_found: Any = None) -> Any:
    try:
        return container[key]
    except (KeyError, TypeError, ValueError, IndexError):
        return not_found


def _for_get(values: Any, key: Any, not_found: Any = None) -> list[Any]:
    return [_get(value, key, not_found) for value in values]


def _each(cast: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def apply(value: Any) -> Any:
        return [cast(v) for v in value] if isinstance(value, (list, tuple)) else cast(value)

    return apply


def make_dict(*args: Any) -> dict[str, Any]:
    """``dict``: key/value pairs (or one list of them); a trailing lone key is dropped."""
    if len(args) == 1 and isinstance(args[0], list):
        args = tuple(args[0])
    return {args[i]: args[i + 1] for i in range(0, len(args) - 1, 2)}


def _remove_duplicated(values: Any, key: Any = None) -> list[Any]:
    seen: list[Any] = []
    kept: list[Any] = []
    for value in values:
        mark = value[key] if key is not None else value
        if mark not in seen:
            seen.append(mark)
            kept.append(value)
    return kept


def _unique(values: Any) -> list[Any]:
    kept: list[Any] = []
    for value in values:
        if value not in kept:
            kept.append(value)
    return kept


def _merge(*args: Any) -> list[Any]:
    if len(args) == 1 and isinstance(args[0], list):
        args = tuple(args[0])
    merged: list[Any] = []
    for arg in args:
        if isinstance(arg, (list, tuple)):
            merged += list(arg)
        else:
            merged.append(arg)
    return merged


def _vmerge(*lists: Any) -> list[Any]:
    return [[lists[j][i] for j in range(len(lists))] for i in range(len(lists[0]))]


def _sample(values: Any, count: int, seed: Any) -> list[Any]:
    return random.Random(seed).sample(values, count)


def _rand(seed: Any) -> float:
    return random.Random(seed).random()


def _beta(a: Any, b: Any, seed: Any = None) -> Any:
    import numpy as np

    generator = np.random.RandomState(seed) if seed is not None else np.random
    return generator.beta(a, b)


def _now() -> datetime:
    return datetime.now(KST)


def _timedelta(*args: Any) -> Any:
    from dateutil.relativedelta import relativedelta

    return relativedelta(**make_dict(*args))


def _dt_plus(moment: Any, *deltas: Any) -> Any:
    from dateutil.relativedelta import relativedelta

    if not isinstance(moment, datetime):
        raise ValueError("the first argument of dt+ must be a datetime")
    for delta in deltas:
        if not isinstance(delta, relativedelta):
            raise ValueError("dt+ adds relativedelta values (from timedelta)")
        moment += delta
    return moment


def _geo_distance(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (the haversine formula)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
    d = math.sin((lat2 - lat1) * 0.5) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) * 0.5) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(d))


def _numpy(name: str) -> Callable[..., Any]:
    def apply(*args: Any) -> Any:
        import numpy as np

        if name == "inner":
            return np.inner(args[0], args[1]).tolist()
        if name == "exp":
            return np.exp(args[0]).tolist()
        if name == "sigmoid":
            return (1.0 / (1.0 + np.exp(np.negative(args[0])))).tolist()
        if name == "norm":
            return np.linalg.norm(args[0]).tolist()
        if name == "mean":
            return np.mean(args, axis=0).tolist()
        return getattr(np, name)(args)  # argmin, argmax: a numpy integer, as the original

    return apply


def _contains(container: Any, value: Any) -> bool:
    return value in container if "__contains__" in dir(container) else False


OPERATIONS: dict[str, Callable[..., Any]] = {
    "==": soft_equals,
    "===": _hard_equals,
    "!=": lambda a, b: not soft_equals(a, b),
    "!==": lambda a, b: not _hard_equals(a, b),
    ">": lambda a, b: _less(b, a),
    ">=": lambda a, b: _less(b, a) or soft_equals(a, b),
    "<": _less,
    "<=": _less_or_equal,
    "!": lambda a: not a,
    "!!": bool,
    "and": lambda *args: reduce(lambda total, arg: total and arg, args, True),
    "or": lambda *args: reduce(lambda total, arg: total or arg, args, False),
    "all": lambda a: all(a),
    "any": lambda a: any(a),
    "?:": lambda a, b, c: b if a else c,
    "is": lambda a, b: a is b,
    "if_min": _if_min,
    "if_max": _if_max,
    "if_closest": _if_closest,
    "if_closest_upper": _if_closest_beyond(lambda value, target: value > target),
    "if_closest_lower": _if_closest_beyond(lambda value, target: value < target),
    # Every membership is tested before any/all decide, as the original does: a bad element
    # after the deciding one (None in a str) still raises.
    "any_in": lambda a, b: any([i in b for i in a]),
    "all_in": lambda a, b: all([i in b for i in a]),
    "in": lambda a, b: _contains(b, a),
    "contains": lambda a, b: _contains(a, b),
    "cat": lambda *args: "".join(str(arg) for arg in args),
    "join": lambda values, sep: sep.join(str(v) for v in values),
    "split": lambda text, sep: [part.strip() for part in text.split(sep)],
    "+": _plus,
    "*": _times,
    "-": _minus,
    "/": lambda a, b=None: a if b is None else float(a) / float(b),
    "%": lambda a, b: a % b,
    "inner": _numpy("inner"),
    "exp": _numpy("exp"),
    "sigmoid": _numpy("sigmoid"),
    "norm": _numpy("norm"),
    "min": lambda *args: min(args),
    "max": lambda *args: max(args),
    "argmin": _numpy("argmin"),
    "argmax": _numpy("argmax"),
    "get": _get,
    "for_get": _for_get,
    "int": _each(int),
    "float": _each(float),
    "str": _each(str),
    "list": lambda *args: list(args),
    "dict": make_dict,
    "dict_keys": lambda a: list(a.keys()),
    "dict_values": lambda a: list(a.values()),
    "pick": lambda values, indices: [values[i] for i in indices],
    "pick_in": lambda values, allowed: [v for v in values if v in allowed],
    "remove": lambda value, values: [v for v in values if v != value],
    "remove_empty": lambda values: [v for v in values if v],
    "remove_duplicated": _remove_duplicated,
    "sample": _sample,
    "first": lambda values, count: list(values[:count]),
    "replace": lambda old, new, values: [new if v == old else v for v in values],
    "repeat": lambda value, times: [value] * times,
    "range": lambda *args: list(range(*args)),
    "len": len,
    "empty": lambda a: len(a) == 0,
    "unique": _unique,
    "merge": _merge,
    "vmerge": _vmerge,
    "count": lambda *args: sum(1 if a else 0 for a in args),
    "abs": abs,
    "round": lambda a, digits: round(a, digits),
    "mean": _numpy("mean"),
    "closest": _closest,
    "closest_upper": _closest_beyond(lambda value, target: value > target),
    "closest_lower": _closest_beyond(lambda value, target: value < target),
    "sort": lambda values, order: sorted(values, reverse=(order == "reverse")),
    "sort_by": lambda values, key, order: sorted(values, key=lambda v: v[key], reverse=(order == "reverse")),
    "weekday": lambda: _now().isoweekday(),
    "ndays": lambda: monthrange(_now().year, _now().month)[1],
    "day": lambda: _now().day,
    "month": lambda: _now().month,
    "year": lambda: _now().year,
    "hour": lambda: _now().hour,
    "minute": lambda: _now().minute,
    "second": lambda: _now().second,
    "microsecond": lambda: _now().microsecond,
    "now": _now,
    "strptime": lambda text, fmt: datetime.strptime(text, fmt).replace(tzinfo=KST),
    "strftime": lambda moment, fmt: datetime.strftime(moment, fmt),
    "timedelta": _timedelta,
    "dt+": _dt_plus,
    "km_to_latitude_degrees": lambda km: 360 * km / 40075,
    "km_to_longitude_degrees": lambda km, lat: 360 * km / 2 / math.pi / 6371 / math.cos(math.radians(lat)),
    "distance": lambda x1, y1, x2, y2: math.sqrt((x2 - x1) ** 2 + (y2 - y1) ** 2),
    "geo_distance": _geo_distance,
    "rand": _rand,
    "beta": _beta,
    "return": lambda *args: args,
}
