# Generated from tests/_async/test_root_client.py by scripts/unasync.py. Do not edit: edit the source and regenerate.
"""``MLS``: every resource on one connection pool and account, copies that share it correctly."""

from __future__ import annotations

import httpx
import pytest
import respx

from mls_async import MLS, MLSProfileAPIClient, MLSConfigError
from mls_async.models import MLModelClient, MLSRuleModel
from tests.conftest import PASSWORD, USER


def test_every_resource_shares_one_pool_and_account(sync_transport, client_kwargs, tmp_path):
    with MLS(**client_kwargs, transport=sync_transport, model_dir=tmp_path / "models") as mls:
        resources = [
            mls.models,
            mls.components,
            mls.datasets,
            mls.dynamodb,
            mls.registry,
            mls.profiles,
            mls.graph,
            mls.meta_tables,
            mls.batch_predictions,
        ]
        assert len({id(resource._http) for resource in resources}) == 1
        assert mls.models is mls.models  # built once
        assert isinstance(mls.models, MLModelClient)

        model = MLSRuleModel("root_rule_model", "v1", ["a", "b"])
        deployment = mls.registry.save_and_deploy(model)  # its model client: a sibling on the pool
        assert (mls.models.get_manual_model(name="root_rule_model", version="v1")).id == deployment.id
        component = mls.components.create_component(name="root_component")
        assert (mls.components.get_component(name="root_component")).id == component.id

        mls.profiles.put_user_profiles("root_profile", {"u1": {"age": 41}})
        assert mls.profiles.get_user_profile("root_profile", "u1", ["age"]) == {"age": 41}


def test_the_profile_api_gets_the_apikey_and_the_model_api_never_does():
    seen: dict[str, httpx.Headers] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        seen[request.url.path.split("/")[1]] = request.headers
        results = {"age": 3} if request.url.path.startswith("/v1/") else {"id": 1, "name": "c"}
        return httpx.Response(200, json={"code": 0, "error": None, "results": results})

    with respx.mock(base_url="http://mls.test") as router:
        router.route().mock(side_effect=answer)
        with MLS(
            "LOCAL", username=USER, password=PASSWORD, base_url="http://mls.test", client_id="svc", apikey="key-1"
        ) as mls:
            mls.profiles.get_user_profile("p", "u1", ["age"])
            mls.components.get_component(id=1)
    assert seen["v1"]["apikey"] == "key-1" and "authorization" not in seen["v1"]
    assert "apikey" not in seen["api"] and seen["api"]["authorization"].startswith("Basic ")


def test_a_copy_with_other_options_shares_the_pool_and_closing_it_leaves_the_pool_open(
    sync_transport, client_kwargs
):
    with MLS(**client_kwargs, transport=sync_transport) as mls:
        quick = mls.with_options(timeout=5.0, max_retries=0)
        assert quick.models._http is mls.models._http
        assert quick.models._timeout == 5.0 and quick.models._retry.max_retries == 0
        assert mls.models._timeout != 5.0
        quick.close()
        quick.models.with_options(timeout=1.0).close()
        mls.components.create_component(name="still_open")  # the pool is still open


def test_a_with_options_copy_looks_profiles_up_with_its_own_timeout():
    timeouts: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"]["read"])
        return httpx.Response(200, json={"code": 0, "error": None, "results": {"age": 3}})

    with respx.mock(base_url="http://mls.test") as router:
        router.route().mock(side_effect=answer)
        with MLSProfileAPIClient(
            "LOCAL", client_id="svc", apikey="key-1", base_url="http://mls.test", timeout=30.0
        ) as client:
            patient = client.with_options(timeout=7.5)
            assert patient.lookup("user", "p", "u1", ["age"]) == {"age": 3}
            assert client.lookup("user", "p", "u2", ["age"]) == {"age": 3}
    assert timeouts == [7.5, 30.0]


def test_unknown_options_and_resources_are_refused_by_name():
    """A misspelt option or resource fails by its name (a resource is a plain attribute, never a lookup)."""
    with pytest.raises(TypeError, match="nmae"):
        MLS("LOCAL", username=USER, password=PASSWORD, nmae="x")
    mls = MLS("LOCAL", username=USER, password=PASSWORD)
    with pytest.raises(AttributeError, match="'modles'"):
        mls.modles  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(MLSConfigError, match="auth="):
        MLS("LOCAL", auth="digest")


def test_a_misspelt_list_filter_is_a_type_error_not_every_row(sync_transport, client_kwargs):
    with MLS(**client_kwargs, transport=sync_transport) as mls:
        mls.components.create_component(name="typo_a")
        mls.components.create_component(name="typo_b")
        assert [c.name for c in mls.components.list_components(name="typo_a")] == ["typo_a"]
        with pytest.raises(TypeError, match="nmae"):
            mls.components.list_components(nmae="typo_a")  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="nmae"):
            mls.models.list_manual_models(nmae="x")  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="nmae"):
            [m for m in mls.models.iter_manual_models(nmae="x")]  # type: ignore[call-arg]


def test_one_login_serves_every_resource_of_the_account(sync_transport, client_kwargs):
    with MLS(**client_kwargs, transport=sync_transport, auth="token") as mls:
        assert mls.models._auth is mls.components._auth is mls.dynamodb._auth
        mls.components.create_component(name="token_component")
        assert [c.name for c in mls.components.list_components(name="token_component")] == ["token_component"]
        assert mls.models.list_manual_models() == []


def test_resource_options_reach_their_resources(sync_transport, client_kwargs, tmp_path):
    """``model_dir`` reaches the registry, the profile options reach the profile client, copies keep them."""
    with MLS(
        **client_kwargs, transport=sync_transport, model_dir=tmp_path / "models", coalesce_window=None
    ) as mls:
        assert mls.registry.model_dir == tmp_path / "models"
        assert mls.with_options(timeout=5.0).registry.model_dir == tmp_path / "models"
        assert mls.with_options(timeout=5.0).registry is not mls.registry
        mls.profiles.put_user_profiles("window_profile", {"u1": {"age": 7}})
        assert mls.with_options(max_retries=0).profiles.get_user_profile("window_profile", "u1", ["age"]) == {
            "age": 7
        }


def test_the_resources_are_listed_properties():
    """Every resource is a typed property of the class itself: what ``dir``, help and type checkers see."""
    import functools

    properties = {name: value for name, value in vars(MLS).items() if isinstance(value, functools.cached_property)}
    assert sorted(properties) == [
        "batch_predictions",
        "components",
        "datasets",
        "dynamodb",
        "graph",
        "meta_tables",
        "models",
        "profiles",
        "registry",
    ]
    assert properties["models"].func.__annotations__["return"] == MLModelClient.__name__
    assert not hasattr(MLS, "__getattr__")
