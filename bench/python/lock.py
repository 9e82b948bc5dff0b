"""Uncontended multiprocessing.Lock acquire()+release(), tight loop, one process
pinned to CPU 0.  Reports ns per acquire+release pair for each run."""
import multiprocessing as mp
import time

from _common import arg, emit, pin, summarize


def main():
    cpu = arg("cpu", 0)
    iters = arg("iters", 10_000_000)
    warmup = arg("warmup", 1_000_000)
    runs = arg("runs", 5)
    pin(cpu)

    lock = mp.get_context("fork").Lock()
    acq = lock.acquire
    rel = lock.release
    clock = time.perf_counter_ns

    for _ in range(warmup):
        acq()
        rel()

    samples = []
    for _ in range(runs):
        t0 = clock()
        for _ in range(iters):
            acq()
            rel()
        t1 = clock()
        samples.append((t1 - t0) / iters)

    emit({"what": "lock", "unit": "ns/pair", "iters": iters, "warmup": warmup,
          "runs": runs, "cpus": [cpu], **summarize(samples)})


if __name__ == "__main__":
    main()
