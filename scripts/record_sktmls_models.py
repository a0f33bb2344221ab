#!/usr/bin/env python3
"""Save models with the real original SDK, and record its predictions, for the loading tests.

    python scripts/record_sktmls_models.py [OUT_DIR]   # default: tests/fixtures/sktmls_models

Needs ``pip install --no-deps sktmls==2026.10.7`` beside the model libraries. Writes, per
model, ``{name}/{version}/model.joblib`` and ``model.json`` as the original's
``ModelRegistry.save`` writes them, and ``cases.json``: the profile values the logic
reads, then for each case the input and the original's answer.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "sktmls_models"

# What the logic model's ``pf`` lookups find: profile "usage", user id -> values.
PROFILES = {"usage": {"u1": {"traffic": 1.25, "plan": "5G"}, "u2": {"traffic": 0.5, "plan": "LTE"}}}


class _Profiles:
    """The original's profile client, answering from PROFILES (a missing user reads as Nones)."""

    def get_user_profile(self, profile_id: str, user_id: str, keys: list[str]) -> dict[str, Any]:
        found = PROFILES.get(profile_id, {}).get(str(user_id), {})
        return {key: found.get(key) for key in keys}


def _booster(num_features: int, seed: int) -> Any:
    import lightgbm
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(300, num_features))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(int)
    return lightgbm.train(
        {"objective": "binary", "verbose": -1, "min_data_in_leaf": 5}, lightgbm.Dataset(x, y), num_boost_round=8
    )


def _models() -> list[tuple[Any, list[dict[str, Any]]]]:
    from sktmls.models.contrib import GenericLogicModel, SampleModel, VasXcloudRuleModel

    logic = GenericLogicModel(
        model_name="logic_lookup_model",
        model_version="v1",
        features=["user_id", "age", "period"],
        model=_booster(3, 1),
        preprocess_logic={
            "merge": [
                {"var": ["age", 30]},
                {"get": [{"pf": ["user", "usage", {"var": "user_id"}, ["traffic"]]}, 0]},
                {"var": ["period", 0]},
            ]
        },
        postprocess_logic={
            "list": [
                {
                    "dict": [
                        "id",
                        {"var": "user_id"},
                        "name",
                        "churn",
                        "type",
                        "score",
                        "props",
                        {
                            "dict": [
                                "score",
                                {"round": [{"var": "y"}, 6]},
                                "plan",
                                {"get": [{"pf": ["user", "usage", {"var": "user_id"}, ["plan"]]}, 0]},
                            ]
                        },
                    ]
                }
            ]
        },
        predict_fn="predict",
    )
    logic.model_lib = "lightgbm"
    logic_cases = [{"x": ["u1", -1.0, -0.2]}, {"x": ["u2", None, 1.5]}, {"x": ["u9", -2.0, 0.1]}]
    sample = SampleModel(_booster(3, 2), "sample_model", "v1", ["f1", "f2", "f3"])
    sample_cases = [{"x": [2.0, 1.0, 0.0]}, {"x": [-2.0, -1.0, 0.0]}, {"x": [-3.0, -3.0, 0.0]}]
    rule = VasXcloudRuleModel(
        "vas_rule_model",
        "v1",
        [
            "age",
            "real_arpu_bf_m1",
            "app_use_traffic_game",
            "app_use_days_video_median_yn",
            "data_use_night_ratio_median_yn",
        ],
    )
    rule_cases = [
        {"x": [20, 55000, 10000, "Y", "Y"]},
        {"x": [5, 55000, 10000, "Y", "Y"]},
        {"x": [30, 40000, None, None, "Y"]},
    ]
    return [(logic, logic_cases), (sample, sample_cases), (rule, rule_cases)]


def record(out: Path) -> None:
    """Save the models with the original into ``out`` and record its answers beside them."""
    home = Path(tempfile.mkdtemp(prefix="sktmls-home-"))
    os.environ["HOME"] = str(home)  # the original saves under ~/models
    try:
        from sktmls import MLSENV, MLSRuntimeENV, ModelRegistry

        registry = ModelRegistry(env=MLSENV.STG, runtime_env=MLSRuntimeENV.LOCAL)
        for model, cases in _models():
            registry.save(model, force=True)
            for case in cases:
                case["expected"] = model.predict(case["x"], pf_client=_Profiles())
            target = out / model.model_name / model.model_version
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(home / "models" / model.model_name / model.model_version, target)
            (target / "cases.json").write_text(
                json.dumps({"profiles": PROFILES, "cases": cases}, ensure_ascii=False, indent=1) + "\n"
            )
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    record(out)
    print(f"wrote {', '.join(sorted(p.name for p in out.iterdir()))} under {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
