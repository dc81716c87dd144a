"""Reductions, scans and the statistical functions against NumPy over dtypes, layouts and axes."""
import numpy as np
import pytest

import ember as em
from ember._array import _wrap
from helpers import ALL_DTYPES, REAL_DTYPES, SHAPES, assert_matches, check_op, sample

# NumPy warns on empty means, all-NaN slices and ddof >= N; ember returns the same values silently.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

AXES_3D = [None, 0, 1, 2, -1, (0, 1), (0, 2), (1, 2), (2, 0), (0, 1, 2), ()]
# Loose tolerances where NumPy's summation order differs from ours and the type is narrow.
TOL = {"float16": 2e-2, "complex64": 1e-4, "float32": 1e-4}


def axes_for(ndim):
    return [None] + list(range(-ndim, ndim)) + ([(0, ndim - 1)] if ndim >= 2 else [])


def _call(fn, **kw):
    return lambda x: fn(x, **kw)


@pytest.mark.parametrize("op", ["sum", "prod", "max", "min", "mean", "all", "any"])
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_reduction_over_shapes_and_axes(op, dtype):
    for shape in SHAPES:
        a = sample(shape, dtype, 3, low=-2, high=3)
        for axis in axes_for(len(shape)):
            check_op(_call(getattr(em, op), axis=axis), _call(getattr(np, op), axis=axis), a,
                     rtol=TOL.get(dtype))


@pytest.mark.parametrize("op", ["sum", "prod", "max", "min", "mean", "var", "std", "all", "any"])
@pytest.mark.parametrize("dtype", ["bool", "int8", "uint16", "float16", "float32", "float64", "complex128"])
def test_every_axis_combination_of_3d(op, dtype):
    a = sample((3, 4, 5), dtype, 4, low=-2, high=3)
    for axis in AXES_3D:
        for keepdims in (False, True):
            check_op(_call(getattr(em, op), axis=axis, keepdims=keepdims),
                     _call(getattr(np, op), axis=axis, keepdims=keepdims), a, rtol=TOL.get(dtype))


@pytest.mark.parametrize("op", ["var", "std"])
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_var_std_dtypes_and_corrections(op, dtype):
    for shape in [(), (0,), (7,), (3, 4)]:
        a = sample(shape, dtype, 5)
        for ddof in (0, 1, 2):
            check_op(_call(getattr(em, op), ddof=ddof), _call(getattr(np, op), ddof=ddof), a, rtol=TOL.get(dtype))
            if len(shape) == 2:
                check_op(_call(getattr(em, op), axis=1, correction=ddof), _call(getattr(np, op), axis=1, ddof=ddof), a,
                         rtol=TOL.get(dtype))


@pytest.mark.parametrize("op", ["argmax", "argmin"])
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_argmax_argmin_first_occurrence(op, dtype):
    for shape in SHAPES:
        a = sample(shape, dtype, 6, low=-2, high=2)  # many ties
        for axis in axes_for(len(shape))[: len(shape) + 1]:
            for keepdims in (False, True):
                check_op(_call(getattr(em, op), axis=axis, keepdims=keepdims),
                         _call(getattr(np, op), axis=axis, keepdims=keepdims), a)


def test_result_dtypes_follow_numpy():
    cases = [("sum", "int8"), ("sum", "uint8"), ("sum", "bool"), ("sum", "float16"), ("prod", "int16"),
             ("prod", "uint32"), ("mean", "int32"), ("mean", "float16"), ("mean", "bool"), ("var", "complex64"),
             ("std", "complex128"), ("var", "int8"), ("max", "int8"), ("all", "float32"), ("any", "complex64")]
    for op, dt in cases:
        got = getattr(em, op)(em.ones((3,), dtype=dt))
        assert got.dtype == getattr(np, op)(np.ones((3,), dtype=dt)).dtype, (op, dt)
    assert em.sum(em.ones(3, dtype="int8"), dtype="int16").dtype == np.int16
    assert em.mean(em.ones(3, dtype="int8"), dtype="float32").dtype == np.float32


