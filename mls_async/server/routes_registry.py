"""Routes: the model registry (version archives with checksums)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends, Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from mls_async._protocol import ARTIFACTS_PATH, CHECKSUM_HEADER
from mls_async.server.auth import require_user
from mls_async.server.errors import NotFound, envelope
from mls_async.server.names import check_name
from mls_async.server.routers import PrefixedRouter
from mls_async.server.state import get_state

# -- model registry -----------------------------------------------------------------------
registry = PrefixedRouter(prefix=ARTIFACTS_PATH, tags=["model registry"])


@registry.get("/info")
def artifact_info(request: Request, model_name: str, model_version: str, user: str = Depends(require_user)) -> Response:
    return envelope({"info": get_state(request).artifacts.info(model_name, model_version)})


@registry.get("")
def list_artifacts(request: Request, model_name: str | None = None, user: str = Depends(require_user)) -> Response:
    store = get_state(request).artifacts
    return envelope(store.list_versions(model_name) if model_name else store.list_models())


@registry.put("/{model_name}/{model_version}")
async def upload_artifact(
    request: Request, model_name: str, model_version: str, force: bool = False, user: str = Depends(require_user)
) -> Response:
    """Register a version: the body is a tar of its directory, ``X-Content-SHA256`` its checksum."""
    check_name(model_name, "model name")
    check_name(model_version, "model version")
    info = await get_state(request).artifacts.receive(
        model_name, model_version, request.stream(), sha256=request.headers.get("x-content-sha256"), force=force
    )
    return envelope({"info": info})


@registry.get("/{model_name}/{model_version}")
def download_artifact(
    request: Request, model_name: str, model_version: str, user: str = Depends(require_user)
) -> Response:
    """The version's archive, streamed from a file opened before the answer starts.

    The open file is what the stream reads: a forced re-upload or a delete that removes the
    object meanwhile cannot cut the download short (the open file outlives its removal).
    """
    info, file = get_state(request).artifacts.open_archive(
        check_name(model_name, "model name"), check_name(model_version, "model version")
    )
    if info is None or file is None:
        raise NotFound(f"{model_name}/{model_version} is not registered")

    def chunks() -> Iterator[bytes]:
        with file:
            while chunk := file.read(1 << 20):
                yield chunk

    return StreamingResponse(
        chunks(),
        media_type="application/x-tar",
        headers={CHECKSUM_HEADER: info["sha256"], "Content-Length": str(info["size"])},
        background=BackgroundTask(file.close),
    )


@registry.delete("/{model_name}/{model_version}")
def delete_artifact(
    request: Request, model_name: str, model_version: str, user: str = Depends(require_user)
) -> Response:
    if not get_state(request).artifacts.delete(
        check_name(model_name, "model name"), check_name(model_version, "model version")
    ):
        raise NotFound(f"{model_name}/{model_version} is not registered")
    return envelope({"name": model_name, "version": model_version})


ROUTERS = (registry,)  # what the app mounts from this module
