"""What every benchmark shares: a row of the table and a timer."""

import statistics
import time
from dataclasses import dataclass


@dataclass
class Row:
    name: str
    figure: str
    target: str = ""
    ratio: str = ""
    ok: bool | None = None


def time_calls(call, repeat, warmup=20):
    """Seconds per call, one sample per call, after a warm-up."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def median_ms(samples):
    return statistics.median(samples) * 1000


def p95_ms(samples):
    return statistics.quantiles(samples, n=20)[-1] * 1000
