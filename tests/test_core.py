"""The core contract: laziness and sync points, conversions, interop, and errors."""
import array as pyarray
import re

import ml_dtypes
import numpy as np
import pytest

import ember as em
from helpers import ALL_DTYPES, sample


def test_operations_are_lazy_until_a_sync_point():
    a = em.arange(10, dtype=em.float64)
    b = a * 2 + 1
    assert not b._h.is_evaluated()
    assert float(b[3]) == 7.0  # a sync point
    np.testing.assert_array_equal(b.numpy(), np.arange(10) * 2 + 1)
    assert b._h.is_evaluated()


@pytest.mark.parametrize("sync", [
    lambda x: x.numpy(), lambda x: np.asarray(x), lambda x: repr(x), lambda x: str(x), lambda x: x.tolist(),
    lambda x: em.eval(x),
])
def test_every_sync_point_evaluates(sync):
    x = em.ones(3) + 1
    sync(x)
    assert x._h.is_evaluated()


def test_scalar_sync_points():
    x = em.asarray([2.5])
    assert float(x) == 2.5 and int(x) == 2 and complex(x) == 2.5 and bool(x)
    assert x.item() == 2.5
    assert [10, 20, 30][em.asarray(1)] == 20  # __index__
    with pytest.raises(TypeError):
        [1, 2][em.asarray(1.0)]
    with pytest.raises(ValueError, match="ambiguous"):
        bool(em.ones(2))


@pytest.mark.parametrize("dtype", ALL_DTYPES + ["bfloat16"])
def test_round_trip_every_dtype(dtype):
    a = sample((3, 4), dtype) if dtype != "bfloat16" else sample((3, 4), "float32").astype(ml_dtypes.bfloat16)
    x = em.asarray(a)
    assert x.dtype == a.dtype and x.shape == a.shape
    np.testing.assert_array_equal(x.numpy(), a)
    np.testing.assert_array_equal(np.asarray(x), a)


@pytest.mark.parametrize("src", ALL_DTYPES)
@pytest.mark.parametrize("dst", ALL_DTYPES)
def test_astype_matches_numpy(src, dst):
    a = sample((5,), src)
    if np.dtype(src).kind == "f" and np.dtype(dst).kind in "iu":
        a = np.abs(a)  # negative floats to unsigned are undefined in C and NumPy alike
    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = a.astype(dst)
    got = em.asarray(a).astype(dst)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got.numpy(), expected)


def test_asarray_of_numpy_is_zero_copy_and_numpy_views_share():
    a = np.arange(6.0)
    x = em.asarray(a)
    a[0] = 42.0  # NumPy's asarray shares memory; so does ember's for contiguous arrays
    assert x[0].item() == 42.0
    assert em.asarray(np.arange(6.0)[::2]).tolist() == [0.0, 2.0, 4.0]  # strided input is copied


def test_asarray_nested_sequences_and_buffers():
    assert em.asarray([[1, 2], [3, 4]]).dtype == em.int64
    assert em.asarray([1.0, 2]).dtype == em.float64
    assert em.asarray(True).dtype == em.bool
    np.testing.assert_array_equal(em.asarray(pyarray.array("f", [1, 2, 3])).numpy(), np.array([1, 2, 3], np.float32))
    np.testing.assert_array_equal(em.asarray(memoryview(b"\x01\x02")).numpy(), np.array([1, 2], np.uint8))
    with pytest.raises(TypeError, match="dtype"):
        em.asarray(["a", "b"])


def test_dlpack_both_ways():
    x = em.arange(6, dtype=em.float32).reshape(2, 3)
    assert x.__dlpack_device__() == (1, 0)
    np.testing.assert_array_equal(np.from_dlpack(x), np.arange(6, dtype=np.float32).reshape(2, 3))
    exported = np.from_dlpack(x)
    assert not exported.flags.writeable  # DLPack 1.0 carries the read-only flag: no copy was needed
    assert np.shares_memory(exported, x.numpy())
    y = em.from_dlpack(np.arange(4, dtype=np.int16))
    assert y.dtype == em.int16 and y.tolist() == [0, 1, 2, 3]


def test_array_namespace():
    x = em.ones(2)
    assert x.__array_namespace__() is em
    with pytest.raises(ValueError):
        x.__array_namespace__(api_version="1999.01")


def test_numpy_arrays_defer_to_ember_operators():
    r = np.arange(3.0) + em.ones(3)
    assert isinstance(r, em.Array)
    np.testing.assert_array_equal(r.numpy(), [1.0, 2.0, 3.0])


def test_shape_errors_name_both_shapes_and_the_source_line():
    with pytest.raises(ValueError, match=re.escape("(3,) (4,)")):
        em.ones(3) + em.ones(4)


def test_runtime_errors_name_the_op_and_the_users_line():
    base = em.arange(3)
    with pytest.raises(ValueError) as info:
        bad = base ** em.asarray([-1, 1, 1])  # integer to a negative power: found while computing
        bad.numpy()
    msg = str(info.value)
    assert "negative integer powers" in msg and "ember.pow" in msg and "test_core.py" in msg
    np.testing.assert_array_equal(base.numpy(), [0, 1, 2])  # inputs intact after the failure


def test_bad_inputs_raise_python_errors_not_crashes():
    with pytest.raises(TypeError):
        em.ones(3) + "text"
    with pytest.raises(ValueError):
        em.zeros((-1, 2))
    with pytest.raises(TypeError):
        em.zeros(3, dtype="float128")
    with pytest.raises(IndexError):
        em.ones(3)[5]
    with pytest.raises(IndexError):
        em.ones(3)[0, 0]
    with pytest.raises(ValueError):
        em.ones(6).reshape(4, 2)
    with pytest.raises(ValueError, match="read-only"):
        v = em.broadcast_to(em.ones(3), (2, 3))
        v[0, 0] = 5


def test_long_lazy_loops_are_bounded():
    a = em.zeros(4)
    for _ in range(3000):
        a += 1
    assert a.tolist() == [3000.0] * 4


def test_nep50_python_scalars():
    assert (em.ones(2, dtype=em.float32) * 2.5).dtype == em.float32
    assert (em.ones(2, dtype=em.int8) + 1).dtype == em.int8
    assert (em.ones(2, dtype=em.int8) + 1.5).dtype == em.float64
    assert (em.ones(2, dtype=em.float16) + 1j).dtype == em.complex64
    with pytest.raises(OverflowError):
        em.ones(2, dtype=em.uint8) + 256
    assert (em.ones(2, dtype=em.uint8) + np.int64(1)).dtype == em.int64  # NumPy scalars are strong


def test_a_failed_lazy_write_loses_no_data():
    a = em.arange(4)
    a[1:3] = em.arange(2) ** em.asarray([-1, 2])  # fails only when computed
    with pytest.raises(ValueError, match="negative integer powers"):
        a.numpy()
    assert a.tolist() == [0, 1, 2, 3]  # the write was undone; the array is usable
    a[0] = 7
    assert a.tolist() == [7, 1, 2, 3]
