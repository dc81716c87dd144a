"""The cpu engine: fusion tested by structure (how many Kernels a graph becomes), fused results
against NumPy and against the unfused path, over dtypes, shapes and strides, and results that do not
depend on the thread count."""
import numpy as np
import pytest

import ember as em
from helpers import BROADCAST_PAIRS, SHAPES, assert_matches, check_op, sample


def count(*arrays):
    return em.kernels(*arrays)[0]


def arrays(*shapes, dtype="float64"):
    return [em.asarray(sample(s, dtype, seed=i)) for i, s in enumerate(shapes)]


# ---- structure ----

@pytest.mark.parametrize("expr", [
    lambda a, b, c: 2 * a + 3 * b,
    lambda a, b, c: a * b + c,
    lambda a, b, c: em.sqrt(a * a + b * b),
    lambda a, b, c: em.where(a > b, a, b) * c,
    lambda a, b, c: em.sin(a) ** 2 + em.cos(b) ** 2,
    lambda a, b, c: em.exp(-a) * b + c / (1 + a),
    lambda a, b, c: em.tanh(a) * em.log1p(b),
    lambda a, b, c: em.sum(a * b),
    lambda a, b, c: em.max(em.abs(a - b)),
    lambda a, b, c: em.sum(a * b + c, axis=1),
    lambda a, b, c: em.min(a - 1, axis=(0, 1)),
])
def test_expressions_become_one_kernel(expr):
    a, b, c = arrays((30, 40), (30, 40), (30, 40))
    assert count(expr(a, b, c)) == 1


def test_broadcast_and_view_inputs_are_read_in_place():
    a, b = arrays((50,), (60,))
    assert count(a[:, None] - b[None, :]) == 1  # the views are strided reads, not copies
    m, = arrays((40, 30))
    assert count(m[:, 3] * 2 + 1) == 1
    assert count(m[::2, ::-3].T + m[:20, :10].T) == 1


def test_a_long_chain_is_one_kernel():
    a, = arrays((1000,))
    x = a
    for i in range(100):
        x = x * 1.0001 + 0.5 if i % 2 else em.sqrt(em.abs(x))
    assert count(x) == 1
    ref = sample((1000,), "float64", seed=0)
    for i in range(100):
        ref = ref * 1.0001 + 0.5 if i % 2 else np.sqrt(np.abs(ref))
    assert_matches(x, ref)


def test_intermediates_a_user_holds_are_stored_not_recomputed():
    a, b = arrays((100,), (100,))
    t = a * b  # the user keeps t
    r = t + 1
    n, text = em.kernels(r)
    assert n == 1 and text.count("store") == 2
    em.eval(r)
    assert t._h.evaluated if hasattr(t._h, "evaluated") else True
    na, nb = sample((100,), "float64", 0), sample((100,), "float64", 1)
    assert_matches(t, na * nb)
    assert_matches(r, na * nb + 1)


def test_a_value_used_by_two_spaces_is_materialized_once():
    a, = arrays((10, 20))
    t = em.exp(a)
    s = em.sum(t, axis=0)  # the unfused reduction (a leading axis) reads t
    u = t * 2
    n = count(s, u)
    assert n == 3  # t (stored), the axis-0 sum, u
    assert_matches(s, np.exp(sample((10, 20), "float64", 0)).sum(axis=0))


def test_a_reduction_of_a_stored_value_joins_the_kernel_that_computes_it():
    a, b, w = arrays((40, 30), (40,), (30,))
    err = a @ w - b          # read by a product and by the mean: stored
    g = a.T @ err
    m = err.mean()
    n, text = em.kernels(g, m)
    fused_err = [k for k in text.split("kernel ")[1:] if "subtract" in k]
    assert len(fused_err) == 1 and "store" in fused_err[0] and "reduce sum" in fused_err[0]
    na, nb, nw = (sample(s, "float64", i) for i, s in enumerate(((40, 30), (40,), (30,))))
    assert_matches(m, (na @ nw - nb).mean())
    assert_matches(g, na.T @ (na @ nw - nb))


