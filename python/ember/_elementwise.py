"""Elementwise functions: every op of the core's elementwise table under its Array API name, the
NumPy aliases beside them, and NumPy's ufunc keywords out=, where= and dtype=."""
from . import _core, _dtypes
from ._array import Array, _operand, _wrap

# Array API name -> core op; NumPy spellings follow in _ALIASES.
_UNARY = ["negative", "positive", "abs", "square", "sign", "sqrt", "exp", "log", "log2", "log10", "sin", "cos",
          "tan", "tanh", "isnan", "isinf", "isfinite", "logical_not", "bitwise_invert", "floor", "ceil", "trunc"]
_BINARY = ["add", "subtract", "multiply", "divide", "floor_divide", "remainder", "pow", "maximum", "minimum",
           "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and", "logical_or",
           "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift",
           "atan2", "hypot", "copysign", "nextafter", "logaddexp"]
_ALIASES = {"absolute": "abs", "power": "pow", "true_divide": "divide", "mod": "remainder", "invert": "bitwise_invert",
            "bitwise_not": "bitwise_invert", "left_shift": "bitwise_left_shift", "right_shift": "bitwise_right_shift",
            "arctan2": "atan2"}


def finish(result, out=None, where=True, dtype=None):
    """Applies NumPy's ufunc keywords to a computed result."""
    if dtype is not None:
        result = result.astype(dtype, copy=False)
    if where is not True:
        if out is None:
            raise ValueError("where= without out= leaves elements undefined; pass out= as well")
        result = _wrap(_core.where(_operand(where), result._h, out._h))
    if out is None:
        return result
    if isinstance(out, tuple):
        (out,) = out
    if not isinstance(out, Array):
        raise TypeError("out= must be an ember array")
    out[...] = result
    return out


def _make(name, op, arity):
    fn = getattr(_core, op)
    if arity == 1:
        def f(x, /, out=None, *, where=True, dtype=None):
            return finish(_wrap(fn(_operand(x))), out, where, dtype)
    else:
        def f(x1, x2, /, out=None, *, where=True, dtype=None):
            return finish(_wrap(fn(_operand(x1), _operand(x2))), out, where, dtype)
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


__all__ += ["where", "result_type", "can_cast"]
