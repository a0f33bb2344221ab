"""Ready-made models built on the MLSModel family."""

from mls_async.models.contrib.generic_logic import GenericLogicModel

__all__ = [
    "GenericLogicModel",
]
