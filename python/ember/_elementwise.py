"""Elementwise functions: every op of the core's elementwise table under its Array API name, the
NumPy aliases beside them, and NumPy's ufunc keywords out=, where= and dtype=."""
from . import _core, _dtypes
from ._array import Array, _operand, _wrap

# Array API name -> core op; NumPy spellings follow in _ALIASES.
_UNARY = ["negative", "positive", "abs", "fabs", "square", "sign", "reciprocal", "conj", "sqrt", "cbrt", "exp",
          "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "asin", "acos", "atan", "sinh",
          "cosh", "tanh", "asinh", "acosh", "atanh", "deg2rad", "rad2deg", "isnan", "isinf", "isfinite", "signbit",
          "logical_not", "bitwise_invert", "floor", "ceil", "trunc", "rint"]
_BINARY = ["add", "subtract", "multiply", "divide", "floor_divide", "remainder", "fmod", "pow", "float_power",
           "maximum", "minimum", "fmax", "fmin", "equal", "not_equal", "less", "less_equal", "greater",
           "greater_equal", "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor",
           "bitwise_left_shift", "bitwise_right_shift", "atan2", "hypot", "copysign", "nextafter", "logaddexp",
           "logaddexp2", "heaviside"]
_ALIASES = {"absolute": "abs", "power": "pow", "true_divide": "divide", "mod": "remainder", "invert": "bitwise_invert",
            "bitwise_not": "bitwise_invert", "left_shift": "bitwise_left_shift", "right_shift": "bitwise_right_shift",
            "arctan2": "atan2", "arccos": "acos", "arcsin": "asin", "arctan": "atan", "arccosh": "acosh",
            "arcsinh": "asinh", "arctanh": "atanh", "conjugate": "conj", "degrees": "rad2deg", "radians": "deg2rad",
            "fix": "trunc"}


def _cast_inputs(operands, dtype, name):
    """NumPy's dtype= picks the loop: operands are cast to it (same_kind) before computing."""
    target = _dtypes.name_of(dtype)
    cast = []
    for h in operands:
        if isinstance(h, _core.Array) and not _core.can_cast(h.dtype, target, "same_kind"):
            raise TypeError(f"Cannot cast ufunc '{name}' input from dtype('{h.dtype}') to dtype('{target}') "
                            "with casting rule 'same_kind'")
        cast.append(_core.astype(h, target, False) if isinstance(h, _core.Array) else h)
    return cast


def finish(result, out=None, where=True, dtype=None, name="ufunc"):
    """Applies NumPy's ufunc keywords out= and where= to a computed result (dtype= is applied to the
    inputs by the callers through _cast_inputs)."""
    if dtype is not None and result._h.dtype != _dtypes.name_of(dtype):
        raise TypeError(f"No loop matching the specified signature and casting was found for ufunc {name} "
                        f"(it gives dtype('{result.dtype}') for inputs of dtype('{_dtypes.name_of(dtype)}'))")
    if isinstance(out, tuple):
        if len(out) != 1:
            raise ValueError(f"'{name}' has 1 output, out= gave {len(out)}")
        (out,) = out
    if out is None:
        if where is not True:
            # NumPy leaves unselected elements uninitialised; ember gives zeros there.
            result = _wrap(_core.where(_operand(where), result._h, _core.zeros((), result._h.dtype)))
        return result
    if not isinstance(out, Array):
        raise TypeError("return arrays must be of ArrayType")
    if out.dtype != result.dtype and not _core.can_cast(result._h.dtype, out._h.dtype, "same_kind"):
        raise TypeError(f"Cannot cast ufunc '{name}' output from dtype('{result.dtype}') to dtype('{out.dtype}') "
                        "with casting rule 'same_kind'")
    _check_out_shape(out, result, name)
    if where is not True:
        result = _wrap(_core.where(_operand(where), result._h, out._h))
        _check_out_shape(out, result, name)
    out[...] = result
    return out


def _check_out_shape(out, result, name):
    shape = out.shape
    if len(result.shape) > len(shape) or any(r not in (1, o) for r, o in zip(result.shape[::-1], shape[::-1])):
        raise ValueError(f"non-broadcastable output operand with shape {shape} doesn't match the broadcast "
                         f"shape {result.shape} of ufunc '{name}'")


def _make(name, op, arity):
    fn = getattr(_core, op)
    if arity == 1:
        def f(x, /, out=None, *, where=True, dtype=None):
            args = [_operand(x)]
            if dtype is not None:
                args = _cast_inputs(args, dtype, name)
            return finish(_wrap(fn(*args)), out, where, dtype, name)
    else:
        def f(x1, x2, /, out=None, *, where=True, dtype=None):
            args = [_operand(x1), _operand(x2)]
            if dtype is not None:
                args = _cast_inputs(args, dtype, name)
            return finish(_wrap(fn(*args)), out, where, dtype, name)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Elementwise {op}, as numpy.{name} (NumPy 2 type promotion; out=, where=, dtype= as ufuncs)."
    return f


__all__ = []
for _n in _UNARY:
    globals()[_n] = _make(_n, _n, 1)
    __all__.append(_n)
for _n in _BINARY:
    globals()[_n] = _make(_n, _n, 2)
    __all__.append(_n)
for _alias, _op in _ALIASES.items():
    globals()[_alias] = _make(_alias, _op, 1 if _op in _UNARY else 2)
    __all__.append(_alias)


def _array(x):
    from ._creation import asarray

    return x if isinstance(x, Array) else asarray(x)


