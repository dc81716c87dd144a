"""Vector math of the cpu device against NumPy, in one run: the max ulp error of ember and of NumPy
against a long double reference on the same inputs, and the speed ratio NumPy time / ember time
(median of several runs) for N = 2*10^7 float64 and float32 elements.

    PYTHONPATH=python python benchmarks/vector_math.py [--n 20000000] [--repeat 5] [--json out.json]
"""
import argparse
import json
import statistics
import time

import numpy as np

import ember as em

# name -> argument ranges (one per operand)
CASES = {
    "exp": [(-700, 700)], "expm1": [(-5, 5)], "log": [(1e-30, 1e30)], "log1p": [(-0.999, 100)],
    "sin": [(-1000, 1000)], "cos": [(-1000, 1000)], "tan": [(-1000, 1000)], "tanh": [(-20, 20)],
    "arctan": [(-100, 100)], "sqrt": [(0, 1e10)], "arctan2": [(-10, 10), (-10, 10)],
    "power": [(0, 10), (-30, 30)], "add": [(-1e3, 1e3), (-1e3, 1e3)], "multiply": [(-1e3, 1e3), (-1e3, 1e3)],
    "maximum": [(-1e3, 1e3), (-1e3, 1e3)],
}


def values(rng, lo, hi, n, dtype, name):
    if name == "exp" and dtype == np.float32:
        lo, hi = -87, 88
    if lo > 0 and hi / lo > 1e6:
        return np.exp(rng.uniform(np.log(lo), np.log(hi), n)).astype(dtype)
    return rng.uniform(lo, hi, n).astype(dtype)


def max_ulp(got, ref, dtype):
    """Max |got - ref| / spacing(ref rounded to dtype), over finite results."""
    r = ref.astype(dtype)
    sp = np.spacing(np.abs(r)).astype(np.longdouble)
    fin = np.isfinite(r) & np.isfinite(got)
    return float((np.abs(got.astype(np.longdouble) - ref)[fin] / sp[fin]).max())


def median_time(f, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--ulp-n", type=int, default=2_000_000, help="elements checked against long double")
    ap.add_argument("--json")
    args = ap.parse_args()
    rows = []
    print(f"N = {args.n}, median of {args.repeat} runs; ulp vs long double on the first {args.ulp_n} elements")
    print(f"{'op':10} {'dtype':8} {'ember ulp':>10} {'numpy ulp':>10} {'numpy ms':>9} {'ember ms':>9} {'speedup':>8}")
    for dtype in (np.float64, np.float32):
        for name, ranges in CASES.items():
            rng = np.random.default_rng(0)
            xs = [values(rng, lo, hi, args.n, dtype, name) for lo, hi in ranges]
            ex = [em.asarray(x) for x in xs]
            em.eval(*ex)
            npf, emf = getattr(np, name), getattr(em, name)
            with np.errstate(all="ignore"):
                t_np = median_time(lambda: npf(*xs), args.repeat)
                t_em = median_time(lambda: em.eval(emf(*ex)), args.repeat)
                k = args.ulp_n
                ref = npf(*[x[:k].astype(np.longdouble) for x in xs])
                u_em = max_ulp(emf(*[e[:k] for e in ex]).numpy(), ref, dtype)
                u_np = max_ulp(npf(*[x[:k] for x in xs]), ref, dtype)
            row = dict(op=name, dtype=np.dtype(dtype).name, ember_ulp=u_em, numpy_ulp=u_np,
                       numpy_ms=t_np * 1e3, ember_ms=t_em * 1e3, speedup=t_np / t_em)
            rows.append(row)
            print(f"{name:10} {row['dtype']:8} {u_em:10.3f} {u_np:10.3f} {t_np * 1e3:9.1f} {t_em * 1e3:9.1f} "
                  f"{t_np / t_em:7.2f}x", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
