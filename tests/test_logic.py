"""The logic DSL and GenericLogicModel, including the original SDK's worked example."""

from __future__ import annotations

import pytest

from mls_async.logic import LogicError, LogicProcessor
from mls_async.models import MLSModelError
from mls_async.models.contrib import GenericLogicModel


class FixedScore:
    """A stand-in model whose predict returns 0.6 for any one row, as in the original's test."""

    def __init__(self) -> None:
        self.rows = None

    def predict(self, rows):
        import numpy as np

        self.rows = rows.tolist()
        return np.array([0.6])


class ItemProfiles:
    """A sync profile client, as the original SDK's was: the processor accepts both kinds."""

    def get_item_profile(self, profile_id, item_id, keys):
        assert (profile_id, item_id) == ("test_profile", 1)  # the target id goes as it is, as in the original
        return {"test_dimension": 300}


async def test_worked_example_of_the_original():
    booster = FixedScore()
    model = GenericLogicModel(
        model_name="logic_example_model",
        model_version="v1",
        features=["f1", "f2", "f3", "emb", "ctx1", "ctx2"],
        model=booster,
        preprocess_logic={
            "merge": [
                {"var": "f1"},
                {"if": [{"==": [{"var": "f2"}, "Y"]}, 1, 0]},
                {"float": {"var": "f3"}},
                {"pick": [{"var": "emb"}, [1, 3]]},
                {"first": [{"pf": ["item", "test_profile", {"var": "additional_keys.0"}, ["test_dimension"]]}, 1]},
            ]
        },
        postprocess_logic={
            "if": [
                {"==": [{"var": "ctx1"}, "Y"]},
                {
                    "list": [
                        {
                            "dict": [
                                "id",
                                "PROD001",
                                "name",
                                "제품1",
                                "type",
                                "my_type",
                                "props",
                                {"dict": ["context_id", "context_feature1", "test_score", {"var": "y"}]},
                            ]
                        }
                    ]
                },
                {"list": []},
            ]
        },
    )
    x = [2.0, "Y", "4.0", [1, 2, 3, 4], "Y", "Y"]
    result = await model.predict_async(x, pf_client=ItemProfiles(), keys=[1])
    assert booster.rows == [[2.0, 1, 4.0, 2, 4, 300]]
    assert result == {
        "items": [
            {
                "id": "PROD001",
                "name": "제품1",
                "type": "my_type",
                "props": {"context_id": "context_feature1", "test_score": 0.6},
            }
        ]
    }
    assert await model.predict_async([2.0, "Y", "4.0", [1, 2, 3, 4], "N", "Y"], pf_client=ItemProfiles(), keys=[1]) == {
        "items": []
    }


@pytest.mark.parametrize(
    ("logic", "data", "expected"),
    [
        ({"==": [1, "1"]}, {}, True),
        ({"===": [1, "1"]}, {}, False),
        ({"<": [1, {"var": "a"}, 3]}, {"a": 2}, True),
        ({"var": ["missing.path", "dflt"]}, {}, "dflt"),
        ({"var": "a.1"}, {"a": [5, 6]}, 6),
        ({"missing": ["a", "b"]}, {"a": 1}, ["b"]),
        ({"with": ["n", 3, {"*": [{"var": "n"}, 2]}]}, {}, 6.0),
        ({"for": [[1, 2, 3], {"+": [{"var": "i"}, 1]}]}, {}, [2, 3, 4]),
        ({"for": [{"var": "d"}, {"cat": [{"var": "k"}, "=", {"var": "v"}]}]}, {"d": {"a": 1}}, ["a=1"]),
        ({"if_max": [0.1, "a", 0.9, "b"]}, {}, "b"),
        ({"if_closest_upper": [5, 3, "low", 7, "high"]}, {}, "high"),
        ({"split": ["a, b ,c", ","]}, {}, ["a", "b", "c"]),
        ({"merge": [[1, 2], 3, [4]]}, {}, [1, 2, 3, 4]),
        ({"sort_by": [{"var": "rows"}, "s", "asc"]}, {"rows": [{"s": 2}, {"s": 1}]}, [{"s": 1}, {"s": 2}]),
        ({"round": [{"sigmoid": 0}, 2]}, {}, 0.5),
        ({"geo_distance": [37.5665, 126.978, 35.1796, 129.0756]}, {}, pytest.approx(325, abs=5)),
        ({"unique": [[3, 1, 3, 2]]}, {}, [3, 1, 2]),
        ({"+": ["2", 3]}, {}, 5),
    ],
)
async def test_operators(logic, data, expected):
    assert await LogicProcessor.apply(logic, data) == expected


