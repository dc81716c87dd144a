"""Statistical functions (Array API 2023.12) with NumPy's signatures beside them: axis=, keepdims=,
dtype=, out=, where=, initial=, ddof=/correction=; plus all/any, the cumulative functions and
NumPy's nan*-functions, ptp, average, diff, median, quantile and percentile."""
import builtins
import math
import operator

import numpy as _np

from . import _core, _dtypes
from ._array import Array, _wrap
from ._elementwise import finish

__all__ = ["sum", "prod", "mean", "std", "var", "max", "min", "amax", "amin", "all", "any", "cumulative_sum",
           "cumulative_prod", "cumsum", "cumprod", "ptp", "nansum", "nanmean", "nanmax", "nanmin", "average",
           "diff", "median", "quantile", "percentile"]


def _arr(x):
    if isinstance(x, Array):
        return x
    from ._creation import asarray

    return asarray(x)


def _axis(axis):
    if axis is None:
        return None
    if isinstance(axis, (tuple, list)):
        return tuple(operator.index(a) for a in axis)
    return operator.index(axis)


def _dt(dtype):
    return None if dtype is None else _dtypes.name_of(dtype)


def _mask(where):
    if where is True:
        return None
    return _arr(where)._h


def _py(value):
    """initial= as a Python scalar (NumPy scalars and 0-d arrays are accepted)."""
    if value is None or type(value) in (builtins.bool, builtins.int, builtins.float, builtins.complex):
        return value
    return _np.asarray(value).item()


def _reduce(op, a, axis, keepdims, dtype=None, initial=None, where=True, out=None):
    h = _core.reduce(op, _arr(a)._h, _axis(axis), builtins.bool(keepdims), _dt(dtype), _py(initial), _mask(where))
    return finish(_wrap(h), out)


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    """Sum of elements (pairwise for floats, as NumPy); ints and bool sum in int64/uint64."""
    return _reduce("sum", a, axis, keepdims, dtype, initial, where, out)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    return _reduce("prod", a, axis, keepdims, dtype, initial, where, out)


def max(a, axis=None, out=None, keepdims=False, initial=None, where=True):
    """Largest element (NaN if any is NaN); an empty reduction needs initial=."""
    return _reduce("max", a, axis, keepdims, None, initial, where, out)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=True):
    return _reduce("min", a, axis, keepdims, None, initial, where, out)


amax, amin = max, min


def all(a, axis=None, out=None, keepdims=False, *, where=True):
    return _reduce("all", a, axis, keepdims, where=where, out=out)


def any(a, axis=None, out=None, keepdims=False, *, where=True):
    return _reduce("any", a, axis, keepdims, where=where, out=out)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    """Arithmetic mean: float64 for integers, float16 computed in float32, as NumPy."""
    h = _core.mean(_arr(a)._h, _axis(axis), builtins.bool(keepdims), _dt(dtype), _mask(where))
    return finish(_wrap(h), out)


def _moment(name, a, axis, dtype, out, ddof, keepdims, where, mean, correction):
    if mean is not None:
        raise NotImplementedError(f"ember.{name}: the mean= argument is not supported")
    if correction is not None and ddof != 0:
        raise ValueError("ddof and correction can't be provided simultaneously.")
    corr = ddof if correction is None else correction
    h = getattr(_core, name)(_arr(a)._h, _axis(axis), builtins.float(corr), builtins.bool(keepdims), _dt(dtype),
                             _mask(where))
    return finish(_wrap(h), out)


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True, mean=None, correction=None):
    """Variance, dividing by max(N - correction, 0) (ddof= is NumPy's name for correction=)."""
    return _moment("var", a, axis, dtype, out, ddof, keepdims, where, mean, correction)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True, mean=None, correction=None):
    return _moment("std", a, axis, dtype, out, ddof, keepdims, where, mean, correction)


def _scan(op, a, axis, dtype, out, include_initial=False):
    a = _arr(a)
    ax = None if axis is None else operator.index(axis)
    return finish(_wrap(_core.cumulative(op, a._h, ax, _dt(dtype), builtins.bool(include_initial))), out)


def cumsum(a, axis=None, dtype=None, out=None):
    """Cumulative sum (axis=None: of the flattened array)."""
    return _scan("cumsum", a, axis, dtype, out)


def cumprod(a, axis=None, dtype=None, out=None):
    return _scan("cumprod", a, axis, dtype, out)


