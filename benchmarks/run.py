"""ember's cpu benchmarks against NumPy and numexpr, measured in the same run (issue 3).

    PYTHONPATH=python python benchmarks/run.py [--threads 2] [--n 20000000] [--repeat 7] [--json out.json]

Prints a table of median times and ratios (>1 means ember is faster) and writes them as JSON.
Every ember timing includes building the lazy graph and evaluating it (em.eval); NumPy and numexpr
compute the same expression eagerly.
"""
import argparse
import glob
import json
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

_DEV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python")
if glob.glob(os.path.join(_DEV, "ember", "_core*")):  # a developer build; else the installed ember
    sys.path.insert(0, _DEV)
import ember as em  # noqa: E402

try:
    import numexpr as ne
except ImportError:  # the table says so
    ne = None


def median_time(fn, repeat, warmup=1):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def forced(expr):
    def run():  # build the graph and evaluate it, waiting for the result (em.eval alone returns early)
        em._core.eval([expr()._h])
    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--n", type=int, default=20_000_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--json", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json"))
    ap.add_argument("--only", default="",
                    help="comma-separated groups: memory,transcendental,reduction,matmul,small,strided,views,concurrent")
    args = ap.parse_args()
    em.set_num_threads(args.threads)
    if ne is not None:
        ne.set_num_threads(args.threads)
    only = set(filter(None, args.only.split(",")))
    R = args.repeat
    N = args.n
    rng = np.random.default_rng(0)
    an, bn, cn = (rng.uniform(0.1, 1.0, N) for _ in range(3))
    a, b, c = em.asarray(an), em.asarray(bn), em.asarray(cn)
    em.eval(a, b, c)
    env = {"an": an, "bn": bn, "cn": cn}  # numexpr's operands
    rows = []
    read_ceiling = None

    def row(group, name, t_em, t_np, t_ne=None, extra=None):
        r = {"group": group, "name": name, "ember_s": t_em, "numpy_s": t_np, "numexpr_s": t_ne,
             "vs_numpy": t_np / t_em if t_np else None, "vs_numexpr": (t_ne / t_em) if t_ne else None}
        if extra:
            r.update(extra)
        rows.append(r)
        ne_txt = f"{r['vs_numexpr']:6.2f}x" if t_ne else "    --"
        ex = "  " + " ".join(f"{k}={v:.3g}" for k, v in (extra or {}).items()) if extra else ""
        print(f"{group:15s} {name:34s} {t_em * 1e3:9.3f} ms  vs NumPy {r['vs_numpy']:6.2f}x  vs numexpr {ne_txt}{ex}",
              flush=True)

    out = np.empty_like(an)
    t_copy = median_time(lambda: np.copyto(out, an), R)
    copy_bw = 2 * N * 8 / t_copy
    print(f"np.copyto bandwidth: {copy_bw / 1e9:.2f} GB/s ({t_copy * 1e3:.2f} ms for {N} float64)\n")

    if not only or "memory" in only:
        cases = [
            ("2*a + 3*b", lambda: 2 * a + 3 * b, lambda: 2 * an + 3 * bn, "2*an + 3*bn", 3),
            ("a*b + c", lambda: a * b + c, lambda: an * bn + cn, "an*bn + cn", 4),
            ("sqrt(a*a + b*b)", lambda: em.sqrt(a * a + b * b), lambda: np.sqrt(an * an + bn * bn),
             "sqrt(an*an + bn*bn)", 3),
            ("where(a > b, a, b) * c", lambda: em.where(a > b, a, b) * c, lambda: np.where(an > bn, an, bn) * cn,
             "where(an > bn, an, bn) * cn", 4),
        ]
        for name, fe, fn, nex, arrays in cases:
            t_em = median_time(forced(fe), R)
            t_np = median_time(fn, R)
            t_ne = median_time(lambda: ne.evaluate(nex, local_dict=env), R) if ne else None
            bw = arrays * N * 8 / t_em
            row("memory", name, t_em, t_np, t_ne, {"GB/s": bw / 1e9, "of_copy": bw / copy_bw})

    if not only or "transcendental" in only:
        cases = [
            ("sin(a)**2 + cos(b)**2", lambda: em.sin(a) ** 2 + em.cos(b) ** 2,
             lambda: np.sin(an) ** 2 + np.cos(bn) ** 2, "sin(an)**2 + cos(bn)**2"),
            ("exp(-a)*b + c/(1 + a)", lambda: em.exp(-a) * b + c / (1 + a),
             lambda: np.exp(-an) * bn + cn / (1 + an), "exp(-an)*bn + cn/(1 + an)"),
            ("tanh(a) * log1p(b)", lambda: em.tanh(a) * em.log1p(b), lambda: np.tanh(an) * np.log1p(bn),
             "tanh(an) * log1p(bn)"),
        ]
        for name, fe, fn, nex in cases:
            t_em = median_time(forced(fe), R)
            t_np = median_time(fn, R)
            t_ne = median_time(lambda: ne.evaluate(nex, local_dict=env), R) if ne else None
            row("transcendental", name, t_em, t_np, t_ne)

    if not only or "reduction" in only:
        mn = rng.uniform(0.1, 1.0, (4000, 5000))
        m = em.asarray(mn)
        em.eval(m)
        env["mn"] = mn
        for name, fe, fn, nex in [
            ("sum(m) 4000x5000", lambda: em.sum(m), lambda: np.sum(mn), "sum(mn)"),
            ("max(m) 4000x5000", lambda: em.max(m), lambda: np.max(mn), "max(mn)"),
            ("mean(m, axis=1) 4000x5000", lambda: em.mean(m, axis=1), lambda: np.mean(mn, axis=1), None),
            ("sum(a*b)", lambda: em.sum(a * b), lambda: np.sum(an * bn), "sum(an*bn)"),
        ]:
            t_em = median_time(forced(fe), R)
            t_np = median_time(fn, R)
            t_ne = median_time(lambda: ne.evaluate(nex, local_dict=env), R) if (ne and nex) else None
            nbytes = mn.nbytes if "4000x5000" in name else 2 * an.nbytes
            row("reduction", name, t_em, t_np, t_ne, {"GB/s": nbytes / t_em / 1e9, "numpy_GB/s": nbytes / t_np / 1e9})
        # What any 2-thread reduction can reach here: NumPy summing the two halves at once on two
        # threads (it releases the GIL) reads memory as fast as this machine lets two cores read.
        halves = (mn[: len(mn) // 2], mn[len(mn) // 2:])
        with ThreadPoolExecutor(2) as pool:
            t_two = median_time(lambda: list(pool.map(np.sum, halves)), R)
        t_one = median_time(lambda: np.sum(mn), R)
        read_ceiling = {"two_threads_GBps": mn.nbytes / t_two / 1e9, "one_thread_GBps": mn.nbytes / t_one / 1e9}
        print(f"read ceiling: NumPy sum of 4000x5000 on 2 threads {read_ceiling['two_threads_GBps']:.1f} GB/s, "
              f"on 1 thread {read_ceiling['one_thread_GBps']:.1f} GB/s: a 2-thread reduction can be at most "
              f"{t_one / t_two:.2f}x NumPy's here", flush=True)

    if not only or "matmul" in only:
        for dt in ("float64", "float32"):
            xn = rng.standard_normal((2000, 2000)).astype(dt)
            yn = rng.standard_normal((2000, 2000)).astype(dt)
            x, y = em.asarray(xn), em.asarray(yn)
            em.eval(x, y)
            t_em = median_time(forced(lambda: x @ y), max(3, R // 2))
            t_np = median_time(lambda: xn @ yn, max(3, R // 2))
            row("matmul", f"matmul 2000x2000 {dt}", t_em, t_np)

    if not only or "small" in only:
        sn = rng.uniform(0.1, 1.0, 1000)
        s = em.asarray(sn)
        em.eval(s)

        def em_loop():
            x = s
            for _ in range(100):
                x = x * 1.0001 + 0.001
            return x.numpy()

        def np_loop():
            x = sn
            for _ in range(100):
                x = x * 1.0001 + 0.001
            return x

        row("small", "100 ops on 1000 elements + read", median_time(em_loop, R), median_time(np_loop, R))
        tn = rng.uniform(0.1, 1.0, 100)
        t = em.asarray(tn)
        em.eval(t)
        t_one = median_time(lambda: (t + 1.0).numpy(), R * 20)
        row("small", "one forced op, 100 elements", t_one, median_time(lambda: tn + 1.0, R * 20),
            extra={"us": t_one * 1e6})
        k = 10000

        def build():
            for _ in range(k):
                t + 1.0
        t_build = median_time(build, R) / k
        row("small", "create one lazy op (no eval)", t_build, median_time(lambda: [tn + 1.0 for _ in range(k)], R) / k,
            extra={"us": t_build * 1e6})

    if not only or "strided" in only:
        # Each strided case against a contiguous twin: the same expression over contiguous inputs with
        # the same number of outputs (so both go through the same output path: cached or streamed
        # stores), timed in interleaved pairs so that the shared machine's load falls on both alike.
        # per_elem_vs_contig is the median over pairs of (strided / contiguous) time per element.
        # Every timed run starts with the caches emptied (a 96 MiB buffer, 3x the L3, read through;
        # read, not written, so that no dirty lines are written back during the timed run):
        # otherwise a twin of 5e6 doubles (40 MB) is read partly from the L3 while its strided case
        # (160 MB) never can be. The column of 4472 is also timed with warm caches (warm_*).
        # bytes: what each case moves through memory per output element, counting whole 64-byte
        # lines read (a[::2] reads every line of 2N doubles; a column with a 32-byte stride reads
        # every line of the matrix) plus the 8-byte output (non-temporal stores: no read for
        # ownership); bound = the strided case's bytes over its twin's, the ratio it cannot beat
        # when both run at the machine's bandwidth. of_bound = per_elem_vs_contig / bound.
        side = int(np.sqrt(N))
        mn = rng.uniform(0.1, 1.0, (side, side))
        vn = rng.uniform(0.1, 1.0, 2 * N)
        pn, qn = rng.uniform(0.1, 1.0, side), rng.uniform(0.1, 1.0, side)
        m4n = rng.uniform(0.1, 1.0, (N // 4, 4))
        colsn, col4n = rng.uniform(0.1, 1.0, side), rng.uniform(0.1, 1.0, N // 4)
        m, v, p, q, m4, cols, col4 = (em.asarray(x) for x in (mn, vn, pn, qn, m4n, colsn, col4n))
        em.eval(m, v, p, q, m4, cols, col4)
        sq = a[: side * side].reshape(side, side)
        flush = np.ones(12 << 20)

        def evict():
            flush.sum()

        def pairs(f1, f2, repeat, before=lambda: None):
            # (times of f1, times of f2, their ratios), alternating which goes first.
            f1(), f2()
            t1, t2, ratios = [], [], []
            for i in range(repeat):
                for f, t in ((f1, t1), (f2, t2)) if i % 2 == 0 else ((f2, t2), (f1, t1)):
                    before()
                    t0 = time.perf_counter()
                    f()
                    t.append(time.perf_counter() - t0)
                ratios.append(t1[-1] / t2[-1])
            return t1, t2, ratios
        for name, fe, fn, fc, count, bytes_s, bytes_c in [
            # 4472 outputs: the 4472 lines (286 KiB) stay in L2 between runs, so this one is bound by
            # fixed costs and cache latency, not memory bandwidth (its bytes are for reference).
            (f"column of C-ordered {side}x{side}", lambda: m[:, 3] * 2.0 + 1.0, lambda: mn[:, 3] * 2.0 + 1.0,
             lambda: cols * 2.0 + 1.0, side, 64 + 8, 8 + 8),
            (f"column of C-ordered {N // 4}x4", lambda: m4[:, 1] * 2.0 + 1.0, lambda: m4n[:, 1] * 2.0 + 1.0,
             lambda: col4 * 2.0 + 1.0, N // 4, 32 + 8, 8 + 8),
            ("a[::2]", lambda: v[::2] * 2.0 + 1.0, lambda: vn[::2] * 2.0 + 1.0, lambda: a * 2.0 + 1.0, N,
             16 + 8, 8 + 8),
            # p and q stay in cache: only the output moves. The twin reads two full matrices.
            ("a[:, None] - b[None, :]", lambda: p[:, None] - q[None, :], lambda: pn[:, None] - qn[None, :],
             lambda: m - sq, side * side, 8, 8 + 8 + 8),
        ]:
            fs, fcont = forced(fe), forced(fc)
            ts, tc, ratios = pairs(fs, fcont, R, evict)
            t_em, t_c = statistics.median(ts), statistics.median(tc)
            t_np = statistics.median(pairs(fn, fn, R, evict)[0])
            ratio, bound = statistics.median(ratios), bytes_s / bytes_c
            extra = {"per_elem_vs_contig": ratio, "bound": bound, "of_bound": ratio / bound,
                     "contig_ms": t_c * 1e3, "GB/s": bytes_s * count / t_em / 1e9,
                     "contig_GB/s": bytes_c * count / t_c / 1e9, "of_copy": bytes_s * count / t_em / copy_bw}
            if count == side:
                wts, wtc, wr = pairs(fs, fcont, R)
                extra.update(warm_ms=statistics.median(wts) * 1e3, warm_contig_ms=statistics.median(wtc) * 1e3,
                             warm_vs_contig=statistics.median(wr))
            row("strided", name, t_em, t_np, extra=extra)

    if not only or "views" in only:
        # A view of an unevaluated result: folded (one Kernel over the N/2 elements read) against the
        # plan without view pushdown, which is what a producer the user holds gets (as with
        # EMBER_GRAPH_PASSES=0): a + b stored in full, then a second Kernel reads every other element.
        def unfolded():
            s = a + b
            em._core.eval([(s[::2] * c[1::2])._h])
        kernels = em.kernels((a + b)[::2] * c[1::2])[0]  # 1; 2 with EMBER_GRAPH_PASSES=0
        env.update(a2=an[::2], b2=bn[::2], c2=cn[1::2])
        fns = [forced(lambda: (a + b)[::2] * c[1::2]), unfolded, lambda: (an + bn)[::2] * cn[1::2]]
        if ne:
            fns.append(lambda: ne.evaluate("(a2 + b2) * c2", local_dict=env))
        # Round robin, so that a shared machine's load falls on all of them alike.
        ts = [[] for _ in fns]
        for f in fns:
            f()
        for _ in range(R):
            for f, t in zip(fns, ts):
                t0 = time.perf_counter()
                f()
                t.append(time.perf_counter() - t0)
        t_em, t_unf, t_np = (statistics.median(t) for t in ts[:3])
        t_ne = statistics.median(ts[3]) if ne else None
        row("views", "(a + b)[::2] * c[1::2]", t_em, t_np, t_ne,
            extra={"kernels": kernels, "unfolded_ms": t_unf * 1e3, "folded_vs_unfolded": t_unf / t_em,
                   "unfolded_vs_numpy": t_np / t_unf})

    if not only or "concurrent" in only:
        # Eight independent Kernels in one evaluation, each too small to split over the threads on
        # its own (a reduction splits from 4 blocks of 2048 up; a sort never): side by side (the
        # default) against one after another (EMBER_CONCURRENT_KERNELS=0), interleaved because the
        # machine's load drifts. np_threads: NumPy's sorts on 2 Python threads against 1 in the same
        # run, to show how much of a second core the machine had free.
        xs = [rng.uniform(0.1, 1.0, 8_000) for _ in range(16)]
        ss = [rng.uniform(0.1, 1.0, 100_000) for _ in range(8)]
        ex, es = [em.asarray(x) for x in xs], [em.asarray(x) for x in ss]
        em.eval(*ex, *es)
        pool = ThreadPoolExecutor(2)
        for name, fe, fn, batch in [
            ("8 x sum(x*y), 8000 each", lambda: [em.sum(ex[i] * ex[i + 8]) for i in range(8)],
             lambda: [np.sum(xs[i] * xs[i + 8]) for i in range(8)], 20),
            ("8 x sort, 100000 each", lambda: [em.sort(x) for x in es], lambda: [np.sort(x) for x in ss], 1),
        ]:
            def em_run(fe=fe, batch=batch):
                for _ in range(batch):
                    em._core.eval([y._h for y in fe()])

            def np_run(fn=fn, batch=batch):
                for _ in range(batch):
                    fn()
            times = {}
            for on in (False, True, False, True):
                em._core.set_concurrent_kernels(on)
                times.setdefault(on, []).append(median_time(em_run, R) / batch)
            em._core.set_concurrent_kernels(True)
            t_on, t_off = min(times[True]), min(times[False])
            extra = {"serial_ms": t_off * 1e3, "vs_serial": t_off / t_on}
            if "sort" in name:
                extra["np_threads"] = median_time(np_run, R) / median_time(lambda: list(pool.map(np.sort, ss)), R)
            row("concurrent", name, t_on, median_time(np_run, R) / batch, extra=extra)
        pool.shutdown()

    info = {"threads": args.threads, "n": N, "repeat": R, "copy_GBps": copy_bw / 1e9, "numpy": np.__version__,
            "numexpr": getattr(ne, "__version__", None), "machine": platform.machine(),
            "cpus": os.cpu_count(), "load_avg": os.getloadavg(), "read_ceiling": read_ceiling}
    with open(args.json, "w") as f:
        json.dump({"info": info, "rows": rows}, f, indent=1)
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
