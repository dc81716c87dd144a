"""1 vs 2 MPI ranks: a large elementwise+reduction workload, the 10^6-point k-means, and the cost of
all_sum/all_gather by message size (the inputs of the scaling model in docs/distributed.md).

    python benchmarks/distributed.py [--ranks 1 2] [--json out.json] [--trace trace.json]

Launches itself under mpirun per rank count, alternating (each rank single-threaded:
EMBER_NUM_THREADS=1 and OPENBLAS_NUM_THREADS=1, one core per rank), prints a table and JSON. Anchor: NumPy on one process,
measured in the 1-rank run. Also reports the critical-path CPU time (the largest process time over the
ranks), which other load on a shared machine disturbs much less than the wall time."""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def best_of(fn, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def best_of_ranks(fn, reps):
    """(best wall time, best critical-path CPU time): the CPU time is the largest over ranks of the
    process time a run consumed, a figure the other users of a shared machine disturb much less."""
    import ember as em
    import ember.distributed as dist

    walls, cpus = [], []
    for _ in range(reps):
        dist.barrier()
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(float(dist.all_max(em.asarray(time.process_time() - c0))))
    return min(walls), min(cpus)


def worker(args):
    import ember as em
    import ember.distributed as dist

    sys.path.insert(0, os.path.join(ROOT, "examples"))
    from distributed_kmeans import kmeans, make_data

    r, n_ranks = dist.rank(), dist.size()
    out = {"ranks": n_ranks}

    # 1. elementwise + reduction over n float64, each rank creating only its block
    n = args.n_elem
    x = dist.arange(n, dtype="float64") * (1.0 / n)
    em.eval(x.local)

    def ew():
        return float((dist.sin(x) * dist.exp(-x) + dist.sqrt(x * x + 1.0)).sum())
    value = ew()
    out["elementwise_s"], out["elementwise_cpu_s"] = best_of_ranks(ew, args.reps)
    out["elementwise_value"] = value

    # 2. k-means, 10^6 points
    data, init = make_data(args.n_points, 4, 8)
    pts = dist.shard(em.asarray(data))
    em.eval(pts.local)

    def km():
        c, inertia = kmeans(pts, init, args.iters)
        return float(inertia)
    out["kmeans_inertia"] = km()
    out["kmeans_s"], out["kmeans_cpu_s"] = best_of_ranks(km, args.reps)

    # 3. collective costs by message size (seconds per call, best of several)
    costs = {}
    for nbytes in [8, 1024, 65536, 1 << 20, 8 << 20]:
        v = em.ones(nbytes // 8)
        em.eval(v)
        for name, fn in [("all_sum", dist.all_sum), ("all_gather", dist.all_gather)]:
            dist.barrier()
            k = 20 if nbytes < (1 << 20) else 5
            # _core.eval waits for the result (em.eval only starts large work in the background)
            t = best_of(lambda: [em._core.eval([fn(v)._h]) for _ in range(k)], 3) / k
            costs.setdefault(name, {})[nbytes] = t
    out["collectives_s"] = costs

    # 4. overlap: rank 1 reduces 3x more data than rank 0, then every rank does work that does not need
    # the sum. Blocking order (the all-reduce completes before the other work starts) against the
    # split-phase schedule (posted, the other work, then the completion); median wall time per rank.
    if n_ranks > 1:
        xo = em.asarray(np.random.default_rng(r).random((1 << 21) * (3 if r == 1 else 1)))
        ys = [em.asarray(np.random.default_rng(10 + i).random(1 << 19)) for i in range(8)]
        em._core.eval([xo._h] + [y._h for y in ys])

        def other_work():
            return sum(em.sin(y).sum() for y in ys)

        def blocking():
            return float(dist.all_sum(em.exp(xo).sum())) + float(other_work())

        def split_phase():
            return float(dist.all_sum(em.exp(xo).sum()) + other_work())
        overlap = {}
        for name, fn in (("blocking", blocking), ("split_phase", split_phase)):
            fn()
            walls = []
            for _ in range(3 * args.reps):
                dist.barrier()
                t0 = time.perf_counter()
                fn()
                walls.append(time.perf_counter() - t0)
            mine = sorted(walls)[len(walls) // 2]
            overlap[name] = dist.all_gather(em.asarray(np.array([mine]))).numpy().tolist()
        out["overlap_s"] = overlap

    # 5. a merged trace of one k-means run (a track per rank)
    if args.trace:
        dist.trace_start()
        t0 = dist._trace.wtime()
        km()
        dist._trace.span("kmeans (compute + collectives)", t0, dist._trace.wtime())
        dist.trace_stop(args.trace)
    if n_ranks == 1:  # the anchor, in the same process settings as the 1-rank run
        out["numpy"] = numpy_anchor(args)
    if r == 0:
        print("JSON " + json.dumps(out), flush=True)


def numpy_anchor(args):
    x = np.arange(args.n_elem, dtype=np.float64) * (1.0 / args.n_elem)
    ew = best_of(lambda: float((np.sin(x) * np.exp(-x) + np.sqrt(x * x + 1.0)).sum()), args.reps)
    sys.path.insert(0, os.path.join(ROOT, "examples"))
    from distributed_kmeans import make_data
    data, init = make_data(args.n_points, 4, 8)

    def km():
        c = init.copy()
        xx = (data * data).sum(1, keepdims=True)
        for _ in range(args.iters):
            labels = (xx - 2 * data @ c.T + (c * c).sum(1)).argmin(1)
            onehot = (labels[:, None] == np.arange(len(c))).astype(np.float64)
            counts = onehot.sum(0)
            c = np.where(counts[:, None] > 0, (onehot.T @ data) / np.maximum(counts, 1)[:, None], c)
        return c
    return {"elementwise_s": ew, "kmeans_s": best_of(km, args.reps)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--n-elem", type=int, default=2 * 10**7)
    ap.add_argument("--n-points", type=int, default=10**6)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=2, help="alternate the rank counts this many times, keep the best")
    ap.add_argument("--json", default=None)
    ap.add_argument("--trace", default=None, help="write the merged trace of the largest run here")
    args = ap.parse_args()
    if args.worker:
        return worker(args)
    mpirun = shutil.which("mpirun")
    if mpirun is None:
        sys.exit("mpirun not found")
    # ember has no caching allocator yet: glibc would return every block over 32 MiB to the OS after use,
    # so the 1-rank run (64 MiB temporaries) would pay page faults the 2-rank run (32 MiB) does not. Both
    # runs keep freed memory in the heap instead, which is what a caching allocator gives.
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OPENBLAS_NUM_THREADS="1",
               EMBER_NUM_THREADS="1", MALLOC_MMAP_THRESHOLD_=str(1 << 32), MALLOC_TRIM_THRESHOLD_=str(1 << 32))
    import ember
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(os.path.dirname(ember.__file__)), env.get("PYTHONPATH", "")])
    results = {"load_average_before": os.getloadavg()}
    for n in [n for _ in range(args.rounds) for n in args.ranks]:
        # No binding and yielding when idle: on a shared machine a pinned or spinning rank loses its core.
        cmd = [mpirun, "-n", str(n), "--oversubscribe", "--bind-to", "none", "--mca", "mpi_yield_when_idle", "1",
               "-x", "OPENBLAS_NUM_THREADS", "-x", "EMBER_NUM_THREADS", "-x", "MALLOC_MMAP_THRESHOLD_", "-x", "MALLOC_TRIM_THRESHOLD_", sys.executable] + (["-S"] if sys.flags.no_site else []) + \
              [os.path.abspath(__file__), "--worker", "--n-elem", str(args.n_elem), "--n-points", str(args.n_points),
               "--iters", str(args.iters), "--reps", str(args.reps)] + \
              (["--trace", args.trace] if args.trace and n == max(args.ranks) else [])
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        m = re.search(r"^JSON (.*)$", p.stdout, re.M)
        if p.returncode != 0 or not m:
            sys.exit(f"{n} ranks failed:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
        run = json.loads(m.group(1))
        prev = results.get(f"ranks_{n}")
        if prev and "overlap_s" in prev:  # keep the round whose job (slowest rank) was fastest, per mode
            for mode, per_rank in prev["overlap_s"].items():
                if max(per_rank) < max(run["overlap_s"][mode]):
                    run["overlap_s"][mode] = per_rank
        if prev:
            for key in ("elementwise_s", "elementwise_cpu_s", "kmeans_s", "kmeans_cpu_s"):
                run[key] = min(run[key], prev[key])
        results[f"ranks_{n}"] = run
    anchor = results.get("ranks_1", {}).get("numpy", {})
    results["anchor_numpy_1proc"] = anchor
    print(f"{'workload':<34}" + "".join(f"{f'{n} rank(s)':>14}" for n in args.ranks) +
          f"{'speedup':>10}{'vs NumPy':>10}")
    for key, label in [("elementwise_s", f"elementwise+sum n={args.n_elem:.0e}"),
                       ("elementwise_cpu_s", "  (critical-path CPU time)"),
                       ("kmeans_s", f"k-means n={args.n_points:.0e} x{args.iters}"),
                       ("kmeans_cpu_s", "  (critical-path CPU time)")]:
        times = [results[f"ranks_{n}"][key] for n in args.ranks]
        results[f"speedup_{key}"] = times[0] / times[-1]
        vs = f"{anchor[key] / times[-1]:>9.2f}x" if key in anchor else ""
        print(f"{label:<34}" + "".join(f"{t:>13.3f}s" for t in times) + f"{times[0] / times[-1]:>9.2f}x" + vs)
    if max(args.ranks) > 1:
        print("collective cost per call at", max(args.ranks), "ranks (microseconds):")
        for name, by_size in results[f"ranks_{max(args.ranks)}"]["collectives_s"].items():
            print(f"  {name:<11}" + "  ".join(f"{int(b):>8}B {t * 1e6:9.1f}" for b, t in by_size.items()))
        overlap = results[f"ranks_{max(args.ranks)}"].get("overlap_s")
        if overlap:
            print("all-reduce overlapped with other work, rank 1 with 3x the data (ms per rank, job = slowest):")
            for name, per_rank in overlap.items():
                print(f"  {name:<12}" + "  ".join(f"rank {q}: {t * 1e3:7.2f}" for q, t in enumerate(per_rank)) +
                      f"   job {max(per_rank) * 1e3:7.2f}")
    results["load_average_after"] = os.getloadavg()
    text = json.dumps(results, indent=1)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