def _cumulative(op, x, axis, dtype, include_initial, out):
    x = _arr(x)
    if axis is None:
        if x.ndim > 1:
            raise ValueError("axis must be specified in cumulative functions for arrays of more than one dimension")
        if x.ndim == 0:
            raise ValueError("cumulative functions need an array of at least one dimension")
        axis = 0
    return _scan(op, x, axis, dtype, out, include_initial)


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False, out=None):
    """Array API cumulative_sum: axis required for n-d inputs; include_initial prepends 0."""
    return _cumulative("cumsum", x, axis, dtype, include_initial, out)


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False, out=None):
    return _cumulative("cumprod", x, axis, dtype, include_initial, out)


def ptp(a, axis=None, out=None, keepdims=False):
    """Peak to peak: max - min."""
    from ._elementwise import subtract

    return finish(subtract(max(a, axis, keepdims=keepdims), min(a, axis, keepdims=keepdims)), out)


def _inexact(a):
    return a.dtype.kind in "fc" or a.dtype == _dtypes.bfloat16


def _isnan(a):
    return _wrap(_core.isnan(a._h))


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    """Sum treating NaNs as zero."""
    a = _arr(a)
    if _inexact(a):
        a = _wrap(_core.where(_isnan(a)._h, 0, a._h))
    return sum(a, axis, dtype, out, keepdims, initial, where)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    """Mean of the non-NaN elements (NaN where there are none)."""
    a = _arr(a)
    if _inexact(a):
        keep = _wrap(_core.logical_not(_isnan(a)._h))
        where = keep if where is True else _wrap(_core.logical_and(keep._h, _arr(where)._h))
    return mean(a, axis, dtype, out, keepdims, where=where)


def _nanextreme(op, a, axis, out, keepdims, initial, where):
    a = _arr(a)
    if not _inexact(a):
        return _reduce(op, a, axis, keepdims, None, initial, where, out)
    nan = _isnan(a)
    fill = -math.inf if op == "max" else math.inf
    r = _reduce(op, _wrap(_core.where(nan._h, fill, a._h)), axis, keepdims, None, initial, where)
    all_nan = _reduce("all", nan, axis, keepdims, where=where)
    return finish(_wrap(_core.where(all_nan._h, math.nan, r._h)), out)


def nanmax(a, axis=None, out=None, keepdims=False, initial=None, where=True):
    """Largest non-NaN element (NaN for all-NaN slices)."""
    return _nanextreme("max", a, axis, out, keepdims, initial, where)


def nanmin(a, axis=None, out=None, keepdims=False, initial=None, where=True):
    return _nanextreme("min", a, axis, out, keepdims, initial, where)


def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    """Weighted average, as numpy.average (1-d weights go along `axis`)."""
    from ._elementwise import divide, multiply, result_type

    a = _arr(a)
    if weights is None:
        avg = mean(a, axis, keepdims=keepdims)
        if not returned:
            return avg
        count = a.size // builtins.max(avg.size, 1)
        return avg, _wrap(_core.full(avg.shape, builtins.float(count), avg._h.dtype))
    w = _arr(weights)
    integral = a.dtype.kind in "biu"
    dt = result_type(a, w, _dtypes.float64) if integral else result_type(a, w)
    if w.shape != a.shape:
        if axis is None:
            raise TypeError("Axis must be specified when shapes of a and weights differ.")
        if w.ndim != 1:
            raise TypeError("1D weights expected when shapes of a and weights differ.")
        ax = operator.index(axis) if not isinstance(axis, tuple) else None
        if ax is None:
            raise TypeError("1D weights with a tuple axis are not supported")
        ax = ax + a.ndim if ax < 0 else ax
        if w.shape[0] != a.shape[ax]:
            raise ValueError("Length of weights not compatible with specified axis.")
        w = w.reshape((w.shape[0],) + (1,) * (a.ndim - 1 - ax))
        w = _wrap(_core.broadcast_to(w._h, a.shape))
    scl = sum(w, axis, dtype=dt, keepdims=keepdims)
    if builtins.bool(any(_wrap(_core.equal(scl._h, 0)))):
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    avg = divide(sum(multiply(a, w), axis, dtype=dt, keepdims=keepdims), scl)
    if returned:
        return avg, _wrap(_core.broadcast_to(scl._h, avg.shape)) if scl.shape != avg.shape else scl
    return avg


def _index_along(ndim, axis, index):
    return (builtins.slice(None),) * axis + (index,)


def _concat(parts, axis, dtype):
    """Joins arrays along an existing axis (an empty result filled slice by slice)."""
    from ._creation import empty

    shape = list(parts[0].shape)
    shape[axis] = builtins.sum(p.shape[axis] for p in parts)
    out = empty(tuple(shape), dtype=dtype)
    start = 0
    for p in parts:
        out[_index_along(out.ndim, axis, builtins.slice(start, start + p.shape[axis]))] = p
        start += p.shape[axis]
    return out


