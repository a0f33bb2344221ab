"""The documented extension points of a model class: artifact hooks and runtime caches."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from mls_async import ModelRegistry, ModelRegistryError
from mls_async.models import MLSRuleModel
from mls_async.models.extension import ModelArtifacts, runtime_cache


class Vocabulary(MLSRuleModel):
    """Keeps its vocabulary in a file of its own beside model.joblib, and a runtime index."""

    def __init__(self, words: list[str]) -> None:
        super().__init__("vocabulary_model", "v1", ["word"])
        self.words = words

    def write_artifacts(self, directory: Path) -> None:
        super().write_artifacts(directory)
        (directory / "words.txt").write_text("\n".join(self.words))

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["words"] = None  # kept in words.txt, not in the pickle
        return state

    def after_load(self, directory: Path) -> None:
        super().after_load(directory)
        self.words = (directory / "words.txt").read_text().split("\n")

    def index(self) -> dict[str, int]:
        return runtime_cache(self, "_cache_index", lambda: {word: i for i, word in enumerate(self.words)})

    async def predict_async(self, x, **kwargs):
        position = self.index().get(x[0], -1)
        return {"items": [{"id": x[0], "name": "word", "type": "rule", "props": {"score": position}}]}


def test_artifact_hooks_round_trip_through_the_registry(sync_transport, client_kwargs, tmp_path):
    model = Vocabulary(["alpha", "beta", "gamma"])
    assert isinstance(model, ModelArtifacts)
    assert model.predict(["beta"])["items"][0]["props"]["score"] == 1
    assert "_cache_index" in model.__dict__ and "_cache_index" not in pickle.loads(pickle.dumps(model)).__dict__
    with ModelRegistry(**client_kwargs, transport=sync_transport, model_dir=tmp_path / "saved") as registry:
        registry.save(model)
    with ModelRegistry(**client_kwargs, transport=sync_transport, model_dir=tmp_path / "fresh") as registry:
        loaded = registry.load("vocabulary_model", "v1")
    assert loaded.words == ["alpha", "beta", "gamma"] and "_cache_index" not in loaded.__dict__
    assert loaded.predict(["gamma"])["items"][0]["props"]["score"] == 2


def test_the_registry_refuses_what_is_not_a_model(sync_transport, client_kwargs):
    with ModelRegistry(**client_kwargs, transport=sync_transport) as registry:
        with pytest.raises(ModelRegistryError, match="takes an MLSModel"):
            registry.save(object())


def test_runtime_cache_names_keep_the_prefix():
    with pytest.raises(ValueError, match="_cache"):
        runtime_cache(Vocabulary(["a"]), "index", dict)
