"""PyTorch: a ``torch.jit.ScriptModule`` called on a float32 batch, pickled through ``torch.jit.save``.

It runs on torch's own intra-op threads, which are process-wide and left to the service
(``torch.set_num_threads(1)`` at start-up for small batches at a steady rate; see _threads).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from mls_async._exceptions import MLSModelError, ModelRegistryError
from mls_async.models.libraries import Library

__all__ = ["LIBRARY", "TORCHSCRIPT_BINARY"]

TORCHSCRIPT_BINARY = "torch_model.pth"  # the original SDK's TorchScript file beside model.joblib


class PyTorch(Library):
    calls_model = True

    def check_model(self, model: Any) -> None:
        import torch

        if not isinstance(model, torch.jit.ScriptModule):
            raise MLSModelError(
                f"MLSPyTorchModel needs a torch.jit.ScriptModule, got {type(model).__name__}; "
                "convert it with torch.jit.script(module) or torch.jit.trace(module, example)"
            )

    def predict_matrix(self, wrapper: Any, matrix: Any) -> Any:
        import numpy as np
        import torch

        with torch.inference_mode():
            output = wrapper.models[0](torch.from_numpy(matrix.astype(np.float32))).numpy()
        return output.reshape(-1) if output.ndim == 2 and output.shape[1] == 1 else output

    def predict_rows(self, model: Any, predict_fn: str, rows: list[Any], columns: list[str] | None) -> Any:
        import torch

        with torch.inference_mode():
            return model(torch.tensor(rows, dtype=torch.float)).detach().numpy()

    def pickled(self, wrapper: Any, state: dict[str, Any]) -> dict[str, Any]:
        import torch

        buffer = io.BytesIO()
        torch.jit.save(wrapper.models[0], buffer)
        state["models"] = None
        state["_torchscript"] = buffer.getvalue()
        return state

    def unpickled(self, state: dict[str, Any]) -> dict[str, Any]:
        import torch

        script = state.pop("_torchscript", None)
        if script is not None:  # None: saved by the original SDK, whose TorchScript file sits beside model.joblib
            state["models"] = [torch.jit.load(io.BytesIO(script), map_location="cpu")]  # hosts may have no GPU
        return state

    def restore(self, model: Any, directory: Path) -> None:
        if getattr(model, "models", None) is not None:
            return
        binary = directory / TORCHSCRIPT_BINARY
        if not binary.is_file():
            raise ModelRegistryError(f"{directory}: a PyTorch model without its {TORCHSCRIPT_BINARY}")
        import torch

        model.models = [torch.jit.load(str(binary), map_location="cpu")]


LIBRARY = PyTorch("pytorch")