def _normalize_axis(axis, ndim):
    ax = operator.index(axis)
    if not -ndim <= ax < ndim:
        from numpy.exceptions import AxisError

        raise AxisError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return ax % ndim


def diff(a, n=1, axis=-1, prepend=None, append=None):
    """n-th discrete difference along `axis` (bool inputs: not_equal), with optional prepend/append."""
    from ._elementwise import result_type

    a = _arr(a)
    if n == 0:
        return a
    if n < 0:
        raise ValueError("order must be non-negative but got " + repr(n))
    if a.ndim == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    axis = _normalize_axis(axis, a.ndim)

    def edge(x):  # a scalar prepend/append is broadcast to one slice along axis
        x = _arr(x)
        if x.ndim == 0:
            shape = list(a.shape)
            shape[axis] = 1
            x = _wrap(_core.broadcast_to(x._h, tuple(shape)))
        return x

    parts = ([edge(prepend)] if prepend is not None else []) + [a] + ([edge(append)] if append is not None else [])
    if len(parts) > 1:
        a = _concat(parts, axis, result_type(*parts))
    lo = _index_along(a.ndim, axis, builtins.slice(None, -1))
    hi = _index_along(a.ndim, axis, builtins.slice(1, None))
    op = _core.not_equal if a.dtype == _dtypes.bool else _core.subtract
    for _ in range(n):
        a = _wrap(op(a[hi]._h, a[lo]._h))
    return a


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False):
    """q-th quantiles (q in [0, 1]) with NumPy's default 'linear' method; NaN if a slice holds NaN.
    One sort along the axis, then two slices and a lerp per q."""
    from ._creation import asarray, empty
    from ._sorting import sort

    if method != "linear":
        raise NotImplementedError(f"ember.quantile supports method='linear' only, not {method!r}")
    if isinstance(axis, (tuple, list)):
        raise NotImplementedError("ember.quantile takes axis=None or an int")
    a = _arr(a)
    qs = _np.asarray(q.numpy() if isinstance(q, Array) else q, dtype=_np.float64)
    if qs.ndim > 1:
        raise ValueError("q must be a scalar or 1d")
    if ((qs < 0) | (qs > 1)).any():
        raise ValueError("Quantiles must be in the range [0, 1]")
    if a.dtype.kind not in "fc" and a.dtype != _dtypes.bfloat16:
        a = a.astype(_dtypes.float64)
    weak_q = type(q) in (builtins.int, builtins.float)  # an array q is not weak: it promotes (NEP 50)
    ndim = a.ndim
    if axis is None:
        a, ax = a.reshape(-1), 0
        kept = (1,) * ndim
    else:
        ax = _normalize_axis(axis, ndim)
        kept = a.shape[:ax] + (1,) + a.shape[ax + 1:]
    n = a.shape[ax]
    s = sort(a, axis=ax)
    results = []
    for qv in qs.reshape(-1):
        if n == 0:
            r = _wrap(_core.full(a.shape[:ax] + a.shape[ax + 1:], math.nan, a._h.dtype))
        else:
            idx = qv * (n - 1)
            lo = builtins.min(builtins.int(math.floor(idx)), n - 1)
            hi = builtins.min(lo + 1, n - 1)
            t = builtins.float(idx - lo)
            x0, x1 = s[_index_along(s.ndim, ax, lo)], s[_index_along(s.ndim, ax, hi)]
            d = x1 - x0
            w = (1 - t if t >= 0.5 else t) if weak_q else asarray(_np.float64(1 - t if t >= 0.5 else t))
            r = x1 - d * w if t >= 0.5 else x0 + d * w  # NumPy's _lerp
            last = s[_index_along(s.ndim, ax, n - 1)]  # NaNs sort last
            r = _wrap(_core.where(_isnan(last)._h, last._h, r._h))
        results.append(r.reshape(kept) if keepdims else r)
    if qs.ndim == 0:
        return finish(results[0], out)
    res = empty((len(results),) + results[0].shape, dtype=results[0].dtype)
    for i, r in enumerate(results):
        res[i] = r
    return finish(res, out)


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False):
    qs = _np.asarray(q.numpy() if isinstance(q, Array) else q, dtype=_np.float64)
    if ((qs < 0) | (qs > 100)).any():
        raise ValueError("Percentiles must be in the range [0, 100]")
    q = q / 100 if type(q) in (builtins.int, builtins.float) else qs / 100
    return quantile(a, q, axis, out, overwrite_input, method, keepdims)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return quantile(a, 0.5, axis, out, overwrite_input, "linear", keepdims)
