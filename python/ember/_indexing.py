"""Indexing functions: take, take_along_axis, put_along_axis, nonzero and its relatives.

Indexing with [] lives on Array (_array.py); these are its function forms. Everything reduces to the
core's gather/scatter nodes, so nothing here loops over elements."""
import operator

from . import _core
from ._array import Array, _wrap
from ._creation import arange, asarray

__all__ = ["take", "take_along_axis", "put_along_axis", "nonzero", "argwhere", "flatnonzero", "extract",
           "compress", "put"]


def _int_index(indices):
    idx = asarray(indices)
    if idx.dtype.kind not in "iu":
        if idx.size == 0:
            return idx.astype("int64")
        raise IndexError(f"indices must be integers, got dtype {idx.dtype}")
    return idx


def take(x, indices, /, axis=None, out=None, mode="raise"):
    """Elements of x at `indices` along `axis` (None: of the flattened array), as numpy.take."""
    if mode != "raise":
        raise NotImplementedError("ember.take supports mode='raise' only")
    x = asarray(x)
    r = _wrap(_core.take(x._h, _int_index(indices)._h, None if axis is None else operator.index(axis)))
    if out is not None:
        out[...] = r
        return out
    return r


def _along_axis_key(arr, indices, axis):
    """The fancy-index key that reads arr[..., indices, ...] pairing every other axis with itself."""
    if indices.ndim != arr.ndim:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    if indices.dtype.kind not in "iu":
        raise IndexError("`indices` must be an integer array")
    nd = arr.ndim
    axis = axis + nd if axis < 0 else axis
    if not 0 <= axis < nd:
        from numpy.exceptions import AxisError

        raise AxisError(f"axis {axis} is out of bounds for array of dimension {nd}")
    key = []
    for i in range(nd):
        if i == axis:
            key.append(indices)
        else:
            shape = [1] * nd
            shape[i] = arr.shape[i]
            key.append(arange(arr.shape[i]).reshape(shape))
    return tuple(key)


def take_along_axis(arr, indices, axis=-1):
    """Values of arr at `indices` along `axis`, the other axes paired (numpy.take_along_axis)."""
    arr, indices = asarray(arr), asarray(indices)
    if axis is None:
        arr, axis = arr.reshape(-1), 0
    return arr[_along_axis_key(arr, indices, axis)]


def put_along_axis(arr, indices, values, axis):
    """Writes `values` into arr at `indices` along `axis` (numpy.put_along_axis), in place."""
    if not isinstance(arr, Array):
        raise TypeError("put_along_axis writes in place: arr must be an ember array")
    indices = asarray(indices)
    if axis is None:
        flat = arr.reshape(-1)
        flat[_along_axis_key(flat, indices, 0)] = values
        if flat._h.storage_id() != arr._h.storage_id():  # reshape had to copy: write back
            arr[...] = flat.reshape(arr.shape)
        return
    arr[_along_axis_key(arr, indices, axis)] = values


def put(a, ind, v, mode="raise"):
    """a.flat[ind] = v (numpy.put), in place."""
    if mode != "raise":
        raise NotImplementedError("ember.put supports mode='raise' only")
    flat = a.reshape(-1)
    ind = _int_index(ind).reshape(-1)
    v = asarray(v).reshape(-1)
    if v.size not in (ind.size, 1) and ind.size and v.size:
        v = take(v, arange(ind.size) % v.size)  # NumPy repeats v cyclically
    flat[ind] = v
    if flat._h.storage_id() != a._h.storage_id():
        a[...] = flat.reshape(a.shape)


def nonzero(x, /):
    """The indices of the nonzero elements, one int64 array per axis (a sync point: the count is data)."""
    return tuple(_wrap(h) for h in _core.nonzero(asarray(x)._h))


def argwhere(a):
    """The indices of the nonzero elements as an (N, ndim) array."""
    a = asarray(a)
    if a.ndim == 0:
        return nonzero(a.reshape(1))[0].reshape(-1, 1)[:, :0]
    return _wrap(_core.stack([h._h for h in nonzero(a)], 1))


def flatnonzero(a):
    """The indices of the nonzero elements of the flattened array."""
    return nonzero(asarray(a).reshape(-1))[0]


def extract(condition, arr):
    """The elements of arr (flattened) where condition (flattened) is nonzero."""
    arr = asarray(arr).reshape(-1)
    return take(arr, nonzero(asarray(condition).reshape(-1))[0])


def compress(condition, a, axis=None, out=None):
    """The slices of a along axis where condition is true (numpy.compress)."""
    cond = asarray(condition)
    if cond.ndim != 1:
        raise ValueError("condition must be a 1-d array")
    return take(a, nonzero(cond)[0], axis=axis, out=out)
