"""The MLS platform's hosts per runtime env, env and API, as the original SDK ships them.

The original SDK (``sktmls.config.CONFIG``) picks a host by where the client runs
(``YE``, ``EDD``, ``MMS``, ``LOCAL``), which platform env it targets and which API it
calls. The same table resolves our clients' base URLs when no ``base_url`` is given,
so ``env=MLSENV.STG`` reaches what the original reaches.
"""

from __future__ import annotations

from enum import Enum

from mls_async._exceptions import MLSConfigError

__all__ = ["API", "HOSTS", "platform_url"]


class API(str, Enum):
    """The platform's APIs, each with its own hosts."""

    AB = "MLS_AB_API_URL"
    PROFILE = "MLS_PROFILE_API_URL"
    RECOMMENDATION = "MLS_RECOMMENDATION_API_URL"
    CONVERSION_TRACKING = "MLS_CONVERSION_TRACKING_API_URL"
    GRAPH = "MLS_GRAPH_API_URL"


def _suffixed(scheme: str, prefix: str, graph: bool = False) -> dict[str, str]:
    """``{env: url}`` for one API's ``.sktmls.com`` / ``.sktmls.ai`` host family."""
    urls = {
        "dev": f"{scheme}://{prefix}.dev.sktmls.com",
        "stg": f"{scheme}://{prefix}.stg.sktmls.com",
        "prd": f"{scheme}://{prefix}.sktmls.com",
        "dev_land": f"{scheme}://{prefix}.dev.sktmls.ai",
        "stg_land": f"{scheme}://{prefix}.stg.sktmls.ai",
        "prd_land": f"{scheme}://{prefix}.sktmls.ai",
    }
    if graph:  # the graph API has no LAND hosts
        urls.update(dev_land="", stg_land="", prd_land="")
    return urls


def _nlb(dev: str, stg: str, prd: str, dev_land: str = "", prd_land: str = "") -> dict[str, str]:
    host = "http://mls-{}-nlb-{}.elb.ap-northeast-2.amazonaws.com:8080"
    return {
        "dev": host.format(*dev.split(":")),
        "stg": host.format(*stg.split(":")),
        "prd": host.format(*prd.split(":")),
        "dev_land": host.format(*dev_land.split(":")) if dev_land else "",
        "stg_land": "",
        "prd_land": host.format(*prd_land.split(":")) if prd_land else "",
    }


HOSTS: dict[str, dict[API, dict[str, str]]] = {
    "YE": {
        API.AB: _suffixed("https", "ab-internal"),
        API.PROFILE: _suffixed("https", "pf-internal"),
        API.RECOMMENDATION: _suffixed("https", "rec-internal"),
        API.CONVERSION_TRACKING: _suffixed("https", "ct-internal"),
        API.GRAPH: _suffixed("https", "graph-internal", graph=True),
    },
    "EDD": {
        API.AB: {**_suffixed("http", "ab-onprem"), "dev_land": "", "stg_land": "", "prd_land": ""},
    },
    "MMS": {
        API.PROFILE: _nlb(
            "up:c5f3e215325cb658",
            "up:14dacbe8358f4ba2",
            "up:c0a691baaeae6cdb",
            "up:3424871ab4481bb5",
            "up:c0a691baaeae6cdb",
        ),
        API.RECOMMENDATION: _nlb(
            "rec:29f22a1dae916c93",
            "rec:fb87c46248c7c6d0",
            "rec:53cd4d17757f3628",
            "rec:bf577ee024d3cf8a",
            "rec:648e16f80e782e77",
        ),
        API.GRAPH: _nlb("graph:5887b6bfea9d1d4e", "graph:96dbdf574f454513", "graph:de1de70b72d7eb76"),
    },
    "LOCAL": {
        API.AB: {"local": "http://ab.local.sktmls.com:8000", **_suffixed("https", "ab")},
        API.PROFILE: {"local": "https://pf.dev.sktmls.com", **_suffixed("https", "pf")},
        API.RECOMMENDATION: {"local": "https://rec.dev.sktmls.com", **_suffixed("https", "rec")},
        API.CONVERSION_TRACKING: {"local": "https://ct.dev.sktmls.com", **_suffixed("https", "ct")},
        API.GRAPH: {"local": "http://graph.local.sktmls.com:8080", **_suffixed("https", "graph", graph=True)},
    },
}


def platform_url(runtime_env: str, env: str, api: API = API.AB) -> str:
    """The platform host for ``(runtime_env, env, api)``, or an error naming what has none."""
    url = HOSTS.get(runtime_env, {}).get(api, {}).get(env, "")
    if not url:
        raise MLSConfigError(
            f"the MLS platform has no {api.name} API host for env={env.upper()} on runtime_env={runtime_env}; "
            "pass base_url=... or set $MLS_BASE_URL (env=MLSENV.LOCAL targets `mls-async server`)"
        )
    return url
