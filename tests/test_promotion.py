"""NEP 50 promotion and broadcasting as properties: ember must agree with NumPy for any dtype pair,
any Python scalar, and any pair of shapes."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember as em
from helpers import ALL_DTYPES

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OPS = ["add", "subtract", "multiply", "divide", "floor_divide", "pow", "maximum", "fmax", "less", "logical_and",
       "bitwise_and", "bitwise_left_shift", "atan2", "hypot", "copysign", "remainder", "fmod", "float_power",
       "logaddexp", "heaviside"]
NP_NAME = {"pow": "power", "bitwise_left_shift": "left_shift", "atan2": "arctan2"}

dtypes = st.sampled_from(ALL_DTYPES)
python_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.sampled_from([0, 1, -1, 127, 128, -128, -129, 255, 256, 300, -300, 65535, 65536, 2**31, 2**32, -(2**31) - 1]),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.complex_numbers(max_magnitude=1e6),
)


def _np_outcome(fn):
    try:
        with np.errstate(all="ignore"):
            return fn(), None
    except Exception as e:  # noqa: BLE001 - the exception type is what is compared
        return None, e


def _assert_same_outcome(np_fn, em_fn):
    expected, err = _np_outcome(np_fn)
    if err is not None:
        with pytest.raises(type(err)):
            r = em_fn()
            if isinstance(r, em.Array):
                r.numpy()
        return None
    got = em_fn()
    return expected, got


@SETTINGS
@given(a=dtypes, b=dtypes)
def test_result_type_of_dtype_pairs(a, b):
    assert em.result_type(a, b) == np.result_type(a, b)
    arr_a, arr_b = em.ones(2, dtype=a), em.ones(2, dtype=b)
    assert em.result_type(arr_a, arr_b) == np.result_type(np.ones(2, a), np.ones(2, b))


@SETTINGS
@given(a=dtypes, s=python_scalars)
def test_result_type_with_python_scalar(a, s):
    expected, err = _np_outcome(lambda: np.result_type(np.ones(2, a), s))
    if err is None:
        assert em.result_type(em.ones(2, dtype=a), s) == expected


@SETTINGS
@given(a=dtypes, b=dtypes, op=st.sampled_from(OPS))
def test_op_result_dtype_for_array_pairs(a, b, op):
    np_fn, em_fn = getattr(np, NP_NAME.get(op, op)), getattr(em, op)
    x, y = np.ones(3, a), np.ones(3, b)
    pair = _assert_same_outcome(lambda: np_fn(x, y), lambda: em_fn(em.asarray(x), em.asarray(y)))
    if pair is not None:
        expected, got = pair
        assert got.dtype == expected.dtype, f"{op}({a}, {b})"


@SETTINGS
@given(a=dtypes, s=python_scalars, op=st.sampled_from(OPS), reflected=st.booleans())
def test_op_with_python_scalar(a, s, op, reflected):
    """Weak scalars yield to the array's dtype; out-of-range Python ints raise OverflowError."""
    np_fn, em_fn = getattr(np, NP_NAME.get(op, op)), getattr(em, op)
    x = np.arange(3).astype(a)
    args_np = (s, x) if reflected else (x, s)
    args_em = (s, em.asarray(x)) if reflected else (em.asarray(x), s)
    pair = _assert_same_outcome(lambda: np_fn(*args_np), lambda: em_fn(*args_em))
    if pair is not None:
        expected, got = pair
        assert got.dtype == expected.dtype, f"{op}{args_np}"


@pytest.mark.parametrize("dtype,value", [("uint8", 300), ("uint8", -1), ("int8", -129), ("int8", 128),
                                         ("int16", 2**15), ("uint32", 2**32), ("int64", 2**63), ("uint64", -1)])
def test_out_of_range_python_int_overflows(dtype, value):
    a = em.ones(3, dtype=dtype)
    with pytest.raises(OverflowError):
        (a + value).numpy()
    with pytest.raises(OverflowError):
        (value * a).numpy()
    np.testing.assert_array_equal(a.numpy(), np.ones(3, dtype))


def test_in_range_edge_python_ints():
    for dtype, value in [("uint8", 255), ("int8", -128), ("int8", 127), ("uint64", 2**64 - 1), ("int64", -(2**63))]:
        x = np.zeros(2, dtype)
        assert (em.asarray(x) + value).dtype == (x + value).dtype
        np.testing.assert_array_equal((em.asarray(x) + value).numpy(), x + value)


# ---- broadcasting ----

@st.composite
def broadcastable_shapes(draw):
    """Two shapes that broadcast: each dim of each side is the common dim or 1 (or missing)."""
    nd = draw(st.integers(0, 4))
    common = draw(st.lists(st.integers(0, 4), min_size=nd, max_size=nd))
    def side():
        k = draw(st.integers(0, nd))
        return tuple(d if draw(st.booleans()) else 1 for d in common[nd - k:])
    return side(), side()


@SETTINGS
@given(shapes=broadcastable_shapes())
def test_broadcast_shapes_match_numpy(shapes):
    a, b = shapes
    expected = np.broadcast_shapes(a, b)
    got = em.add(em.zeros(a), em.ones(b, dtype="int8"))
    assert got.shape == expected
    np.testing.assert_array_equal(got.numpy(), np.zeros(a) + np.ones(b, "int8"))


@SETTINGS
@given(a=st.lists(st.integers(0, 5), max_size=4).map(tuple), b=st.lists(st.integers(0, 5), max_size=4).map(tuple))
def test_non_broadcastable_shapes_raise_naming_both(a, b):
    try:
        expected = np.broadcast_shapes(a, b)
    except ValueError:
        with pytest.raises(ValueError) as info:
            em.multiply(em.zeros(a), em.zeros(b))
        msg = str(info.value)
        assert str(a).replace(",)", ")") in msg.replace(",)", ")") and str(b).replace(",)", ")") in msg.replace(",)", ")"), msg
        return
    assert em.multiply(em.zeros(a), em.zeros(b)).shape == expected