def real(x, /):
    """The real part; a real input is returned as is (NumPy)."""
    x = _array(x)
    return _wrap(_core.real(x._h)) if x.dtype.kind == "c" else x


def imag(x, /):
    """The imaginary part; zeros of the input's dtype for a real input (NumPy)."""
    return _wrap(_core.imag(_array(x)._h))


def round(x, /, decimals=0, out=None):
    """Rounds half to even to `decimals` places, as numpy.round: x * 10**d is rounded, then divided back
    (integers round through float64 and are cast back when decimals < 0)."""
    x = _array(x)
    decimals = int(decimals)
    kind = x.dtype.kind
    if decimals == 0:
        r = _wrap(_core.round(x._h))
    elif kind == "b":
        raise TypeError(f"Cannot round a bool array to {decimals} decimals (the result would not be bool)")
    elif kind in "iu":
        if decimals > 0:
            r = x.copy()
        else:
            f = 10.0 ** -decimals
            r = _wrap(_core.multiply(_core.rint(_core.divide(x._h, f)), f)).astype(x.dtype)
    elif decimals > 0:
        f = 10.0 ** decimals
        r = _wrap(_core.divide(_core.round(_core.multiply(x._h, f)), f))
    else:
        f = 10.0 ** -decimals
        r = _wrap(_core.multiply(_core.round(_core.divide(x._h, f)), f))
    return finish(r, out, name="round")


around = round

_NO_VALUE = object()


def clip(a, a_min=_NO_VALUE, a_max=_NO_VALUE, out=None, *, min=_NO_VALUE, max=_NO_VALUE, where=True, dtype=None):
    """Limits the values to [min, max], as numpy.clip (also the Array API clip(x, min=, max=)): NaN
    propagates, and a Python int bound beyond an integer dtype's range is dropped (NumPy 2)."""
    if a_min is not _NO_VALUE and min is not _NO_VALUE or a_max is not _NO_VALUE and max is not _NO_VALUE:
        raise TypeError("clip() got both a_min/a_max and min/max; pass one spelling")
    lo = None if (a_min if a_min is not _NO_VALUE else min) is _NO_VALUE else (a_min if a_min is not _NO_VALUE else min)
    hi = None if (a_max if a_max is not _NO_VALUE else max) is _NO_VALUE else (a_max if a_max is not _NO_VALUE else max)
    a = _array(a)
    if a.dtype.kind in "iu":
        info = _dtypes.iinfo(a.dtype)
        if type(lo) is int and lo <= info.min:
            lo = None
        if type(hi) is int and hi >= info.max:
            hi = None
    args = [a._h]
    if dtype is not None:
        args = _cast_inputs(args, dtype, "clip")
    r = args[0]
    if lo is None and hi is None:
        r = _core.positive(r)
    if lo is not None:
        r = _core.maximum(r, _operand(lo))
    if hi is not None:
        r = _core.minimum(r, _operand(hi))
    return finish(_wrap(r), out, where, dtype, "clip")


def isreal(x, /):
    """True where the imaginary part is zero (everywhere for real dtypes)."""
    return imag(x) == 0


def iscomplex(x, /):
    """True where the imaginary part is non-zero (nowhere for real dtypes)."""
    return imag(x) != 0


def nan_to_num(x, /, copy=True, nan=0.0, posinf=None, neginf=None):
    """NaN -> nan, +inf -> posinf (default the dtype's max), -inf -> neginf (default its min), as
    numpy.nan_to_num; complex inputs part by part; other dtypes unchanged."""
    x = _array(x)
    kind = x.dtype.kind
    if kind not in "fc" and x.dtype != _dtypes.bfloat16:
        return x.copy() if copy else x

    def fix(v):
        info = _dtypes.finfo(v.dtype)
        pos = float(info.max) if posinf is None else posinf
        neg = float(info.min) if neginf is None else neginf
        h = _core.where(_core.isnan(v._h), nan, v._h)
        h = _core.where(_core.logical_and(_core.isinf(h), _core.greater(h, 0)), pos, h)
        h = _core.where(_core.logical_and(_core.isinf(h), _core.less(h, 0)), neg, h)
        return _wrap(h)

    r = fix(real(x)) + fix(imag(x)) * 1j if kind == "c" else fix(x)
    if copy:
        return r
    x[...] = r
    return x


def where(condition, x1=None, x2=None, /):
    """Elements of x1 where condition holds, else of x2 (one argument: the indices, as nonzero)."""
    if x1 is None and x2 is None:
        import ember

        return ember.nonzero(condition)
    return _wrap(_core.where(_operand(condition), _operand(x1), _operand(x2)))


def result_type(*arrays_and_dtypes):
    """The dtype of an operation over these arrays, dtypes and Python scalars (NEP 50)."""
    ops = []
    for a in arrays_and_dtypes:
        if isinstance(a, Array) or type(a) in (bool, int, float, complex):
            ops.append(_operand(a))
        else:
            ops.append(_core.zeros((), _dtypes.name_of(a)))
    return _dtypes.from_name(_core.result_type(*ops))


def can_cast(from_, to, /, casting="safe"):
    name = from_._h.dtype if isinstance(from_, Array) else _dtypes.name_of(from_)
    return _core.can_cast(name, _dtypes.name_of(to), casting)


__all__ += ["where", "result_type", "can_cast", "real", "imag", "round", "around", "clip", "isreal", "iscomplex",
            "nan_to_num"]
