"""Process start cost in Python: start() to join() of a trivial target, and start() to the
target running (it sets an Event), with a given start method (spawn, forkserver, fork)."""
import multiprocessing as mp
import time

from _common import arg, emit, summarize


def noop():
    pass


def signal(started):
    started.set()


def one(ctx):
    started = ctx.Event()
    t0 = time.perf_counter_ns()
    p = ctx.Process(target=signal, args=(started,))
    p.start()
    started.wait(30)
    t_started = (time.perf_counter_ns() - t0) / 1e6
    p.join()
    if p.exitcode != 0:
        raise RuntimeError(f"child exit code {p.exitcode}")
    return (time.perf_counter_ns() - t0) / 1e6, t_started


def main():
    method = arg("method", "spawn", str)
    runs = arg("runs", 10)
    warmup = arg("warmup", 2)
    ctx = mp.get_context(method)
    for _ in range(warmup):
        one(ctx)
    joined, started = [], []
    for _ in range(runs):
        j, s = one(ctx)
        joined.append(j)
        started.append(s)
    s = summarize(started)
    emit({"unit": "ms", "method": method, "runs": runs, "warmup": warmup, **summarize(joined),
          "started": {"median": s["median"], "best": s["best"], "samples": started}})


if __name__ == "__main__":
    main()
