"""Sorting: sort and argsort, always stable (NumPy's kind= is accepted and a stable sort used);
NaNs sort last; descending= as the Array API."""
from . import _core
from ._array import _wrap
from ._statistical import _arr

__all__ = ["sort", "argsort"]


def _check(order):
    if order is not None:
        raise ValueError("ember arrays have no fields; order= is not supported")


def sort(a, axis=-1, kind=None, order=None, *, descending=False, stable=True):
    """Sorted copy along `axis` (None: the flattened array)."""
    _check(order)
    return _wrap(_core.sort(_arr(a)._h, axis, bool(descending)))


def argsort(a, axis=-1, kind=None, order=None, *, descending=False, stable=True):
    """Indices that sort `a` along `axis`; equal elements keep their order (stable)."""
    _check(order)
    return _wrap(_core.argsort(_arr(a)._h, axis, bool(descending)))