def test_a_reduction_that_reads_a_later_value_stays_its_own_kernel():
    a, b = arrays((50,), (50,))
    e = a - b
    t = em.sum(e)            # some later value the reduction also needs:
    late = e * t             # reads e and the first reduction
    s = em.sum(e * late)     # reads e and late (computed after e's kernel)
    em.eval(s, t)
    na, nb = sample((50,), "float64", 0), sample((50,), "float64", 1)
    ne = na - nb
    assert_matches(t, ne.sum())
    assert_matches(s, (ne * (ne * ne.sum())).sum())


def test_listing_shows_instructions():
    a, b = arrays((8,), (8,))
    n, text = em.kernels(em.sum(a * b))
    assert n == 1
    assert "multiply float64" in text and "reduce sum" in text


# ---- values: fused against NumPy over dtypes, shapes and layouts ----

FUSED_DTYPES = ["bool", "int32", "int64", "float32", "float64"]


@pytest.mark.parametrize("dtype", FUSED_DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_fused_chain_matches_numpy(dtype, shape):
    x = sample(shape, dtype, seed=3)
    y = sample(shape, dtype, seed=4)
    if dtype == "bool":
        check_op(lambda a, b: (a & b) | ~a, lambda a, b: (a & b) | ~a, x, y)
    else:
        check_op(lambda a, b: em.maximum(a * 3 - b, b) + (a < b), lambda a, b: np.maximum(a * 3 - b, b) + (a < b), x, y)


@pytest.mark.parametrize("sa,sb", BROADCAST_PAIRS)
def test_fused_broadcasting(sa, sb):
    x, y = sample(sa, "float64", 1), sample(sb, "float64", 2)
    check_op(lambda a, b: em.where(a > b, a * b, a - b) / 3, lambda a, b: np.where(a > b, a * b, a - b) / 3, x, y)


@pytest.mark.parametrize("dtype", ["int32", "int64", "float32", "float64"])
@pytest.mark.parametrize("shape", [(), (0,), (7,), (3, 4), (2, 0, 3), (2, 3, 4)])
def test_fused_reductions_match_numpy(dtype, shape):
    x, y = sample(shape, dtype, 5), sample(shape, dtype, 6)
    check_op(lambda a, b: em.sum(a * b), lambda a, b: np.sum(a * b), x, y)
    if x.size:
        check_op(lambda a, b: em.max(em.abs(a - b)), lambda a, b: np.max(np.abs(a - b)), x, y)
    if x.ndim == 0:
        return
    if x.size:
        check_op(lambda a, b: em.min(a + b, axis=-1), lambda a, b: np.min(a + b, axis=-1), x, y)
    check_op(lambda a, b: em.sum(a - b, axis=-1, keepdims=True), lambda a, b: np.sum(a - b, axis=-1, keepdims=True), x, y)
    check_op(lambda a, b: em.prod(a - b, axis=-1), lambda a, b: np.prod(a - b, axis=-1), x, y)


def test_reduction_with_initial_and_empty():
    x = sample((4, 0), "float64", 1)
    assert_matches(em.sum(em.asarray(x) * 2, axis=1), np.sum(x * 2, axis=1))
    y = sample((4, 5), "float64", 1)
    assert_matches(em.max(em.asarray(y) * 2, axis=1, initial=100.0), np.max(y * 2, axis=1, initial=100.0))


def test_nan_propagates_through_fused_max():
    x = sample((5000,), "float64", 1)
    x[1234] = np.nan
    assert np.isnan(em.max(em.asarray(x) * 2).numpy())


# ---- large arrays: many blocks, threads ----

@pytest.mark.parametrize("shape", [(100_003,), (37, 3001), (3, 50_000), (2500, 7)])
def test_large_fused_results_equal_unfused_path(shape):
    na, nb = sample(shape, "float64", 1), sample(shape, "float64", 2)
    a, b = em.asarray(na), em.asarray(nb)
    fused = em.sqrt(a * a + b * b) - 2 * a
    # The unfused path: every intermediate forced on its own.
    t1 = a * a
    em.eval(t1)
    t2 = b * b
    em.eval(t2)
    t3 = t1 + t2
    em.eval(t3)
    t4 = em.sqrt(t3)
    em.eval(t4)
    t5 = 2 * a
    em.eval(t5)
    unfused = t4 - t5
    np.testing.assert_array_equal(fused.numpy(), unfused.numpy())  # the same functors: bit-identical
    assert_matches(fused, np.sqrt(na * na + nb * nb) - 2 * na)
    for axis in (None, -1):
        assert_matches(em.sum(a * b, axis=axis), np.sum(na * nb, axis=axis))
        assert_matches(em.max(a - b, axis=axis), np.max(na - nb, axis=axis))


def test_strided_large_inputs():
    m = sample((3000, 40), "float64", 3)
    e = em.asarray(m)
    assert_matches(e[:, 7] * 2 + e[:, 8], m[:, 7] * 2 + m[:, 8])
    assert_matches(e[::-2].T - 1, m[::-2].T - 1)
    assert_matches(em.sum(e.T * 2, axis=1), np.sum(m.T * 2, axis=1))


# Kernels whose outputs pass 16 MiB stream their stores and run each block in short steps; sizes
# that are not multiples of a step or a block, every output item size, strided and reversed reads.
STREAM_N = 2_100_003


@pytest.mark.parametrize("threads", [1, 2])
def test_streaming_kernels_match_numpy_bit_for_bit(threads):
    before = em.get_num_threads()
    em.set_num_threads(threads)
    try:
        x, y, z = (sample((STREAM_N,), "float64", s) for s in (11, 12, 13))
        k = sample((STREAM_N,), "int64", 14)
        w = sample((2 * STREAM_N + 1,), "float64", 15)
        a, b, c, i, v = (em.asarray(t) for t in (x, y, z, k, w))
        f, g = em.asarray(x.astype(np.float32)), em.asarray(y.astype(np.float32))
        cases = [
            (2 * a + 3 * b, 2 * x + 3 * y),
            (a * b + c, x * y + z),
            (em.sqrt(a * a + b * b), np.sqrt(x * x + y * y)),
            (em.where(a > b, a, b) * c, np.where(x > y, x, y) * z),
            (f * g + 1.5, x.astype(np.float32) * y.astype(np.float32) + np.float32(1.5)),
            (a > b, x > y),
            (i * 3 - 1, k * 3 - 1),
            (v[::2] * 2.0 + 1.0, w[::2] * 2.0 + 1.0),
            (v[-2::-2] - a, w[-2::-2] - x),
        ]
        for ours, theirs in cases:
            got = ours.numpy()
            assert got.dtype == theirs.dtype
            np.testing.assert_array_equal(got, theirs)
        # A stored intermediate that a later instruction reads (no streaming for it) and the result.
        t = a * b
        r = t + c
        em.eval(t, r)
        np.testing.assert_array_equal(t.numpy(), x * y)
        np.testing.assert_array_equal(r.numpy(), x * y + z)
    finally:
        em.set_num_threads(before)


def test_results_do_not_depend_on_thread_count():
    before = em.get_num_threads()
    n = 300_001
    x = sample((n,), "float64", 8)
    k = sample((n,), "int64", 9)
    results = []
    try:
        for threads in (1, 2, 3):
            em.set_num_threads(threads)
            a, i = em.asarray(x), em.asarray(k)
            results.append([em.sum(a * a).numpy(), em.sum(a.reshape(1000, -1) if False else a, axis=0).numpy(),
                            (i * 3 - 1).numpy(), em.sum(i * i).numpy(), em.max(a * 2).numpy()])
    finally:
        em.set_num_threads(before)
    for other in results[1:]:
        for r0, r1 in zip(results[0], other):
            np.testing.assert_array_equal(r0, r1)
    assert_matches(results[0][0], np.sum(x * x))


def test_set_num_threads_default():
    before = em.get_num_threads()
    em.set_num_threads(1)
    assert em.get_num_threads() == 1
    em.set_num_threads(0)
    assert em.get_num_threads() >= 1
    em.set_num_threads(before)


# ---- errors inside fused kernels ----

def test_error_in_fused_kernel_names_the_op():
    a = em.asarray(np.arange(10, dtype=np.int64))
    b = em.asarray(np.full(10, -1, dtype=np.int64))
    x = (a + 1) ** b * 2
    with pytest.raises(ValueError, match="pow"):
        x.numpy()
    # The inputs are intact and the graph can be evaluated again after fixing nothing.
    assert_matches(a, np.arange(10))
    with pytest.raises(ValueError):
        x.numpy()


# ---- asynchronous dispatch ----

def test_eval_async_returns_and_the_sync_point_waits():
    x = sample((400_000,), "float64", 1)  # large enough to be dispatched, not run inline
    a = em.asarray(x)
    y = em.sin(a) * 2 + 1
    em.eval_async(y)
    z = y * 3 - a  # built on a value still being computed
    em.eval_async(z)
    w = z + 1  # and a lazy op on top of that
    assert_matches(w, (np.sin(x) * 2 + 1) * 3 - x + 1, atol=1e-12)  # SIMD sin: a few ULP
    assert_matches(y, np.sin(x) * 2 + 1, atol=1e-12)
    assert y._h.is_evaluated()


def test_eval_async_error_is_raised_at_the_next_sync_point():
    n = 400_000
    i = em.asarray(np.arange(n, dtype=np.int64))
    bad = i ** em.asarray(np.full(n, -1, dtype=np.int64))
    em.eval_async(bad)  # returns: the error surfaces at the sync point
    with pytest.raises(ValueError, match="pow"):
        bad.numpy()
    assert not bad._h.is_evaluated()  # the failed node keeps its inputs
    assert_matches(i, np.arange(n))
    ok = i + 1
    em.eval_async(ok)
    assert_matches(ok, np.arange(n) + 1)


def test_small_eval_async_runs_inline():
    x = em.ones(3) + 1
    em.eval_async(x)
    assert x._h.is_evaluated()
    with pytest.raises(ValueError, match="pow"):  # inline: raised by the call itself
        em.eval_async(em.asarray(np.arange(3)) ** em.asarray(np.full(3, -1)))


def test_eval_async_with_writes():
    x = em.zeros(300_000)
    x[2:5] = em.asarray(np.ones(3))
    em.eval_async(x)
    x[0] = 7.0
    expect = np.zeros(300_000)
    expect[2:5] = 1
    expect[0] = 7
    assert_matches(x, expect)


def test_a_dying_input_buffer_is_reused_in_place():
    x = sample((50_000,), "float64", 2)
    t = em.asarray(x) + 1
    em.eval(t)
    view = t.numpy()
    address = view.__array_interface__["data"][0]
    del view
    u = em.sqrt(em.abs(t)) * 2 - t  # t dies with this kernel: its buffer can hold u
    del t
    got = u.numpy()
    assert got.__array_interface__["data"][0] == address
    assert_matches(got, np.sqrt(np.abs(x + 1)) * 2 - (x + 1))
    # A buffer someone still reads is never written over.
    keep = em.asarray(x) + 1
    em.eval(keep)
    w = keep * 3
    assert_matches(w, (x + 1) * 3)
    assert_matches(keep, x + 1)


# ---- vector math accuracy (Highway) and special values ----

def _ulps(a, b):
    ia, ib = a.view(np.int64), b.view(np.int64)
    lo = np.iinfo(np.int64).min
    ka, kb = np.where(ia < 0, lo - ia, ia), np.where(ib < 0, lo - ib, ib)
    d = np.abs(ka - kb)
    d[np.isnan(a) & np.isnan(b)] = 0
    return d


@pytest.mark.parametrize("name,lo,hi", [
    ("exp", -700, 700), ("expm1", -40, 40), ("log", 1e-300, 1e300), ("log1p", -0.99, 10), ("sin", -1e4, 1e4),
    ("cos", -1e4, 1e4), ("tanh", -20, 20), ("atan", -1e3, 1e3), ("sinh", -700, 700), ("asinh", -1e3, 1e3),
    ("sqrt", 1e-300, 1e300),
])
def test_vector_math_within_4_ulp_of_numpy(name, lo, hi):
    rng = np.random.default_rng(0)
    x = rng.uniform(lo, hi, 20_000) if lo < 0 or hi < 1e10 else 10.0 ** rng.uniform(np.log10(lo), np.log10(hi), 20_000)
    npf = {"atan": np.arctan, "asinh": np.arcsinh}.get(name, getattr(np, name))
    got = getattr(em, name)(em.asarray(x) * 1.0).numpy()  # * 1.0: a fused chain, not a lone op
    assert _ulps(got, npf(x)).max() <= 4
    # float32 against the float64 result rounded
    with np.errstate(all="ignore"):  # log's range overflows float32 (to inf: compared where finite)
        x32 = x.astype(np.float32)
        ref32 = npf(x32.astype(np.float64)).astype(np.float32)
    got32 = getattr(em, name)(em.asarray(x32) * 1).numpy()
    d = np.abs(got32.view(np.int32).astype(np.int64) - ref32.view(np.int32).astype(np.int64))
    assert d[np.isfinite(ref32)].max() <= 4


def test_vector_math_special_values_match_numpy():
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e300, -1e300, 710.0, -745.0, 5e-324, 1e5, -1.0, -2.0,
                        1.0, 0.5, 1e-310] * 3)
    with np.errstate(all="ignore"):
        for name, npf in [("exp", np.exp), ("expm1", np.expm1), ("log", np.log), ("log1p", np.log1p),
                          ("sin", np.sin), ("cos", np.cos), ("tanh", np.tanh), ("atan", np.arctan),
                          ("sqrt", np.sqrt), ("log2", np.log2), ("log10", np.log10)]:
            got = getattr(em, name)(em.asarray(special) + 0.0).numpy()
            exp = npf(special)
            np.testing.assert_array_equal(np.isnan(got), np.isnan(exp), err_msg=name)
            np.testing.assert_allclose(got, exp, rtol=1e-15, atol=0, equal_nan=True, err_msg=name)


