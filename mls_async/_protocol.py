"""Names of the wire protocol shared by the clients and the local server.

Extensions beyond the original MLS protocol are announced by the server in the
``MLS-Capabilities`` response header (a comma-separated list); a client uses an
extension only after a response from that server named it, so nothing changes
against a platform that does not know it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = [
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

USER_AGENT = "mls-async"
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
