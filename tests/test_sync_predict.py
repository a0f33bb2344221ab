"""A sync ``predict`` with a sync profile client fetches sibling lookups concurrently, from any thread."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from mls_async import MLSProfileAPIClient
from mls_async.models.contrib import GenericLogicModel
from tests.conftest import PASSWORD, USER


class PeakTransport(httpx.BaseTransport):
    """httpx's own transport, recording the most requests in flight at once."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.lock = threading.Lock()
        self.in_flight = self.peak = self.count = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.in_flight += 1
            self.count += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            response = self.inner.handle_request(request)
            response.read()
            return response
        finally:
            with self.lock:
                self.in_flight -= 1

    def close(self) -> None:
        self.inner.close()


def _model() -> GenericLogicModel:
    class Total:
        def predict(self, rows):
            return [sum(row) for row in rows]

    return GenericLogicModel(
        model_name="sync_model",
        model_version="v1",
        features=["user_id"],
        model=Total(),
        predict_fn="predict",
        preprocess_logic={"merge": [{"pf": ["user", group, {"var": "user_id"}, ["f"]]} for group in ("a", "b", "c")]},
        postprocess_logic={"list": [{"var": "y"}]},
    )


def test_sibling_lookups_of_a_sync_predict_are_in_flight_together(live_server, server_config):
    transport = PeakTransport()
    with MLSProfileAPIClient(
        env="LOCAL", username=USER, password=PASSWORD, base_url=live_server, transport=transport
    ) as client:
        for number, group in enumerate(("a", "b", "c"), 1):
            client.put_user_profiles(group, {f"u{i}": {"f": number * i} for i in range(20)})
        server_config.feature_latency = 0.2
        transport.peak = transport.count = 0
        assert _model().predict(["u1"], pf_client=client) == {"items": [6]}
        assert transport.count == 3 and transport.peak == 3

        server_config.feature_latency = 0.01
        with ThreadPoolExecutor(max_workers=8) as threads:
            results = list(threads.map(lambda i: _model().predict([f"u{i}"], pf_client=client), range(20)))
        assert results == [{"items": [6 * i]} for i in range(20)]