def test_num_threads_from_environment():
    import os
    import subprocess
    import sys
    code = "import ember as em; print(em.get_num_threads())"
    env = dict(os.environ, EMBER_NUM_THREADS="3")
    env["PYTHONPATH"] = os.pathsep.join(sys.path)  # the ember these tests import
    out = subprocess.run([sys.executable] + (["-S"] if sys.flags.no_site else []) + ["-c", code], env=env,
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "3"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_simd_comparisons_and_where_handle_nan_and_tails(dtype):
    r = np.random.default_rng(4)
    x = r.uniform(-2, 2, 1003).astype(dtype)
    y = r.uniform(-2, 2, 1003).astype(dtype)
    x[::7] = np.nan
    y[::5] = x[::5]
    y[3] = np.inf
    a, b = em.asarray(x), em.asarray(y)
    for f in ["greater", "greater_equal", "less", "less_equal", "equal", "not_equal"]:
        np.testing.assert_array_equal(getattr(em, f)(a * 1, b).numpy(), getattr(np, f)(x, y), err_msg=f)
    np.testing.assert_array_equal(em.where(a > b, a * 2, b).numpy(), np.where(x > y, x * 2, y))


def _random_program(rng, leaves, depth):
    """A random expression over `leaves` (pairs of (ember, numpy) arrays), as (ember, numpy) values."""
    if depth == 0 or rng.random() < 0.2:
        return leaves[rng.integers(len(leaves))]
    kind = rng.integers(6)
    a = _random_program(rng, leaves, depth - 1)
    if kind == 0:
        return em.sqrt(em.abs(a[0])), np.sqrt(np.abs(a[1]))
    if kind == 1:
        c = float(rng.integers(1, 4))
        return a[0] * c - 1, a[1] * c - 1
    b = _random_program(rng, leaves, depth - 1)
    if kind == 2:
        return a[0] + b[0], a[1] + b[1]
    if kind == 3:
        return a[0] * b[0], a[1] * b[1]
    if kind == 4:
        return em.maximum(a[0], b[0]), np.maximum(a[1], b[1])
    return em.where(a[0] > b[0], a[0], b[0] - 1), np.where(a[1] > b[1], a[1], b[1] - 1)


@pytest.mark.parametrize("seed", range(40))
def test_random_programs_match_numpy(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.choice([1, 7, 2048, 5000]))
    base = sample((n, 3), "float64", seed)
    col = sample((n, 1), "float64", seed + 1)
    row = sample((3,), "float64", seed + 2)
    big = sample((2 * n, 6), "float64", seed + 3)
    leaves = [(em.asarray(base), base), (em.asarray(col), col), (em.asarray(row), row),
              (em.asarray(big)[::2, ::-2], big[::2, ::-2]), (em.asarray(base).T.T, base)]
    held = []
    outs = []
    for _ in range(3):  # several roots sharing subexpressions, some held by the test
        e, x = _random_program(rng, leaves, 4)
        leaves.append((e, x))
        held.append((e, x))
    reduce = rng.integers(3)
    for e, x in held:
        with np.errstate(all="ignore"):
            if reduce == 0:
                outs.append((e, x))
            elif reduce == 1:
                outs.append((em.sum(e, axis=-1), np.sum(x, axis=-1)))
            else:
                outs.append((em.max(e), np.max(x)))
    for e, x in outs:
        assert_matches(e, x)
    for e, x in held:
        assert_matches(e, x)


def test_common_subexpressions_are_computed_once():
    x = sample((100,), "float64", 1)
    a = em.asarray(x)
    y = em.sin(a) + em.sin(a) * em.sin(a)
    n, text = em.kernels(y)
    assert n == 1 and text.count("= sin") == 1
    assert_matches(y, np.sin(x) + np.sin(x) ** 2)


def test_error_raised_on_a_worker_thread_reaches_the_caller():
    n = 300_000
    a = em.asarray(np.arange(n))
    b = em.asarray(np.where(np.arange(n) == n - 1000, -1, 2))
    with pytest.raises(ValueError, match="pow"):
        ((a + 1) ** b * 3).numpy()
    with pytest.raises(ValueError, match="pow"):
        em.sum((a + 1) ** b).numpy()
    assert_matches(a + 2, np.arange(n) + 2)


@pytest.mark.parametrize("shape,axis", [((300, 700), 0), ((5, 3, 1000), (0, 1)), ((7, 1, 600), 0), ((2, 2049), 0),
                                        ((40, 5001), 0), ((3, 70_001), 0), ((4, 2, 16_385), (0, 1))])
def test_leading_axis_reductions_fuse_and_match_numpy_order(shape, axis):
    x, y = sample(shape, "float64", 1), sample(shape, "float64", 2)
    a, b = em.asarray(x), em.asarray(y)
    s = em.sum(a * b - 1, axis=axis)
    assert count(s) == 1
    np.testing.assert_array_equal(s.numpy(), np.sum(x * y - 1, axis=axis))  # NumPy's row-by-row order
    assert_matches(em.max(a - b, axis=axis), np.max(x - y, axis=axis))
    assert_matches(em.prod(a * 0.5 + 1, axis=axis, keepdims=True), np.prod(x * 0.5 + 1, axis=axis, keepdims=True))
    i = em.asarray(sample(shape, "int64", 3))
    assert_matches(em.sum(i * 3, axis=axis), np.sum(sample(shape, "int64", 3) * 3, axis=axis))


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_leading_axis_chunks_do_not_change_results(threads):
    # The kept part is cut into one chunk per thread (several rounds when wide): every output
    # still takes the reduced rows in NumPy's order, whatever the thread count.
    before = em.get_num_threads()
    em.set_num_threads(threads)
    try:
        for shape in [(50, 5000), (3, 70_001), (9, 513), (2, 33_000)]:
            x = sample(shape, "float64", 4)
            a = em.asarray(x)
            np.testing.assert_array_equal(em.sum(a * 1.5, axis=0).numpy(), np.sum(x * 1.5, axis=0))
            np.testing.assert_array_equal(em.sum(a, axis=0).numpy(), np.sum(x, axis=0))
            assert_matches(em.max(a[::-1] + 1, axis=0), np.max(x[::-1] + 1, axis=0))
    finally:
        em.set_num_threads(before)
