"""Each (runtime env, env, API) resolves to the original SDK's host; nothing is sent anywhere."""

from __future__ import annotations

import pytest

from mls_async import MLSENV, AsyncMLSProfileAPIClient, MLSRuntimeENV
from mls_async._exceptions import MLSConfigError
from mls_async._hosts import API, platform_url
from mls_async.models import AsyncMLModelClient, MLModelClient

# (runtime env, env) -> the original's MLS_AB_API_URL and MLS_PROFILE_API_URL (sktmls 2026.10.7 config)
EXPECTED = {
    ("LOCAL", "stg"): ("https://ab.stg.sktmls.com", "https://pf.stg.sktmls.com"),
    ("LOCAL", "prd_land"): ("https://ab.sktmls.ai", "https://pf.sktmls.ai"),
    ("YE", "dev"): ("https://ab-internal.dev.sktmls.com", "https://pf-internal.dev.sktmls.com"),
    ("YE", "stg_land"): ("https://ab-internal.stg.sktmls.ai", "https://pf-internal.stg.sktmls.ai"),
    ("EDD", "prd"): ("http://ab-onprem.sktmls.com", None),
}


@pytest.mark.parametrize(("runtime", "env"), sorted(EXPECTED))
def test_env_resolves_to_the_original_hosts(runtime, env):
    ab, profile = EXPECTED[(runtime, env)]
    client = AsyncMLModelClient(env=MLSENV(env), runtime_env=MLSRuntimeENV[runtime], username="u", password="p")
    assert client.base_url == ab
    if profile is None:
        with pytest.raises(MLSConfigError, match=f"no PROFILE API host for env={env.upper()}"):
            AsyncMLSProfileAPIClient(env=MLSENV(env), runtime_env=MLSRuntimeENV[runtime], client_id="c", apikey="k")
    else:
        client = AsyncMLSProfileAPIClient(MLSENV(env), MLSRuntimeENV[runtime], client_id="c", apikey="k")
        assert client.base_url == profile


def test_default_env_is_stg_as_in_the_original():
    client = MLModelClient(username="u", password="p")
    assert client.get_env() is MLSENV.STG and client.base_url == "https://ab.stg.sktmls.com"
    client.close()


def test_mms_runtime_needs_no_account_and_reaches_the_mms_profile_host():
    client = AsyncMLSProfileAPIClient(env=MLSENV.PRD, runtime_env=MLSRuntimeENV.MMS)
    assert client.base_url == "http://mls-up-nlb-c0a691baaeae6cdb.elb.ap-northeast-2.amazonaws.com:8080"
    assert platform_url("MMS", "dev", API.GRAPH).startswith("http://mls-graph-nlb-5887b6bfea9d1d4e")


def test_local_env_and_base_url_still_point_at_the_local_server(monkeypatch):
    assert AsyncMLModelClient(env=MLSENV.LOCAL, username="u", password="p").base_url == "http://127.0.0.1:8000"
    monkeypatch.setenv("MLS_BASE_URL", "http://10.0.0.5:9000/")
    assert AsyncMLModelClient(env=MLSENV.PRD, username="u", password="p").base_url == "http://10.0.0.5:9000"


def test_graph_has_no_land_hosts():
    with pytest.raises(MLSConfigError, match="no GRAPH API host for env=STG_LAND on runtime_env=YE"):
        platform_url("YE", "stg_land", API.GRAPH)
