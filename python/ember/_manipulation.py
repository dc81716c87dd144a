"""Manipulation functions (Array API 2023.12 and NumPy's spellings); diagonal and trace live in
_linalg_functions.

Views where NumPy gives views (reshape when possible, transposes, broadcast_to, expand_dims, squeeze,
flip, split); joins are one core `concat` node over all inputs (linear in the total size); tile,
repeat, roll and pad are compositions of views, concat, gather and writes."""
import builtins
import operator

import numpy as _np

from . import _core, _dtypes
from ._array import Array, _wrap
from ._creation import arange, asarray, full

__all__ = ["reshape", "permute_dims", "transpose", "broadcast_to", "broadcast_arrays", "broadcast_shapes",
           "expand_dims", "squeeze", "flip", "fliplr", "flipud", "rot90", "moveaxis", "swapaxes", "rollaxis",
           "concat", "concatenate", "stack", "vstack", "hstack", "dstack", "column_stack", "unstack", "split",
           "array_split", "hsplit", "vsplit", "dsplit", "tile", "repeat", "roll", "ravel", "atleast_1d",
           "atleast_2d", "atleast_3d", "pad", "copyto", "shape", "ndim", "size", "matrix_transpose"]


def _axis(axis, ndim):
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        from numpy.exceptions import AxisError

        raise AxisError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim if ndim else 0


def _axes(axis, ndim):
    if isinstance(axis, (tuple, list)):
        out = [_axis(a, ndim) for a in axis]
        if len(set(out)) != len(out):
            raise ValueError("repeated axis")
        return out
    return [_axis(axis, ndim)]


def reshape(x, /, shape, *, copy=None, order="C", newshape=None):
    """x with a new shape (a view when the layout allows; copy=False refuses to copy)."""
    x = asarray(x)
    if newshape is not None:
        shape = newshape
    if order != "C":
        raise NotImplementedError("ember.reshape supports order='C' only")
    r = _wrap(_core.reshape(x._h, shape))
    if copy is False and r._h.storage_id() != x._h.storage_id() and x.size:
        raise ValueError("Unable to avoid copy while reshaping.")
    return r.copy() if copy else r


def ravel(a, order="C"):
    return reshape(a, -1, order=order)


def permute_dims(x, /, axes):
    return _wrap(_core.permute_dims(asarray(x)._h, list(axes)))


def transpose(a, axes=None):
    a = asarray(a)
    return a.T if axes is None else permute_dims(a, axes)


def swapaxes(a, axis1, axis2):
    a = asarray(a)
    order = list(range(a.ndim))
    i, j = _axis(axis1, a.ndim), _axis(axis2, a.ndim)
    order[i], order[j] = order[j], order[i]
    return permute_dims(a, order)


def moveaxis(x, source, destination, /):
    src = list(source) if isinstance(source, (tuple, list)) else [source]
    dst = list(destination) if isinstance(destination, (tuple, list)) else [destination]
    return _wrap(_core.moveaxis(asarray(x)._h, src, dst))


def rollaxis(a, axis, start=0):
    a = asarray(a)
    n = a.ndim
    axis = _axis(axis, n)
    if not -n <= start <= n:
        from numpy.exceptions import AxisError

        raise AxisError(f"start {start} is out of bounds for array of dimension {n + 1}")
    start = start + n if start < 0 else start
    if axis < start:
        start -= 1
    if axis == start:
        return a[...]
    return moveaxis(a, axis, start)


def broadcast_to(x, /, shape):
    """A read-only view of x broadcast to `shape`."""
    return _wrap(_core.broadcast_to(asarray(x)._h, (shape,) if isinstance(shape, builtins.int) else tuple(shape)))


def broadcast_arrays(*arrays):
    return [_wrap(h) for h in _core.broadcast_arrays([asarray(a)._h for a in arrays])]


def broadcast_shapes(*shapes):
    """The shape the given shapes broadcast to (shape arithmetic only)."""
    return _np.broadcast_shapes(*shapes)


def expand_dims(x, /, axis=0):
    """x with length-1 axes inserted at `axis` (an int or a tuple, positions in the result)."""
    x = asarray(x)
    axes = sorted(_axes(axis, x.ndim + (len(axis) if isinstance(axis, (tuple, list)) else 1)))
    h = x._h
    for ax in axes:
        h = _core.expand_dims(h, ax)
    return _wrap(h)


