"""Comparison utilities: isclose, allclose, array_equal, array_equiv (all/any live with the reductions).

allclose/array_equal/array_equiv return a Python bool, so they are sync points: they evaluate the
elementwise result and reduce its buffer with NumPy."""
import builtins

from ._array import Array
from ._creation import asarray
from . import _elementwise as _ew


def _all(x):
    return builtins.bool(x.numpy().all())


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|a - b| <= atol + rtol * |b| (or a == b, which covers equal infinities), as numpy.isclose."""
    x = a if isinstance(a, (builtins.int, builtins.float, builtins.complex, Array)) else asarray(a)
    y = b if isinstance(b, (builtins.int, builtins.float, builtins.complex, Array)) else asarray(b)
    if isinstance(y, Array):
        y = y.astype(_ew.result_type(y, 1.0), copy=False)
    elif type(y) is builtins.int or type(y) is builtins.bool:
        y = builtins.float(y)
    result = _ew.logical_or(
        _ew.logical_and(_ew.less_equal(_ew.abs(_ew.subtract(x, y)), _ew.add(atol, _ew.multiply(rtol, _ew.abs(y)))),
                        _ew.isfinite(y)),
        _ew.equal(x, y))
    if equal_nan:
        result = _ew.logical_or(result, _ew.logical_and(_ew.isnan(x), _ew.isnan(y)))
    return result


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether isclose holds everywhere (a Python bool)."""
    return _all(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def array_equal(a1, a2, equal_nan=False):
    """Same shape and equal elements (NaNs in the same places count as equal when equal_nan)."""
    try:
        a1, a2 = asarray(a1), asarray(a2)
    except Exception:
        return False
    if a1.shape != a2.shape:
        return False
    eq = _ew.equal(a1, a2)
    if equal_nan and a1.dtype.kind in "fc" and a2.dtype.kind in "fc":
        eq = _ew.logical_or(eq, _ew.logical_and(_ew.isnan(a1), _ew.isnan(a2)))
    return _all(eq)


def array_equiv(a1, a2):
    """Shapes broadcast and the broadcast elements are equal."""
    try:
        a1, a2 = asarray(a1), asarray(a2)
        eq = _ew.equal(a1, a2)
    except (TypeError, ValueError):
        return False
    return _all(eq)


__all__ = ["isclose", "allclose", "array_equal", "array_equiv"]
