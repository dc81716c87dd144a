"""Array creation (Array API 2023.12 creation functions and NumPy's usual spellings)."""
import builtins

import numpy as _np

from . import _core, _dtypes
from ._array import Array, _wrap

__all__ = ["asarray", "array", "zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like",
           "full_like", "arange", "linspace", "eye", "identity", "from_dlpack", "meshgrid", "tril", "triu",
           "ascontiguousarray", "copy", "astype", "eval"]


def _name(dtype, default="float64"):
    return default if dtype is None else _dtypes.name_of(dtype)


def _check_device(device):
    if device is not None:
        _core.check_device(device)


def _place(a, device):
    """a on `device` (None: the default device); host-built values are transferred in bulk."""
    target = _core.get_default_device() if device is None else device
    return a if a.device == target else a.to_device(target)


class _on:
    """Builds input-less nodes (fills) directly on `device`: no host buffer, no transfer."""

    def __init__(self, device):
        self.device = device

    def __enter__(self):
        self.saved = _core.get_default_device()
        if self.device is not None:
            _core.set_default_device(self.device)

    def __exit__(self, *exc):
        _core.set_default_device(self.saved)


def _from_numpy(a, copy):
    """Wraps a NumPy array: zero-copy when it is C-contiguous and copy is not True."""
    name = _dtypes.name_of(a.dtype)
    if a.dtype.byteorder == ">":
        a = a.astype(a.dtype.newbyteorder("="))
    if copy or not a.flags.c_contiguous:
        a = _np.ascontiguousarray(a).copy() if copy else _np.ascontiguousarray(a)
    flat = a.reshape(-1).view(_np.uint8) if a.size else _np.zeros(0, _np.uint8)
    return _wrap(_core.from_bytes(flat, a.shape, name, a, not a.flags.writeable))


def asarray(obj, dtype=None, device=None, copy=None):
    """Converts obj (an ember array, a NumPy array, nested sequences, a scalar, a DLPack or buffer
    object) to an ember array; NumPy arrays are wrapped without copying where their layout allows."""
    _check_device(device)
    if not isinstance(obj, Array) and device in (None, "cuda") and _is_cuda_object(obj):
        return _asarray(_cuda_import(obj), dtype, copy)  # zero-copy, stays on the GPU
    return _place(_asarray(obj, dtype, copy), device) if device is not None or not isinstance(obj, Array) \
        else _asarray(obj, dtype, copy)


def _is_cuda_object(obj):
    """Objects exposing CUDA memory (__cuda_array_interface__, CUDA DLPack): ember.cuda._interop."""
    if not (hasattr(obj, "__cuda_array_interface__") or hasattr(obj, "__dlpack_device__")):
        return False
    from .cuda._interop import is_cuda_object

    return is_cuda_object(obj)


def _cuda_import(obj):
    from .cuda._interop import import_cuda_object

    return import_cuda_object(obj)


def _asarray(obj, dtype, copy):
    if isinstance(obj, Array):
        if dtype is not None and _dtypes.name_of(dtype) != obj._h.dtype:
            if copy is False:
                raise ValueError("asarray: a dtype change needs a copy, but copy=False")
            return obj.astype(dtype)
        return obj.copy() if copy else obj
    if isinstance(obj, (list, tuple)) and any(isinstance(x, Array) for x in obj):
        obj = [x.numpy() if isinstance(x, Array) else x for x in obj]
    if isinstance(obj, _np.ndarray):
        a = obj
    elif hasattr(obj, "__dlpack__") and not isinstance(obj, _np.generic):
        a = _np.from_dlpack(obj)
    else:
        if copy is False and not hasattr(obj, "__array__") and not isinstance(obj, memoryview):
            raise ValueError("asarray: converting a Python object needs a copy, but copy=False")
        a = _np.asarray(obj)
    if a.dtype.kind not in "biufc" and a.dtype.name != "bfloat16":
        raise TypeError(f"ember arrays cannot hold dtype {a.dtype} (from {type(obj).__name__})")
    if dtype is not None:
        target = _dtypes.from_name(_dtypes.name_of(dtype))
        if a.dtype != target:
            if copy is False:
                raise ValueError("asarray: a dtype change needs a copy, but copy=False")
            a = a.astype(target)
    return _from_numpy(a, copy=builtins.bool(copy) and a is obj)


def array(obj, dtype=None, copy=True, ndmin=0):
    """numpy.array: a copy by default."""
    a = asarray(obj, dtype=dtype, copy=copy if copy is not True else None)
    if copy is True and isinstance(obj, Array) and a is obj:
        a = a.copy()
    elif copy is True and isinstance(obj, _np.ndarray):
        a = a.copy()
    while a.ndim < ndmin:
        a = a[None]
    return a


def zeros(shape, dtype=None, device=None):
    _check_device(device)
    with _on(device):
        return _wrap(_core.zeros(shape, _name(dtype)))


def ones(shape, dtype=None, device=None):
    _check_device(device)
    with _on(device):
        return _wrap(_core.ones(shape, _name(dtype)))


def empty(shape, dtype=None, device=None):
    _check_device(device)
    with _on(device):
        return _wrap(_core.empty(shape, _name(dtype)))


def _fill_dtype(value):
    if isinstance(value, builtins.bool):
        return "bool"
    if isinstance(value, builtins.int):
        return "int64"
    if isinstance(value, builtins.float):
        return "float64"
    if isinstance(value, builtins.complex):
        return "complex128"
    raise TypeError(f"full: fill_value must be a Python scalar, got {type(value).__name__}")


