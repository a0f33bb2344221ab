"""One scenario that drives every client method of the original SDK, run unchanged on each side.

Each step asserts what the original expects back; the requests of each step are
recorded so that the sides can be compared step by step.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from mls_async.models import MLSRuleModel
from tests.parity.sides import PASSWORD, USER, Side

Step = tuple[str, Callable[[Side, dict[str, Any]], None]]
HANDLER = "def handler(x, y):\n    return {'items': [{'id': 'parity', 'props': {'score': 1.0}}]}\n"


def prepare(url: str) -> None:
    """State the original has no client calls for: batch tables, feature groups (no recording)."""
    with httpx.Client(base_url=url, auth=(USER, PASSWORD), timeout=30) as http:
        for table, key in (("label_tbl", "svc_mgmt_num"), ("batch_tbl", "id")):
            http.post("/api/v1/dynamodb/tables", json={"table_name": table, "key": key}).raise_for_status()
        rows = [{"svc_mgmt_num": f"u{i}", "label": int(i % 3 == 0)} for i in range(90)]
        http.put("/api/v1/dynamodb/tables/label_tbl/items", json=rows).raise_for_status()
        http.put("/api/v1/dynamodb/tables/batch_tbl/items", json=[{"id": "k0", "score": 0.5}]).raise_for_status()
        features = {
            f"u{i}": {"age": 20 + i % 40, "traffic": float((i * 7) % 13) + (5.0 if i % 3 == 0 else 0.0)}
            for i in range(90)
        }
        http.put("/v1/mls-mms/profiles/7/users", json=features).raise_for_status()
        for vertex, label in (("u1", "user"), ("u2", "user"), ("p1", "product"), ("p2", "product")):
            http.post(
                "/v1/vertices", json={"id": vertex, "label": label, "properties": {"n": vertex}}
            ).raise_for_status()
        for frm, to, label in (("u1", "p1", "bought"), ("u2", "p1", "viewed"), ("u2", "p2", "bought")):
            http.post("/v1/edges", json={"from": frm, "to": to, "label": label}).raise_for_status()
        for table in ("label_tbl", "batch_tbl"):
            _wait(
                lambda t=table: (
                    http.get(f"/api/v1/dynamodb/tables/{t}/is_loading").json()["results"]["is_loading"] is False
                ),
                f"table {table} to load",
            )


def register_artifact(url: str, name: str, version: str, model_dir: Any) -> None:
    from mls_async import ModelRegistry

    with ModelRegistry(env="LOCAL", username=USER, password=PASSWORD, base_url=url, model_dir=model_dir) as registry:
        registry.save(EmptyRule(name, version, ["a", "b"]), force=True)


class EmptyRule(MLSRuleModel):
    """A rule model that recommends nothing: enough of an artifact for the readiness check."""

    def predict(self, x: list[Any], **kwargs: Any) -> dict[str, Any]:
        return {"items": []}


def _wait(done: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout}s for {what}")
        time.sleep(0.2)


# -- steps ---------------------------------------------------------------------------------
def create_components(side: Side, ctx: dict) -> None:
    c1 = side.components.create_component(name="c1", info="info-1", is_latest=True)
    c2 = side.components.create_component("c2", "info-2", False)
    assert (c1.name, c1.info, c1.is_latest) == ("c1", "info-1", True) and c1.id
    assert (c2.name, c2.is_latest) == ("c2", False)
    ctx.update(c1=c1, c2=c2)


def find_components(side: Side, ctx: dict) -> None:
    assert [c.name for c in side.components.list_components(name="c1")] == ["c1"]
    assert side.components.get_component(name="c1").id == ctx["c1"].id
    assert side.components.get_component(id=ctx["c2"].id, is_latest=False).name == "c2"


def update_component(side: Side, ctx: dict) -> None:
    c2 = side.components.update_component(ctx["c2"], is_latest=True)
    assert c2.is_latest is True and c2.name == "c2" and c2.info == "info-2"


def create_models(side: Side, ctx: dict) -> None:
    model = side.models.create_manual_model(
        name="parity_model",
        version="v1",
        description="d",
        creator="someone",
        model_lib="lightgbm",
        model_data="/models/parity_model/v1/model.joblib",
        model_meta={"a": 1},
        features="a,b",
        table="batch_tbl",
    )
    assert (model.name, model.version, model.model_lib, model.table) == ("parity_model", "v1", "lightgbm", "batch_tbl")
    assert model.model_meta == {"a": 1} and model.features == "a,b" and model.model_type == "manual"
    deployment = side.models.create_model_deployment(
        "parity_dep_model", "v1", "desc", "creator", "rule", None, None, "x,y", None, [ctx["c1"], ctx["c2"]]
    )
    assert sorted(c.name for c in deployment.components) == ["c1", "c2"]
    empty = side.models.create_manual_model("empty_model", "v1", description="", model_meta={}, components=[])
    assert empty.description in (None, "") and not empty.model_meta
    ctx.update(model=model, deployment=deployment, empty=empty)


def find_models(side: Side, ctx: dict) -> None:
    assert [m.name for m in side.models.list_manual_models(name="parity_model")] == ["parity_model"]
    assert {m.name for m in side.models.list_model_deployments()} == {"parity_model", "parity_dep_model", "empty_model"}
    assert [m.name for m in side.models.list_manual_models(query="parity_d", page=1)] == ["parity_dep_model"]
    assert side.models.get_manual_model(name="parity_model", version="v1").id == ctx["model"].id
    assert side.models.get_manual_model(id=ctx["model"].id).name == "parity_model"
    assert side.models.get_model_deployment(None, "parity_dep_model", "v1").id == ctx["deployment"].id


def update_models(side: Side, ctx: dict) -> None:
    model = side.models.update_manual_model(ctx["model"], description="updated", features="a,b,c")
    assert model is ctx["model"] and model.description == "updated" and model.features == "a,b,c"
    model = side.models.update_model_deployment(model, None, None, "again")
    assert model.description == "again" and model.model_meta == {"a": 1}


def update_meta(side: Side, ctx: dict) -> None:
    model = side.models.update_manual_model_meta(ctx["model"], {"b": 2}, partial_update=True)
    assert model.model_meta == {"a": 1, "b": 2}
    model = side.models.update_model_deployment_meta(model, {"c": 3})
    assert model.model_meta == {"c": 3}


def readiness(side: Side, ctx: dict) -> None:
    assert side.models.is_batch_prediction_ready(ctx["model"]) is True
    assert side.models.is_online_prediction_ready(ctx["model"]) is False
    with side.recorder.paused():
        register_artifact(ctx["url"], "parity_model", "v1", ctx["model_dir"])
    assert side.models.is_online_prediction_ready(manual_model=ctx["model"]) is True


def update_components(side: Side, ctx: dict) -> None:
    model = side.models.update_manual_model_components(ctx["model"], [ctx["c1"]])
    assert [c.name for c in model.components] == ["c1"]
    empty = side.models.update_model_deployment_components(ctx["empty"], [])
    assert not empty.components


def items(side: Side, ctx: dict) -> None:
    assert side.dynamodb.put_item("batch_tbl", {"id": "k1", "score": 1}) == {"item": {"id": "k1", "score": 1}}
    assert side.dynamodb.get_item("batch_tbl", {"id": "k1"}) == {"item": {"id": "k1", "score": 1}}
    updated = side.dynamodb.update_item(table_name="batch_tbl", item={"id": "k1", "rank": 2})
    assert updated == {"item": {"id": "k1", "score": 1, "rank": 2}}
    side.dynamodb.delete_item("batch_tbl", {"id": "k1"})


def create_dataset(side: Side, ctx: dict) -> None:
    t = side.types
    dataset = side.datasets.create_dataset(
        name="parity_ds",
        problem_type=t.ProblemType.CLASSIFICATION,
        feature_store_conf=t.FeatureStoreConf(enabled=True, feature_group_id_list=[7]),
        label_data_conf=t.LabelDataConf(source_type="table", source_path="label_tbl"),
    )
    assert dataset.name == "parity_ds" and dataset.problem_type.value == "classification"
    assert dataset.feature_store_conf.feature_group_id_list == [7]
    assert dataset.label_data_conf.source_path == "label_tbl"
    ctx["dataset"] = dataset


def find_datasets(side: Side, ctx: dict) -> None:
    assert [d.name for d in side.datasets.list_datasets(name="parity_ds")] == ["parity_ds"]
    assert side.datasets.get_dataset(name="parity_ds").id == ctx["dataset"].id
    assert side.datasets.get_dataset(id=ctx["dataset"].id).name == "parity_ds"
    columns = side.datasets.list_features(name="parity_ds")
    assert [c["name"] for c in columns] == ["svc_mgmt_num", "label", "age", "traffic"]
    assert {c["name"]: c["type_code"] for c in columns}["svc_mgmt_num"] == "CATEGORY"
    side.datasets.update_column_specs(name="parity_ds", column_specs={"svc_mgmt_num": {"include": False}})
    columns = side.datasets.list_features(id=ctx["dataset"].id)
    assert [c["name"] for c in columns if not c["include"]] == ["svc_mgmt_num"]


def automl(side: Side, ctx: dict) -> None:
    model = side.models.create_automl_model(ctx["dataset"], "parity_automl", "v1", "desc")
    assert model.name == "parity_automl" and model.dataset_id == ctx["dataset"].id
    assert model.status in ("TRAINING", "DONE")
    with side.recorder.paused():
        _wait(lambda: side.models.get_automl_model(id=model.id).status in ("DONE", "FAILED"), "training")
    assert [m.name for m in side.models.list_automl_models(name="parity_automl")] == ["parity_automl"]
    model = side.models.get_automl_model(name="parity_automl", version="v1")
    assert model.status == "DONE", model.get_error()
    assert "svc_mgmt_num" not in model.automl_model_info["features"]
    ctx["automl"] = model


def automl_server(side: Side, ctx: dict) -> None:
    model = ctx["automl"]
    side.models.start_automl_model_server(model)
    assert side.models.get_automl_model_server_status(model) == "RUNNING"
    assert "def handler" in side.models.get_automl_model_server_handler(model)
    side.models.update_automl_model_server_handler(model, HANDLER)
    assert side.models.get_automl_model_server_handler(model=model) == HANDLER
    side.models.stop_automl_model_server(model)
    assert side.models.get_automl_model_server_status(model) == "STOPPED"


def batch_prediction(side: Side, ctx: dict) -> None:
    model = ctx["automl"]
    job = side.predictions.predict(
        model, side.types.EmailChannelConfig("me@example.com"), side.types.ScoreExportOption(True, 10)
    )
    assert job.channel == "EMAIL" and job.status in ("RUNNING", "DONE")
    with side.recorder.paused(), httpx.Client(base_url=ctx["url"], auth=(USER, PASSWORD), timeout=30) as http:
        path = f"/api/v1/models/{model.id}/predictions/{job.id}"
        _wait(lambda: http.get(path).json()["results"]["status"] != "RUNNING", "the batch prediction")
        assert http.get(path).json()["results"]["status"] == "DONE"


def meta_tables(side: Side, ctx: dict) -> None:
    schema = {"product_grp_id": {"type": "string"}, "mfact_nm": {"type": "string"}}
    table = side.meta_tables.create_meta_table("parity_devices", schema, "devices")
    assert side.meta_tables.meta_table_exists(name="parity_devices")
    assert side.meta_tables.get_meta_table(name="parity_devices").id == table.id
    assert [t.name for t in side.meta_tables.list_meta_tables()] == ["parity_devices"]
    side.meta_tables.update_meta_table(table, description="phones")
    item = side.meta_tables.create_meta_item(table, "A1G6", {"product_grp_id": "1", "mfact_nm": "Apple"})
    assert side.meta_tables.get_meta_item(table, name="A1G6").values["mfact_nm"] == "Apple"
    side.meta_tables.update_meta_item(table, item, item_dict={"product_grp_id": "2", "mfact_nm": "Apple"})
    side.meta_tables.create_meta_items(table, {"A2FY": {"product_grp_id": "3", "mfact_nm": "Samsung"}})
    frame = side.types.pandas.DataFrame({"eqp": ["B1"], "product_grp_id": ["4"], "mfact_nm": ["LG"]})
    side.meta_tables.create_meta_items_by_dataframe(table, frame, "eqp")
    assert sorted(i.name for i in side.meta_tables.list_meta_items(table)) == ["A1G6", "A2FY", "B1"]
    assert list(side.meta_tables.get_meta_table_dataframe(name="parity_devices")["name"]) == ["A1G6", "A2FY", "B1"]
    side.meta_tables.delete_meta_item(table, item)
    side.meta_tables.delete_meta_table(side.meta_tables.get_meta_table(name="parity_devices"))
    assert not side.meta_tables.meta_table_exists(name="parity_devices")


def graph(side: Side, ctx: dict) -> None:
    assert sorted(v.id for v in side.graph.list_vertices({"label": "user"})) == ["u1", "u2"]
    assert side.graph.get_vertex("p1").get() == {"id": "p1", "label": "product", "properties": {"n": "p1"}}
    assert [e.id for e in side.graph.list_edges({"from": "u2"})] == ["u2_viewed_p1", "u2_bought_p2"]
    assert side.graph.get_edge("u1_bought_p1").label == "bought"
    side.graph.drop_edge("u1_bought_p1")
    side.graph.drop_edges({"label": "viewed"})
    side.graph.drop_vertex("p2")
    side.graph.drop_vertices({"label": "user"})
    assert [v.id for v in side.graph.list_vertices()] == ["p1"] and side.graph.list_edges() == []


def delete_everything(side: Side, ctx: dict) -> None:
    side.models.delete_model(ctx["empty"])
    side.models.delete_model_deployment(ctx["deployment"])
    side.models.delete_model(ctx["model"], delete_table=True)
    side.models.delete_model(ctx["automl"])
    side.components.delete_component(ctx["c2"])
    side.datasets.delete_dataset(name="parity_ds")
    assert [c.name for c in side.components.list_components()] == ["c1"]
    assert side.datasets.list_datasets() == [] and side.models.list_manual_models() == []


STEPS: list[Step] = [
    ("create_components", create_components),
    ("find_components", find_components),
    ("update_component", update_component),
    ("create_models", create_models),
    ("find_models", find_models),
    ("update_models", update_models),
    ("update_meta", update_meta),
    ("readiness", readiness),
    ("update_components", update_components),
    ("items", items),
    ("create_dataset", create_dataset),
    ("find_datasets", find_datasets),
    ("automl", automl),
    ("automl_server", automl_server),
    ("batch_prediction", batch_prediction),
    ("meta_tables", meta_tables),
    ("graph", graph),
    ("delete_everything", delete_everything),
]
