"""Small real models trained on generated data, shared by the model-family tests."""

from __future__ import annotations

import functools

import numpy as np

FEATURES = ["age", "traffic", "period", "score"]
CUSTOM_PREDICT_SOURCE = """\
async def predict_async(x, model=None, **kwargs):
    boost = kwargs.get("boost", 0)
    return {"items": [{"id": "g", "name": model.model_name, "type": "generic", "props": {"score": sum(x) + boost}}]}
"""


@functools.cache
def data(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, len(FEATURES)))
    y = (x[:, 0] + 0.5 * x[:, 1] - x[:, 2] + rng.normal(scale=0.3, size=n) > 0).astype(int)
    return x, y


def lightgbm_model():
    import lightgbm

    x, y = data()
    return lightgbm.LGBMClassifier(n_estimators=20, num_leaves=7, verbose=-1).fit(x, y)


def xgboost_model():
    import xgboost

    x, y = data()
    return xgboost.XGBClassifier(n_estimators=20, max_depth=3, n_jobs=1).fit(x, y)


def catboost_model():
    import catboost

    x, y = data()
    return catboost.CatBoostClassifier(
        iterations=20, depth=3, verbose=False, thread_count=1, allow_writing_files=False
    ).fit(x, y)


def torch_model():
    import torch

    torch.manual_seed(0)
    module = torch.nn.Sequential(
        torch.nn.Linear(len(FEATURES), 8), torch.nn.ReLU(), torch.nn.Linear(8, 1), torch.nn.Sigmoid()
    )
    return torch.jit.script(module.eval())


def raw_scores(kind: str, model, rows: np.ndarray) -> np.ndarray:
    """The library's own prediction, for comparison with the wrapper's."""
    if kind == "lightgbm":
        return model.predict_proba(rows)[:, 1]
    if kind == "xgboost":
        return model.predict_proba(rows)[:, 1]
    if kind == "catboost":
        return model.predict_proba(rows)[:, 1]
    import torch

    with torch.no_grad():
        return model(torch.tensor(rows, dtype=torch.float32)).numpy().reshape(-1)


def frame(n: int = 240, seed: int = 0, regression: bool = False):
    """A pandas frame: 6 numeric features, a categorical one, and a label."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, 6)), columns=[f"f{i}" for i in range(6)])
    df["segment"] = rng.choice(["a", "b", "c"], n)
    signal = df.f0 + 0.8 * df.f1 - 0.5 * df.f2
    df["label"] = signal + rng.normal(scale=0.1, size=n) if regression else (signal > 0).astype(int)
    return df


TRAIN_FEATURES = [f"f{i}" for i in range(6)] + ["segment"]
FAST_GBM = {"GBM": {"num_boost_round": 20, "num_leaves": 7}}
