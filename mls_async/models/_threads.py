"""How many threads a library's predict uses: one for small batches, the library's default for large ones.

LightGBM and XGBoost predict on OpenMP threads, which spin for milliseconds after each
call before they sleep, and CatBoost wakes its own pool: at a steady rate of single-row
predictions the default threads cost about 10 ms of CPU a call where one thread costs
well under 1 ms. The answer is the same either way, to the bit: each row is scored by one
thread, whichever, and the threads only split the rows. So a batch of fewer than
``THREADED_ROWS[library]`` rows runs on the calling thread alone, and a larger one as the
library (or the model's own ``n_jobs``/``nthread``) decides, where more threads start to
pay. The thresholds are measured by ``benchmarks/bench_predict.py`` (its "threads by batch
size" table), which also prints the CPU of each library call at a steady rate.

Per library, through its public API (each library's object in ``models/libraries/`` applies
its rule, with :func:`one_thread` and :func:`xgboost_single_thread` from here):

- LightGBM: the ``num_threads=1`` keyword of ``predict``/``predict_proba`` (a ``Booster`` or
  an sklearn-API model). LightGBM applies it for the duration of the call, process-wide: a
  large batch predicted concurrently in another thread may start on one thread, or a single
  row on all, which changes only the time they take.
- XGBoost: a booster predicts with its ``nthread`` parameter, and setting a parameter on a
  booster that other threads predict with is not safe. A small batch goes to a copy with
  ``nthread=1``, made once per booster on its first small batch (a model trained with
  ``n_jobs=1`` is its own copy); the copy holds the model a second time in memory.
- CatBoost: the ``thread_count=1`` argument of ``predict``/``predict_proba``.
- PyTorch: untouched. ``torch.set_num_threads`` is process-wide (it also sets what every new
  thread starts with, and clears oneDNN's caches), so changing it around a call would race
  with every other thread using torch. A single row stays below torch's grain size and runs
  on the calling thread anyway; batches of a few rows and more wake the intra-op pool, so a
  service scoring small batches at a steady rate calls ``torch.set_num_threads(1)`` once at
  start-up (the benchmark prints both).
"""

from __future__ import annotations

import copy
import json
import threading
import weakref
from typing import Any

__all__ = ["THREADED_ROWS", "one_thread", "xgboost_single_thread"]

# Rows from which the library's default threads run; fewer rows run on one thread.
# benchmarks/bench_predict.py ("threads by batch size") measures where more threads pay: cut
# a batch's time to 0.8x for at most 1.5x its CPU. On an idle 2-core x86_64 machine they paid
# from 256 rows for LightGBM, from about 2048 for XGBoost and from 8192 for CatBoost; a host
# with more cores gains more from them, never less, so these sizes err towards threads.
THREADED_ROWS: dict[str, int] = {"lightgbm": 256, "xgboost": 2048, "catboost": 8192}


def one_thread(library: str, rows: int) -> bool:
    """Whether a batch of ``rows`` rows of ``library`` runs on one thread."""
    return rows < THREADED_ROWS[library]


_SELF = object()  # the model already predicts on one thread: it is its own copy
# Copies by booster: of Boosters, and of sklearn-API models (whose copy is a model), apart.
_booster_copies: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
_model_copies: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
_copies_lock = threading.Lock()


def xgboost_single_thread(model: Any) -> Any:
    """``model`` (an XGBoost ``Booster`` or sklearn-API model) as a copy that predicts on one thread.

    Copies are kept per booster, for as long as the booster lives: refitting a model gives
    it a new booster, and so a new copy.
    """
    is_booster = not hasattr(model, "get_booster")
    booster = model if is_booster else model.get_booster()
    copies = _booster_copies if is_booster else _model_copies
    single = copies.get(booster)
    if single is None:
        with _copies_lock:
            single = copies.get(booster)
            if single is None:
                single = copies[booster] = _single_thread_copy(model, booster)
    return model if single is _SELF else single


def _single_thread_copy(model: Any, booster: Any) -> Any:
    config = json.loads(booster.save_config())
    if config["learner"]["generic_param"].get("nthread") == "1":
        return _SELF
    if model is booster:
        single = booster.copy()
        single.set_param({"nthread": 1})
        return single
    single = copy.deepcopy(model)
    single.set_params(n_jobs=1)  # an sklearn-API model passes it on to its booster's nthread
    return single
