"""Logic expressions on which the original SDK and ours must agree (value and type, or both raising).

Every operator of the original appears, with ordinary, edge and mixed-type inputs. The
original's answers are recorded in ``tests/fixtures/logic_answers.json`` by
``scripts/record_logic_answers.py``; the parity suite compares with the original live.
Clock operators (``now``, ``day``, ...) are left out: their answer is the time.
"""

from __future__ import annotations

from typing import Any

Case = tuple[Any, dict[str, Any]]

D = {"a": 1, "b": "2", "n": None, "l": [3, 1, 2], "s": "hello", "z": 0, "f": 2.5, "e": [], "t": True,
     "d": {"k": 1, "m": [10, 20]}, "rows": [{"s": 2, "n": "x"}, {"s": 1, "n": "y"}, {"s": 2, "n": "z"}],
     "ints": {"a": {1: "one"}}, "nested": [[1, 2], [3, 4]], "neg": -3}

CASES: list[Case] = [
    # comparison
    ({"==": [1, "1"]}, {}), ({"==": [1, True]}, {}), ({"==": [0, False]}, {}), ({"==": [None, False]}, {}),
    ({"==": [1.0, 1]}, {}), ({"===": [1, 1.0]}, {}), ({"===": ["a", "a"]}, {}), ({"!=": [1, "1"]}, {}),
    ({"!==": [1, "1"]}, {}), ({"<": [1, 2, 3]}, {}), ({"<": [1, 3, 2]}, {}), ({"<": ["1", 2]}, {}),
    ({"<": ["a", "b"]}, {}), ({"<": [None, 1]}, {}), ({"<": [1, "x"]}, {}), ({"<=": [1, 1, 2]}, {}),
    ({"<=": ["2", 2]}, {}), ({">": [3, "2"]}, {}), ({">=": [2, 2.0]}, {}), ({">=": ["b", "a"]}, {}),
    ({">": [None, 1]}, {}), ({"<": [[1], [2]]}, {}),
    # logic
    ({"!": [0]}, {}), ({"!": [[]]}, {}), ({"!!": ["x"]}, {}), ({"and": [1, "a", 0, 2]}, {}), ({"and": []}, {}),
    ({"or": [0, "", 3]}, {}), ({"or": []}, {}), ({"all": [[1, 1, 0]]}, {}), ({"any": [[0, 0, 1]]}, {}),
    ({"?:": [0, "yes", "no"]}, {}), ({"is": [None, None]}, {}), ({"is": [1, 2]}, {}),
    ({"if": [{"var": "z"}, "z", {"var": "a"}, "a", "none"]}, D), ({"if": [0, "x"]}, {}), ({"if": [1, "x"]}, {}),
    # membership
    ({"in": [1, [1, 2]]}, {}), ({"in": ["ell", "hello"]}, {}), ({"in": [1, 5]}, {}), ({"contains": [[1, 2], 2]}, {}),
    ({"contains": [3, 1]}, {}), ({"any_in": [[1, 9], [9]]}, {}), ({"all_in": [[1, 9], [9]]}, {}),
    ({"all_in": [["a", None], ""]}, {}), ({"any_in": [["", None], "x"]}, {}),  # every element tested: TypeError
    # if_* choosers
    ({"if_min": [3, "a", 1, "b", 2, "c"]}, {}), ({"if_max": [3, "a", 1, "b", 3, "c"]}, {}),
    ({"if_min": [3, "a", 1, "b", 9]}, {}),
    ({"if_closest": [5, 3, "low", 7, "high"]}, {}),
    ({"if_closest_upper": [5, 3, "low", 7, "high"]}, {}), ({"if_closest_upper": [5, 5, "tie", 7, "high"]}, {}),
    ({"if_closest_lower": [5, 5, "tie", 3, "low"]}, {}), ({"if_closest_lower": [1, 5, "a"]}, {}),
    ({"closest": [5, 3, 7, 6]}, {}), ({"closest_upper": [5, 5, 8, 6]}, {}), ({"closest_lower": [5, 5, 1, 4]}, {}),
    ({"closest_upper": [9, 1, 2]}, {}),
    # strings
    ({"cat": ["a", 1, None, 2.5]}, {}), ({"join": [[1, "b", None], "-"]}, {}),
    ({"split": ["a, b ,c", ","]}, {}),
    ({"join": [[1, 2], 3]}, {}),
    # arithmetic
    ({"+": [1, "2", "3.5"]}, {}), ({"+": [[1, 2, 3]]}, {}), ({"+": []}, {}), ({"+": ["x"]}, {}),
    ({"*": [2, "3"]}, {}), ({"*": []}, {}), ({"-": [5]}, {}), ({"-": ["5", 2]}, {}), ({"-": [5, "1.5"]}, {}),
    ({"/": [1, 4]}, {}), ({"/": [7]}, {}), ({"/": [7, None]}, {}),
    ({"/": [1, 0]}, {}),
    ({"%": [7, 3]}, {}), ({"%": ["%s-%s", [1, 2]]}, {}), ({"%": ["%d items", 3]}, {}), ({"%": [7.5, 2]}, {}),
    # numpy
    ({"inner": [[1, 2], [3, 4]]}, {}), ({"exp": [0]}, {}), ({"exp": [[0, 1]]}, {}), ({"sigmoid": [0]}, {}),
    ({"sigmoid": [[0, 100]]}, {}), ({"norm": [[3, 4]]}, {}), ({"mean": [1, 2, 4]}, {}),
    ({"mean": [[1, 2], [3, 4]]}, {}),
    ({"mean": [[1, 2, 3]]}, {}),
    # min / max / argmin / argmax
    ({"min": [3, 1, 2]}, {}), ({"min": [[3, 1, 2]]}, {}), ({"max": [3, 1, 2]}, {}), ({"max": [[3, 1], [2]]}, {}),
    ({"min": []}, {}), ({"argmin": [3, 1, 2]}, {}), ({"argmax": [3, 9, 2]}, {}), ({"argmax": [[3, 9, 2]]}, {}),
    # get / casts
    ({"get": [[1, 2], 1]}, {}), ({"get": [[1, 2], 5, "nf"]}, {}), ({"get": [{"a": 1}, "b"]}, {}),
    ({"get": [None, 0, "nf"]}, {}), ({"for_get": [[[1, 2], [3]], 1, "nf"]}, {}),
    ({"for_get": [[{"a": 1}, {}], "a"]}, {}), ({"int": ["3"]}, {}), ({"int": [3.9]}, {}), ({"int": ["3.5"]}, {}),
    ({"int": [["1", 2.5]]}, {}), ({"float": ["2.5"]}, {}), ({"float": [["1", 2]]}, {}), ({"str": [[1, None]]}, {}),
    ({"str": [2.0]}, {}),
    # lists and dicts
    ({"list": [1, "a", None]}, {}), ({"list": []}, {}), ({"dict": ["a", 1, "b", 2]}, {}),
    ({"dict": [["a", 1, "b"]]}, {}), ({"dict_keys": [{"var": "d"}]}, D), ({"dict_values": [{"var": "d"}]}, D),
    ({"pick": [[10, 20, 30], [2, 0]]}, {}), ({"pick_in": [[1, 2, 3, 2], [2, 3]]}, {}),
    ({"remove": [2, [1, 2, 3, 2]]}, {}),
    ({"remove_empty": [[0, 0.0, "", None, [], {}, "a", 1, False]]}, {}),
    ({"remove_duplicated": [[1, 2, 1, 3, 2]]}, {}), ({"remove_duplicated": [{"var": "rows"}, "s"]}, D),
    ({"remove_duplicated": [[[1, 2], [1, 2], [2]]]}, {}), ({"remove_duplicated": [[[1, 2], [1, 3]], 0]}, {}),
    ({"sample": [[1, 2, 3, 4, 5], 2, 7]}, {}), ({"first": [[1, 2, 3], 2]}, {}), ({"first": ["abc", 2]}, {}),
    ({"first": [[1, 2, 3]]}, {}), ({"replace": [1, 9, [1, 2, 1]]}, {}), ({"repeat": ["x", 3]}, {}),
    ({"range": [3]}, {}), ({"range": [1, 7, 2]}, {}), ({"len": ["abc"]}, {}), ({"len": [[1, 2]]}, {}),
    ({"empty": [[]]}, {}), ({"empty": [""]}, {}), ({"empty": [None]}, {}), ({"unique": [[3, 1, 3, 2]]}, {}),
    ({"unique": [[[1], [1], [2]]]}, {}), ({"unique": [[{"a": 1}, {"a": 1}]]}, {}),
    ({"merge": [[1, 2], 3, [4]]}, {}), ({"merge": [[[1, 2], [3]]]}, {}), ({"merge": []}, {}),
    ({"vmerge": [[1, 2], [3, 4]]}, {}), ({"vmerge": [[1, 2], [3]]}, {}), ({"count": [1, 0, "a", "", None]}, {}),
    ({"count": [[1, 0, 2]]}, {}), ({"abs": [-2.5]}, {}), ({"round": [2.567, 2]}, {}), ({"round": [2.5]}, {}),
    ({"sort": [[3, 1, 2], "reverse"]}, {}), ({"sort": [[3, 1, 2], "asc"]}, {}), ({"sort": [[3, 1, 2]]}, {}),
    ({"sort_by": [{"var": "rows"}, "s", "reverse"]}, D), ({"sort_by": [{"var": "rows"}, "s"]}, D),
    # time (deterministic ones)
    ({"strftime": [{"strptime": ["2024-03-01 10:20", "%Y-%m-%d %H:%M"]}, "%Y/%m/%d %H"]}, {}),
    ({"strftime": [{"dt+": [{"strptime": ["2024-01-31", "%Y-%m-%d"]}, {"timedelta": ["months", 1]}]},
                   "%Y-%m-%d"]}, {}),
    ({"dt+": [1, 2]}, {}),
    # geometry and randomness
    ({"km_to_latitude_degrees": [10]}, {}), ({"km_to_longitude_degrees": [10, 37.5]}, {}),
    ({"distance": [0, 0, 3, 4]}, {}), ({"geo_distance": [37.5665, 126.978, 35.1796, 129.0756]}, {}),
    ({"rand": [42]}, {}), ({"beta": [2, 5, 42]}, {}), ({"return": [1, 2]}, {}),
    # var, missing, with, for
    ({"var": "a"}, D), ({"var": "n"}, D), ({"var": ["n", "dflt"]}, D), ({"var": ["x", "dflt"]}, D),
    ({"var": "d.m.1"}, D), ({"var": "l.1"}, D), ({"var": "ints.a.1"}, D), ({"var": ""}, D), ({"var": []}, D),
    ({"var": "s.0"}, D), ({"var": "rows.1.n"}, D), ({"var": ["l.9", 0]}, D), ({"var": 1}, {"1": "one"}),
    ({"missing": ["a", "n", "x"]}, D), ({"missing": [["a", "x"], "y"]}, D), ({"missing_some": [1, ["x", "a"]]}, D),
    ({"missing_some": [2, ["x", "a", "y"]]}, D), ({"missing_some": [0, ["x"]]}, D),
    ({"with": ["x", 3, {"*": [{"var": "x"}, 2]}]}, {}),
    ({"with": ["a", 1, "b", 2, {"+": [{"var": "a"}, {"var": "b"}]}]}, {"c": 0}),
    ({"with": ["a", 5, {"merge": [{"with": ["a", 2, {"var": "a"}]}, {"var": "a"}]}]}, {"k": 1}),
    ({"with": ["a", 1]}, {}),
    ({"for": [[1, 2, 3], {"+": [{"var": "i"}, 1]}]}, {}), ({"for": [{"var": "d"}, {"cat": [{"var": "k"}, "=",
                                                                                       {"var": "v"}]}]}, D),
    ({"for": [{"var": "n"}, 1]}, D), ({"for": [{"var": "nested"}, {"var": "i.1"}]}, D),
    # structure: literal lists, several keys, nesting
    ([{"var": "a"}, 1], D), ({"merge": [[{"var": "a"}], 2]}, D), ({"var": "a", "b": 1}, D),
    ({"list": [{"var": "a"}, [{"var": "a"}]]}, D), ({"if": [{"==": [{"var": "a"}, 1]}, {"list": [{"var": "s"}]}, []]},
                                                     D),
    ("plain", {}), (3, {}), (None, {}),
    # unknown operator
    ({"nope": [1]}, {}),
]
