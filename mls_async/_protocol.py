"""The wire protocol, written once for the clients and the local server.

Paths, header names, the ``{code, error, results}`` envelope and the capability names
of the protocol extensions.

Extensions beyond the original MLS protocol are announced by the server in the
``MLS-Capabilities`` response header (a comma-separated list); a client uses an
extension only after a response from that server named it, so nothing changes
against a platform that does not know it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "MODELS_PATH",
    "COMPONENTS_PATH",
    "DATASETS_PATH",
    "DATASET_UPLOAD_PATH",
    "DYNAMODB_PATH",
    "TABLES_PATH",
    "ARTIFACTS_PATH",
    "ARTIFACT_INFO_PATH",
    "META_TABLES_PATH",
    "AUTH_PATH",
    "TOKEN_PATH",
    "SETTINGS_PATH",
    "PROFILES_PATH",
    "GRAPH_PATH",
    "REQUEST_ID_HEADER",
    "RETRY_AFTER_HEADER",
    "CHECKSUM_HEADER",
    "envelope_body",
    "USER_AGENT",
    "APIKEY_HEADER",
    "CAPABILITIES_HEADER",
    "MMS_CLIENT_ID",
    "IDEMPOTENCY_HEADER",
    "CAP_IDEMPOTENCY",
    "CAP_PROFILE_BATCH",
    "CAP_META_MERGE",
    "CAP_TABLE_LOADS",
    "LOCAL_CAPABILITIES",
    "parse_capabilities",
    "Announcements",
]

# -- paths ---------------------------------------------------------------------------------
MODELS_PATH = "/api/v1/models"
COMPONENTS_PATH = "/api/v1/components"
DATASETS_PATH = "/api/v1/datasets"
DATASET_UPLOAD_PATH = DATASETS_PATH + "/upload"
DYNAMODB_PATH = "/api/v1/dynamodb"
TABLES_PATH = DYNAMODB_PATH + "/tables"
ARTIFACTS_PATH = "/api/v1/model_registry/artifacts"
ARTIFACT_INFO_PATH = ARTIFACTS_PATH + "/info"
META_TABLES_PATH = "/api/v1/meta_tables"
AUTH_PATH = "/api/v1/auth"
TOKEN_PATH = AUTH_PATH + "/token"
SETTINGS_PATH = "/api/v1/settings"
PROFILES_PATH = "/v1/{client_id}/profiles/{profile_id}"  # the profile API's host
GRAPH_PATH = "/v1"  # the graph API's host: /v1/vertices, /v1/edges

# -- headers -------------------------------------------------------------------------------
USER_AGENT = "mls-async"
REQUEST_ID_HEADER = "x-request-id"
RETRY_AFTER_HEADER = "Retry-After"
CHECKSUM_HEADER = "X-Content-SHA256"  # a registry artifact download's SHA-256
CAPABILITIES_HEADER = "MLS-Capabilities"
APIKEY_HEADER = "apikey"  # the profile API's credential, with the client id in the path
MMS_CLIENT_ID = "mls-mms"  # the profile API client id on the MMS runtime
IDEMPOTENCY_HEADER = "Idempotency-Key"

CAP_IDEMPOTENCY = "idempotency-key"
"""The server applies a POST carrying an ``Idempotency-Key`` at most once, so a retry is safe."""
CAP_PROFILE_BATCH = "profile-batch"
"""The profile API answers ``POST /v1/{client}/profiles/{profile}/{users|items}/batch``."""

CAP_META_MERGE = "model-meta-merge"
"""``PATCH /api/v1/models/{id}/model_meta`` merges keys into the stored meta in one transaction."""

# Batch tables created, loaded and held through the MLS API (batch scoring into a table).
CAP_TABLE_LOADS = "table-loads"
LOCAL_CAPABILITIES = (CAP_IDEMPOTENCY, CAP_PROFILE_BATCH, CAP_META_MERGE, CAP_TABLE_LOADS)


def parse_capabilities(value: str | None) -> Iterable[str]:
    """The capability names in one ``MLS-Capabilities`` header value."""
    if not value:
        return ()
    return (part.strip().lower() for part in value.split(",") if part.strip())


class Announcements:
    """What one server announced about itself, learned from its responses."""

    def __init__(self) -> None:
        self.capabilities: set[str] = set()
        self.answered = False  # any response seen: the announcements are known

    def learn(self, headers: Mapping[str, str]) -> None:
        self.capabilities.update(parse_capabilities(headers.get(CAPABILITIES_HEADER)))
        self.answered = True

    def supports(self, capability: str) -> bool:
        return capability in self.capabilities

    def announced(self, capability: str) -> bool | None:
        """Whether the server announced ``capability``; None while no response came back to tell."""
        return self.supports(capability) if self.answered else None


def envelope_body(results: Any = None, *, code: int = 0, error: str | None = None) -> dict[str, Any]:
    """Every answer's body: ``{"code": 0, "error": None, "results": ...}``, or the status and message of an error."""
    return {"code": code, "error": error, "results": results}
