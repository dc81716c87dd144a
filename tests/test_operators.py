"""ember.Array's operators (bound straight to C++): every operand kind, both sides, against NumPy,
and the user's line on the nodes they create."""
import gc
import operator
import sys

import numpy as np
import pytest

import ember as em
from helpers import assert_matches

BINARY = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod, operator.pow,
          operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne]
BITWISE = [operator.and_, operator.or_, operator.xor, operator.lshift, operator.rshift]
SCALARS = [2, -3, 1.5, -0.0, True, False, 2 + 1j, 2**40]


@pytest.mark.parametrize("op", BINARY, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "uint8", "bool"])
@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
def test_array_with_python_scalar_both_sides(op, dtype, scalar):
    xn = (np.arange(1, 7) % 4).astype(dtype).reshape(2, 3)
    x = em.asarray(xn)
    for lhs, rhs, nl, nr in ((x, scalar, xn, scalar), (scalar, x, scalar, xn)):
        try:
            with np.errstate(all="ignore"):
                want = op(nl, nr)
        except (TypeError, OverflowError, ValueError) as e:
            with pytest.raises(type(e)):
                em.eval(op(lhs, rhs))
            continue
        with np.errstate(all="ignore"):
            assert_matches(op(lhs, rhs), want)


@pytest.mark.parametrize("op", BINARY + BITWISE, ids=lambda f: f.__name__)
def test_array_with_array_numpy_list_and_0d(op):
    an, bn = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int64), np.array([3, 1, 2], dtype=np.int64)
    a, b = em.asarray(an), em.asarray(bn)
    with np.errstate(all="ignore"):
        assert_matches(op(a, b), op(an, bn))            # both ember arrays (broadcast)
        assert_matches(op(a, bn), op(an, bn))           # a NumPy operand takes the Python path
        assert_matches(op(bn, a), op(bn, an))           # reflected through __array_ufunc__ = None
        assert_matches(op(a, [3, 1, 2]), op(an, [3, 1, 2]))
        assert_matches(op(a, np.int64(2)), op(an, np.int64(2)))  # a NumPy scalar is not weak
        assert_matches(op(a, em.asarray(2)), op(an, np.asarray(2)))


def test_scalars_keep_nep50_weak_typing():
    x = em.asarray(np.ones(3, dtype=np.float32))
    assert (x + 1.5).dtype == np.float32 and (1.5 + x).dtype == np.float32
    assert (x + np.float64(1.5)).dtype == np.float64  # NumPy scalars are strong
    i = em.asarray(np.ones(3, dtype=np.uint8))
    assert (i + 3).dtype == np.uint8 and (i * True).dtype == np.uint8
    with pytest.raises(OverflowError):
        i + 300
    assert_matches(i < -1, np.ones(3, dtype=np.uint8) < -1)  # out-of-range comparison is a constant


def test_repeated_scalars_give_right_values_for_every_dtype():
    # The same Python scalar used with arrays of different dtypes, and equal floats of different sign.
    for dt in ["float64", "float32", "int64", "int8", "complex64"]:
        xn = np.arange(4).astype(dt)
        x = em.asarray(xn)
        assert_matches(x * 3 + 0.0, xn * 3 + 0.0)
        assert_matches(x - 0.0, xn - 0.0)
        assert_matches(x * -0.0, xn * -0.0)
    assert np.signbit((em.asarray([1.0]) * -0.0).numpy()[0])
    assert not np.signbit((em.asarray([1.0]) * 0.0).numpy()[0])


def test_unsupported_operands_raise_typeerror():
    x = em.asarray([1.0, 2.0])
    with pytest.raises(TypeError):
        x + "a"
    with pytest.raises(TypeError):
        "a" + x
    with pytest.raises(TypeError):
        x + object()
    assert x.__add__(object()) is NotImplemented


def test_operator_results_are_arrays_and_not_leaked():
    x = em.asarray(np.arange(5.0))
    y = x * 2.0 + 1.0
    assert type(y) is em.Array and isinstance(y, em.Array)
    ref = __import__("weakref").ref(y)
    del y
    gc.collect()
    assert ref() is None


def test_long_chain_matches_numpy():
    sn = np.random.default_rng(0).uniform(0.1, 1.0, 1000)
    x, xn = em.asarray(sn), sn
    for _ in range(100):
        x, xn = x * 1.0001 + 0.001, xn * 1.0001 + 0.001
    np.testing.assert_allclose(x.numpy(), xn, rtol=1e-13)


def test_nodes_from_operators_carry_the_users_line():
    x = em.asarray(np.arange(4.0))
    line = sys._getframe().f_lineno + 1
    y = x * 2.0 + 1.0
    origins = [n["origin"] for n in em.introspect.graph(y)["nodes"] if n["op"] in ("add", "multiply")]
    assert len(origins) == 2 and all(o.endswith(f"test_operators.py:{line}") for o in origins), origins
    # The same code position in a loop keeps its line; another line gets its own.
    ys = [x + float(i) for i in range(3)]
    line2 = sys._getframe().f_lineno - 1
    for z in ys:
        o = [n["origin"] for n in em.introspect.graph(z)["nodes"] if n["op"] == "add"]
        assert o and o[0].endswith(f"test_operators.py:{line2}"), o
