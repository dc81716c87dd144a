"""@em.jit on the classic algorithm set against NumPy, and JAX's jit on the CPU where it is installed,
all measured in the same run on the same code (examples/*.py, each written once against a module xp).

    PYTHONPATH=python python benchmarks/jit.py [--repeat 5] [--only overhead,kmeans] [--quick] [--json out.json]

Cases: overhead (f(x, y) = x*y + 1 on 8-element arrays, per call), logreg_small (569 x 30, 750
iterations in one jitted call), logreg_large (10^6 x 30, 20 iterations), kmeans (10^6 points, 8
clusters, 10 iterations), als (500 x 400, rank 10, 5 sweeps), linreg_normal (10^6 x 30, normal
equations), linreg_gd (10^5 x 30, 50 gradient steps). Every time is the median of --repeat runs after
one warm-up call (whose time is reported as "first": tracing and compiling) and includes waiting for
the result. Ratios are NumPy time / ember jit time and JAX time / ember jit time: > 1 means ember
is faster. JAX is optional (pip install jax); without it its columns are empty and the header says so.
JAX traces the same Python loops, so it unrolls them too: its first logreg_small call compiles 750
unrolled iterations (about a minute on a 2-thread machine); --quick uses 100.
"""
import argparse
import glob
import importlib.util
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
if glob.glob(os.path.join(ROOT, "python", "ember", "_core*")):  # a developer build; else the installed ember
    sys.path.insert(0, os.path.join(ROOT, "python"))
import ember as em  # noqa: E402
from ember.jit import _pytree  # noqa: E402

# name: (what it runs, the target for NumPy time / ember jit time, or None)
CASES = {
    "overhead": ("x*y + 1 on 8 elements, per call", None),
    "logreg_small": ("logistic regression 569x30, 750 iterations", 3.0),
    "logreg_large": ("logistic regression 10^6x30, 20 iterations", 1.5),
    "kmeans": ("k-means 10^6 points/8 clusters, 10 iterations", 2.0),
    "als": ("ALS 500x400 ratings, rank 10, 5 sweeps", None),
    "linreg_normal": ("linear regression 10^6x30, normal equations", None),
    "linreg_gd": ("linear regression 10^5x30, 50 gradient steps", None),
}
OVERHEAD_TARGET_US = 10.0   # a jitted call on small inputs: at most this much


