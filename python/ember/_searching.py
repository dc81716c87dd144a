"""Searching functions: argmax, argmin, searchsorted, count_nonzero (nonzero and where live with
indexing and the elementwise functions)."""
import builtins
import operator

from . import _core
from ._array import _wrap
from ._elementwise import finish
from ._statistical import _arr, _axis

__all__ = ["argmax", "argmin", "searchsorted", "count_nonzero"]


def _arg(op, a, axis, out, keepdims):
    ax = None if axis is None else operator.index(axis)
    return finish(_wrap(_core.argreduce(op, _arr(a)._h, ax, builtins.bool(keepdims))), out)


def argmax(a, axis=None, out=None, *, keepdims=False):
    """Index of the first largest element (the first NaN if there is one); axis=None flattens."""
    return _arg("argmax", a, axis, out, keepdims)


def argmin(a, axis=None, out=None, *, keepdims=False):
    return _arg("argmin", a, axis, out, keepdims)


def searchsorted(x1, x2, /, side="left", sorter=None):
    """Indices where x2's elements would be inserted into the sorted 1-d x1 to keep it sorted."""
    x1 = _arr(x1)
    v = x2 if type(x2) in (builtins.bool, builtins.int, builtins.float, builtins.complex) else _arr(x2)._h
    s = None if sorter is None else _arr(sorter)._h
    return _wrap(_core.searchsorted(x1._h, v, side, s))


def count_nonzero(a, axis=None, *, keepdims=False):
    """How many elements are nonzero (int64)."""
    a = _arr(a)
    nz = _wrap(_core.not_equal(a._h, False if a.dtype.kind == "b" else 0))
    return _wrap(_core.reduce("sum", nz._h, _axis(axis), builtins.bool(keepdims), "int64", None, None))
