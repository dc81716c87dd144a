"""The @em.jit examples (examples/*.py) against NumPy: each algorithm is one function of an array
module `xp`, run here with xp = numpy and, jitted, with xp = ember, at small sizes; then each script
runs as a subprocess with --small (it checks itself against NumPy and exits non-zero on a mismatch)."""
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import ember as em

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
EXAMPLES = os.path.join(ROOT, "examples")


def load(name):
    """Imports examples/<name>.py as a module (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"jit_example_{name}", os.path.join(EXAMPLES, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def to_numpy(tree):
    """ember Arrays (in a tuple) to NumPy arrays, so results can be compared leaf by leaf."""
    if isinstance(tree, tuple):
        return tuple(to_numpy(t) for t in tree)
    assert isinstance(tree, em.Array), f"the jitted function returned {type(tree).__name__}, not an ember Array"
    return tree.numpy()


def close(got, want, rtol=1e-9, atol=1e-12):
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, np.asarray(w), rtol=rtol, atol=atol)


def test_logistic_regression_matches_numpy():
    m = load("logistic_regression")
    x, y = m.make_data(120, 30, seed=3)
    want = m.fit(np, x, y, iters=40, lr=0.1)
    got = to_numpy(m.fit_jit(em, em.asarray(x), em.asarray(y), iters=40, lr=0.1))
    close(got, want)
    assert float(m.accuracy(np, x, y, *want)) > 0.8  # the data is learnable, so the test means something
    # a second call with the same signature gives the same answer (the cached plan, once jit caches)
    again = to_numpy(m.fit_jit(em, em.asarray(x), em.asarray(y), iters=40, lr=0.1))
    close(again, got, rtol=0, atol=0)


def test_kmeans_fixed_iterations_matches_numpy():
    m = load("kmeans")
    x, init = m.make_data(250, 3, seed=1)
    c_np, labels_np = m.kmeans(np, x, init, iters=6)
    c_em, labels_em = to_numpy(m.kmeans_jit(em, em.asarray(x), em.asarray(init), iters=6))
    np.testing.assert_array_equal(labels_em, labels_np)
    np.testing.assert_allclose(c_em, c_np, rtol=1e-9, atol=1e-12)
    assert len(np.unique(labels_np)) == 3


def test_kmeans_while_centroids_move_matches_numpy():
    m = load("kmeans")
    x, init = m.make_data(2000, 8, seed=2)
    c_np, labels_np, it_np = m.kmeans_converge(np, x, init, tol=1e-9, max_iters=40)
    c_em, labels_em, it_em = to_numpy(m.kmeans_converge_jit(em, em.asarray(x), em.asarray(init),
                                                            tol=1e-9, max_iters=40))
    assert int(it_em) == int(it_np) and 1 < int(it_np) < 40  # the loop ran, and stopped by converging
    np.testing.assert_array_equal(labels_em, labels_np)
    np.testing.assert_allclose(c_em, c_np, rtol=1e-9, atol=1e-12)


def test_kmeans_while_stops_at_max_iters():
    m = load("kmeans")
    x, init = m.make_data(500, 4, seed=0)
    *_, it = to_numpy(m.kmeans_converge_jit(em, em.asarray(x), em.asarray(init), tol=0.0, max_iters=2))
    assert int(it) == 2


def test_als_matches_numpy():
    m = load("als")
    r, w, u0, v0 = m.make_data(40, 30, 3, density=0.3, seed=4)
    want = m.als(np, r, w, u0, v0, sweeps=3, lam=0.1)
    got = to_numpy(m.als_jit(em, *map(em.asarray, (r, w, u0, v0)), sweeps=3, lam=0.1))
    close(got, want, rtol=1e-9, atol=1e-11)
    # the factorisation fits: far below the spread of the ratings themselves
    assert float(m.rmse(np, r, w, *want)) < 0.5 * float(np.sqrt((r * r).sum() / w.sum()))


def test_linear_regression_matches_numpy():
    m = load("linear_regression")
    x, y = m.make_data(300, 8, seed=5)
    exact = m.normal_equations(np, x, y)
    np.testing.assert_allclose(m.normal_equations_jit(em, em.asarray(x), em.asarray(y)).numpy(), exact,
                               rtol=1e-9, atol=1e-12)
    want = m.gradient_descent(np, x, y, iters=30, lr=0.5)
    got = m.gradient_descent_jit(em, em.asarray(x), em.asarray(y), iters=30, lr=0.5).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got, exact, atol=1e-3)  # and descent reached the exact solution


def _env():
    """The subprocess imports the ember these tests import (the developer build or the installed one)."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(em.__file__)))
    return dict(os.environ, PYTHONPATH=here + os.pathsep + os.environ.get("PYTHONPATH", ""))


@pytest.mark.parametrize("script", ["logistic_regression", "kmeans", "als", "linear_regression"])
def test_example_script_runs(script):
    env = _env()
    done = subprocess.run([sys.executable, os.path.join(EXAMPLES, f"{script}.py"), "--small"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{script}.py --small failed:\n{done.stdout}\n{done.stderr}"
    assert "max |" in done.stdout  # it printed its comparison against NumPy


def test_benchmark_quick_overhead_runs(tmp_path):
    """The benchmark's runner works end to end on its cheapest case and writes its JSON."""
    out = tmp_path / "jit.json"
    env = _env()
    done = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "jit.py"), "--quick", "--repeat", "1",
                           "--only", "overhead", "--no-jax", "--json", str(out)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = json.loads(out.read_text())["rows"]
    assert {r["case"] for r in rows} == {"overhead"} and all(r["numpy_s"] > 0 for r in rows)
