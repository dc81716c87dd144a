"""Strided inputs of fused kernels are gathered with vector copies (backend/cpu/fused_gather.*):
every stride (2, -1, negative, large, a column), item size, length and position of the view in its
buffer (ending at the buffer's last element) must read exactly NumPy's elements."""
import numpy as np
import pytest

import ember as em

DTYPES = ["float64", "float32", "int64", "int32", "bool"]
STRIDES = [2, 4, -1, -2, 3, -4, 7, 64, -1000]


def data(n, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.integers(0, 2, n).astype(bool)
    if dtype.startswith("int"):
        return rng.integers(-1000, 1000, n).astype(dtype)
    x = rng.uniform(-3, 3, n)
    x[:4] = [np.nan, -0.0, np.inf, -np.inf][: min(4, n)] if n >= 4 else x[:4]
    return x.astype(dtype)


def check(got, exp):
    got = np.asarray(got.numpy())
    assert got.dtype == exp.dtype and got.shape == exp.shape
    if exp.dtype.kind == "f":
        assert np.array_equal(got.view(f"u{exp.itemsize}"), exp.view(f"u{exp.itemsize}"))
    else:
        assert np.array_equal(got, exp)


def twice(x):
    return x + x  # a fused instruction that reads the gathered register (bool: logical or)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("step", STRIDES)
@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 9, 15, 16, 17, 33, 100, 2047, 2049, 5000])
def test_strided_views_read_numpys_elements(dtype, step, n):
    # the buffer holds exactly the view's span, so the view ends at the buffer's last element
    span = (n - 1) * abs(step) + 1
    bn = data(span, dtype, seed=n)
    b = em.asarray(bn)
    sl = slice(None, None, step)
    check(twice(b[sl]), twice(bn[sl]))
    if span > 1:  # and starting one element in
        check(twice(b[1:][sl]), twice(bn[1:][sl]))


@pytest.mark.parametrize("dtype", ["float64", "float32", "int32"])
@pytest.mark.parametrize("cols", [2, 3, 4, 5, 16, 1001])
def test_columns_and_reversed_rows(dtype, cols):
    mn = data(37 * cols, dtype, seed=cols).reshape(37, cols)
    m = em.asarray(mn)
    check(twice(m[:, cols - 1]), twice(mn[:, cols - 1]))
    check(twice(m[::-1, 0]), twice(mn[::-1, 0]))
    check(twice(m[:, ::-1]), twice(mn[:, ::-1]))
    check(twice(m.T), twice(mn.T))


def test_large_strides():
    # lane offsets of float32 gathers are 32-bit: (lanes - 1) * stride must still be exact
    for dtype in ["float32", "float64"]:
        mn = np.arange(40 * 2**18, dtype=dtype).reshape(40, 2**18)
        m = em.asarray(mn)
        check(m[:, 5] * 2.0, mn[:, 5] * 2.0)
        check(m[::-1, 7] * 2.0, mn[::-1, 7] * 2.0)


@pytest.mark.parametrize("threads", [1, 2])
def test_large_strided_expression_matches_numpy(threads):
    vn = data(4_000_002, "float64", seed=9)
    v = em.asarray(vn)
    old = em.get_num_threads()
    em.set_num_threads(threads)
    try:
        check(v[::2] * 2.0 + 1.0, vn[::2] * 2.0 + 1.0)
        check(v[::-2] - v[1::2], vn[::-2] - vn[1::2])
        check(v[:-2:5] * v[3::5], vn[:-2:5] * vn[3::5])
        np.testing.assert_allclose(float(em.sum(v[4::2] * v[5::2])), np.sum(vn[4::2] * vn[5::2]), rtol=1e-12)
    finally:
        em.set_num_threads(old)