def test_nan_propagation_and_signed_zero():
    a = np.array([[1.0, np.nan, 3.0], [2.0, 0.5, -1.0]])
    for op in ("max", "min", "sum", "mean", "argmax", "argmin"):
        check_op(_call(getattr(em, op), axis=1), _call(getattr(np, op), axis=1), a)
        check_op(getattr(em, op), getattr(np, op), a)
    c = np.array([1 + 1j, complex(np.nan, 0), 2 + 0j])
    check_op(em.argmax, np.argmax, c)
    check_op(em.max, np.max, c)
    assert np.signbit(em.sum(em.asarray(np.array([-0.0]))).numpy())


def test_empty_reductions():
    for op in ("sum", "prod", "mean", "all", "any"):
        check_op(getattr(em, op), getattr(np, op), np.zeros((0,)))
        check_op(_call(getattr(em, op), axis=0), _call(getattr(np, op), axis=0), np.zeros((0, 3)))
    for op in ("max", "min", "argmax", "argmin"):
        with pytest.raises(ValueError, match="zero-size array|empty sequence"):
            getattr(em, op)(em.zeros((0,)))
        check_op(_call(getattr(em, op), axis=1), _call(getattr(np, op), axis=1), np.zeros((0, 3)))
        with pytest.raises(ValueError):
            getattr(em, op)(em.zeros((0, 0)), axis=0)
    with pytest.raises(ValueError, match="zero-size array to reduction operation maximum which has no identity"):
        em.max(em.zeros((0,)))
    assert em.max(em.zeros((0,)), initial=-5.0).item() == -5.0


def test_bad_axes_raise_axis_error():
    a = em.ones((2, 3))
    for fn in (em.sum, em.max, em.mean, em.var, em.argmax, em.cumsum, em.sort, em.all):
        with pytest.raises(np.exceptions.AxisError):
            fn(a, axis=2)
        with pytest.raises(np.exceptions.AxisError):
            fn(a, axis=-3)
    with pytest.raises(ValueError, match="repeated axis"):
        em.sum(a, axis=(0, 0))
    with pytest.raises(TypeError):
        em.sum(a, axis=1.5)


def test_where_and_initial():
    a = sample((3, 4), "float64", 7)
    mask = sample((3, 4), "bool", 8)
    row_mask = np.array([True, False, True, True])
    for m in (mask, row_mask):
        for axis in (None, 0, 1):
            check_op(_call(em.sum, axis=axis, where=em.asarray(m)), _call(np.sum, axis=axis, where=m), a)
            check_op(_call(em.prod, axis=axis, where=m, initial=2.0), _call(np.prod, axis=axis, where=m, initial=2.0), a)
            check_op(_call(em.max, axis=axis, where=m, initial=-10), _call(np.max, axis=axis, where=m, initial=-10), a)
            check_op(_call(em.min, axis=axis, where=m, initial=10), _call(np.min, axis=axis, where=m, initial=10), a)
            check_op(_call(em.mean, axis=axis, where=m), _call(np.mean, axis=axis, where=m), a)
            check_op(_call(em.var, axis=axis, where=m, ddof=1), _call(np.var, axis=axis, where=m, ddof=1), a)
            check_op(_call(em.all, axis=axis, where=m), _call(np.all, axis=axis, where=m), a > 0)
            check_op(_call(em.any, axis=axis, where=m), _call(np.any, axis=axis, where=m), a > 0)
    check_op(_call(em.sum, initial=10), _call(np.sum, initial=10), sample((5,), "int32"))
    with pytest.raises(ValueError, match="initial"):
        em.max(em.asarray(a), where=em.asarray(mask))
    with pytest.raises(ValueError):
        em.sum(em.asarray(a), where=em.ones((5, 4), dtype=bool))


def test_out_writes_through_views():
    a = sample((4, 5), "float64", 9)
    base = em.zeros((3, 5))
    view = base[1]
    r = em.sum(em.asarray(a), axis=0, out=view)
    assert r is view
    expected = np.zeros((3, 5))
    expected[1] = a.sum(axis=0)
    np.testing.assert_allclose(base.numpy(), expected)
    out = em.zeros((4,), dtype="int64")
    em.argmax(em.asarray(a), axis=1, out=out)
    np.testing.assert_array_equal(out.numpy(), a.argmax(axis=1))


