"""The home page against a bare Django view, through the whole middleware stack."""

from django.test import Client, override_settings

from bench.common import Row, median_ms, p95_ms, time_calls

REPEAT = 500
TARGET_MS = 50


def run():
    client = Client()
    with override_settings(ROOT_URLCONF="bench.urls"):
        home = time_calls(lambda: _ok(client.get("/")), REPEAT)
        bare = time_calls(lambda: _ok(client.get("/__bench__/bare/")), REPEAT)
    ratio = median_ms(home) / median_ms(bare)
    return [
        Row("page d'accueil, médiane", f"{median_ms(home):.2f} ms", f"< {TARGET_MS} ms", f"{ratio:.1f} × la vue nue", median_ms(home) < TARGET_MS),
        Row("page d'accueil, p95", f"{p95_ms(home):.2f} ms"),
        Row("vue Django nue (plancher), médiane", f"{median_ms(bare):.2f} ms"),
    ]


def _ok(response):
    assert response.status_code == 200, response.status_code
