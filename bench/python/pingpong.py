"""Two-process multiprocessing.Semaphore ping-pong (same protocol as
bench/node/pingpong.js).

Parent (pinned to --cpus[0]) releases a, waits b; child (pinned to --cpus[1])
waits a, releases b.  Start barrier and calibration over a Pipe, so no
start-up time is timed:
  child:  pin, send "ready", run `warmup` round trips, send "warmed",
          receive the round count, send "armed", loop.
  parent: wait "ready", run the warm-up round trips (their speed picks the
          rounds per run so one run takes ~--run-ms), send the count, wait
          "armed", then time `runs` batches of `rounds` round trips.
Reports microseconds per round trip for each run.
"""
import multiprocessing as mp
import time

from _common import arg, emit, pin, rounds_for, summarize


def pong_loop(a, b, n):
    acq = a.acquire
    rel = b.release
    for _ in range(n):
        acq()
        rel()


def child(cpu, a, b, warmup, conn):
    pin(cpu)
    conn.send("ready")
    pong_loop(a, b, warmup)
    conn.send("warmed")
    total = conn.recv()
    conn.send("armed")
    pong_loop(a, b, total)
    conn.send(("done", total))


def ping_loop(a, b, n):
    rel = a.release
    acq = b.acquire
    t0 = time.perf_counter_ns()
    for _ in range(n):
        rel()
        acq()
    return time.perf_counter_ns() - t0


def main():
    cpus = [int(c) for c in arg("cpus", "0,1", str).split(",")]
    warmup = arg("warmup", 2_000)
    runs = arg("runs", 5)
    run_ms = arg("run-ms", 250)
    fixed_rounds = arg("rounds", 0)
    ctx = mp.get_context("fork")

    pin(cpus[0])
    a = ctx.Semaphore(0)
    b = ctx.Semaphore(0)
    conn, child_conn = ctx.Pipe()
    p = ctx.Process(target=child, args=(cpus[1], a, b, warmup, child_conn), daemon=True)
    p.start()

    def expect(what):
        if not conn.poll(30):
            raise RuntimeError(f"child never sent {what}")
        m = conn.recv()
        if (m[0] if isinstance(m, tuple) else m) != what:
            raise RuntimeError(f"expected {what} from child, got {m!r}")
        return m

    try:
        expect("ready")
        warm_ns = ping_loop(a, b, warmup)
        expect("warmed")
        rounds = fixed_rounds or rounds_for(warm_ns / warmup, run_ms)
        conn.send(runs * rounds)
        expect("armed")
        samples = [ping_loop(a, b, rounds) / rounds / 1000.0 for _ in range(runs)]
        _, done = expect("done")
        if done != runs * rounds:
            raise RuntimeError(f"child did {done} round trips")
        p.join(timeout=30)
        if p.exitcode != 0:
            raise RuntimeError(f"child exited with {p.exitcode}")
    finally:
        if p.is_alive():
            p.kill()
        p.join()

    emit({"what": "pingpong", "unit": "us/roundtrip", "rounds": rounds,
          "warmup": warmup, "runs": runs, "cpus": cpus, **summarize(samples)})


if __name__ == "__main__":
    main()
