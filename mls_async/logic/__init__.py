"""The logic DSL used by ``GenericLogicModel`` (the original SDK's ``LogicProcessor``)."""

from mls_async.logic.operations import OPERATIONS
from mls_async.logic.processor import ALLOWED_TOP_LEVEL, LogicError, LogicProcessor, validate_logic

__all__ = [
    "ALLOWED_TOP_LEVEL",
    "LogicError",
    "LogicProcessor",
    "OPERATIONS",
    "validate_logic",
]
