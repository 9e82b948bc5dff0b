"""Per-task cost of multiprocessing.Pool(2) running a trivial function (x -> 2x):
--what=map1 (map over 20k items, chunksize 1; us/task), map (1M items, default chunksize;
us/task), apply (one pool.apply round trip, median of --n per run; us). The pool is started
and warmed up before anything is timed; workers are not pinned."""
import multiprocessing as mp
import statistics
import time

from _common import arg, emit, summarize


def double(x):
    return x * 2


def main():
    what = arg("what", "map1", str)
    runs = arg("runs", 5)
    n = arg("n", {"map1": 20000, "map": 1000000}.get(what, 2000))
    items = list(range(n)) if what != "apply" else []
    samples = []
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
            else:
                t0 = time.perf_counter_ns()
                got = pool.map(double, items, chunksize=1) if what == "map1" else pool.map(double, items)
                samples.append((time.perf_counter_ns() - t0) / 1e3 / n)
                assert len(got) == n and got[-1] == 2 * (n - 1)
    emit({"unit": "us", "what": f"pool-{what}", "n": n, "runs": runs, "workers": 2, **summarize(samples)})


if __name__ == "__main__":
    main()
