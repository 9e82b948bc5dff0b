"""multiprocessing.Value('i') += 1 under its own lock, two worker processes
pinned to CPU 0 and CPU 1.

Each worker loops: lock.acquire(); v.value += 1; lock.release().  The workers
stay alive across runs; for every run the parent resets the value, tells both
workers the iteration count over a Pipe, waits until both are armed, then
releases the shared `start` semaphore twice.  Each worker records
perf_counter_ns() after passing the barrier and after its last iteration; the
run's time is max(end) - min(start).  The final value must be exactly 2 * n.

Run 0 is a warm-up/calibration run: its rate picks n so that one run takes
about --run-ms milliseconds.  Reports total ops/s for each run.
"""
import multiprocessing as mp
import time

from _common import arg, emit, pin, summarize


def worker(cpu, v, start, conn):
    pin(cpu)
    lock = v.get_lock()
    acq = lock.acquire
    rel = lock.release
    clock = time.perf_counter_ns
    while True:
        n = conn.recv()
        if n is None:
            break
        conn.send("armed")
        start.acquire()
        t0 = clock()
        for _ in range(n):
            acq()
            v.value += 1
            rel()
        t1 = clock()
        conn.send((t0, t1))


def main():
    cpus = [int(c) for c in arg("cpus", "0,1", str).split(",")]
    runs = arg("runs", 3)
    calib = arg("calib", 200_000)
    run_ms = arg("run-ms", 700)
    fixed_n = arg("iters", 0)
    ctx = mp.get_context("fork")

    v = ctx.Value("i", 0)
    start = ctx.Semaphore(0)
    procs, conns = [], []
    try:
        for cpu in cpus:
            parent_end, child_end = ctx.Pipe()
            p = ctx.Process(target=worker, args=(cpu, v, start, child_end), daemon=True)
            p.start()
            procs.append(p)
            conns.append(parent_end)

        def one_run(n):
            v.value = 0
            for c in conns:
                c.send(n)
            for c in conns:
                if not c.poll(60) or c.recv() != "armed":
                    raise RuntimeError("worker not armed")
            for _ in conns:
                start.release()
            stamps = []
            for c in conns:
                if not c.poll(120):
                    raise RuntimeError("worker did not finish")
                stamps.append(c.recv())
            elapsed = max(t1 for _, t1 in stamps) - min(t0 for t0, _ in stamps)
            total = n * len(conns)
            final = v.value
            if final != total:
                raise RuntimeError(f"lost updates: value {final} != {total}")
            return total / (elapsed / 1e9), final

        rate, _ = one_run(calib)  # warm-up + calibration, not reported
        n = fixed_n or max(calib, int(rate * run_ms / 1000 / len(cpus)))
        samples, finals = [], []
        for _ in range(runs):
            r, final = one_run(n)
            samples.append(r)
            finals.append(final)
        for c in conns:
            c.send(None)
        for p in procs:
            p.join(timeout=10)
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
            p.join()

    s = summarize(samples)
    s["best"] = max(samples)  # higher is better for a rate
    s["worst"] = min(samples)
    emit({"what": "value", "unit": "ops/s", "iters_per_proc": n, "runs": runs,
          "cpus": cpus, "final_values": finals, "exact": True, **s})


if __name__ == "__main__":
    main()