async def test_unknown_operator_and_bad_with_are_errors():
    with pytest.raises(LogicError, match="unknown operator 'nope'"):
        await LogicProcessor.apply({"nope": [1]})
    with pytest.raises(LogicError, match="odd number"):
        await LogicProcessor.apply({"with": ["a", 1]})


def test_generic_logic_model_rejects_bad_configuration():
    with pytest.raises(MLSModelError, match="predict_fn='score'"):
        GenericLogicModel("a_model", "v1", ["f"], predict_fn="score")
    with pytest.raises(MLSModelError, match="unknown top-level operators"):
        GenericLogicModel("a_model", "v1", ["f"], preprocess_logic={"graph": ["vertex"]})
    with pytest.raises(MLSModelError, match="unknown operator 'bogus'"):
        GenericLogicModel("a_model", "v1", ["f"], postprocess_logic={"merge": [{"bogus": 1}]})
    model = GenericLogicModel("a_model", "v1", ["f", "g"], predict_fn="none")
    with pytest.raises(MLSModelError, match="x has 1 values but the model has 2 features"):
        model.predict([1])


def test_pure_logic_compiles_to_plain_functions_and_only_lookups_are_async():
    from mls_async.logic.processor import compile_logic

    pure = compile_logic({"if": [{"<": [{"var": "a"}, 3]}, {"+": [{"var": "a"}, 1]}, {"var": "b"}]})
    assert pure.is_async is False and pure.run(LogicProcessor(), {"a": 1}) == 2  # a value, not a coroutine
    mixed = compile_logic({"merge": [{"var": "a"}, {"pf": ["user", "p", {"var": "u"}, ["x"]]}]})
    assert mixed.is_async is True


@pytest.mark.parametrize(
    ("logic", "reads"),
    [
        ({"var": "a.b.0"}, {"a"}),
        ({"var": ["a", 1]}, {"a"}),
        ({"var": 7}, {"7"}),
        ({"if": [{"missing": ["x", "y.z"]}, {"missing_some": [1, ["p", "q"]]}, 3]}, {"x", "y", "p", "q"}),
        ({"missing": [["m", "n"]]}, {"m", "n"}),
        ({"merge": [1, [{"var": "in a literal list"}]]}, set()),  # a literal list is not evaluated
        ({"pf": ["user", "p", {"var": "u"}, ["x"]]}, {"u"}),
        ({"var": {"cat": ["additional", "_keys"]}}, None),  # a computed name could be any name
        ({"missing_some": [1, {"var": "names"}]}, None),
        ({"missing": [{"var": "name"}]}, None),
    ],
)
def test_compiled_logic_knows_which_names_it_can_read(logic, reads):
    from mls_async.logic.processor import compile_logic

    assert compile_logic(logic).reads == (None if reads is None else frozenset(reads))


@pytest.mark.parametrize(
    "logic",
    [
        {"var": "additional_keys"},
        {"var": ["additional_keys.0", "none"]},
        {"if": [{"missing": ["additional_keys"]}, "absent", "present"]},
        {"var": {"cat": ["additional", "_keys"]}},
    ],
)
async def test_additional_keys_are_there_for_every_logic_that_can_read_them(logic):
    model = GenericLogicModel(
        model_name="keys_model",
        model_version="v1",
        features=["a"],
        predict_fn="none",
        postprocess_logic={"list": [logic]},
    )
    expected = await LogicProcessor.apply(logic, {"a": 1, "additional_keys": []})
    assert (await model.predict_async([1]))["items"] == [expected]
    expected = await LogicProcessor.apply(logic, {"a": 1, "additional_keys": ["k"]})
    assert (await model.predict_async([1], keys=["k"]))["items"] == [expected]


def test_inputs_leave_out_empty_keys_no_logic_can_read_so_the_collector_skips_them():
    import gc

    from mls_async.models.contrib._logic_steps import logic_inputs

    data = logic_inputs("m", ["a", "b", "c"], [1, "x", None], None, {"d": 2.5}, keys_read=False)
    assert data == {"a": 1, "b": "x", "d": 2.5} and not gc.is_tracked(data)
    assert logic_inputs("m", ["a"], [1], None, {}) == {"a": 1, "additional_keys": []}
    assert logic_inputs("m", ["a"], [1], ["k"], {}, keys_read=False) == {"a": 1, "additional_keys": ["k"]}


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["a.b.1"], 3),
        (["a.b.9", "default"], "default"),
        (["a.c", "default"], None),  # a present None is the value
        (["l.1"], "y"),
        ([0], None),
        (["missing", 5], 5),
    ],
)
async def test_literal_var_paths_answer_as_computed_ones(arguments, expected):
    data = {"a": {"b": [2, 3], "c": None}, "l": ["x", "y"]}
    literal = {"var": arguments if len(arguments) > 1 else arguments[0]}
    computed = {"var": [{"cat": [arguments[0]]}, *arguments[1:]]}
    assert await LogicProcessor.apply(literal, data) == await LogicProcessor.apply(computed, data) == expected


