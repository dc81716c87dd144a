"""Rolled loops (graph/program_reroll.h): a Python loop that @em.jit unrolled into trip after trip of
alike Kernels runs as a loop over its first trip. Each case runs the same function with rolling on and
off (EMBER_REROLL=0 when the Program is built): the results must be bit for bit equal, equal NumPy's,
and em.program_info() must say whether a region was rolled."""
import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

import ember as em

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples")


def build(fun, monkeypatch, rolled, **jit_kwargs):
    """A fresh jitted `fun` whose Programs are built with rolling on or off."""
    monkeypatch.setenv("EMBER_REROLL", "1" if rolled else "0")
    return em.jit(fun, **jit_kwargs)


def numpy_of(tree):
    if isinstance(tree, (list, tuple)):
        return [numpy_of(t) for t in tree]
    return np.asarray(tree.numpy() if isinstance(tree, em.Array) else tree)


def run_both(fun, args, monkeypatch, **jit_kwargs):
    """(rolled results, unrolled results, rolled regions the rolled build found)."""
    before = em.program_info()
    rolled = numpy_of(build(fun, monkeypatch, True, **jit_kwargs)(*args))
    regions = em.program_info()["rolled_regions"] - before["rolled_regions"]
    plain = numpy_of(build(fun, monkeypatch, False, **jit_kwargs)(*args))
    return rolled, plain, regions


def assert_bitwise(a, b):
    if isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_bitwise(x, y)
        return
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tobytes() == b.tobytes()


