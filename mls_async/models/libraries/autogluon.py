"""AutoGluon: a ``TabularPredictor`` scoring a DataFrame, always in a worker thread (it costs milliseconds a call).

Its predictor's files are the artifact hooks of ``MLSTrainable`` (``models/_trainable.py``).
"""

from __future__ import annotations

from typing import Any

from mls_async._exceptions import MLSModelError
from mls_async.models.libraries import Library

__all__ = ["LIBRARY"]


class AutoGluon(Library):
    always_offload = True

    def predict_rows(self, model: Any, predict_fn: str, rows: list[Any], columns: list[str] | None) -> Any:
        import pandas as pd

        method = getattr(model, predict_fn, None)
        if method is None:
            raise MLSModelError(f"the model has no {predict_fn}(); pass a trained model or fit() first")
        output = method(pd.DataFrame(rows, columns=columns), as_pandas=False)
        return output.to_numpy() if hasattr(output, "to_numpy") else output


LIBRARY = AutoGluon("autogluon")
