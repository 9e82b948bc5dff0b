"""Shared helpers for the Python side of the multiproc benchmarks.

Every script prints exactly one JSON object on the last line of stdout.
Timing uses time.perf_counter_ns() (CLOCK_MONOTONIC on Linux, the same clock
as Node's process.hrtime.bigint(), so timestamps from different processes can
be compared).
"""
import json
import os
import statistics
import sys


def pin(cpu):
    """Pin the calling process (its main thread) to one CPU and verify it."""
    os.sched_setaffinity(0, {cpu})
    got = sorted(os.sched_getaffinity(0))
    if got != [cpu]:
        raise RuntimeError(f"pinning to CPU {cpu} failed: affinity is {got}")
    return got


def summarize(samples):
    return {
        "samples": samples,
        "median": statistics.median(samples),
        "best": min(samples),
        "worst": max(samples),
    }


def tail(samples):
    """The tail of a latency distribution: p99 (nearest rank) and max of every sample."""
    import math
    s = sorted(samples)
    return {"p99": s[math.ceil(0.99 * len(s)) - 1], "max": s[-1], "tailSamples": len(s)}


def emit(obj):
    obj.setdefault("impl", "python")
    obj.setdefault("python", sys.version.split()[0])
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def arg(name, default, cast=int):
    """Tiny --name=value / --name value argument reader."""
    argv = sys.argv[1:]
    for i, a in enumerate(argv):
        if a == f"--{name}" and i + 1 < len(argv):
            return cast(argv[i + 1])
        if a.startswith(f"--{name}="):
            return cast(a.split("=", 1)[1])
    return default


def rounds_for(ns_per_round, run_ms, lo=2_000, hi=2_000_000):
    """Round trips per timed run so that one run lasts about run_ms ms."""
    import math
    return max(lo, min(hi, math.ceil(run_ms * 1e6 / ns_per_round)))
