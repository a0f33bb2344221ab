"""``GenericLogicModel`` against the original's: the same logics, features and keys give the same answers.

The original predicts with its own profile client over loopback; ours with the async
client, many predictions at once (lookups merged, answered into the logic's nodes, the
model called once per batch): the answers must not depend on any of that.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import httpx
import numpy as np
import pytest

from mls_async.server import ServerConfig, create_app
from tests.parity.recording import serve
from tests.parity.sides import PASSWORD, USER

if os.environ.get("MLS_PARITY_REQUIRED"):
    import sktmls  # noqa: F401
else:
    pytest.importorskip("sktmls", reason="the parity suite needs the original: pip install --no-deps sktmls==2026.10.7")
pytestmark = pytest.mark.parity

CLIENT_ID, APIKEY = "logic-client", "logic-apikey"
USERS = {f"u{i}": {"age": 20 + i, "city": "seoul" if i % 2 else "busan"} for i in range(6)}
USAGE = {f"u{i}": {"traffic": 1.5 * i} for i in range(4)}  # u4 and u5 have no usage profile


class RowSum:
    """A stand-in model: each row's sum (predict) and its two-class split (predict_proba)."""

    def predict(self, rows: Any) -> Any:
        return np.asarray(rows, dtype=float).sum(axis=1)

    def predict_proba(self, rows: Any) -> Any:
        total = self.predict(rows) / 100
        return np.stack([1 - total, total], axis=1)


LOOKUPS = {
    "merge": [
        {"pf": ["user", "demo", {"var": "user_id"}, ["age"]]},
        {"get": [{"pf": ["user", "usage", {"var": "user_id"}, ["traffic"]]}, 0, 0]},
        {"var": ["bonus", 0]},
    ]
}
CASES = [
    ("predict", LOOKUPS, {"list": [{"dict": ["id", {"var": "user_id"}, "props", {"dict": ["score", {"var": "y"}]}]}]}),
    ("predict_proba", LOOKUPS, {"list": [{"dict": ["id", {"var": "additional_keys.0"}, "score", {"var": "y.1"}]}]}),
    (
        "predict",
        {
            "merge": [
                {
                    "+": [
                        {"get": [{"pf": ["user", "demo", {"var": "user_id"}, ["age"]]}, 0]},
                        {"get": [{"pf": ["user", "usage", {"var": "user_id"}, ["traffic"]]}, 0, 1]},
                    ]
                },
                {"var": ["bonus", 0]},
            ]
        },
        {"list": [{"var": "y"}, {"missing": ["additional_keys", "bonus"]}, {"var": "additional_keys"}]},
    ),
    (
        "none",
        {"pf": ["user", "demo", {"var": "user_id"}, ["city", "age"]]},
        {"list": [{"dict": ["city", {"pf": ["user", "demo", {"var": "user_id"}, ["city"]]}, "y", {"var": "y"}]}]},
    ),
    ("none", LOOKUPS, {"list": [{"pf": ["user", "demo", {"var": "user_id"}, "city"]}]}),  # keys not a list: an error
]
INPUTS = [([f"u{i}", i if i % 3 else None], [f"k{i}"] if i % 2 else None) for i in range(6)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    config = ServerConfig(tmp_path_factory.mktemp("logic"), {USER: PASSWORD}, apikeys={CLIENT_ID: APIKEY})
    with serve(create_app(config)) as url:
        with httpx.Client(base_url=url, auth=(USER, PASSWORD)) as http:
            http.put(f"/v1/{CLIENT_ID}/profiles/demo/users", json=USERS).raise_for_status()
            http.put(f"/v1/{CLIENT_ID}/profiles/usage/users", json=USAGE).raise_for_status()
        yield url


def _kwargs(predict_fn: str, preprocess: Any, postprocess: Any) -> dict[str, Any]:
    return {
        "model_name": "parity_logic_model",
        "model_version": "v1",
        "features": ["user_id", "bonus"],
        "model": RowSum(),
        "preprocess_logic": preprocess,
        "postprocess_logic": postprocess,
        "predict_fn": predict_fn,
    }


def _original_answers(url: str, case: tuple[str, Any, Any]) -> list[Any]:
    import sktmls.config
    from sktmls import MLSENV, MLSRuntimeENV
    from sktmls.apis import MLSProfileAPIClient
    from sktmls.models.contrib import GenericLogicModel

    sktmls.config.CONFIG["LOCAL"]["MLS_PROFILE_API_URL"]["local"] = url
    client = MLSProfileAPIClient(env=MLSENV.LOCAL, runtime_env=MLSRuntimeENV.LOCAL, client_id=CLIENT_ID, apikey=APIKEY)
    model = GenericLogicModel(**_kwargs(*case))
    answers = []
    for x, keys in INPUTS:
        try:
            answers.append(model.predict(list(x), pf_client=client, **({} if keys is None else {"keys": keys})))
        except Exception as exc:  # noqa: BLE001 - an error is an answer to compare too
            answers.append(type(exc).__name__)
    return answers


def _our_answers(url: str, case: tuple[str, Any, Any]) -> list[Any]:
    from mls_async import AsyncMLSProfileAPIClient
    from mls_async.models.contrib import GenericLogicModel

    model = GenericLogicModel(**_kwargs(*case))

    async def run() -> list[Any]:
        async with AsyncMLSProfileAPIClient("LOCAL", "LOCAL", CLIENT_ID, APIKEY, base_url=url) as client:
            answers = await asyncio.gather(
                *(
                    model.predict_async(list(x), pf_client=client, **({} if keys is None else {"keys": keys}))
                    for x, keys in INPUTS
                ),
                return_exceptions=True,
            )
            return [type(a).__name__ if isinstance(a, Exception) else a for a in answers]

    return asyncio.run(run())


@pytest.mark.parametrize(
    "case", CASES, ids=["predict", "proba-and-keys", "nested-lookups", "no-model", "keys-not-a-list"]
)
def test_our_logic_model_answers_as_the_original(server, case):
    assert _our_answers(server, case) == _original_answers(server, case)
