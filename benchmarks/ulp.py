"""Measures the ULP error of ember's fused vector math against NumPy (float64) and against a float64
reference rounded to float32 (float32), over each function's input range.

    PYTHONPATH=python python benchmarks/ulp.py
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import ember as em  # noqa: E402


def ulp_diff(a, b):
    """|a - b| in units in the last place (distance in the ordered integer encoding); NaN pairs 0."""
    bits = 64 if a.dtype == np.float64 else 32
    it = np.int64 if bits == 64 else np.int32

    def key(x):
        i = x.view(it).astype(np.int64)
        low = np.int64(-(2 ** (bits - 1))) if bits == 32 else np.iinfo(np.int64).min
        return np.where(i < 0, low - i, i)  # sign-magnitude -> two's-complement order

    with np.errstate(over="ignore"):
        d = np.abs(key(a) - key(b))
    d[np.isnan(a) & np.isnan(b)] = 0
    return d


CASES = [  # name, ember fn, numpy fn, sampler
    ("exp", em.exp, np.exp, lambda r, n: r.uniform(-700, 700, n)),
    ("expm1", em.expm1, np.expm1, lambda r, n: r.uniform(-40, 40, n)),
    ("log", em.log, np.log, lambda r, n: 10.0 ** r.uniform(-300, 300, n)),
    ("log1p", em.log1p, np.log1p, lambda r, n: r.uniform(-0.99, 10, n)),
    ("sin", em.sin, np.sin, lambda r, n: r.uniform(-1e4, 1e4, n)),
    ("cos", em.cos, np.cos, lambda r, n: r.uniform(-1e4, 1e4, n)),
    ("tan", em.tan, np.tan, lambda r, n: r.uniform(-1e4, 1e4, n)),
    ("tanh", em.tanh, np.tanh, lambda r, n: r.uniform(-20, 20, n)),
    ("arctan", em.atan, np.arctan, lambda r, n: r.uniform(-1e3, 1e3, n)),
    ("sqrt", em.sqrt, np.sqrt, lambda r, n: 10.0 ** r.uniform(-300, 300, n)),
]
BINARY = [
    ("arctan2", em.atan2, np.arctan2, lambda r, n: (r.uniform(-10, 10, n), r.uniform(-10, 10, n))),
    ("power", em.pow, np.power, lambda r, n: (r.uniform(0, 10, n), r.uniform(-30, 30, n))),
]


def main(n=1_000_000):
    r = np.random.default_rng(0)
    print(f"{'function':10s} {'float64 max ULP vs NumPy':>26s} {'float32 max ULP vs rounded float64':>36s}")
    rows = []
    for name, fe, fn, gen in CASES + BINARY:
        args = gen(r, n)
        args = args if isinstance(args, tuple) else (args,)
        with np.errstate(all="ignore"):
            ref64 = fn(*args)
            got64 = fe(*[em.asarray(a) for a in args]).numpy()
            a32 = [a.astype(np.float32) for a in args]
            ref32 = fn(*[a.astype(np.float64) for a in a32]).astype(np.float32)
            got32 = fe(*[em.asarray(a) for a in a32]).numpy()
        u64 = int(ulp_diff(got64, ref64).max())
        u32 = int(ulp_diff(got32, ref32).max())
        rows.append((name, u64, u32))
        print(f"{name:10s} {u64:26d} {u32:36d}")
    return rows


if __name__ == "__main__":
    main()
