"""The ``page``/``page_size`` query parameters of every list endpoint."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Query

__all__ = ["PAGE_SIZE", "Page", "paging"]

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page:
    """Which slice of a list to answer: everything when no page was asked for."""

    offset: int = 0
    limit: int | None = None


async def paging(
    page: int | None = Query(None, ge=1, description="1-based page; every item when omitted"),
    page_size: int | None = Query(None, ge=1, le=500),
) -> Page:
    """The ``page``/``page_size`` query parameters shared by every list endpoint."""
    if page is None:
        return Page()
    size = page_size or PAGE_SIZE
    return Page((page - 1) * size, size)