def full(shape, fill_value, dtype=None, device=None):
    _check_device(device)
    if isinstance(fill_value, (Array, _np.ndarray, _np.generic)):
        v = asarray(fill_value)
        dt = v.dtype if dtype is None else dtype
        shape = (shape,) if isinstance(shape, builtins.int) else tuple(shape)
        return _place(_wrap(_core.broadcast_to(v.astype(dt)._h, shape)).copy(), device)
    with _on(device):
        return _wrap(_core.full(shape, fill_value,
                                _dtypes.name_of(dtype) if dtype is not None else _fill_dtype(fill_value)))


def _like(x, dtype):
    x = asarray(x)
    return x.shape, (x._h.dtype if dtype is None else _dtypes.name_of(dtype))


def zeros_like(x, dtype=None, device=None):
    shape, name = _like(x, dtype)
    with _on(_like_device(x, device)):
        return _wrap(_core.zeros(shape, name))


def ones_like(x, dtype=None, device=None):
    shape, name = _like(x, dtype)
    with _on(_like_device(x, device)):
        return _wrap(_core.ones(shape, name))


def empty_like(x, dtype=None, device=None):
    shape, name = _like(x, dtype)
    with _on(_like_device(x, device)):
        return _wrap(_core.empty(shape, name))


def full_like(x, fill_value, dtype=None, device=None):
    shape, name = _like(x, dtype)
    with _on(_like_device(x, device)):
        return _wrap(_core.full(shape, fill_value, name))


def _like_device(x, device):
    _check_device(device)
    return device if device is not None else (x.device if isinstance(x, Array) else None)


def arange(start, stop=None, step=1, dtype=None, device=None):
    """Values start, start + step, ... below stop (NumPy's length rule and default dtypes)."""
    _check_device(device)
    if stop is None:
        start, stop = 0, start
    vals = [start, stop, step]
    for i, v in enumerate(vals):
        if isinstance(v, (Array, _np.generic, _np.ndarray)):
            vals[i] = asarray(v).item()
    if dtype is None:
        dtype = "float64" if any(isinstance(v, builtins.float) for v in vals) else "int64"
        if any(isinstance(v, builtins.complex) for v in vals):
            dtype = "complex128"
    with _on("cpu"):
        r = _wrap(_core.arange(*vals, _dtypes.name_of(dtype)))
    return _place(r, device)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, device=None, axis=0):
    _check_device(device)
    if isinstance(start, builtins.complex) or isinstance(stop, builtins.complex):
        raise NotImplementedError("ember.linspace does not support complex endpoints yet")
    with _on("cpu"):
        r = _wrap(_core.linspace(builtins.float(start), builtins.float(stop), builtins.int(num), builtins.bool(endpoint),
                                 _name(dtype)))
    r = _place(r, device)
    if retstep:
        div = (num - 1) if endpoint else num
        return r, ((stop - start) / div if div > 0 else float("nan"))
    return r


def eye(n_rows, n_cols=None, k=0, dtype=None, device=None, M=None):
    _check_device(device)
    n_cols = M if n_cols is None and M is not None else n_cols
    with _on("cpu"):
        r = _wrap(_core.eye(n_rows, n_rows if n_cols is None else n_cols, k, _name(dtype)))
    return _place(r, device)


def identity(n, dtype=None):
    return eye(n, dtype=dtype)


def from_dlpack(x, device=None, copy=None):
    """An ember array from a DLPack producer: CPU ones zero-copy where NumPy can, CUDA ones zero-copy
    on the GPU (ember.cuda._interop)."""
    _check_device(device)
    if _is_cuda_object(x) and hasattr(x, "__dlpack__"):  # kDLCUDA: zero-copy on the GPU
        a = _cuda_import(x)
        a = a.copy() if copy else a
        return a if device is None else _place(a, device)
    return _from_numpy(_np.from_dlpack(x), copy=builtins.bool(copy))


def ascontiguousarray(a, dtype=None):
    return asarray(a, dtype=dtype)


def copy(a):
    return asarray(a).copy()


def astype(x, dtype, /, *, copy=True, device=None):
    _check_device(device)
    return asarray(x).astype(dtype, copy=copy)


def meshgrid(*arrays, indexing="xy"):
    """Coordinate matrices from coordinate vectors (views, as numpy.meshgrid(copy=False))."""
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    arrays = [asarray(a).reshape(-1) for a in arrays]
    n = len(arrays)
    shapes = [a.shape[0] for a in arrays]
    if indexing == "xy" and n >= 2:
        shapes[0], shapes[1] = shapes[1], shapes[0]
    out = []
    for i, a in enumerate(arrays):
        shape = [1] * n
        pos = i
        if indexing == "xy" and n >= 2 and i < 2:
            pos = 1 - i
        shape[pos] = a.shape[0]
        out.append(_wrap(_core.broadcast_to(a.reshape(shape)._h, shapes)))
    return out


def _tri_mask(x, k, lower):
    n, m = x.shape[-2], x.shape[-1]
    rows = arange(n).reshape(n, 1)
    cols = arange(m).reshape(1, m)
    return (cols - rows <= k) if lower else (cols - rows >= k)


def tril(x, k=0):
    x = asarray(x)
    if x.ndim < 2:
        raise ValueError("tril needs an array of at least 2 dimensions")
    return _wrap(_core.where(_tri_mask(x, k, True)._h, x._h, _core.zeros((), x._h.dtype)))


def triu(x, k=0):
    x = asarray(x)
    if x.ndim < 2:
        raise ValueError("triu needs an array of at least 2 dimensions")
    return _wrap(_core.where(_tri_mask(x, k, False)._h, x._h, _core.zeros((), x._h.dtype)))


def eval(*arrays):
    """Starts computing the given arrays and returns (small graphs are computed at once); reading
    a value (.numpy(), print, float(), ...) waits for it and raises any error the work met."""
    _core.eval_async([asarray(a)._h for a in arrays])
