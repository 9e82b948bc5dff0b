"""multiprocessing.Pool benchmarks.  Per-task cost of Pool(2) running a trivial function (x -> 2x):
--what=map1 (map over 20k items, chunksize 1; us/task), map (1M items, default chunksize;
us/task), apply (one pool.apply round trip, median of --n per run, and p99 and max over every
run's applies; us).  And --what=speedup:
8 tasks per CPU, each `burn` for about --task-ms (25) ms, run one after the other in this process,
then through Pool(CPUs).map(burn, tasks, chunksize=1); per run the sequential time / the pool
time.  The pool is started and warmed up before anything is timed; workers are not pinned."""
import multiprocessing as mp
import os
import statistics
import time

from _common import arg, emit, summarize, tail


def double(x):
    return x * 2


def burn(task):
    """The loop of burn() in bench/node/pool-targets.js (the same result for the same task)."""
    seed, iters = task
    x = seed
    for _ in range(iters):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
    return x


def ms_since(t0):
    return (time.perf_counter_ns() - t0) / 1e6


def calibrate(task_ms):
    """Iterations of burn that take about task_ms here (the fastest of a few probes)."""
    probe = 30000
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter_ns()
        burn((1, probe))
        best = min(best, ms_since(t0))
    return round(probe * task_ms / best)


def speedup(runs, task_ms):
    workers = len(os.sched_getaffinity(0))
    iters = calibrate(task_ms)
    tasks = [(i + 1, iters) for i in range(8 * workers)]
    samples, seq_ms, pool_ms = [], [], []
    with mp.Pool(workers) as pool:
        pool.map(burn, [(i + 1, iters >> 4) for i in range(2 * workers)], chunksize=1)
        for _ in range(runs):
            t0 = time.perf_counter_ns()
            want = [burn(t) for t in tasks]
            seq_ms.append(ms_since(t0))
            t0 = time.perf_counter_ns()
            got = pool.map(burn, tasks, chunksize=1)
            pool_ms.append(ms_since(t0))
            assert got == want
            samples.append(seq_ms[-1] / pool_ms[-1])
    s = summarize(samples)
    s["best"], s["worst"] = max(samples), min(samples)  # higher is better for a speed-up
    emit({"unit": "x", "what": "pool-speedup", "tasks": len(tasks), "iters": iters, "workers": workers,
          "runs": runs, "seqMs": seq_ms, "poolMs": pool_ms, **s})


def per_task(what, runs):
    n = arg("n", {"map1": 20000, "map": 1000000}.get(what, 2000))
    items = list(range(n)) if what != "apply" else []
    samples, every = [], []
    with mp.Pool(2) as pool:
        for _ in range(3):
            pool.map(double, range(2000), chunksize=1)
        pool.map(double, range(100000))
        for i in range(500):
            pool.apply(double, (i,))
        for _ in range(runs):
            if what == "apply":
                lat = []
                for i in range(n):
                    t0 = time.perf_counter_ns()
                    got = pool.apply(double, (i,))
                    lat.append((time.perf_counter_ns() - t0) / 1e3)
                    assert got == 2 * i
                samples.append(statistics.median(lat))
                every.extend(lat)
            else:
                t0 = time.perf_counter_ns()
                got = pool.map(double, items, chunksize=1) if what == "map1" else pool.map(double, items)
                samples.append((time.perf_counter_ns() - t0) / 1e3 / n)
                assert len(got) == n and got[-1] == 2 * (n - 1)
    emit({"unit": "us", "what": f"pool-{what}", "n": n, "runs": runs, "workers": 2, **summarize(samples),
          **(tail(every) if what == "apply" else {})})


def main():
    what = arg("what", "map1", str)
    runs = arg("runs", 5)
    if what == "speedup":
        speedup(runs, arg("task-ms", 25.0, float))
    else:
        per_task(what, runs)


if __name__ == "__main__":
    main()
