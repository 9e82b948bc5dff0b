"""Message passing between two pinned processes with multiprocessing.Queue / Pipe:
--what=small (ints/s), kib (1 KiB bytes/s), rtt (Pipe round trip, us)."""
import multiprocessing as mp
import os
import time

from _common import arg, emit, summarize


def produce(q, n, kib, ready, go, cpu):
    os.sched_setaffinity(0, {cpu})
    value = b"\1" * 1024 if kib else None
    ready.release()
    go.wait()
    for i in range(n):
        q.put(value if kib else i)


def consume(q, n, ready, go, cpu):
    os.sched_setaffinity(0, {cpu})
    ready.release()
    go.wait()
    for _ in range(n):
        q.get()


def echo(conn, cpu):
    os.sched_setaffinity(0, {cpu})
    while True:
        m = conn.recv()
        if m is None:
            return
        conn.send(m)


def throughput(n, kib, cpus, pairs):
    q = mp.Queue()
    ready = mp.Semaphore(0)
    go = mp.Event()
    each = n // pairs
    cs = [mp.Process(target=consume, args=(q, each, ready, go, cpus[1 if pairs == 1 else i]))
          for i in range(pairs)]
    ps = [mp.Process(target=produce, args=(q, each, kib, ready, go, cpus[0 if pairs == 1 else i]))
          for i in range(pairs)]
    for p in cs + ps:
        p.start()
    for _ in range(2 * pairs):
        ready.acquire()
    t0 = time.perf_counter()
    go.set()
    for c in cs:
        c.join()
    s = time.perf_counter() - t0
    for p in ps:
        p.join()
    return n / s


def round_trip(n, cpus):
    mine, theirs = mp.Pipe()
    c = mp.Process(target=echo, args=(theirs, cpus[1]))
    c.start()
    theirs.close()
    os.sched_setaffinity(0, {cpus[0]})
    for i in range(2000):
        mine.send(i)
        mine.recv()
    t0 = time.perf_counter()
    for i in range(n):
        mine.send(i)
        mine.recv()
    us = (time.perf_counter() - t0) * 1e6 / n
    mine.send(None)
    c.join()
    return us


def main():
    what = arg("what", "small", str)
    cpus = [int(x) for x in arg("cpus", "0,1", str).split(",")]
    runs = arg("runs", 3)
    n = arg("n", 20000 if what == "rtt" else 300000)
    samples = []
    for _ in range(runs):
        pairs = 2 if what == "small2" else 1
        samples.append(round_trip(n, cpus) if what == "rtt" else throughput(n, what == "kib", cpus, pairs))
    s = summarize(samples)
    if what != "rtt":
        s["best"], s["worst"] = max(samples), min(samples)
    emit({"unit": "us" if what == "rtt" else "ops/s", "n": n, "runs": runs, "cpus": cpus, **s})


if __name__ == "__main__":
    main()
