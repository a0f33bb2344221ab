"""One object per model library, named by its row of the table: a library is its module and its row."""

from __future__ import annotations

import sys
import types

import pytest

from mls_async import _libraries
from mls_async.models import libraries
from mls_async.models.contrib._logic_steps import model_output, predict_rows


def test_every_row_with_rules_names_its_librarys_object():
    for entry in _libraries.LIBRARIES:
        rules = libraries.for_lib(entry.name)
        assert rules.name == entry.name
        assert (type(rules) is libraries.Library) == (entry.rules is None)
    assert type(libraries.for_lib("not_a_library")) is libraries.Library
    assert libraries.for_lib("pytorch").calls_model and libraries.for_lib("autogluon").always_offload


def test_a_library_added_as_a_module_and_a_row_is_used_by_the_models(monkeypatch):
    """What a new library takes: its module (a ``LIBRARY`` object) and its row; nothing else changes."""
    module = types.ModuleType("tests_new_library")

    class Doubling(libraries.Library):
        calls_model = True

        def predict_rows(self, model, predict_fn, rows, columns):
            return [sum(row) * 2 for row in rows]

    module.LIBRARY = Doubling("doubling")
    monkeypatch.setitem(sys.modules, "tests_new_library", module)
    row = _libraries.ModelLibrary("doubling", None, None, "tests_new_library")
    monkeypatch.setitem(_libraries._BY_NAME, "doubling", row)
    libraries.for_lib.cache_clear()
    try:
        assert predict_rows(object(), "doubling", "none", [[1, 2], [3, 4]]) == [6, 14]

        class Model:
            model_lib = "doubling"
            models = [object()]
            features = ["a", "b"]

        assert model_output(Model(), 0, "none", [1, 2], "m") == 6  # called although predict_fn is "none"
    finally:
        libraries.for_lib.cache_clear()


def test_the_library_of_a_model_is_found_by_its_class_among_imported_libraries():
    lightgbm = pytest.importorskip("lightgbm")
    assert libraries.library_of(lightgbm.LGBMRegressor()) is libraries.for_lib("lightgbm")
    assert libraries.library_of([1, 2]) is None
