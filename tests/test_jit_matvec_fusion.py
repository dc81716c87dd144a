"""The fused `A @ x -> elementwise -> A.T @ r` kernel (graph/passes/matvec_fusion.h): its structure
(one Kernel instead of two matmuls, their views and the elementwise kernel) and its values against
NumPy over awkward shapes, layouts, dtypes, thread counts and inside @em.jit."""
import os
import subprocess
import sys

import numpy as np
import pytest

import ember as em

from helpers import sample


def grad_step(xp, X, w, b, y):
    """One gradient step of logistic regression: the pattern the fusion targets."""
    p = 1.0 / (1.0 + xp.exp(-(X @ w + b)))
    err = p - y
    return X.T @ err, err.mean()


def data(m, d, dtype, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, d)).astype(dtype)
    w = (rng.normal(size=d) * 0.3).astype(dtype)
    y = (rng.uniform(size=m) < 0.4).astype(dtype)
    return X, w, np.asarray(0.25, dtype=dtype), y


def tol(dtype):
    return dict(rtol=2e-4, atol=2e-4) if np.dtype(dtype) == np.float32 else dict(rtol=1e-11, atol=1e-12)


def kernel_listing(*arrays):
    return em.kernels(*arrays)[1]


def single_kernels(text, op):
    return sum(1 for line in text.splitlines() if line.startswith("kernel ") and line.split(": ")[1].startswith(op + " "))


def test_gradient_step_is_one_matvec_kernel():
    X, w, b, y = (em.asarray(a) for a in data(100, 30, np.float64))
    g, m = grad_step(em, X, w, b, y)
    text = kernel_listing(g, m)
    assert text.count("fused matvec") == 1
    assert single_kernels(text, "matmul") == 0
    assert "reduce sum" in text and "matmul transpose(" in text
    # the residual is read only by the absorbed product: not stored
    block = text.split("fused matvec")[1].split("kernel ")[0]
    assert "store" not in block
    # explain groups both products with the kernel that absorbed them
    fused_rows = [l for l in str(em.explain((g, m))).splitlines() if " fused " in l and "exp" in l]
    assert len(fused_rows) == 1 and fused_rows[0].count("matmul") == 2


def test_count_drops_against_unfused_run():
    code = ("import sys; sys.path.insert(0, 'tests'); import numpy as np, ember as em;"
            "from test_jit_matvec_fusion import grad_step, data;"
            "X, w, b, y = (em.asarray(a) for a in data(64, 8, np.float64));"
            "print(em.kernels(*grad_step(em, X, w, b, y))[0])")
    root = os.path.join(os.path.dirname(__file__), "..")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(em.__path__[0]))  # the ember these tests import
    counts = {}
    for flag in ("1", "0"):
        env["EMBER_MATVEC_FUSION"] = flag
        out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True)
        counts[flag] = int(out.stdout.strip())
    assert counts["1"] < counts["0"]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("m,d", [(1, 1), (7, 1), (17, 3), (100, 8), (569, 30), (1000, 33), (3, 100), (4099, 17)])
def test_gradient_step_matches_numpy(m, d, dtype):
    Xn, wn, bn, yn = data(m, d, dtype, seed=m + d)
    g, mean = grad_step(em, *(em.asarray(a) for a in (Xn, wn, bn, yn)))
    gr, meanr = grad_step(np, Xn, wn, bn, yn)
    np.testing.assert_allclose(g.numpy(), gr, **tol(dtype))
    np.testing.assert_allclose(float(mean), meanr, **tol(dtype))
    assert g.dtype == gr.dtype


