"""sort, argsort and searchsorted against NumPy (stable sorts, NaNs last)."""
import numpy as np
import pytest

import ember as em
from helpers import ALL_DTYPES, SHAPES, assert_matches, check_op, sample


def _call(fn, **kw):
    return lambda x, *rest: fn(x, *rest, **kw)


def with_nans(a):
    if a.dtype.kind in "fc" and a.size >= 3:
        a = a.copy()
        a.flat[::3] = np.nan
        if a.dtype.kind == "c":
            a.flat[1::4] = complex(1.0, np.nan)
    return a


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_sort_and_argsort_match_numpy(dtype):
    for shape in SHAPES:
        a = with_nans(sample(shape, dtype, 1, low=-3, high=3))  # many ties: argsort must be stable
        axes = [-1] + list(range(len(shape))) + [None] if shape else [None]
        for axis in axes:
            check_op(_call(em.sort, axis=axis), _call(np.sort, axis=axis, kind="stable"), a)
            check_op(_call(em.argsort, axis=axis), _call(np.argsort, axis=axis, kind="stable"), a)


def _np_desc_argsort(x, axis):
    # The Array API reference (array-api-strict): flip, stable argsort, flip, map indices back.
    n = x.shape[axis]
    return n - 1 - np.flip(np.argsort(np.flip(x, axis), axis=axis, kind="stable"), axis)


@pytest.mark.parametrize("dtype", ["int8", "uint16", "float16", "float64", "bool", "complex64"])
def test_descending_is_stable_with_nans_first(dtype):
    for shape in [(9,), (3, 4), (2, 3, 5)]:
        a = with_nans(sample(shape, dtype, 2, low=-2, high=2))
        for axis in range(-1, len(shape)):
            check_op(_call(em.sort, axis=axis, descending=True), lambda x: np.flip(np.sort(np.flip(x, axis), axis), axis), a)
            check_op(_call(em.argsort, axis=axis, descending=True), lambda x: _np_desc_argsort(x, axis), a)


def test_sort_errors_and_method():
    with pytest.raises(np.exceptions.AxisError):
        em.sort(em.ones((2, 3)), axis=2)
    with pytest.raises(np.exceptions.AxisError):
        em.sort(em.asarray(1.0), axis=0)
    a = sample((4, 6), "float32", 3)
    x = em.asarray(a.copy())
    view = x[1:3]
    view.sort()
    expected = a.copy()
    expected[1:3].sort()
    np.testing.assert_array_equal(x.numpy(), expected)
    x.sort(axis=0)
    expected.sort(axis=0)
    np.testing.assert_array_equal(x.numpy(), expected)
    assert_matches(em.asarray(a).argsort(0), a.argsort(0, kind="stable"))


@pytest.mark.parametrize("dtype", ["int32", "uint8", "float32", "float64", "complex128", "bool"])
def test_searchsorted(dtype):
    x1 = np.sort(with_nans(sample((11,), dtype, 4)), kind="stable")
    for shape in SHAPES:
        v = with_nans(sample(shape, dtype, 5))
        for side in ("left", "right"):
            check_op(lambda q, s=side: em.searchsorted(em.asarray(x1), q, side=s),
                     lambda q, s=side: np.searchsorted(x1, q, side=s), v)
    check_op(lambda s: em.searchsorted(s, 2), lambda s: np.searchsorted(s, 2), x1)


def test_searchsorted_sorter_and_promotion():
    base = sample((9,), "int16", 6)
    sorter = np.argsort(base, kind="stable")
    v = np.array([-6, -1, 0, 3, 10], dtype=np.int64)
    for side in ("left", "right"):
        got = em.searchsorted(em.asarray(base), em.asarray(v), side=side, sorter=em.asarray(sorter))
        assert_matches(got, np.searchsorted(base, v, side=side, sorter=sorter))
    f = np.array([0.5, 1.5, 2.5])
    assert_matches(em.searchsorted(em.asarray(np.array([0, 1, 2, 3])), em.asarray(f)), np.searchsorted([0, 1, 2, 3], f))
    assert_matches(em.asarray(np.array([1, 3])).searchsorted(2), np.array([1, 3]).searchsorted(2))
    with pytest.raises(ValueError):
        em.searchsorted(em.ones(3), em.ones(2), side="middle")
    with pytest.raises(ValueError):
        em.searchsorted(em.ones((2, 2)), em.ones(2))
    with pytest.raises(ValueError):
        em.searchsorted(em.ones(3), 1.0, sorter=em.asarray(np.array([0, 5, 1]))).numpy()