def test_broadcast_and_negative_stride_inputs():
    a = sample((1, 5), "float32", 10)
    x = _wrap(em._core.broadcast_to(em.asarray(a)._h, (4, 5)))
    for axis in (None, 0, 1):
        assert_matches(em.sum(x, axis=axis), np.broadcast_to(a, (4, 5)).sum(axis=axis))
    b = sample((6, 7), "int16", 11)
    y = em.asarray(b)[::-2, ::-3]
    for axis in (None, 0, 1, (0, 1)):
        assert_matches(em.max(y, axis=axis), b[::-2, ::-3].max(axis=axis))
        assert_matches(em.argmin(y, axis=axis if not isinstance(axis, tuple) else None),
                       b[::-2, ::-3].argmin(axis=axis if not isinstance(axis, tuple) else None))


def test_pairwise_sum_is_accurate():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 10**6).astype(np.float32)
    exact = x.astype(np.float64).sum()
    ours = float(em.sum(em.asarray(x)))
    assert abs(ours - exact) / exact < 1e-6  # naive float32 accumulation is off by ~1e-4
    assert abs(ours - exact) <= abs(float(np.sum(x)) - exact) * 4 + 1e-3
    m = x.reshape(1000, 1000)
    np.testing.assert_allclose(em.sum(em.asarray(m), axis=1).numpy(), m.astype(np.float64).sum(axis=1), rtol=1e-6)
    np.testing.assert_allclose(em.mean(em.asarray(x)).numpy(), x.astype(np.float64).mean(), rtol=1e-6)


def test_array_methods_take_numpy_signatures():
    a = sample((3, 4), "float64", 12)
    x = em.asarray(a)
    assert_matches(x.sum(0), a.sum(0))
    assert_matches(x.sum(axis=1, keepdims=True), a.sum(axis=1, keepdims=True))
    assert_matches(x.mean(1, np.float32), a.mean(1, np.float32))
    assert_matches(x.std(ddof=1), a.std(ddof=1))
    assert_matches(x.var(0), a.var(0))
    assert_matches(x.max(1), a.max(1))
    assert_matches(x.min(), a.min())
    assert_matches(x.argmax(), a.argmax())
    assert_matches(x.argmin(1), a.argmin(1))
    assert_matches(x.prod(1), a.prod(1))
    assert_matches(x.cumsum(1), a.cumsum(1))
    assert_matches(x.cumprod(), a.cumprod())
    assert_matches(x.ptp(0), np.ptp(a, 0))
    assert_matches((x > 0).all(1), (a > 0).all(1))
    assert_matches((x > 0).any(), (a > 0).any())


@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_cumsum_cumprod(op, dtype):
    for shape in SHAPES:
        a = sample(shape, dtype, 13, low=-2, high=3)
        for axis in axes_for(len(shape))[: len(shape) + 1]:
            check_op(_call(getattr(em, op), axis=axis), _call(getattr(np, op), axis=axis), a, rtol=TOL.get(dtype))
    check_op(_call(getattr(em, op), dtype="float32"), _call(getattr(np, op), dtype="float32"), sample((5,), dtype))


@pytest.mark.parametrize("dtype", REAL_DTYPES)
def test_cumulative_sum_array_api(dtype):
    for shape, axis in [((5,), None), ((0,), None), ((3, 4), 0), ((3, 4), 1), ((2, 0, 3), 1), ((2, 3, 4), -1)]:
        a = sample(shape, dtype, 14)
        for inc in (False, True):
            check_op(_call(em.cumulative_sum, axis=axis, include_initial=inc),
                     _call(np.cumulative_sum, axis=axis, include_initial=inc), a, rtol=TOL.get(dtype))
            check_op(_call(em.cumulative_prod, axis=axis, include_initial=inc),
                     _call(np.cumulative_prod, axis=axis, include_initial=inc), a, rtol=TOL.get(dtype))
    with pytest.raises(ValueError):
        em.cumulative_sum(em.ones((2, 3)))