def load_example(name):
    spec = importlib.util.spec_from_file_location(f"reroll_example_{name}", os.path.join(EXAMPLES, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gradient_descent(xp, z, y, iters=40):
    """examples/logistic_regression.py's fit: standardisation, then `iters` gradient steps."""
    return load_example("logistic_regression").fit(xp, z, y, iters=iters)


def logreg_data(m=120, d=7, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, d)), (rng.uniform(size=m) < 0.4).astype(np.float64)


def test_gradient_descent_rolls_and_matches(monkeypatch):
    z, y = logreg_data()
    before = em.program_info()
    rolled, plain, regions = run_both(lambda z, y: gradient_descent(em, z, y), (em.asarray(z), em.asarray(y)), monkeypatch)
    assert regions == 1
    info = em.program_info()
    assert info["rolled_trips"] - before["rolled_trips"] >= 35  # 40 trips, the first ones maybe outside
    assert_bitwise(rolled, plain)
    ref = gradient_descent(np, z, y)
    np.testing.assert_allclose(rolled[0], ref[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(rolled[1], ref[1], rtol=1e-12, atol=1e-14)


def test_rolled_program_runs_again_on_new_inputs(monkeypatch):
    monkeypatch.setenv("EMBER_REROLL", "1")
    f = em.jit(lambda z, y: gradient_descent(em, z, y))
    for seed in range(3):  # one Program, three runs: each starts from its own inputs
        z, y = logreg_data(seed=seed)
        w, b = f(em.asarray(z), em.asarray(y))
        ref = gradient_descent(np, z, y)
        np.testing.assert_allclose(w.numpy(), ref[0], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(float(b), ref[1], rtol=1e-12, atol=1e-14)


def recurrence(w, a, c, iters=12):
    for _ in range(iters):
        w = np.tanh(w @ a) * 0.5 + c if isinstance(w, np.ndarray) else em.tanh(w @ a) * 0.5 + c
    return w


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_carry_through_a_parameter(monkeypatch, dtype):
    rng = np.random.default_rng(1)
    w, a, c = (rng.normal(size=s).astype(dtype) for s in ((3, 5), (5, 5), (5,)))
    rolled, plain, regions = run_both(recurrence, tuple(em.asarray(v) for v in (w, a, c)), monkeypatch)
    assert regions == 1
    assert_bitwise(rolled, plain)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(rolled, recurrence(w, a, c), **tol)


def test_every_trip_returned_stops_the_roll_where_read(monkeypatch):
    # Each trip's value is a result: only a loop of one trip would leave them all readable.
    def f(w, a):
        outs = []
        for _ in range(6):
            w = em.sin(w @ a) + 1.0
            outs.append(w)
        return outs
    rng = np.random.default_rng(2)
    w, a = rng.normal(size=(4,)), rng.normal(size=(4, 4))
    rolled, plain, _ = run_both(f, (em.asarray(w), em.asarray(a)), monkeypatch)
    assert_bitwise(rolled, plain)
    ref, x = [], w
    for _ in range(6):
        x = np.sin(x @ a) + 1.0
        ref.append(x)
    for got, want in zip(rolled, ref):
        np.testing.assert_allclose(got, want, rtol=1e-13)


def test_values_read_after_the_loop(monkeypatch):
    def f(w, a):
        for _ in range(8):
            w = em.exp(-(w @ a)) * 0.3
        s = w.sum()          # read after the loop
        return w * 2.0, s + w.max()
    rng = np.random.default_rng(3)
    w, a = rng.normal(size=(6,)), rng.normal(size=(6, 6)) * 0.2
    rolled, plain, regions = run_both(f, (em.asarray(w), em.asarray(a)), monkeypatch)
    assert regions == 1
    assert_bitwise(rolled, plain)
    x = w
    for _ in range(8):
        x = np.exp(-(x @ a)) * 0.3
    np.testing.assert_allclose(rolled[0], x * 2.0, rtol=1e-13)
    np.testing.assert_allclose(rolled[1], x.sum() + x.max(), rtol=1e-13)


def test_trip_constants_that_differ_run_trip_by_trip(monkeypatch):
    # Each trip multiplies by its own Python number: the trips look alike but their constants are
    # not; the Program must notice it when it runs and take the Kernels one by one.
    def f(w, a):
        for i in range(10):
            w = em.tanh(w @ a) * float(i + 1)
        return w
    rng = np.random.default_rng(4)
    w, a = rng.normal(size=(5,)), rng.normal(size=(5, 5)) * 0.1
    rolled, plain, _ = run_both(f, (em.asarray(w), em.asarray(a)), monkeypatch)
    assert_bitwise(rolled, plain)
    x = w
    for i in range(10):
        x = np.tanh(x @ a) * float(i + 1)
    np.testing.assert_allclose(rolled, x, rtol=1e-13)


def test_writes_into_a_traced_array_roll_as_new_values(monkeypatch):
    # Inside a trace `w[0] = ...` makes a new version (set_view), which never writes over a value a
    # Program keeps: the trips roll, and every trip's write lands.
    def f(w):
        for _ in range(6):
            w = w * 0.5
            w[0] = w[1] + 1.0
        return w
    w = np.arange(4.0)
    rolled, plain, regions = run_both(f, (em.asarray(w),), monkeypatch)
    assert regions == 1
    assert_bitwise(rolled, plain)
    x = w.copy()
    for _ in range(6):
        x = x * 0.5
        x[0] = x[1] + 1.0
    np.testing.assert_array_equal(rolled, x)


def test_random_draws_are_never_rolled(monkeypatch):
    # Each trip draws new numbers: rolling the first trip would repeat its draws.
    def f(w):
        rng = em.random.default_rng(7)
        for _ in range(6):
            w = w * 0.5 + rng.normal(size=w.shape)
        return w
    rolled, plain, regions = run_both(f, (em.asarray(np.zeros(5)),), monkeypatch)
    assert regions == 0
    assert_bitwise(rolled, plain)
    assert len(np.unique(rolled)) == 5


def test_nested_and_consecutive_loops(monkeypatch):
    def f(w, a, b):
        for _ in range(3):
            for _ in range(4):
                w = em.cos(w @ a) * 0.9
        for _ in range(5):
            w = em.sqrt(em.abs(w @ b) + 1.0)
        return w
    rng = np.random.default_rng(5)
    w, a, b = rng.normal(size=(3,)), rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    rolled, plain, regions = run_both(f, tuple(em.asarray(v) for v in (w, a, b)), monkeypatch)
    assert regions >= 2
    assert_bitwise(rolled, plain)
    x = w
    for _ in range(12):
        x = np.cos(x @ a) * 0.9
    for _ in range(5):
        x = np.sqrt(np.abs(x @ b) + 1.0)
    np.testing.assert_allclose(rolled, x, rtol=1e-13)


def test_error_in_a_rolled_trip_leaves_inputs_and_program_usable(monkeypatch):
    def f(a, x):
        for _ in range(6):
            x = em.linalg.solve(a, x) * 0.5 + 1.0
        return x
    monkeypatch.setenv("EMBER_REROLL", "1")
    g = em.jit(f)
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    x0 = np.array([1.0, -1.0])
    a_bad, x_em = em.asarray(singular), em.asarray(x0)
    with pytest.raises(np.linalg.LinAlgError):
        g(a_bad, x_em).numpy()
    np.testing.assert_array_equal(a_bad.numpy(), singular)  # inputs intact
    np.testing.assert_array_equal(x_em.numpy(), x0)
    good = np.array([[3.0, 1.0], [1.0, 2.0]])
    got = g(em.asarray(good), x_em).numpy()  # the same Program, reset after the error
    want = x0
    for _ in range(6):
        want = np.linalg.solve(good, want) * 0.5 + 1.0
    np.testing.assert_allclose(got, want, rtol=1e-13)


def test_inside_a_fori_loop_body(monkeypatch):
    def f(w, a):
        def body(i, w):
            for _ in range(5):  # unrolled in the body's Program, then rolled there
                w = em.tanh(w @ a)
            return w
        return em.fori_loop(0, 3, body, w)
    rng = np.random.default_rng(6)
    w, a = rng.normal(size=(4,)), rng.normal(size=(4, 4))
    rolled, plain, _ = run_both(f, (em.asarray(w), em.asarray(a)), monkeypatch)
    assert_bitwise(rolled, plain)
    x = w
    for _ in range(15):
        x = np.tanh(x @ a)
    np.testing.assert_allclose(rolled, x, rtol=1e-13)


def test_profile_counts_every_trip(monkeypatch):
    z, y = logreg_data(m=50, d=4)
    args = (em.asarray(z), em.asarray(y))
    counts = {}
    for rolled in (True, False):
        f = build(lambda z, y: gradient_descent(em, z, y, iters=10), monkeypatch, rolled)
        f(*args)  # built and run once outside the profile
        with em.profile() as p:
            w, b = f(*args)
            w.numpy()
        counts[rolled] = sorted((r["op"], r["calls"]) for r in p.to_list())
    assert counts[True] == counts[False]


def test_debug_listing_names_the_rolled_region():
    code = ("import numpy as np, ember as em\n"
            "def f(w, a):\n"
            "    for _ in range(9):\n"
            "        w = em.tanh(w @ a) + 1.0\n"
            "    return w\n"
            "print(em.jit(f)(em.asarray(np.ones(3)), em.asarray(np.eye(3))).numpy())\n")
    env = dict(os.environ, EMBER_DEBUG="1", PYTHONPATH=os.path.dirname(em.__path__[0]))
    env.pop("EMBER_REROLL", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    rolled = [line for line in out.stderr.splitlines() if "rolled:" in line]
    assert len(rolled) == 1 and " trips " in rolled[0], out.stderr
    trips = int(rolled[0].split(" x ")[1].split()[0])
    assert trips == 8  # of 9: the first trip reads the argument itself, and its Kernels differ
