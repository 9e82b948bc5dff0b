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


def throughput(n, kib, cpus):
    q = mp.Queue()
    ready = mp.Semaphore(0)
    go = mp.Event()
    c = mp.Process(target=consume, args=(q, n, ready, go, cpus[1]))
    p = mp.Process(target=produce, args=(q, n, kib, ready, go, cpus[0]))
    c.start()
    p.start()
    ready.acquire()
    ready.acquire()
    t0 = time.perf_counter()
    go.set()
    c.join()
    s = time.perf_counter() - t0
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
        samples.append(round_trip(n, cpus) if what == "rtt" else throughput(n, what == "kib", cpus))
    s = summarize(samples)
    if what != "rtt":
        s["best"], s["worst"] = max(samples), min(samples)
    emit({"unit": "us" if what == "rtt" else "ops/s", "n": n, "runs": runs, "cpus": cpus, **s})


if __name__ == "__main__":
    main()