@pytest.mark.parametrize("layout", ["reversed_rows", "reversed_cols", "ember_transposed"])
def test_ember_views_as_the_matrix_match_numpy(layout):
    """Views made by ember (negative strides, a transpose): read through their strides."""
    rng = np.random.default_rng(4)
    base_np = rng.normal(size=(211, 7)) if layout != "ember_transposed" else rng.normal(size=(7, 211))
    base = em.asarray(base_np)
    X, Xn = {"reversed_rows": (base[::-1], base_np[::-1]),
             "reversed_cols": (base[:, ::-1], base_np[:, ::-1]),
             "ember_transposed": (base.T, base_np.T)}[layout]
    wn, yn = rng.normal(size=7), (rng.uniform(size=211) < 0.5).astype(float)
    g, mean = grad_step(em, X, em.asarray(wn), 0.5, em.asarray(yn))
    assert "fused matvec" in kernel_listing(g, mean)
    gr, meanr = grad_step(np, Xn, wn, 0.5, yn)
    np.testing.assert_allclose(g.numpy(), gr, **tol("float64"))
    np.testing.assert_allclose(float(mean), meanr, **tol("float64"))


def test_reshapes_moved_past_the_chain_still_fuse():
    """View pushdown can leave the chain on (m, 1) columns, reading the products directly."""
    Xn = np.random.default_rng(6).normal(size=(150, 5))
    X = em.asarray(Xn)
    g = X.T @ (em.tanh(X @ em.ones(5)) - 1.0)
    assert "fused matvec" in kernel_listing(g)
    np.testing.assert_allclose(g.numpy(), Xn.T @ (np.tanh(Xn @ np.ones(5)) - 1.0), rtol=1e-12)


@pytest.mark.parametrize("layout", ["transposed", "strided_rows", "strided_cols", "offset"])
def test_non_contiguous_matrices_match_numpy(layout):
    rng = np.random.default_rng(1)
    if layout == "transposed":
        Xn = rng.normal(size=(9, 301)).T          # (301, 9), column-major
    elif layout == "strided_rows":
        Xn = rng.normal(size=(602, 9))[::2]
    elif layout == "strided_cols":
        Xn = rng.normal(size=(301, 18))[:, ::2]
    else:
        Xn = np.zeros((301, 9))  # replaced below
    m, d = Xn.shape
    wn, yn = rng.normal(size=d), (rng.uniform(size=m) < 0.5).astype(float)
    if layout == "offset":   # a view of an ember array
        base = em.asarray(rng.normal(size=(302, 10)))
        Xn, X = base.numpy()[1:, 1:], base[1:, 1:]
    else:
        X = em.asarray(Xn)
    g, mean = grad_step(em, X, em.asarray(wn), 0.5, em.asarray(yn))
    gr, meanr = grad_step(np, Xn, wn, 0.5, yn)
    np.testing.assert_allclose(g.numpy(), gr, **tol("float64"))
    np.testing.assert_allclose(float(mean), meanr, **tol("float64"))


def test_special_values_propagate():
    Xn, wn, bn, yn = data(50, 5, np.float64)
    Xn[3, 2] = np.nan
    Xn[10, 4] = np.inf
    with np.errstate(all="ignore"):
        gr, meanr = grad_step(np, Xn, wn, bn, yn)
        g, mean = grad_step(em, *(em.asarray(a) for a in (Xn, wn, bn, yn)))
        np.testing.assert_allclose(g.numpy(), gr, **tol("float64"))
        np.testing.assert_allclose(float(mean), meanr, **tol("float64"))


def test_other_chains_and_reductions():
    """A residual that is not the last instruction, a max reduction, an input with one value per row."""
    Xn, wn, _, yn = data(333, 12, np.float64, seed=5)
    sn = sample((333,), "float64", 3)
    X, w, y, s = (em.asarray(a) for a in (Xn, wn, yn, sn))
    for xp, args in ((em, (X, w, y, s)), (np, (Xn, wn, yn, sn))):
        A, v, t, u = args
        r = xp.tanh(A @ v) * u - t   # (a product the user held would be stored: not fused)
        out = (A.T @ r, xp.max(r * 2.0))
        if xp is em:
            text = kernel_listing(*out)
            assert text.count("fused matvec") == 1
            got = [o.numpy() for o in out]
        else:
            ref = out
    for a, b in zip(got, ref):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-12)