def squeeze(x, /, axis=None):
    x = asarray(x)
    if axis is None:
        return _wrap(_core.squeeze(x._h, []))
    axes = _axes(axis, x.ndim)
    if not axes:
        return x[...]
    return _wrap(_core.squeeze(x._h, axes))


def flip(x, /, axis=None):
    """A view of x reversed along `axis` (None: every axis)."""
    x = asarray(x)
    if axis is None:
        return _wrap(_core.flip(x._h, [])) if x.ndim else x[...]
    axes = _axes(axis, x.ndim)
    return _wrap(_core.flip(x._h, axes)) if axes else x[...]


def fliplr(m):
    m = asarray(m)
    if m.ndim < 2:
        raise ValueError("Input must be >= 2-d.")
    return flip(m, 1)


def flipud(m):
    m = asarray(m)
    if m.ndim < 1:
        raise ValueError("Input must be >= 1-d.")
    return flip(m, 0)


def rot90(m, k=1, axes=(0, 1)):
    m = asarray(m)
    k %= 4
    a0, a1 = axes
    if k == 0:
        return m[...]
    if k == 2:
        return flip(flip(m, a0), a1)
    order = list(range(m.ndim))
    order[_axis(a0, m.ndim)], order[_axis(a1, m.ndim)] = order[_axis(a1, m.ndim)], order[_axis(a0, m.ndim)]
    return permute_dims(flip(m, a1), order) if k == 1 else flip(permute_dims(m, order), a1)


def _arrays(arrays):
    if isinstance(arrays, Array) or isinstance(arrays, _np.ndarray):
        arrays = list(arrays)
    return [asarray(a) for a in arrays]


def concat(arrays, /, axis=0, out=None, dtype=None, casting="same_kind"):
    """Joins arrays along an existing axis (None: flattened) in one node; dtypes promote as NumPy."""
    arrs = _arrays(arrays)
    r = _wrap(_core.concat([a._h for a in arrs], None if axis is None else operator.index(axis)))
    if dtype is not None:
        r = r.astype(dtype, copy=False)
    if out is not None:
        out[...] = r
        return out
    return r


concatenate = concat


def stack(arrays, /, axis=0, out=None, dtype=None):
    """Joins same-shape arrays along a new axis."""
    arrs = _arrays(arrays)
    if not arrs:
        raise ValueError("need at least one array to stack")
    r = _wrap(_core.stack([a._h for a in arrs], operator.index(axis)))
    if dtype is not None:
        r = r.astype(dtype, copy=False)
    if out is not None:
        out[...] = r
        return out
    return r


def atleast_1d(*arys):
    res = [asarray(a).reshape(1) if asarray(a).ndim == 0 else asarray(a) for a in arys]
    return res[0] if len(res) == 1 else tuple(res)


def atleast_2d(*arys):
    res = []
    for a in arys:
        a = asarray(a)
        res.append(a.reshape(1, 1) if a.ndim == 0 else a[None] if a.ndim == 1 else a)
    return res[0] if len(res) == 1 else tuple(res)


def atleast_3d(*arys):
    res = []
    for a in arys:
        a = asarray(a)
        if a.ndim == 0:
            a = a.reshape(1, 1, 1)
        elif a.ndim == 1:
            a = a[None, :, None]
        elif a.ndim == 2:
            a = a[:, :, None]
        res.append(a)
    return res[0] if len(res) == 1 else tuple(res)


def _tuple(x):
    r = atleast_1d(*x)
    return [r] if isinstance(r, Array) else list(r)


def vstack(tup, *, dtype=None):
    arrs = atleast_2d(*_arrays(tup))
    return concat([arrs] if isinstance(arrs, Array) else arrs, 0, dtype=dtype)


def hstack(tup, *, dtype=None):
    arrs = _tuple(_arrays(tup))
    return concat(arrs, 0 if arrs and arrs[0].ndim == 1 else 1, dtype=dtype)


