"""Manager benchmarks, the Python side of bench/node/manager.js: one operation on a proxy,
a round trip to the manager's server process.
--what=dict-set | dict-get | list-append: d[key] = i, d[key], l.append(i) on a
multiprocessing.Manager() dict / list; per run the median of --n calls (us), and p99 and max
over the calls of every run.
--what=remote: a BaseManager subclass with Calc registered, start()ed on TCP loopback (its
server in a process of its own), a second one connect()ed to its address and key; calc.add(i, 1).
Warmed up (--warm calls) before anything is timed; nothing is pinned (nor is the Node side)."""
import multiprocessing as mp
import statistics
import time
from multiprocessing.managers import BaseManager

from _common import arg, emit, summarize, tail

KEYS = [f"k{i}" for i in range(100)]


class Calc:
    """The same class as bench/node/manager-targets.js."""

    def add(self, x, y):
        return x + y


class CalcManager(BaseManager):
    pass


CalcManager.register("Calc", Calc)


def dict_set(objs, i):
    objs["d"][KEYS[i % len(KEYS)]] = i


def dict_get(objs, i):
    return objs["d"][KEYS[i % len(KEYS)]]


def list_append(objs, i):
    objs["l"].append(i)


def remote_add(objs, i):
    return objs["calc"].add(i, 1)


OPS = {"dict-set": dict_set, "dict-get": dict_get, "list-append": list_append, "remote": remote_add}


def measure(op, objs, n, runs, warm):
    for i in range(warm):
        op(objs, i)
    samples, every = [], []
    for _ in range(runs):
        lat = []
        for i in range(n):
            t0 = time.perf_counter_ns()
            op(objs, i)
            lat.append((time.perf_counter_ns() - t0) / 1e3)
        samples.append(statistics.median(lat))
        every.extend(lat)
    return {**summarize(samples), **tail(every)}


def main():
    what = arg("what", "dict-set", str)
    runs = arg("runs", 5)
    n = arg("n", 5000)
    warm = arg("warm", 2000)
    op = OPS[what]
    if what == "remote":
        with CalcManager(address=("127.0.0.1", 0)) as server:
            client = CalcManager(address=server.address, authkey=server._authkey)
            client.connect()
            calc = client.Calc()
            assert calc.add(4, 4) == 8
            res = measure(op, {"calc": calc}, n, runs, warm)
            del calc  # its decref goes to the server before the server is stopped
    else:
        with mp.Manager() as manager:
            d = manager.dict({k: 0 for k in KEYS})
            lst = manager.list()
            res = measure(op, {"d": d, "l": lst}, n, runs, warm)
            if what == "list-append":
                assert len(lst) == warm + runs * n
            if what == "dict-set":
                assert d[KEYS[(n - 1) % len(KEYS)]] == n - 1
    emit({"unit": "us", "what": f"manager-{what}", "n": n, "runs": runs, **res})


if __name__ == "__main__":
    main()