def load_example(name):
    path = os.path.join(ROOT, "examples", f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"jit_example_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_jax():
    """(jax, jax.numpy) with float64 on, or (None, reason)."""
    try:
        import jax
    except ImportError:
        return None, "not installed (pip install jax to compare)"
    jax.config.update("jax_enable_x64", True)   # the examples compute in float64, as NumPy does
    jax.config.update("jax_platforms", "cpu")
    import jax.numpy as jnp
    return (jax, jnp), None


def ember_wait(tree):
    """Waits until every ember Array in `tree` is computed (em.eval only starts the work)."""
    leaves = [a for a in _pytree.flatten(tree)[0] if isinstance(a, em.Array)]
    em._core.eval([a._h for a in leaves])
    return tree


def leaves_numpy(tree):
    return [np.asarray(a.numpy() if isinstance(a, em.Array) else a) for a in _pytree.flatten(tree)[0]]


def max_diff(tree, ref):
    return max(float(np.max(np.abs(a - b))) if a.size else 0.0 for a, b in zip(leaves_numpy(tree), leaves_numpy(ref)))


def measure(call, repeat, inner=1):
    """(first call seconds, median seconds per call over `repeat` runs of `inner` calls, last result)."""
    t = time.perf_counter()
    out = call()
    first = time.perf_counter() - t
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(inner):
            out = call()
        times.append((time.perf_counter() - t) / inner)
    return first, statistics.median(times), out


def build(case, quick, jx):
    """The case's calls: dict engine -> zero-argument function returning its (waited-for) result."""
    rng = np.random.default_rng(0)
    jax, jnp = jx if jx else (None, None)
    calls = {}

    def add(module_fn, jit_fn, args_np, static):
        """Registers numpy / ember / ember jit / jax jit runs of one example function."""
        args_em = [em.asarray(a) for a in args_np]
        ember_wait(args_em)
        calls["numpy"] = lambda: module_fn(np, *args_np, **static)
        calls["ember"] = lambda: ember_wait(module_fn(em, *args_em, **static))
        calls["ember_jit"] = lambda: ember_wait(jit_fn(em, *args_em, **static))
        if jax:
            args_jx = [jax.device_put(a) for a in args_np]
            fj = jax.jit(module_fn, static_argnums=(0,), static_argnames=tuple(static))
            calls["jax_jit"] = lambda: jax.block_until_ready(fj(jnp, *args_jx, **static))

    if case == "overhead":
        def f(x, y):
            return x * y + 1.0
        x, y = rng.normal(size=8), rng.normal(size=8)
        xe, ye = em.asarray(x), em.asarray(y)
        fe = em.jit(f)
        calls["numpy"] = lambda: f(x, y)
        calls["ember"] = lambda: ember_wait(f(xe, ye))
        calls["ember_jit"] = lambda: ember_wait(fe(xe, ye))
        if jax:
            fj, xj, yj = jax.jit(f), jax.device_put(x), jax.device_put(y)
            calls["jax_jit"] = lambda: fj(xj, yj).block_until_ready()
    elif case.startswith("logreg"):
        m = load_example("logistic_regression")
        n, iters = (569, 750) if case == "logreg_small" else ((10**5 if quick else 10**6), 20)
        if quick and case == "logreg_small":
            iters = 100
        add(m.fit, m.fit_jit, m.make_data(n, 30), {"iters": iters, "lr": 0.1})
    elif case == "kmeans":
        m = load_example("kmeans")
        add(m.kmeans, m.kmeans_jit, m.make_data(10**5 if quick else 10**6, 8), {"iters": 10})
    elif case == "als":
        m = load_example("als")
        shape = (100, 80, 5) if quick else (500, 400, 10)
        add(m.als, m.als_jit, m.make_data(*shape), {"sweeps": 5, "lam": 0.1})
    elif case == "linreg_normal":
        m = load_example("linear_regression")
        add(m.normal_equations, m.normal_equations_jit, m.make_data(10**5 if quick else 10**6, 30), {})
    elif case == "linreg_gd":
        m = load_example("linear_regression")
        add(m.gradient_descent, m.gradient_descent_jit, m.make_data(10**4 if quick else 10**5, 30),
            {"iters": 50, "lr": 0.5})
    else:
        raise ValueError(f"unknown case {case!r}; choose from {', '.join(CASES)}")
    return calls


def fmt_time(seconds, per_call):
    if seconds is None:
        return "-"
    return f"{seconds * 1e6:.1f}us" if per_call else f"{seconds * 1e3:.1f}ms"


def fmt_ratio(r):
    return "-" if r is None else f"{r:.2f}x"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", default="", help=f"comma-separated cases: {','.join(CASES)}")
    ap.add_argument("--quick", action="store_true", help="smaller sizes (10^5 instead of 10^6, ...)")
    ap.add_argument("--no-jax", action="store_true", help="leave JAX out even if it is installed")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()
    only = [c for c in args.only.split(",") if c] or list(CASES)
    for c in only:
        if c not in CASES:
            ap.error(f"unknown case {c!r}; choose from {', '.join(CASES)}")
    jx, why_no_jax = (None, "left out (--no-jax)") if args.no_jax else load_jax()

    header = {
        "machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(),
        "numpy": np.__version__, "ember_threads": em.get_num_threads(),
        "jax": jx[0].__version__ if jx else None, "jax_note": why_no_jax,
        "repeat": args.repeat, "quick": args.quick,
    }
    print(f"ember @jit benchmark: {header['cpus']} hardware threads; ember uses {header['ember_threads']}, "
          f"NumPy's BLAS and JAX/XLA use the machine's threads by default; NumPy {np.__version__}, "
          f"JAX {header['jax'] or '- ' + why_no_jax}")
    print(f"median of {args.repeat} runs after one warm-up (first = warm-up call: trace/compile); "
          f"ratios > 1 mean ember jit is faster{'; QUICK sizes' if args.quick else ''}")
    cols = f"{'case':14} {'numpy':>9} {'ember':>9} {'ember jit':>10} {'jax jit':>9} {'vs numpy':>9} " \
           f"{'vs jax':>7} {'target':>7} {'jit first':>10} {'jax first':>10} {'max diff':>9}"
    print(cols)
    print("-" * len(cols))

    rows = []
    for case in only:
        desc, target = CASES[case]
        per_call = case == "overhead"
        inner = (200 if args.quick else 2000) if per_call else 1
        calls = build(case, args.quick, jx)
        res, first, diffs = {}, {}, {}
        for engine, call in calls.items():   # numpy first: the others are checked against its result
            first[engine], res[engine], out = measure(call, args.repeat, inner)
            if engine == "numpy":
                ref = out
            else:
                diffs[engine] = max_diff(out, ref)
        jit_t = res["ember_jit"]
        row = {
            "case": case, "description": desc, "per_call": per_call,
            "numpy_s": res["numpy"], "ember_s": res["ember"], "ember_jit_s": jit_t, "jax_jit_s": res.get("jax_jit"),
            "ember_jit_first_s": first["ember_jit"], "jax_jit_first_s": first.get("jax_jit"),
            "speedup_vs_numpy": res["numpy"] / jit_t,
            "speedup_vs_jax": res["jax_jit"] / jit_t if "jax_jit" in res else None,
            "max_diff_vs_numpy": diffs,
        }
        if per_call:
            row["target"] = f"<= {OVERHEAD_TARGET_US:g} us per jitted call"
            row["target_met"] = jit_t * 1e6 <= OVERHEAD_TARGET_US
            tgt = f"{OVERHEAD_TARGET_US:g}us"
        else:
            row["target"] = f">= {target}x numpy" if target else None
            row["target_met"] = row["speedup_vs_numpy"] >= target if target else None
            tgt = f">={target:g}x" if target else "-"
        tgt += {True: "+", False: "!", None: ""}[row["target_met"]]
        rows.append(row)
        print(f"{case:14} {fmt_time(row['numpy_s'], per_call):>9} {fmt_time(row['ember_s'], per_call):>9} "
              f"{fmt_time(jit_t, per_call):>10} {fmt_time(row['jax_jit_s'], per_call):>9} "
              f"{fmt_ratio(row['speedup_vs_numpy']):>9} {fmt_ratio(row['speedup_vs_jax']):>7} {tgt:>7} "
              f"{fmt_time(row['ember_jit_first_s'], False):>10} {fmt_time(row['jax_jit_first_s'], False):>10} "
              f"{max(row['max_diff_vs_numpy'].values()):9.1e}", flush=True)
    print("target: + met, ! not met; max diff: the largest |result - NumPy's| over ember, ember jit and JAX")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"header": header, "rows": rows}, fh, indent=1)
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
