import numpy as np
import pytest

import ember as em
from helpers import ALL_DTYPES, BROADCAST_PAIRS, SHAPES, check_op, sample

BINARY = ["add", "subtract", "multiply", "divide", "floor_divide", "remainder", "maximum", "minimum", "equal",
          "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and", "logical_or", "logical_xor"]
NP_NAME = {"pow": "power", "atan2": "arctan2", "bitwise_invert": "invert", "bitwise_left_shift": "left_shift",
           "bitwise_right_shift": "right_shift"}


@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_binary_matches_numpy(op, dtype):
    np_fn = getattr(np, NP_NAME.get(op, op))
    em_fn = getattr(em, op)
    for shape in SHAPES:
        a, b = sample(shape, dtype, 1), sample(shape, dtype, 2)
        if op in ("floor_divide", "remainder", "divide") and dtype[0] in "iu":
            b = np.where(b == 0, 1, b).astype(dtype)  # NumPy warns on integer division by zero
        check_op(em_fn, np_fn, a, b)


@pytest.mark.parametrize("op", ["add", "multiply", "less", "maximum"])
@pytest.mark.parametrize("shapes", BROADCAST_PAIRS)
def test_binary_broadcasts(op, shapes):
    a, b = sample(shapes[0], "float64", 1), sample(shapes[1], "float64", 2)
    check_op(getattr(em, op), getattr(np, op), a, b)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("scalar", [True, 3, -2, 2.5, 1 + 2j])
def test_python_scalars_are_weak(dtype, scalar):
    a = sample((4,), dtype)
    try:
        expected = np.add(a, scalar)
    except (OverflowError, TypeError) as e:
        with pytest.raises(type(e)):
            (em.asarray(a) + scalar).numpy()
        return
    got = em.asarray(a) + scalar
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-3)
