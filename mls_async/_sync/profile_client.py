# Generated from mls_async/_async/profile_client.py by scripts/unasync.py. Do not edit: edit the source and regenerate.
"""``MLSProfileAPIClient``: the feature (profile) API that models read during inference.

It sends what the original SDK sends: ``GET /v1/{client_id}/profiles/{profile_id}/{users|items}/{id}``
and the integrated ``GET /v1/{client_id}/profiles/{profile_id}?id=...``, feature names as
repeated ``f``, and on every runtime but MMS the ``apikey`` header and ``mode=test``.

Concurrent lookups are merged as far as is safe (see :mod:`mls_async._coalesce`):
identical lookups in flight share one request, and lookups of one profile arriving
within ``coalesce_window`` go out as one batch request, but only to a server that
announced its batch route (``MLS-Capabilities: profile-batch``, as ``mls-async
server`` does). Elsewhere every id is its own ``GET``, as in the original.

The tail of a profile store is handled here too: a slow ``GET`` lookup gets one hedged
copy (``hedging=``, see :class:`~mls_async.HedgingPolicy`), lookups take a ``deadline=``,
and :attr:`MLSProfileAPIClient.stats` counts what the lookups did.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Hashable, Mapping
from typing import Any, Self

import httpx

from mls_async._sync.base_client import (
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUT,
    Connection,
    MLSClient,
    ClientOptions,
    encode_query,
)
from mls_async._coalesce import PENDING, RequestCoalescer, Slots, check_deadline
from mls_async._config import MLSENV, MLSRuntimeENV
from mls_async._exceptions import DoesNotExist, MLSConfigError, MLSNotFoundError, MLSTimeoutError
from mls_async._hedging import Hedger, HedgingPolicy, LookupStats
from mls_async._hosts import API
from mls_async._protocol import APIKEY_HEADER, CAP_PROFILE_BATCH, MMS_CLIENT_ID, PROFILES_PATH
from mls_async._retry import RetryPolicy
from mls_async._validation import check_type

__all__ = ["MLSProfileAPIClient", "PROFILES_PATH"]

_KINDS = {"user": "users", "item": "items"}
_QUERIES_KEPT = 256  # distinct key lists whose encoded query is kept


class MLSProfileAPIClient(MLSClient):
    """Read and load user and item profiles (feature groups).

    Args:
        env, runtime_env: as in the original; the host comes from the original's table.
        client_id, apikey: the profile API's credentials, required on every runtime but
            MMS (where the client id is ``mls-mms`` and no key is sent). Against the local
            server an account's ``username``/``password`` also work.
        coalesce_window: seconds to gather concurrent lookups of one profile; ``None``
            sends each distinct lookup on its own (identical ones still share a request).
        hedging: when a slow ``GET`` lookup gets a second, identical request (a
            :class:`~mls_async.HedgingPolicy`); the first answer wins and the other request
            is aborted. On by default: the delay is the 95th percentile of the profile API's
            recent latencies, at least 1.5 times their median and at least 10 ms, and hedges
            stay within 5% of requests (a token bucket). A tail of up to about 5% of reads is
            then hedged, a store whose reads all take about the same time gets almost no
            copies, and one slow everywhere at most 5% more requests. ``None`` or
            ``HedgingPolicy.off()``: never hedge. Batch lookups (a ``POST``) are never
            hedged; nor are the sync client's lookups, whose blocking call has nothing to
            race (the sync client takes the option, and counts its lookups in ``stats``).
        base_url, timeout, max_retries, retry, limits, transport, auth, connection: as for
            every client (:class:`~mls_async.MLSClient`).

    Every lookup takes ``deadline=`` (seconds): past it, ``MLSTimeoutError`` names the
    lookup, its request is aborted, and no retry or hedge of it starts. :attr:`stats`
    counts lookups, requests, hedges sent and won, timeouts and cancelled requests;
    logger ``mls_async.hedging`` logs each hedge at DEBUG.
    """

    _api = API.PROFILE
    root_options = ("client_id", "apikey", "coalesce_window", "hedging")

    @classmethod
    def _from_options(cls, options: ClientOptions, connection: Connection) -> Self:
        """With an ``apikey`` the account stays off the profile API's requests, as the original sends them."""
        if options.extra.get("apikey") is not None:
            options = dataclasses.replace(options, username=None, password=None)
        return super()._from_options(options, connection)

    def __init__(
        self,
        env: MLSENV | str | None = None,
        runtime_env: MLSRuntimeENV | str | None = None,
        client_id: str | None = None,
        apikey: str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        coalesce_window: float | None = 0.002,
        hedging: HedgingPolicy | None = HedgingPolicy(),
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        retry: RetryPolicy | None = None,
        limits: httpx.Limits = DEFAULT_LIMITS,
        transport: httpx.BaseTransport | str | None = None,
        auth: str = "basic",
        connection: Connection | None = None,
    ) -> None:
        super().__init__(
            env,
            runtime_env,
            username,
            password,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            limits=limits,
            transport=transport,
            auth=auth,
            credentials_required=False,
            connection=connection,
        )
        if hedging is not None:
            check_type(hedging, HedgingPolicy, "hedging", hint="Pass a HedgingPolicy, or None to never hedge.")
        self._hedging = hedging if hedging is not None else HedgingPolicy.off()
        self.stats = LookupStats()
        self._hedgers: dict[Hashable, Hedger] = {}
        self._mms = self.get_runtime_env() is MLSRuntimeENV.MMS
        if self._mms:
            self.client_id = MMS_CLIENT_ID
        else:
            if apikey is None and self._settings.username is None:
                raise MLSConfigError(
                    "the profile API needs client_id= and apikey= on this runtime (only MMS needs none); "
                    "against `mls-async server` an account's username=/password= also work"
                )
            if apikey is not None and not client_id:
                raise MLSConfigError("apikey= belongs to a client: pass client_id= too")
            self.client_id = client_id or MMS_CLIENT_ID
            if apikey is not None:
                self._headers[APIKEY_HEADER] = apikey
        self._coalesce_window = coalesce_window
        self._queries: dict[tuple[str, ...], str] = {}
        self._copied()

    def _copied(self) -> None:
        # Merging calls back into this client, so a with_options copy gets its own, with its own options.
        self._coalescer = RequestCoalescer(
            self._fetch_one,
            self._fetch_many,
            window=self._coalesce_window,
            can_batch=lambda: self.announced(CAP_PROFILE_BATCH),
            hedger=self._hedger,
            stats=self.stats,
        )

    def _hedger(self, group: Hashable) -> Hedger:
        """The hedger of one profile API (``users`` or ``items`` of one profile): its latencies, its budget."""
        hedger = self._hedgers.get(group)
        if hedger is None:
            hedger = self._hedgers[group] = Hedger(self._hedging, self.stats)
        return hedger

    def _path(self, profile_id: str) -> str:
        check_type(profile_id, str, "profile_id")
        return PROFILES_PATH.format(client_id=self.client_id, profile_id=profile_id)

    def _params(self, keys: list[str] | None, **extra: Any) -> dict[str, Any]:
        """Query of a profile read: ``f`` per feature, and ``mode=test`` off the MMS runtime."""
        params: dict[str, Any] = dict(extra)
        if keys:
            params["f"] = keys
        if not self._mms:
            params["mode"] = "test"
        return params

    def _read(
        self, path: str, params: dict[str, Any] | None, missing: str, timeout: float | None = None
    ) -> dict[str, Any]:
        try:  # with a timeout (a sync lookup's deadline): one attempt, no retry past it
            response = self._request(
                "GET", path, params=params, timeout=timeout, max_retries=None if timeout is None else 0
            )
        except MLSNotFoundError as exc:
            raise DoesNotExist(missing) from exc
        return response.results or {}

    def _fetch_one(
        self, group: Hashable, target_id: str, keys: list[str] | None, timeout: float | None = None
    ) -> dict[str, Any]:
        kind, profile_id = typing.cast(tuple[str, str], group)
        query = self._lookup_query(keys)
        path = f"{self._path(profile_id)}/{kind}/{target_id}"
        return self._read(
            f"{path}?{query}" if query else path,
            None,
            f"no {kind[:-1]} {target_id!r} in profile {profile_id!r}",
            timeout,
        )

    def _lookup_query(self, keys: list[str] | None) -> str:
        """The encoded query of a lookup of ``keys``, kept: a model asks for the same keys every time."""
        known = tuple(keys) if keys else ()
        try:
            query = self._queries.get(known)
        except TypeError:  # a key that is no name (a list, say): encoded as the original would, not kept
            return encode_query(self._params(keys))
        if query is None:
            if len(self._queries) >= _QUERIES_KEPT:
                self._queries.clear()
            query = self._queries[known] = encode_query(self._params(keys))
        return query

    def _fetch_many(self, group: Hashable, target_ids: list[str], keys: list[str] | None) -> dict[str, Any]:
        kind, profile_id = typing.cast(tuple[str, str], group)
        response = self._request(  # a lookup: safe to repeat, as the GETs it stands for
            "POST", f"{self._path(profile_id)}/{kind}/batch", json={"ids": target_ids, "keys": keys}, read_only=True
        )
        return response.results or {}

    @staticmethod
    def _check(target_id: Any, keys: Any, name: str) -> None:
        if type(target_id) is str and (keys is None or type(keys) is list):
            return  # the common case, checked at the cost of two comparisons (once per lookup)
        check_type(target_id, (str, int), name)
        if keys is not None:
            check_type(keys, list, "keys", hint="Pass a list of feature names, or None for all.")

    def get_user_profile(
        self, profile_id: str, user_id: str, keys: list[str] | None = None, *, deadline: float | None = None
    ) -> dict[str, Any]:
        """Feature values of one user in ``profile_id`` (only ``keys`` when given), within ``deadline`` seconds."""
        self._check(user_id, keys, "user_id")
        return self._get("users", profile_id, str(user_id), keys, deadline)

    def get_item_profile(
        self, profile_id: str, item_id: str, keys: list[str] | None = None, *, deadline: float | None = None
    ) -> dict[str, Any]:
        """Feature values of one item in ``profile_id`` (only ``keys`` when given), within ``deadline`` seconds."""
        self._check(item_id, keys, "item_id")
        return self._get("items", profile_id, str(item_id), keys, deadline)

    def _get(
        self, kind: str, profile_id: str, target_id: str, keys: list[str] | None, deadline: float | None
    ) -> dict[str, Any]:
        what = _described(kind, profile_id, target_id)
        if deadline is not None:
            check_deadline(deadline)
        pending = PENDING.get()
        if pending is None:
            return self._coalescer.get((kind, profile_id), target_id, keys, deadline=deadline, what=what)
        waiting = [True]
        pending.add(what, lambda: waiting[0], self.stats)
        try:
            values = self._coalescer.get((kind, profile_id), target_id, keys, deadline=deadline, what=what)
        except MLSTimeoutError:
            raise  # no answer within the deadline: as pending as one still waiting
        except Exception:
            waiting[0] = False
            raise
        waiting[0] = False
        return values

    def get_profile(self, profile_id: str, id: str, keys: list[str] | None = None) -> dict[str, Any]:
        """Feature values of ``id`` through the profile's integrated route (users or items)."""
        self._check(id, keys, "id")
        self.stats.count("lookups")
        self.stats.count("requests")
        return self._read(
            self._path(profile_id), self._params(keys, id=id), f"no profile {id!r} in profile {profile_id!r}"
        )

    def lookup(self, api_type: str, profile_id: str, target_id: Any, keys: list[str] | None = None) -> Any:
        """Start a ``user``/``item`` lookup now and return its future (the logic DSL's fast path)."""
        self._check(target_id, keys, f"{api_type}_id")
        kind, target = _KINDS[api_type], str(target_id)
        future = self._coalescer.start((kind, profile_id), target, keys)
        pending = PENDING.get()
        if pending is not None:
            pending.add_future(_described(kind, profile_id, target), future, self.stats)
        return future

    def lookup_values(self, api_type: str, profile_id: str, target_id: Any, keys: list[str]) -> Any:
        """:meth:`lookup` answering as the DSL's ``pf`` does: ``[value per key]``, or None if not found."""
        self._check(target_id, keys, f"{api_type}_id")
        kind, target = _KINDS[api_type], str(target_id)
        future = self._coalescer.start((kind, profile_id), target, keys, as_values=True)
        pending = PENDING.get()
        if pending is not None:
            pending.add_future(_described(kind, profile_id, target), future, self.stats)
        return future

    def lookup_into(
        self, api_type: str, profile_id: str, target_id: Any, keys: list[str], slots: Slots, index: int
    ) -> bool:
        """:meth:`lookup_values` answering into slot ``index`` of a pending logic node, with no future of its own.

        False when this client does not gather lookups (``coalesce_window=None``, or sync).
        """
        self._check(target_id, keys, f"{api_type}_id")
        kind, target = _KINDS[api_type], str(target_id)
        if not self._coalescer.start_into((kind, profile_id), target, keys, slots, index):
            return False
        pending = PENDING.get()
        if pending is not None:
            pending.add_slot(_described(kind, profile_id, target), slots, index, self.stats)
        return True

    def get_user_profiles(
        self, profile_id: str, user_ids: list[str], keys: list[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        """Many users at once: ``{user_id: values}``, unknown ids left out (merged as ``get_user_profile``)."""
        check_type(user_ids, list, "user_ids")
        return self._many("users", profile_id, user_ids, keys)

    def get_item_profiles(
        self, profile_id: str, item_ids: list[str], keys: list[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        """Many items at once: ``{item_id: values}``, unknown ids left out (merged as ``get_item_profile``)."""
        check_type(item_ids, list, "item_ids")
        return self._many("items", profile_id, item_ids, keys)

    def _many(self, kind: str, profile_id: str, ids: list[str], keys: list[str] | None) -> dict[str, Any]:
        return self._coalescer.get_many((kind, profile_id), [str(i) for i in ids], keys)

    def put_user_profiles(self, profile_id: str, profiles: Mapping[str, Mapping[str, Any]]) -> int:
        """Load ``{user_id: {feature: value}}`` into the local server's profile (merged per user)."""
        check_type(profiles, Mapping, "profiles")
        response = self._request("PUT", f"{self._path(profile_id)}/users", json=dict(profiles))
        loaded: int = response.results["count"]
        return loaded

    def put_item_profiles(self, profile_id: str, profiles: Mapping[str, Mapping[str, Any]]) -> int:
        """Load ``{item_id: {feature: value}}`` into the local server's profile (merged per item)."""
        check_type(profiles, Mapping, "profiles")
        response = self._request("PUT", f"{self._path(profile_id)}/items", json=dict(profiles))
        loaded: int = response.results["count"]
        return loaded


def _described(kind: str, profile_id: str, target_id: str) -> str:
    """A lookup as an error names it: ``user 'u1' of profile 'p'``."""
    return f"{kind[:-1]} {target_id!r} of profile {profile_id!r}"
