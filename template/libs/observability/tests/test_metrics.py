from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families


def samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def labels(**values: str) -> frozenset[tuple[str, str]]:
    return frozenset(values.items())


def test_requests_are_counted_by_route_template(client: TestClient) -> None:
    for item_id in (1, 2, 3):
        client.get(f"/items/{item_id}")
    client.get("/items/not-a-number")

    metrics = samples(client)

    route = {"service": "orders", "method": "GET", "route": "/items/{item_id}"}
    assert metrics[("http_requests_total", labels(**route, status="200"))] == 3
    assert metrics[("http_requests_total", labels(**route, status="422"))] == 1
    assert metrics[("http_request_duration_seconds_count", labels(**route))] == 4
    assert ("http_request_duration_seconds_bucket", labels(**route, le="+Inf")) in metrics
    # No series names a raw path.
    assert not any(
        dict(label_set).get("route", "").startswith("/items/1") for _, label_set in metrics
    )


def test_unmatched_paths_share_one_series(client: TestClient) -> None:
    for path in ("/wp-admin", "/.env", "/a/b/c"):
        client.get(path)

    metrics = samples(client)

    unmatched = labels(service="orders", method="GET", route="unmatched", status="404")
    assert metrics[("http_requests_total", unmatched)] == 3
    routes = {dict(label_set).get("route") for name, label_set in metrics if "http_" in name}
    assert routes == {"unmatched"}


def test_excluded_paths_are_not_counted(client: TestClient) -> None:
    client.get("/livez")
    client.get("/metrics")

    metrics = samples(client)

    assert not any(name.startswith("http_requests") for name, _ in metrics)


def test_metrics_endpoint_not_in_openapi(client: TestClient) -> None:
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]
