"""ember's dtypes are NumPy's dtype objects (bfloat16 from ml_dtypes), so `dtype=np.float32` and
`x.dtype == em.float32` work as in NumPy. The core sees them by name."""
import builtins

import numpy as _np

try:
    import ml_dtypes as _ml

    bfloat16 = _ml.bfloat16
except ImportError:  # bfloat16 arrays then cannot be converted to NumPy
    _ml = None
    bfloat16 = None

# The dtype names are NumPy's scalar types, as in NumPy: `dtype=em.float32`, `x.dtype == em.float32`
# and `em.float32(1.5)` all work. Array.dtype returns numpy.dtype instances.
bool = _np.bool_
int8, int16, int32, int64 = _np.int8, _np.int16, _np.int32, _np.int64
uint8, uint16, uint32, uint64 = _np.uint8, _np.uint16, _np.uint32, _np.uint64
float16, float32, float64 = _np.float16, _np.float32, _np.float64
complex64, complex128 = _np.complex64, _np.complex128
bool_ = bool
intp, uintp = int64, uint64
double, single, half = float64, float32, float16
cdouble, csingle = complex128, complex64

_BY_NAME = {_np.dtype(t).name: _np.dtype(t) for t in (bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
                                                     float16, float32, float64, complex64, complex128)}
if bfloat16 is not None:
    _BY_NAME["bfloat16"] = _np.dtype(bfloat16)

_PY_TYPES = {builtins.bool: "bool", builtins.int: "int64", builtins.float: "float64", builtins.complex: "complex128"}


def name_of(dtype):
    """The core's name for any dtype-like (np.float32, "f4", float, em.int8, ...); TypeError if unsupported."""
    if dtype in _PY_TYPES:
        return _PY_TYPES[dtype]
    try:
        d = _np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"data type {dtype!r} not understood") from e
    if d.name not in _BY_NAME or d.byteorder == ">":
        raise TypeError(f"data type {d} is not supported by ember")
    return d.name


def from_name(name):
    d = _BY_NAME.get(name)
    if d is None:
        raise TypeError(f"ember cannot represent {name} in NumPy (install ml_dtypes for bfloat16)")
    return d


def finfo(type):
    """Machine limits of a floating type, as numpy.finfo (Array API: bits, eps, max, min, smallest_normal, dtype)."""
    t = getattr(type, "dtype", type)
    if bfloat16 is not None and _np.dtype(t) == _np.dtype(bfloat16):
        return _ml.finfo(bfloat16)
    return _np.finfo(_np.dtype(t))


def iinfo(type):
    """Machine limits of an integer type, as numpy.iinfo."""
    return _np.iinfo(_np.dtype(getattr(type, "dtype", type)))


_KINDS = {
    "bool": lambda d: d.kind == "b",
    "signed integer": lambda d: d.kind == "i",
    "unsigned integer": lambda d: d.kind == "u",
    "integral": lambda d: d.kind in "iu",
    "real floating": lambda d: d.kind == "f" or d.name == "bfloat16",
    "complex floating": lambda d: d.kind == "c",
    "numeric": lambda d: d.kind in "iufc" or d.name == "bfloat16",
}


def isdtype(dtype, kind):
    """Array API isdtype: whether `dtype` is of `kind` (a dtype, a kind name, or a tuple of them)."""
    d = _np.dtype(dtype)
    if isinstance(kind, tuple):
        return any(isdtype(d, k) for k in kind)
    if isinstance(kind, str):
        if kind not in _KINDS:
            raise ValueError(f"unknown dtype kind {kind!r}; expected one of {sorted(_KINDS)}")
        return _KINDS[kind](d)
    return d == _np.dtype(kind)
