"""``mls-async demo``: start a local MLS server on loopback and run the whole SDK against it.

Trains small LightGBM, XGBoost, CatBoost and PyTorch models, wraps and registers them,
deploys them, checks batch and online readiness, predicts online (with feature
lookups), and trains and serves an AutoML model from an uploaded dataset.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["main", "run_demo", "LocalServer"]

FEATURES = ["age", "traffic", "period", "score"]


class LocalServer:
    """A real uvicorn serving the local MLS app on a free loopback port, in a background thread."""

    def __init__(self, data_dir: Path, username: str, password: str, *, automl_time_limit: int = 30) -> None:
        import uvicorn

        from mls_async.server import ServerConfig, create_app

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        config = ServerConfig(data_dir, {username: password}, automl_time_limit=automl_time_limit)
        self._server = uvicorn.Server(
            uvicorn.Config(create_app(config), host="127.0.0.1", port=self.port, log_level="warning")
        )
        self._thread = threading.Thread(target=self._server.run, name="mls-local-server", daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LocalServer:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the local MLS server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)


def _step(message: str) -> None:
    print(f"\n== {message}", flush=True)


def _data(n: int = 400, seed: int = 0) -> tuple[Any, Any]:
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, len(FEATURES)))
    y = (x[:, 0] + 0.5 * x[:, 1] - x[:, 2] + rng.normal(scale=0.3, size=n) > 0).astype(int)
    return x, y


def _train_library_models(x: Any, y: Any) -> dict[str, Any]:
    import catboost
    import lightgbm
    import torch
    import xgboost

    from mls_async.models import MLSCatBoostModel, MLSLightGBMModel, MLSPyTorchModel, MLSXGBoostModel

    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(len(FEATURES), 8), torch.nn.ReLU(), torch.nn.Linear(8, 1), torch.nn.Sigmoid()
    )
    optimizer = torch.optim.Adam(net.parameters(), lr=0.05)
    inputs, targets = torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32).reshape(-1, 1)
    for _ in range(100):
        optimizer.zero_grad()
        torch.nn.functional.binary_cross_entropy(net(inputs), targets).backward()
        optimizer.step()
    return {
        "lightgbm": MLSLightGBMModel(
            lightgbm.LGBMClassifier(n_estimators=30, verbose=-1).fit(x, y), "demo_lightgbm_model", "v1", FEATURES
        ),
        "xgboost": MLSXGBoostModel(
            xgboost.XGBClassifier(n_estimators=30, max_depth=3).fit(x, y), "demo_xgboost_model", "v1", FEATURES
        ),
        "catboost": MLSCatBoostModel(
            catboost.CatBoostClassifier(iterations=30, verbose=False, allow_writing_files=False).fit(x, y),
            "demo_catboost_model",
            "v1",
            FEATURES,
        ),
        "pytorch": MLSPyTorchModel(torch.jit.script(net.eval()), "demo_pytorch_model", "v1", FEATURES),
    }


async def run_demo(base_url: str, username: str, password: str, model_dir: Path) -> None:
    """Everything the SDK does, against the MLS server at ``base_url``."""
    import pandas as pd

    from mls_async import AsyncMLS
    from mls_async.models import MLModelStatus
    from mls_async.models.contrib import GenericLogicModel

    # One client, one connection pool: every resource below shares it.
    async with AsyncMLS("LOCAL", username=username, password=password, base_url=base_url, model_dir=model_dir) as mls:
        ml_model_client, components, registry = mls.models, mls.components, mls.registry
        dynamodb, profiles, datasets = mls.dynamodb, mls.profiles, mls.datasets
        _step("train LightGBM, XGBoost, CatBoost and PyTorch models on generated data")
        x, y = _data()
        wrapped = await asyncio.to_thread(_train_library_models, x, y)
        row = x[0].tolist()
        component = await components.create_component(name="demo_component", info={"bucket": "demo"})
        for kind, model in wrapped.items():
            deployment = await registry.save_and_deploy(model, force=True)
            deployment = await ml_model_client.update_manual_model_components(deployment, [component])
            ready = await ml_model_client.is_online_prediction_ready(deployment)
            online = await ml_model_client.predict(deployment, row)
            local = await model.predict_async(row)
            assert online == local, (online, local)
            print(
                f"{kind:9s} registered {model.model_name}/v1, deployment id {deployment.id}, "
                f"online ready={ready}, score online={online['items'][0]['props']['score']:.4f} "
                f"(same as local)"
            )

        _step("batch prediction table for a deployment")
        batch = await ml_model_client.create_model_deployment(
            name="demo_batch_model", version="v1", table="demo_batch_table"
        )
        await dynamodb.create_table("demo_batch_table", key="user_id")
        scores = wrapped["lightgbm"].predict_scores(x[:100].tolist())
        await dynamodb.upload_items(
            "demo_batch_table", [{"user_id": f"u{i}", "score": float(s)} for i, s in enumerate(scores)]
        )
        while not await ml_model_client.is_batch_prediction_ready(batch):
            await asyncio.sleep(0.05)
        item = await dynamodb.get_item("demo_batch_table", {"user_id": "u3"})
        print("batch ready:", True, "| item u3:", item["item"])

        _step("a logic model reading three feature groups concurrently during online prediction")
        await profiles.put_user_profiles("demo_usage", {f"u{i}": {"traffic": float(x[i, 1])} for i in range(100)})
        await profiles.put_user_profiles("demo_profile", {f"u{i}": {"age": float(x[i, 0])} for i in range(100)})
        await profiles.put_item_profiles("demo_catalog", {"plan_a": {"boost": 0.1}})
        logic_model = GenericLogicModel(
            model_name="demo_logic_model",
            model_version="v1",
            features=["user_id", "period", "score"],
            model=wrapped["lightgbm"].models[0],
            predict_fn="predict_proba",
            preprocess_logic={
                "merge": [
                    {"first": [{"pf": ["user", "demo_profile", {"var": "user_id"}, ["age"]]}, 1]},
                    {"first": [{"pf": ["user", "demo_usage", {"var": "user_id"}, ["traffic"]]}, 1]},
                    {"var": "period"},
                    {"var": "score"},
                ]
            },
            postprocess_logic={
                "list": [
                    {
                        "dict": [
                            "id",
                            "plan_a",
                            "name",
                            "Plan A",
                            "type",
                            "plan",
                            "props",
                            {
                                "dict": [
                                    "score",
                                    {
                                        "round": [
                                            {
                                                "+": [
                                                    {"var": "y.1"},
                                                    {"get": [{"pf": ["item", "demo_catalog", "plan_a", ["boost"]]}, 0]},
                                                ]
                                            },
                                            4,
                                        ]
                                    },
                                ]
                            },
                        ]
                    }
                ]
            },
        )
        logic_model.set_model_lib("lightgbm")
        deployment = await registry.save_and_deploy(logic_model, force=True)
        result = await ml_model_client.predict(deployment, ["u0", float(x[0, 2]), float(x[0, 3])])
        print("online:", result)
        local = await logic_model.predict_async(["u0", float(x[0, 2]), float(x[0, 3])], pf_client=profiles)
        assert local == result, (local, result)
        print("local predict_async with the HTTP feature client gives the same:", local == result)

        _step("AutoML: upload a dataset, train on the server, serve through a handler")
        frame = pd.DataFrame(x, columns=FEATURES).assign(label=y)
        dataset_name = f"demo_dataset_{secrets.token_hex(3)}"
        dataset = await datasets.upload_dataset(dataset_name, "classification", frame, label="label")
        automl_model = await ml_model_client.create_automl_model(
            dataset=dataset, name=dataset_name + "_model", version="v1", description="demo"
        )
        print(
            f"dataset {dataset.name} ({dataset.num_rows} rows) -> AutoML model {automl_model.id}: "
            f"{automl_model.status and automl_model.status.value}"
        )
        while automl_model.status is MLModelStatus.AUTOML_TRAINING:
            await asyncio.sleep(0.5)
            automl_model = await ml_model_client.get_automl_model(id=automl_model.id)
        if automl_model.status is not MLModelStatus.AUTOML_DONE:
            raise RuntimeError(f"AutoML training failed: {automl_model.get_error()}")
        info = automl_model.automl_model_info or {}
        print(f"trained: {info.get('best_model')} roc_auc={info['performance']['roc_auc']:.3f}")
        await ml_model_client.start_automl_model_server(automl_model)
        print("server:", await ml_model_client.get_automl_model_server_status(automl_model))
        sample = dict(zip(FEATURES, row))
        print("default handler:", await ml_model_client.predict(automl_model, sample))
        await ml_model_client.update_automl_model_server_handler(
            automl_model,
            handler=(
                "def handler(x, y):\n"
                "    label = 'churn' if y[1] > 0.5 else 'stay'\n"
                "    return {'items': [{'id': label, 'name': label, 'type': 'automl', 'props': {'score': y[1]}}]}\n"
            ),
        )
        print("custom handler:", await ml_model_client.predict(automl_model, sample))
        await ml_model_client.stop_automl_model_server(automl_model)
        print("server:", await ml_model_client.get_automl_model_server_status(automl_model))

        _step("summary")
        manual = [m.name async for m in ml_model_client.iter_manual_models()]
        print(
            f"{len(manual)} deployments, {len(await registry.list_models())} registered models, "
            f"{len(await ml_model_client.list_automl_models())} AutoML models"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mls-async demo", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="server data (default: a temporary directory)")
    parser.add_argument(
        "--base-url", default=None, help="run against this server instead of starting one ($MLS_USERNAME/$MLS_PASSWORD)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mls-demo-") as scratch:
        model_dir = Path(scratch) / "models"
        os.environ.setdefault("MLS_MODEL_DIR", str(model_dir))
        if args.base_url:
            asyncio.run(run_demo(args.base_url, os.environ["MLS_USERNAME"], os.environ["MLS_PASSWORD"], model_dir))
            return 0
        username, password = "demo", secrets.token_urlsafe(12)
        data_dir = args.data_dir or Path(scratch) / "server"
        with LocalServer(data_dir, username, password) as server:
            print(f"local MLS server on {server.url} (data in {data_dir})")
            started = time.perf_counter()
            asyncio.run(run_demo(server.url, username, password, model_dir))
            print(f"\ndemo finished in {time.perf_counter() - started:.1f}s")
    return 0
