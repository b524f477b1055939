"""Reading the lab app's own /metrics exposition in tests, the way Prometheus reads it."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

SeriesKey = tuple[str, frozenset]


def parse_exposition(text: str) -> dict[SeriesKey, float]:
    """Every sample as {(sample name, labels): value}; `_created` samples are left out (timestamps)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if not sample.name.endswith("_created")
    }


def value(samples: dict[SeriesKey, float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def requests(samples: dict[SeriesKey, float], method: str, endpoint: str) -> float:
    return value(samples, "http_requests_total", method=method, endpoint=endpoint)
