"""Names of the wire protocol shared by the clients and the local server.

Extensions beyond the original MLS protocol are announced by the server in the
``MLS-Capabilities`` response header (a comma-separated list); a client uses an
extension only after a response from that server named it, so nothing changes
against a platform that does not know it.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "CAPABILITIES_HEADER",
    "IDEMPOTENCY_HEADER",
    "CAP_IDEMPOTENCY",
    "CAP_PROFILE_BATCH",
    "LOCAL_CAPABILITIES",
    "parse_capabilities",
]

CAPABILITIES_HEADER = "MLS-Capabilities"
IDEMPOTENCY_HEADER = "Idempotency-Key"

CAP_IDEMPOTENCY = "idempotency-key"
"""The server applies a POST carrying an ``Idempotency-Key`` at most once, so a retry is safe."""
CAP_PROFILE_BATCH = "profile-batch"
"""The profile API answers ``POST /v1/{client}/profiles/{profile}/{users|items}/batch``."""

LOCAL_CAPABILITIES = (CAP_IDEMPOTENCY, CAP_PROFILE_BATCH)


def parse_capabilities(value: str | None) -> Iterable[str]:
    """The capability names in one ``MLS-Capabilities`` header value."""
    if not value:
        return ()
    return (part.strip().lower() for part in value.split(",") if part.strip())