def test_product_held_elsewhere_is_not_fused():
    Xn, wn, bn, yn = data(60, 4, np.float64)
    X, w, y = em.asarray(Xn), em.asarray(wn), em.asarray(yn)
    z = X @ w                      # the user keeps the product: it must be stored
    g = X.T @ (em.tanh(z) - y)
    text = kernel_listing(g, z)
    assert "fused matvec" not in text
    np.testing.assert_allclose(g.numpy(), Xn.T @ (np.tanh(Xn @ wn) - yn), rtol=1e-12)
    np.testing.assert_allclose(z.numpy(), Xn @ wn, rtol=1e-12)


def test_residual_read_elsewhere_is_stored():
    Xn, wn, bn, yn = data(60, 4, np.float64)
    X, w, y = em.asarray(Xn), em.asarray(wn), em.asarray(yn)
    err = em.tanh(X @ w) - y
    g = X.T @ err
    keep = err * 3.0
    text = kernel_listing(g, keep)
    assert text.count("fused matvec") == 1
    np.testing.assert_allclose(g.numpy(), Xn.T @ (np.tanh(Xn @ wn) - yn), rtol=1e-12)
    np.testing.assert_allclose(keep.numpy(), 3.0 * (np.tanh(Xn @ wn) - yn), rtol=1e-12)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_results_do_not_depend_on_thread_count(dtype):
    """Large enough to split over threads: the block partials add in block order either way."""
    Xn, wn, bn, yn = data(30011, 13, dtype, seed=2)
    before = em.get_num_threads()
    try:
        outs = []
        for n in (1, 2):
            em.set_num_threads(n)
            g, mean = grad_step(em, *(em.asarray(a) for a in (Xn, wn, bn, yn)))
            outs.append((g.numpy(), float(mean)))
    finally:
        em.set_num_threads(before)
    assert np.array_equal(outs[0][0], outs[1][0]) and outs[0][1] == outs[1][1]
    gr, meanr = grad_step(np, Xn, wn, bn, yn)
    np.testing.assert_allclose(outs[0][0], gr, **tol(dtype))


def fit(xp, X, y, iters=30, lr=0.1):
    n, d = X.shape
    w = xp.zeros(d, dtype=X.dtype)
    b = xp.zeros((), dtype=X.dtype)
    for _ in range(iters):
        p = 1.0 / (1.0 + xp.exp(-(X @ w + b)))
        err = p - y
        w = w - lr * (X.T @ err) / n
        b = b - lr * err.mean()
    return w, b


fit_jit = em.jit(fit, static_argnums=(0,), static_argnames=("iters", "lr"))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("m,d", [(1, 1), (13, 1), (200, 30), (569, 30), (777, 9)])
def test_jitted_fit_matches_numpy(m, d, dtype):
    Xn, _, _, yn = data(m, d, dtype, seed=m)
    w, b = fit_jit(em, em.asarray(Xn), em.asarray(yn))
    for _ in range(2):  # the compiled program replays: same answer every call
        w, b = fit_jit(em, em.asarray(Xn), em.asarray(yn))
        wr, br = fit(np, Xn, yn)
        np.testing.assert_allclose(w.numpy(), wr, **tol(dtype))
        np.testing.assert_allclose(float(b), float(br), **tol(dtype))


def test_jitted_fit_identical_at_one_and_two_threads():
    Xn, _, _, yn = data(20000, 12, np.float64, seed=9)
    before = em.get_num_threads()
    try:
        outs = []
        for n in (1, 2):
            em.set_num_threads(n)
            f = em.jit(fit, static_argnums=(0,), static_argnames=("iters", "lr"))
            w, b = f(em, em.asarray(Xn), em.asarray(yn), iters=5)
            outs.append((w.numpy(), float(b)))
    finally:
        em.set_num_threads(before)
    assert np.array_equal(outs[0][0], outs[1][0]) and outs[0][1] == outs[1][1]