def dstack(tup):
    arrs = atleast_3d(*_arrays(tup))
    return concat([arrs] if isinstance(arrs, Array) else arrs, 2)


def column_stack(tup):
    arrs = [a.reshape(-1, 1) if a.ndim < 2 else a for a in _arrays(tup)]
    return concat(arrs, 1)


def unstack(x, /, *, axis=0):
    """The views x[..., i, ...] along `axis`, as a tuple."""
    x = asarray(x)
    ax = _axis(axis, x.ndim)
    key = (slice(None),) * ax
    return tuple(x[key + (i,)] for i in range(x.shape[ax]))


def array_split(ary, indices_or_sections, axis=0):
    """Views of ary split along `axis`: into N nearly equal parts, or at the given indices."""
    ary = asarray(ary)
    ax = _axis(axis, ary.ndim)
    n = ary.shape[ax]
    if isinstance(indices_or_sections, (builtins.int, _np.integer)):
        sections = builtins.int(indices_or_sections)
        if sections <= 0:
            raise ValueError("number sections must be larger than 0.")
        each, extra = divmod(n, sections)
        sizes = [each + 1] * extra + [each] * (sections - extra)
        bounds = [0]
        for s in sizes:
            bounds.append(bounds[-1] + s)
    else:
        bounds = [0] + [builtins.int(i) for i in indices_or_sections] + [n]
    key = (slice(None),) * ax
    return [ary[key + (slice(bounds[i], bounds[i + 1]),)] for i in range(len(bounds) - 1)]


def split(ary, indices_or_sections, axis=0):
    ary = asarray(ary)
    if isinstance(indices_or_sections, (builtins.int, _np.integer)):
        n = ary.shape[_axis(axis, ary.ndim)]
        if indices_or_sections <= 0 or n % indices_or_sections:
            raise ValueError("array split does not result in an equal division")
    return array_split(ary, indices_or_sections, axis)


def hsplit(ary, indices_or_sections):
    ary = asarray(ary)
    if ary.ndim == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return split(ary, indices_or_sections, 1 if ary.ndim > 1 else 0)


def vsplit(ary, indices_or_sections):
    ary = asarray(ary)
    if ary.ndim < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return split(ary, indices_or_sections, 0)


def dsplit(ary, indices_or_sections):
    ary = asarray(ary)
    if ary.ndim < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return split(ary, indices_or_sections, 2)


def tile(A, reps):
    """A repeated `reps` times per axis: a broadcast view made contiguous (one copy)."""
    A = asarray(A)
    reps = (builtins.int(reps),) if isinstance(reps, (builtins.int, _np.integer)) else tuple(builtins.int(r) for r in reps)
    if any(r < 0 for r in reps):
        raise ValueError("negative dimensions are not allowed")
    nd = builtins.max(A.ndim, len(reps))
    shape = (1,) * (nd - A.ndim) + A.shape
    reps = (1,) * (nd - len(reps)) + reps
    inter = []
    for r, d in zip(reps, shape):
        inter += [1, d]
    wide = []
    for r, d in zip(reps, shape):
        wide += [r, d]
    b = broadcast_to(A.reshape(inter), wide)
    return reshape(b, [r * d for r, d in zip(reps, shape)]).copy()


def repeat(x, repeats, /, axis=None):
    """Each element repeated `repeats` times (an int or one count per element) along `axis`."""
    x = asarray(x)
    if axis is None or x.ndim == 0:  # NumPy repeats a 0-d array as a 1-d one
        x, axis = x.reshape(-1), 0 if axis is None else axis
    ax = _axis(axis, x.ndim)
    if isinstance(repeats, (builtins.int, _np.integer)) and repeats < 0:
        raise ValueError("repeat: repeats may not contain negative values")
    idx = _wrap(_core.repeat_indices(asarray(repeats)._h, x.shape[ax]))
    from ._indexing import take

    return take(x, idx, axis=ax)


