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


@pytest.fixture(params=[1, 2])
def threads(request):
    old = em.get_num_threads()
    em.set_num_threads(request.param)
    yield request.param
    em.set_num_threads(old)


BCAST_DTYPES = ["float64", "float32", "int64", "int32", "bool", "int8"]


@pytest.mark.parametrize("dtype", BCAST_DTYPES)
@pytest.mark.parametrize("rows, cols", [(1, 1), (3, 7), (5, 2047), (3, 2048), (4, 2049), (9, 4472), (700, 3)])
def test_broadcast_kernels_read_rows_in_place(dtype, rows, cols, threads):
    # Kernels whose inputs all broadcast run in steps that end where rows end: contiguous rows are
    # read in place, broadcast runs filled a vector at a time.
    pn, qn = data(rows, dtype, seed=rows), data(cols, dtype, seed=cols)
    p, q = em.asarray(pn), em.asarray(qn)
    check(twice(p[:, None]) + q[None, :], twice(pn[:, None]) + qn[None, :])
    check(q[None, :] + p[:, None], qn[None, :] + pn[:, None])
    check(p[::-1, None] + q[None, ::-1], pn[::-1, None] + qn[None, ::-1])  # negative strides
    check(twice(q[None, ::2]) + p[:, None], twice(qn[None, ::2]) + pn[:, None])


@pytest.mark.parametrize("dtype", ["float64", "float32", "int32"])
def test_broadcast_rows_of_a_matrix_and_three_axes(dtype, threads):
    mn = data(50 * 301, dtype, seed=3).reshape(50, 301)
    cn, dn = data(50, dtype, seed=4), data(7, dtype, seed=5)
    m, c, d = em.asarray(mn), em.asarray(cn), em.asarray(dn)
    # rows of a matrix (contiguous, row stride > row length) against a column, as a 3-d broadcast
    check(m[:, 1:200][:, None, :] + c[:, None, None] + d[None, :, None],
          mn[:, 1:200][:, None, :] + cn[:, None, None] + dn[None, :, None])
    check(m[::-2, 5:] - c[::-2, None], mn[::-2, 5:] - cn[::-2, None])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_large_broadcast_output_streams(dtype, threads):
    # over 16 MiB of output: non-temporal stores, whole-block steps cut at rows of 1100
    pn, qn = data(2100, dtype, seed=6), data(1100, dtype, seed=7)
    p, q = em.asarray(pn), em.asarray(qn)
    check(p[:, None] - q[None, :], pn[:, None] - qn[None, :])
    check((p[:, None] * 2.0 + q[None, :]) * q[None, :], (pn[:, None] * 2.0 + qn[None, :]) * qn[None, :])


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int32", "bool", "int8"])
@pytest.mark.parametrize("rows", [2047, 2048, 2049, 4472, 9001])
def test_columns_of_wide_matrices(dtype, rows, threads):
    # a cache line or more per element, around block and thread-chunk sizes
    cols = 67
    mn = data(rows * cols, dtype, seed=rows).reshape(rows, cols)
    m = em.asarray(mn)
    check(twice(m[:, 3]), twice(mn[:, 3]))
    check(twice(m[::-1, 66]), twice(mn[::-1, 66]))
    check(m[:, 0] * m[::-1, 1] if dtype != "bool" else m[:, 0] & m[::-1, 1],
          mn[:, 0] * mn[::-1, 1] if dtype != "bool" else mn[:, 0] & mn[::-1, 1])
    check(twice(m[:, 2:6].T), twice(mn[:, 2:6].T))
