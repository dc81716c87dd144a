"""unique_* (Array API: NaNs distinct) and numpy.unique (NaNs collapsed) against NumPy."""
import numpy as np
import pytest

import ember as em
from helpers import ALL_DTYPES, SHAPES, check_op, sample


def with_nans(a):
    if a.dtype.kind in "fc" and a.size >= 3:
        a = a.copy()
        a.flat[::3] = np.nan
    return a


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_unique_functions_match_numpy(dtype):
    for shape in SHAPES:
        a = with_nans(sample(shape, dtype, 1, low=-3, high=3))
        # The Array API leaves the order open (NumPy >= 2.3 hashes); ember sorts, as numpy.unique.
        # return_index=True makes NumPy sort stably, which fixes the order of the distinct NaNs.
        ref = lambda x, *pick: tuple(np.unique(x, True, True, True, equal_nan=False)[i] for i in pick)  # noqa: E731
        check_op(em.unique_values, lambda x: ref(x, 0)[0], a)
        check_op(lambda x: tuple(em.unique_counts(x)), lambda x: ref(x, 0, 3), a)
        check_op(lambda x: tuple(em.unique_inverse(x)), lambda x: ref(x, 0, 2), a)
        check_op(lambda x: tuple(em.unique_all(x)), lambda x: ref(x, 0, 1, 2, 3), a)
        for flags in [(False, False, False), (True, True, True), (False, True, False), (True, False, True)]:
            check_op(lambda x, f=flags: em.unique(x, *f), lambda x, f=flags: np.unique(x, *f), a)
        check_op(lambda x: em.unique(x, True, equal_nan=False), lambda x: np.unique(x, True, equal_nan=False), a)


def test_named_results_and_sync_point():
    x = em.asarray(np.array([[3, 1], [3, 2]])) * 2  # lazy input: unique evaluates it
    r = em.unique_all(x)
    assert r._fields == ("values", "indices", "inverse_indices", "counts")
    np.testing.assert_array_equal(r.values.numpy(), [2, 4, 6])
    np.testing.assert_array_equal(r.indices.numpy(), [1, 3, 0])
    np.testing.assert_array_equal(r.inverse_indices.numpy(), [[2, 0], [2, 1]])
    np.testing.assert_array_equal(r.counts.numpy(), [1, 1, 2])
    assert em.unique_counts(x)._fields == ("values", "counts")
    assert em.unique_inverse(x)._fields == ("values", "inverse_indices")
    nan_values = em.unique_values(em.asarray(np.array([np.nan, 1.0, np.nan])))
    assert nan_values.shape == (3,)  # NaNs are distinct in the Array API
    with pytest.raises(NotImplementedError):
        em.unique(x, axis=0)