def test_unrolled_steps_fuse_each_gradient_not_the_transposes():
    """Without the row-major copy of X.T (too large to make), X.T @ err then the next step's X @ w
    read as (X.T).T @ w could look like the pattern over the wide X.T: only tall matrices fuse."""
    Xn, _, _, yn = data(5000, 30, np.float64, seed=3)
    w, b = fit(em, em.asarray(Xn), em.asarray(yn), iters=3)
    text = kernel_listing(w, b)
    assert text.count("fused matvec (5000,)") == 3 and "fused matvec (30,)" not in text
    wr, br = fit(np, Xn, yn, iters=3)
    np.testing.assert_allclose(w.numpy(), wr, rtol=1e-11, atol=1e-13)


# Kernels between ~4k multiply-adds and 2^17 split their blocks over the hot team (runtime/hot_team.h):
# the same bits as one thread, since the block partials add in block order either way.
HOT_SIZES = [(569, 30), (300, 20), (1000, 33), (4000, 30)]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("m,d", HOT_SIZES)
def test_hot_team_sizes_identical_at_one_two_and_three_threads(m, d, dtype):
    Xn, wn, bn, yn = data(m, d, dtype, seed=m * d)
    before = em.get_num_threads()
    try:
        outs = []
        for n in (1, 2, 3):
            em.set_num_threads(n)
            for _ in range(3):  # back to back: the helpers are awake for the later calls
                g, mean = grad_step(em, *(em.asarray(a) for a in (Xn, wn, bn, yn)))
                outs.append((g.numpy(), float(mean)))
    finally:
        em.set_num_threads(before)
    for g, mean in outs[1:]:
        assert np.array_equal(g, outs[0][0]) and mean == outs[0][1]
    gr, meanr = grad_step(np, Xn, wn, bn, yn)
    np.testing.assert_allclose(outs[0][0], gr, **tol(dtype))
    np.testing.assert_allclose(outs[0][1], meanr, **tol(dtype))


def test_jitted_logreg_identical_with_ember_num_threads_1_and_2():
    """The benchmark's shape (569x30) in fresh processes: EMBER_NUM_THREADS picks the team's size.
    Each process exits right after its call while the helper may still be spinning: no hang."""
    code = ("import sys; sys.path.insert(0, 'tests'); import numpy as np, ember as em;"
            "from test_jit_matvec_fusion import fit, fit_jit, data;"
            "Xn, _, _, yn = data(569, 30, np.float64, seed=11);"
            "w, b = fit_jit(em, em.asarray(Xn), em.asarray(yn), iters=200);"
            "w, b = fit_jit(em, em.asarray(Xn), em.asarray(yn), iters=200);"
            "print(em.get_num_threads(), w.numpy().tobytes().hex(), np.asarray(b.numpy()).tobytes().hex())")
    root = os.path.join(os.path.dirname(__file__), "..")
    outs = {}
    for threads in ("1", "2"):
        env = dict(os.environ, EMBER_NUM_THREADS=threads, PYTHONPATH=os.path.dirname(em.__path__[0]))
        out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True,
                             check=True, timeout=120)
        n, w, b = out.stdout.split()
        assert n == threads
        outs[threads] = (w, b)
    assert outs["1"] == outs["2"]
    Xn, _, _, yn = data(569, 30, np.float64, seed=11)
    wr, br = fit(np, Xn, yn, iters=200)
    np.testing.assert_allclose(np.frombuffer(bytes.fromhex(outs["2"][0])), wr, rtol=1e-11, atol=1e-13)


def test_process_exits_after_helpers_went_to_sleep():
    """One call, then idle long enough for the helper to sleep, then exit: joined, no hang."""
    code = ("import time, numpy as np, ember as em; em.set_num_threads(2);"
            "X = em.asarray(np.ones((569, 30))); w = em.asarray(np.full(30, 0.01));"
            "g = X.T @ (em.tanh(X @ w) - 0.5); print(float(g.sum()));"
            "time.sleep(0.05)")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(em.__path__[0]))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=60)
    ref = np.ones((569, 30)).T @ (np.tanh(np.ones((569, 30)) @ np.full(30, 0.01)) - 0.5)
    assert float(out.stdout) == pytest.approx(ref.sum(), rel=1e-12)