def roll(x, /, shift, *, axis=None):
    """Elements shifted cyclically along axis (None: over the flattened array); one concat per axis."""
    x = asarray(x)
    if axis is None:
        return roll(x.reshape(-1), shift, axis=0).reshape(x.shape)
    shifts = shift if isinstance(shift, (tuple, list)) else (shift,)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    if len(shifts) == 1:
        shifts = shifts * len(axes)
    if len(axes) == 1:
        axes = axes * len(shifts)
    if len(shifts) != len(axes):
        raise ValueError("'shift' and 'axis' should be scalars or 1D sequences of the same length")
    total = {}
    for s, a in zip(shifts, axes):
        a = _axis(a, x.ndim)
        total[a] = total.get(a, 0) + builtins.int(s)
    out = x
    for a, s in total.items():
        n = x.shape[a]
        if n == 0 or s % n == 0:
            continue
        s %= n
        key = (slice(None),) * a
        out = concat([out[key + (slice(n - s, None),)], out[key + (slice(0, n - s),)]], axis=a)
    return out if out is not x else x.copy()


def _pad_widths(pad_width, ndim):
    w = _np.broadcast_to(_np.asarray(pad_width, dtype=_np.int64), (ndim, 2))
    if (w < 0).any():
        raise ValueError("index can't contain negative values")
    return [tuple(builtins.int(v) for v in row) for row in w]


def pad(array, pad_width, mode="constant", constant_values=0):
    """numpy.pad for modes constant, edge and wrap (a filled array with the input written into it)."""
    a = asarray(array)
    if a.ndim == 0:
        return a.copy()
    widths = _pad_widths(pad_width, a.ndim)
    if mode == "constant":
        cv = _np.broadcast_to(_np.asarray(constant_values), (a.ndim, 2))
        shape = tuple(d + lo + hi for d, (lo, hi) in zip(a.shape, widths))
        if (cv == cv.flat[0]).all():
            out = full(shape, cv.flat[0].item(), dtype=a.dtype)
        else:
            out = full(shape, 0, dtype=a.dtype)
            for ax in range(a.ndim):  # NumPy fills axis by axis, later axes overwriting corners
                lo, hi = widths[ax]
                key = (slice(None),) * ax
                if lo:
                    out[key + (slice(0, lo),)] = cv[ax, 0].item()
                if hi:
                    out[key + (slice(shape[ax] - hi, None),)] = cv[ax, 1].item()
        out[tuple(slice(lo, lo + d) for d, (lo, _) in zip(a.shape, widths))] = a
        return out
    if mode in ("edge", "wrap"):
        out = a
        for ax, (lo, hi) in enumerate(widths):
            n = out.shape[ax]
            if not (lo or hi):
                continue
            if n == 0:
                raise ValueError(f"can't extend empty axis {ax} using modes other than 'constant' or 'empty'")
            i = arange(-lo, n + hi)
            i = _wrap(_core.minimum(_core.maximum(i._h, 0), n - 1)) if mode == "edge" else i % n
            from ._indexing import take

            out = take(out, i, axis=ax)
        return out if out is not a else a.copy()
    raise NotImplementedError(f"ember.pad supports modes 'constant', 'edge' and 'wrap', not {mode!r}")


def copyto(dst, src, casting="same_kind", where=True):
    """Copies src into dst (broadcast), as numpy.copyto."""
    if not isinstance(dst, Array):
        raise TypeError("copyto: dst must be an ember array")
    src_dt = src.dtype if isinstance(src, Array) else _np.result_type(src)
    if not isinstance(src, (builtins.bool, builtins.int, builtins.float, builtins.complex)) and \
            not _core.can_cast(_dtypes.name_of(src_dt), dst._h.dtype, casting):
        raise TypeError(f"Cannot cast array data from dtype('{src_dt}') to dtype('{dst.dtype}') "
                        f"according to the rule '{casting}'")
    if where is True:
        dst[...] = src
    else:
        s = src if isinstance(src, Array) or type(src) in (builtins.bool, builtins.int, builtins.float,
                                                            builtins.complex) else asarray(src)
        import ember

        dst[...] = ember.where(where, s, dst).astype(dst.dtype, copy=False)


def shape(a):
    return asarray(a).shape


def ndim(a):
    return asarray(a).ndim


def size(a, axis=None):
    a = asarray(a)
    return a.size if axis is None else a.shape[axis]


def matrix_transpose(x, /):
    """Swaps the last two axes (a view)."""
    return _wrap(_core.matrix_transpose(asarray(x)._h))