def test_diff():
    for dtype in ("int16", "uint8", "float32", "bool", "complex64"):
        a = sample((4, 5), dtype, 15)
        for n in (0, 1, 2, 5):
            for axis in (0, 1, -1):
                check_op(_call(em.diff, n=n, axis=axis), _call(np.diff, n=n, axis=axis), a)
    a = sample((4, 5), "float64", 16)
    check_op(_call(em.diff, prepend=0.5, append=np.ones((4, 1))), _call(np.diff, prepend=0.5, append=np.ones((4, 1))), a)
    check_op(_call(em.diff, axis=0, prepend=np.zeros((2, 5))), _call(np.diff, axis=0, prepend=np.zeros((2, 5))), a)
    with pytest.raises(ValueError):
        em.diff(em.asarray(3.0))
    with pytest.raises(ValueError):
        em.diff(em.ones(3), n=-1)


@pytest.mark.parametrize("dtype", ["int8", "uint32", "float16", "float64", "complex128", "bool"])
def test_count_nonzero_ptp(dtype):
    for shape in SHAPES:
        a = sample(shape, dtype, 17)
        for axis in axes_for(len(shape))[:2]:
            check_op(_call(em.count_nonzero, axis=axis), lambda x: np.asarray(np.count_nonzero(x, axis=axis), np.int64), a)
            if dtype != "bool" and np.prod(shape) > 0:
                check_op(_call(em.ptp, axis=axis), _call(np.ptp, axis=axis), a, rtol=TOL.get(dtype))
    if dtype == "bool":
        with pytest.raises(TypeError):
            em.ptp(em.asarray(sample((3,), dtype)))


def test_nan_functions():
    a = sample((4, 5), "float64", 18)
    a[0, 1] = a[2, 3] = np.nan
    a[3] = np.nan  # an all-NaN row
    for op in ("nansum", "nanmean", "nanmax", "nanmin"):
        for axis in (None, 0, 1):
            check_op(_call(getattr(em, op), axis=axis), _call(getattr(np, op), axis=axis), a)
    ints = sample((3, 4), "int32", 19)
    for op in ("nansum", "nanmean", "nanmax", "nanmin"):
        check_op(_call(getattr(em, op), axis=1), _call(getattr(np, op), axis=1), ints)


def test_average():
    a = sample((3, 4), "float64", 20)
    w = np.abs(sample((3, 4), "float64", 21)) + 0.1
    w1 = np.array([1.0, 2.0, 3.0, 4.0])
    check_op(em.average, np.average, a)
    check_op(_call(em.average, axis=1), _call(np.average, axis=1), a)
    check_op(_call(em.average, weights=em.asarray(w)), _call(np.average, weights=w), a)
    check_op(_call(em.average, axis=1, weights=w1), _call(np.average, axis=1, weights=w1), a)
    check_op(_call(em.average, axis=0, weights=w, keepdims=True), _call(np.average, axis=0, weights=w, keepdims=True), a)
    ints = sample((3, 4), "int8", 22)
    check_op(_call(em.average, axis=1, weights=w1), _call(np.average, axis=1, weights=w1), ints)
    avg, scl = em.average(em.asarray(a), axis=1, weights=w1, returned=True)
    exp_avg, exp_scl = np.average(a, axis=1, weights=w1, returned=True)
    assert_matches(avg, exp_avg)
    assert_matches(scl, exp_scl)
    with pytest.raises(ZeroDivisionError):
        em.average(em.asarray(a), axis=1, weights=np.zeros(4))


@pytest.mark.parametrize("dtype", ["int16", "float32", "float64"])
def test_median_quantile_percentile(dtype):
    for shape in [(7,), (3, 4), (2, 3, 4), (1,)]:
        a = sample(shape, dtype, 23)
        for axis in [None] + list(range(len(shape))):
            check_op(_call(em.median, axis=axis), _call(np.median, axis=axis), a)
            check_op(_call(em.quantile, q=0.3, axis=axis), _call(np.quantile, q=0.3, axis=axis), a)
            check_op(_call(em.percentile, q=[10, 75], axis=axis, keepdims=True),
                     _call(np.percentile, q=[10, 75], axis=axis, keepdims=True), a)
    b = np.array([1.0, np.nan, 3.0])
    check_op(em.median, np.median, b)
    with pytest.raises(ValueError):
        em.quantile(em.ones(3), 1.5)