async def test_sibling_lookups_run_concurrently_and_pure_nodes_make_no_tasks():
    import asyncio

    class SlowProfiles:
        in_flight = peak = 0

        async def get_user_profile(self, profile_id, user_id, keys):
            SlowProfiles.in_flight += 1
            SlowProfiles.peak = max(SlowProfiles.peak, SlowProfiles.in_flight)
            await asyncio.sleep(0.01)
            SlowProfiles.in_flight -= 1
            return {k: f"{profile_id}:{user_id}" for k in keys}

    logic = {"merge": [{"pf": ["user", f"g{i}", {"var": "u"}, ["x"]]} for i in range(3)] + [{"var": "u"}]}
    assert await LogicProcessor.apply(logic, {"u": "7"}, pf_client=SlowProfiles()) == ["g0:7", "g1:7", "g2:7", "7"]
    assert SlowProfiles.peak == 3


@pytest.mark.parametrize(
    ("logic", "data", "expected"),
    [
        ([{"var": "a"}, 1], {"a": 5}, [{"var": "a"}, 1]),  # a literal list is left as it is
        ({"merge": [[{"var": "a"}], 2]}, {"a": 5}, [{"var": "a"}, 2]),  # also as an argument
        ({"var": "a", "ignored": 1}, {"a": 5}, 5),  # the first key is the operator
        ({"with": ["a", 1, {"merge": [{"with": ["a", 2, {"var": "a"}]}, {"var": "a"}]}]}, {}, [2, None]),  # popped
    ],
)
async def test_structure_follows_the_original(logic, data, expected):
    assert await LogicProcessor.apply(logic, data) == expected


async def test_only_not_found_reads_as_none_other_lookup_errors_surface():
    from mls_async import DoesNotExist, MLSServerError

    class Profiles:
        async def get_user_profile(self, profile_id, user_id, keys):
            if user_id == "gone":
                raise DoesNotExist("no such user")
            raise MLSServerError(503, "profile API down")

    lookup = {"pf": ["user", "p", {"var": "u"}, ["x"]]}
    assert await LogicProcessor.apply(lookup, {"u": "gone"}, pf_client=Profiles()) is None
    with pytest.raises(MLSServerError, match="profile API down"):
        await LogicProcessor.apply(lookup, {"u": "other"}, pf_client=Profiles())


async def test_lookups_through_our_sync_profile_client_in_the_dsl(live_server):
    from mls_async import MLSProfileAPIClient
    from tests.conftest import PASSWORD, USER

    with MLSProfileAPIClient("LOCAL", username=USER, password=PASSWORD, base_url=live_server) as profiles:
        profiles.put_user_profiles("p", {"u1": {"a": 1, "b": 2}})
        logic = {"merge": [{"pf": ["user", "p", {"var": "u"}, ["b", "a"]]}, {"pf": ["user", "p", "nobody", ["a"]]}]}
        assert await LogicProcessor.apply(logic, {"u": "u1"}, pf_client=profiles) == [2, 1, None]


@pytest.mark.parametrize("sync", [False, True], ids=["async-client", "sync-client"])
async def test_graph_reads_the_graph_api_of_the_local_server(sync, client_kwargs, async_transport, sync_transport):
    from mls_async.apis import AsyncMLSGraphAPIClient, MLSGraphAPIClient

    kwargs = {"env": "LOCAL", "base_url": client_kwargs["base_url"]}
    with MLSGraphAPIClient(**kwargs, transport=sync_transport) as writer:
        writer.add_vertex("u1", "user", {"age": 30})
        writer.add_vertex("u2", "user", {"age": 40})
    logic = {"graph": ["vertex", "label", "user", "age", {"var": "age"}]}
    if sync:
        with MLSGraphAPIClient(**kwargs, transport=sync_transport) as graph:
            found = await LogicProcessor(graph_client=graph).evaluate(logic, {"age": 40})
    else:
        async with AsyncMLSGraphAPIClient(**kwargs, transport=async_transport) as graph:
            found = await LogicProcessor(graph_client=graph).evaluate(logic, {"age": 40})
    assert found == [{"id": "u2", "label": "user", "properties": {"age": 40}}]
