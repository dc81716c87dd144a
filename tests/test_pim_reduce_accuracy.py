"""Accuracy of float reductions along axes and of matmul on the pim device: the slabs are combined
pairwise (a balanced tree, error O(log L) ulp as NumPy's pairwise sum), checked against exact sums
(math.fsum), against the pairwise error bound, bit for bit against the same tree computed by NumPy
(so the float32 / float64 add and multiply microcode round as IEEE does), on sizes that are not
powers of two, every axis, strided and negative-stride views."""
import math

import numpy as np
import pytest

import ember as em

pim = pytest.importorskip("ember.pim")

EPS = {"float32": 2.0 ** -24, "float64": 2.0 ** -53}  # unit roundoff


def halving_tree(x, op=np.add):
    """x reduced along its last axis by the device's tree: each level combines slab j with slab
    j + ceil(len/2); an odd level's middle slab passes through."""
    while x.shape[-1] > 1:
        n = x.shape[-1]
        keep = n - n // 2
        head = x[..., :keep].copy()
        head[..., : n // 2] = op(head[..., : n // 2], x[..., keep:])
        x = head
    return x[..., 0]


def exact_sums(a):
    """Correctly rounded float64 sums of the lines along the last axis."""
    flat = a.reshape(-1, a.shape[-1]).astype(np.float64)
    return np.array([math.fsum(r) for r in flat]).reshape(a.shape[:-1])


def two_product(a, b):
    """a * b = hi + lo exactly (Dekker's product with Veltkamp's split; float64, no overflow)."""
    def split(x):
        c = x * 134217729.0  # 2^27 + 1
        h = c - (c - x)
        return h, x - h
    hi = a * b
    ah, al = split(a)
    bh, bl = split(b)
    return hi, ((ah * bh - hi) + ah * bl + al * bh) + al * bl


def check_sum(x_em, a, axis, dtype):
    got = em.sum(x_em, axis=axis).numpy()
    lines = np.moveaxis(a, axis, -1) if axis is not None else a.reshape(-1)
    assert got.dtype == np.dtype(dtype) and got.shape == lines.shape[:-1]
    L = lines.shape[-1]
    exact = exact_sums(lines)
    bound = max(math.ceil(math.log2(L)), 1) * EPS[dtype] * exact_sums(np.abs(lines))
    err = np.abs(got.astype(np.float64) - exact)
    assert np.all(err <= bound), f"error {err.max()} over the pairwise bound (L={L})"
    if axis is not None:  # along an axis: exactly the device's tree (whole arrays: the machine's own tree)
        np.testing.assert_array_equal(got, halving_tree(lines))
    return got


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(1000, 37), (13, 300), (5, 7, 11)])
def test_axis_sums_are_pairwise(dtype, shape):
    rng = np.random.default_rng(len(shape) + shape[0])
    a = rng.uniform(0, 1, shape).astype(dtype)
    x = em.asarray(a, device="pim")
    for axis in [*range(len(shape)), None]:
        check_sum(x, a, axis, dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sums_of_strided_views(dtype):
    rng = np.random.default_rng(7)
    base = rng.normal(0, 1, (60, 94)).astype(dtype)
    x = em.asarray(base, device="pim")
    for sl in [np.s_[::3, 1::2], np.s_[::-2, ::-3], np.s_[5:50, ::-1]]:
        for axis in (0, 1):
            check_sum(x[sl], base[sl], axis, dtype)
    check_sum(x.mT, base.T, 1, dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_small_terms_are_not_lost(dtype):
    # 1 followed by 999 terms below half an ulp of 1: a sequential sum returns exactly 1 in every
    # line; the pairwise tree adds the small terms among themselves first.
    tiny = 2.0 ** (-25 if dtype == "float32" else -54)
    a = np.full((3, 1000), tiny, dtype)
    a[:, 0] = 1
    got = check_sum(em.asarray(a, device="pim"), a, 1, dtype)
    sequential = np.zeros(3, dtype)
    for col in a.T:
        sequential += col
    assert np.all(sequential == 1) and np.all(got - 1 > 0.99 * 999 * tiny)


def test_row_sums_of_a_million_match_the_shared_test():
    # tests/test_reductions.py::test_pairwise_sum_is_accurate on pim: 1000 rows of 1000 float32
    rng = np.random.default_rng(0)
    m = rng.uniform(0, 1, 10**6).astype(np.float32).reshape(1000, 1000)
    got = em.sum(em.asarray(m, device="pim"), axis=1).numpy()
    np.testing.assert_allclose(got, m.astype(np.float64).sum(axis=1), rtol=1e-6)
    np.testing.assert_array_equal(got, halving_tree(m))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_zeros_and_specials_through_the_padding(dtype):
    for L in (7, 8):  # odd lines get a pad (+0.0, as NumPy's sum of -0.0s is +0.0)
        a = np.full((4, L), -0.0, dtype)
        np.testing.assert_array_equal(em.sum(em.asarray(a, device="pim"), axis=1).numpy(), np.zeros(4, dtype))
    b = np.arange(4 * 5, dtype=dtype).reshape(4, 5)
    b[1, 3], b[2, 0], b[3, 4] = np.nan, np.inf, -np.inf
    b[3, 1] = np.inf  # inf + -inf = nan
    with np.errstate(invalid="ignore"):
        want = b.sum(axis=1)
    np.testing.assert_array_equal(em.sum(em.asarray(b, device="pim"), axis=1).numpy(), want)


@pytest.mark.parametrize("op", ["sum", "prod", "min", "max", "any", "all"])
@pytest.mark.parametrize("L", [1, 2, 3, 5, 6, 13])
def test_other_reductions_with_odd_lengths(op, L):
    rng = np.random.default_rng(L)
    a = rng.integers(-3, 4, (6, L)).astype(np.int32)
    f = rng.normal(0, 1, (L, 6)).astype(np.float32)
    f[rng.integers(0, L), 2] = np.nan
    for arr, axis in [(a, 1), (f, 0)]:
        got = getattr(em, op)(em.asarray(arr, device="pim"), axis=axis).numpy()
        want = getattr(np, op)(arr, axis=axis)
        if op in ("sum", "prod") and arr.dtype == np.float32:
            want = halving_tree(np.moveaxis(arr, axis, -1), np.add if op == "sum" else np.multiply)
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matmul_float_is_the_pairwise_tree_of_rounded_products(dtype):
    # The shared test_matmul_large_strided_batch operands: each output's k = 48 products are
    # rounded by the multiply microcode and summed by the tree, bit for bit, and the result is
    # within the tree's error bound of the exact dot product. (BLAS fuses each multiply into its
    # add, so on cancelling outputs the two differ by a few ulp of the products.)
    rng = np.random.default_rng(3)
    a = rng.uniform(-5, 5, (3, 64, 48)).astype(dtype)
    b = rng.uniform(-5, 5, (48, 80)).astype(dtype)
    got = (em.asarray(a, device="pim") @ em.asarray(b, device="pim")).numpy()
    prods = a[:, :, None, :] * b.T[None, None, :, :]  # (3, 64, 80, 48), rounded as IEEE
    np.testing.assert_array_equal(got, halving_tree(prods))
    hi, lo = two_product(a.astype(np.float64)[:, :, None, :], b.T.astype(np.float64)[None, None, :, :])
    exact = np.array([math.fsum(t) for t in np.concatenate([hi, lo], -1).reshape(-1, 96)]).reshape(got.shape)
    bound = (math.ceil(math.log2(48)) + 1) * EPS[dtype] * (np.abs(a).astype(np.float64) @ np.abs(b).astype(np.float64))
    assert np.all(np.abs(got.astype(np.float64) - exact) <= bound)
