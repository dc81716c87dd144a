"""How each ember primitive becomes ONNX: one rule per primitive (or family), kept in RULES.

A rule is `fn(g, r, xs) -> Value`: `g` the Emitter (_graph.py), `r` the node's record
(python/src/export.cpp), `xs` its inputs as Values. The rule returns the node's value with the
record's dtype and shape. `onnx` is what docs/onnx.md shows; a rule without `fn` is not exportable
and `reason` says why. `check(r, opset)` may refuse one use (a dtype, an opset) with a reason."""
import math

import numpy as np

from ._graph import FLOATS, INTS, SIGNED, UNSIGNED, ExportError, np_dtype


class Rule:
    __slots__ = ("name", "onnx", "fn", "reason", "check", "family")

    def __init__(self, name, onnx, fn=None, reason=None, check=None, family=""):
        self.name, self.onnx, self.fn, self.reason, self.check, self.family = name, onnx, fn, reason, check, family

    @property
    def exportable(self):
        return self.fn is not None


RULES = {}
_family = "elementwise"


def rule(names, onnx, check=None):
    """Registers `fn` for each primitive in `names` (a name or a list)."""
    names = [names] if isinstance(names, str) else list(names)

    def register(fn):
        for n in names:
            RULES[n] = Rule(n, onnx, fn, check=check, family=_family)
        return fn
    return register


# ember.distributed's collectives: cpu kernels once MPI is initialised, so listed here for a stable table.
COLLECTIVES = ("all_sum", "all_prod", "all_max", "all_min", "all_reduce_start", "all_gather", "all_to_all", "broadcast",
               "send", "recv")


def unsupported(names, reason, onnx="not exportable"):
    for n in ([names] if isinstance(names, str) else names):
        RULES[n] = Rule(n, onnx, None, reason=reason, family=_family)


def _wf(dtype):
    """The float dtype composite formulas run in: float16/bfloat16 through float32, as ember computes them."""
    return "float32" if dtype in ("float16", "bfloat16") else dtype


def _f(g, x):
    return g.cast(x, _wf(x.dtype))


def _bin(g, op, a, b, out=None):
    return g.apply(op, [a, b], out)


def _k(g, value, like):
    """A 0-d constant of `like`'s dtype."""
    return g.scalar(value, like.dtype)


def _signbit(g, x):
    """x < 0, or x is -0.0 (1/x is -inf). NaN's sign bit is not visible in ONNX (no bitcast): False."""
    neg = _bin(g, "Less", x, _k(g, 0, x))
    inv = _bin(g, "Div", _k(g, 1, x), x)
    return _bin(g, "Or", neg, _bin(g, "Less", inv, _k(g, 0, x)))


def _not(g, x):
    return g.op("Not", [x], "bool", x.shape)


def _or(g, a, b):
    return _bin(g, "Or", a, b)


def _and(g, a, b):
    return _bin(g, "And", a, b)


def _isnan(g, x):
    return g.apply("IsNaN", [x])


def _finish(g, y, r):
    return g.cast(y, r["dtype"])


# ---------------------------------------------------------------- elementwise: simple maps

_UNARY = {"exp": "Exp", "log": "Log", "sqrt": "Sqrt", "sin": "Sin", "cos": "Cos", "tan": "Tan", "asin": "Asin",
          "acos": "Acos", "atan": "Atan", "sinh": "Sinh", "cosh": "Cosh", "tanh": "Tanh", "asinh": "Asinh",
          "acosh": "Acosh", "atanh": "Atanh", "fabs": "Abs"}


def _unary(onnx_op):
    def fn(g, r, xs):
        return _finish(g, g.apply(onnx_op, [xs[0]]), r)
    return fn


for _n, _o in _UNARY.items():
    rule(_n, _o)(_unary(_o))


@rule(["floor", "ceil", "rint", "round"], "Floor / Ceil / Round (half to even); integers: none (identity)")
def _rounding(g, r, xs):
    x = xs[0]
    if x.dtype not in FLOATS:
        return _finish(g, x, r)
    onnx_op = {"floor": "Floor", "ceil": "Ceil"}.get(r["op"], "Round")
    return _finish(g, g.apply(onnx_op, [x]), r)


@rule("trunc", "Where(x < 0, Ceil, Floor); integers: none")
def _trunc(g, r, xs):
    x = xs[0]
    if x.dtype not in FLOATS:
        return x
    return g.where(_bin(g, "Less", x, _k(g, 0, x)), g.apply("Ceil", [x]), g.apply("Floor", [x]))


@rule(["copy", "positive", "conj", "real", "linalg_conj", "to_device"],
      "none (the input itself; real dtypes only)")
def _same(g, r, xs):
    return xs[0]


@rule("imag", "a constant zero (real dtypes only)")
def _imag(g, r, xs):
    return g.zeros(r["shape"], r["dtype"])


@rule("abs", "Abs; bool: none")
def _abs(g, r, xs):
    return xs[0] if xs[0].dtype == "bool" else _finish(g, g.apply("Abs", [xs[0]]), r)


@rule("negative", "Neg; unsigned: Sub(0, x)")
def _negative(g, r, xs):
    x = xs[0]
    if x.dtype in UNSIGNED:
        return _finish(g, _bin(g, "Sub", _k(g, 0, x), x), r)
    return _finish(g, g.apply("Neg", [x]), r)


@rule("square", "Mul(x, x)")
def _square(g, r, xs):
    return _finish(g, _bin(g, "Mul", xs[0], xs[0]), r)


@rule("sign", "Sign (NaN kept by Where)")
def _sign(g, r, xs):
    x = xs[0]
    s = g.apply("Sign", [x])
    if x.dtype in FLOATS:
        s = g.where(_isnan(g, x), x, s)
    return _finish(g, s, r)


@rule("reciprocal", "Reciprocal; integers: Div(1, x)")
def _reciprocal(g, r, xs):
    x = xs[0]
    if x.dtype in FLOATS:
        return _finish(g, g.apply("Reciprocal", [x]), r)
    return _finish(g, _bin(g, "Div", _k(g, 1, x), x), r)


@rule("cbrt", "Pow(|x|, 1/3) with the sign of x")
def _cbrt(g, r, xs):
    x = _f(g, xs[0])
    third = _k(g, 1.0 / 3.0, x)
    mag = _bin(g, "Pow", g.apply("Abs", [x]), third)
    y = g.where(_bin(g, "Less", x, _k(g, 0, x)), g.apply("Neg", [mag]), mag)
    return _finish(g, y, r)


@rule("exp2", "Pow(2, x)")
def _exp2(g, r, xs):
    x = _f(g, xs[0])
    return _finish(g, _bin(g, "Pow", _k(g, 2.0, x), x), r)


@rule(["log2", "log10"], "Log(x) * (1 / log(base))")
def _logbase(g, r, xs):
    x = _f(g, xs[0])
    k = 1.0 / math.log(2.0 if r["op"] == "log2" else 10.0)
    return _finish(g, _bin(g, "Mul", g.apply("Log", [x]), _k(g, k, x)), r)


def _expm1_f(g, x):
    # Kahan's expm1: (u - 1) * x / log(u) with u = exp(x) corrects the rounding of u; exact ends kept.
    u = g.apply("Exp", [x])
    um1 = _bin(g, "Sub", u, _k(g, 1, x))
    q = _bin(g, "Div", _bin(g, "Mul", um1, x), g.apply("Log", [u]))
    y = g.where(_bin(g, "Equal", um1, _k(g, -1, x)), um1, q)
    y = g.where(g.apply("IsInf", [u]), u, y)
    return g.where(_bin(g, "Equal", u, _k(g, 1, x)), x, y)


def _log1p_f(g, x):
    # Kahan's log1p: log(u) * x / (u - 1) with u = 1 + x.
    u = _bin(g, "Add", _k(g, 1, x), x)
    q = _bin(g, "Div", _bin(g, "Mul", g.apply("Log", [u]), x), _bin(g, "Sub", u, _k(g, 1, x)))
    y = g.where(_bin(g, "Equal", u, _k(g, math.inf, x)), u, q)
    return g.where(_bin(g, "Equal", u, _k(g, 1, x)), x, y)


@rule("expm1", "Exp, Log, Where (Kahan's formula)")
def _expm1(g, r, xs):
    return _finish(g, _expm1_f(g, _f(g, xs[0])), r)


@rule("log1p", "Log, Where (Kahan's formula)")
def _log1p(g, r, xs):
    return _finish(g, _log1p_f(g, _f(g, xs[0])), r)


@rule(["deg2rad", "rad2deg"], "Mul by pi/180 or 180/pi")
def _angle(g, r, xs):
    x = _f(g, xs[0])
    k = math.pi / 180.0 if r["op"] == "deg2rad" else 180.0 / math.pi
    return _finish(g, _bin(g, "Mul", x, _k(g, k, x)), r)


@rule("isnan", "IsNaN; integers: constant False")
def _isnan_rule(g, r, xs):
    x = xs[0]
    return _isnan(g, x) if x.dtype in FLOATS else g.fill(r["shape"], False, "bool")


@rule("isinf", "IsInf; integers: constant False")
def _isinf(g, r, xs):
    x = xs[0]
    return g.apply("IsInf", [x]) if x.dtype in FLOATS else g.fill(r["shape"], False, "bool")


@rule("isfinite", "Not(IsNaN or IsInf); integers: constant True")
def _isfinite(g, r, xs):
    x = xs[0]
    if x.dtype not in FLOATS:
        return g.fill(r["shape"], True, "bool")
    return _not(g, _or(g, _isnan(g, x), g.apply("IsInf", [x])))


@rule("signbit", "Less(x, 0) or Less(1/x, 0) (-0.0); NaN's sign is not visible")
def _signbit_rule(g, r, xs):
    x = xs[0]
    if x.dtype not in FLOATS:
        return _bin(g, "Less", x, _k(g, 0, x)) if x.dtype in SIGNED else g.fill(r["shape"], False, "bool")
    return _signbit(g, _f(g, x))


@rule("logical_not", "Not")
def _logical_not(g, r, xs):
    return _not(g, xs[0])


@rule("bitwise_invert", "BitwiseNot (opset >= 18); bool: Not; opset < 18: -x - 1 / MAX - x")
def _invert(g, r, xs):
    x = xs[0]
    if x.dtype == "bool":
        return _not(g, x)
    if g.opset >= 18:
        return g.apply("BitwiseNot", [x])
    if x.dtype in SIGNED:
        return _finish(g, _bin(g, "Sub", g.apply("Neg", [x]), _k(g, 1, x)), r)
    return _finish(g, _bin(g, "Sub", _k(g, np.iinfo(x.dtype).max, x), x), r)


# ---------------------------------------------------------------- elementwise: binary

@rule("add", "Add; bool: Or")
def _add(g, r, xs):
    return _bin(g, "Or" if xs[0].dtype == "bool" else "Add", *xs)


@rule("multiply", "Mul; bool: And")
def _mul(g, r, xs):
    return _bin(g, "And" if xs[0].dtype == "bool" else "Mul", *xs)


@rule("subtract", "Sub")
def _sub(g, r, xs):
    return _bin(g, "Sub", *xs)


@rule("divide", "Div")
def _div(g, r, xs):
    return _bin(g, "Div", *xs)


@rule(["pow", "float_power"], "Pow")
def _pow(g, r, xs):
    return _finish(g, _bin(g, "Pow", *xs), r)


@rule(["equal", "less", "less_equal", "greater", "greater_equal"],
      "Equal / Less / LessOrEqual / Greater / GreaterOrEqual")
def _compare(g, r, xs):
    onnx_op = {"equal": "Equal", "less": "Less", "less_equal": "LessOrEqual", "greater": "Greater",
               "greater_equal": "GreaterOrEqual"}[r["op"]]
    return _bin(g, onnx_op, *xs)


@rule("not_equal", "Not(Equal)")
def _not_equal(g, r, xs):
    return _not(g, _bin(g, "Equal", *xs))


@rule(["logical_and", "logical_or", "logical_xor"], "And / Or / Xor")
def _logical(g, r, xs):
    return _bin(g, {"logical_and": "And", "logical_or": "Or", "logical_xor": "Xor"}[r["op"]], *xs)


def _bitwise_check(r, opset):
    if r["dtype"] != "bool" and opset < 18:
        return f"{r['op']} on {r['dtype']} needs opset >= 18 (BitwiseAnd/Or/Xor); export with opset=18"
    return None


@rule(["bitwise_and", "bitwise_or", "bitwise_xor"], "BitwiseAnd / BitwiseOr / BitwiseXor (opset >= 18); "
      "bool: And / Or / Xor", check=_bitwise_check)
def _bitwise(g, r, xs):
    i = ["bitwise_and", "bitwise_or", "bitwise_xor"].index(r["op"])
    if xs[0].dtype == "bool":
        return _bin(g, ("And", "Or", "Xor")[i], *xs)
    return _bin(g, ("BitwiseAnd", "BitwiseOr", "BitwiseXor")[i], *xs)


@rule(["maximum", "minimum"], "Where(Less(a, b), b, a), NaN propagated; bool: Or / And")
def _extremum(g, r, xs):
    a, b = xs
    mx = r["op"] == "maximum"
    if a.dtype == "bool":
        return _bin(g, "Or" if mx else "And", a, b)
    y = g.where(_bin(g, "Less", a, b) if mx else _bin(g, "Less", b, a), b, a)
    # A NaN in `a` already comes out of the Where (comparisons with NaN are false); only a NaN in `b`
    # needs the extra test, so a constant `b` without NaN (relu's 0) needs none.
    b_value = g.known.get(b.name)
    if a.dtype in FLOATS and (b_value is None or np.isnan(b_value.astype(np.float32)).any()):
        y = g.where(_or(g, _isnan(g, a), _isnan(g, b)), _bin(g, "Add", a, b), y)
    return y


@rule(["fmax", "fmin"], "Where(a >= b or IsNaN(b), a, b)")
def _fextremum(g, r, xs):
    a, b = xs
    if a.dtype == "bool":
        return _bin(g, "Or" if r["op"] == "fmax" else "And", a, b)
    take_a = _bin(g, "GreaterOrEqual" if r["op"] == "fmax" else "LessOrEqual", a, b)
    if a.dtype in FLOATS:
        take_a = _or(g, take_a, _isnan(g, b))
    return g.where(take_a, a, b)


def _int_divmod(g, a, b):
    """C-style quotient and remainder with a safe divisor (0 and -1 give 1: ONNX Runtime traps on them)."""
    bad = _bin(g, "Equal", b, _k(g, 0, b))
    if b.dtype in SIGNED:
        bad = _or(g, bad, _bin(g, "Equal", b, _k(g, -1, b)))
    safe = g.where(bad, _k(g, 1, b), b)
    return _bin(g, "Div", a, safe), g.apply("Mod", [a, safe], fmod=1), bad


@rule(["floor_divide", "remainder", "fmod"], "Div, Mod (fmod=1), Where (NumPy's rules; integer x/0 gives 0)")
def _divmod(g, r, xs):
    a, b = xs
    op = r["op"]
    if a.dtype in FLOATS:
        a, b = _f(g, a), _f(g, b)
        zero = _k(g, 0, a)
        mod = g.apply("Mod", [a, b], fmod=1)
        if op == "fmod":
            return _finish(g, mod, r)
        # The signs of mod and b differ (mod != 0): the floored result needs one more step.
        adjust = _and(g, _not(g, _bin(g, "Equal", mod, zero)),
                      _bin(g, "Xor", _bin(g, "Less", b, zero), _bin(g, "Less", mod, zero)))
        if op == "remainder":
            signed_zero = g.where(_signbit(g, b), _k(g, -0.0, a), zero)
            y = g.where(adjust, _bin(g, "Add", mod, b), mod)
            y = g.where(_bin(g, "Equal", mod, zero), signed_zero, y)
            return _finish(g, y, r)
        div = _bin(g, "Div", _bin(g, "Sub", a, mod), b)
        div = g.where(adjust, _bin(g, "Sub", div, _k(g, 1, a)), div)
        fl = g.apply("Floor", [div])
        fl = g.where(_bin(g, "Greater", _bin(g, "Sub", div, fl), _k(g, 0.5, a)), _bin(g, "Add", fl, _k(g, 1, a)), fl)
        q = _bin(g, "Div", a, b)
        signed_zero = g.where(_signbit(g, q), _k(g, -0.0, a), zero)
        fl = g.where(_bin(g, "Equal", div, zero), signed_zero, fl)
        fl = g.where(_bin(g, "Equal", b, zero), q, fl)
        return _finish(g, fl, r)
    q, m, bad = _int_divmod(g, a, b)
    zero = _k(g, 0, a)
    if a.dtype in SIGNED:
        adjust = _and(g, _not(g, _bin(g, "Equal", m, zero)),
                      _bin(g, "Xor", _bin(g, "Less", m, zero), _bin(g, "Less", b, zero)))
    if op == "fmod":
        return g.where(bad, zero, m)
    if op == "remainder":
        if a.dtype in SIGNED:
            m = g.where(adjust, _bin(g, "Add", m, b), m)
        return g.where(bad, zero, m)
    if a.dtype in SIGNED:
        q = g.where(adjust, _bin(g, "Sub", q, _k(g, 1, a)), q)
        minus_one = _bin(g, "Equal", b, _k(g, -1, b))
        return g.where(minus_one, _bin(g, "Sub", zero, a), g.where(bad, zero, q))
    return g.where(bad, zero, q)


def _shift_amount(g, b, bits):
    """b as int64 and whether it is out of range (negative or >= bits)."""
    b64 = g.cast(b, "int64")
    out = _or(g, _bin(g, "Less", b64, _k(g, 0, b64)), _bin(g, "GreaterOrEqual", b64, _k(g, bits, b64)))
    return b64, out


@rule(["bitwise_left_shift", "bitwise_right_shift"], "BitShift on uint64 (Cast around it), Where")
def _shift(g, r, xs):
    a, b = xs
    bits = np.dtype(a.dtype).itemsize * 8
    b64, out = _shift_amount(g, b, bits)
    safe = g.cast(g.where(out, _k(g, 0, b64), b64), "uint64")
    left = r["op"] == "bitwise_left_shift"
    if left:
        u = g.cast(g.cast(a, "int64") if a.dtype in SIGNED else a, "uint64")
        y = g.cast(g.op("BitShift", [u, safe], "uint64", u.shape, direction="LEFT"), "int64")
        y = g.cast(y if a.dtype in SIGNED else g.cast(y, "uint64"), a.dtype)
        return g.where(out, _k(g, 0, a), y)
    if a.dtype in UNSIGNED:
        y = g.cast(g.op("BitShift", [g.cast(a, "uint64"), safe], "uint64", a.shape, direction="RIGHT"), a.dtype)
        return g.where(out, _k(g, 0, a), y)
    # Arithmetic shift of a negative a: ~((~a) >> b), with ~a = -a - 1 >= 0.
    a64 = g.cast(a, "int64")
    neg = _bin(g, "Less", a64, _k(g, 0, a64))
    pos = g.where(neg, _bin(g, "Sub", g.apply("Neg", [a64]), _k(g, 1, a64)), a64)
    clamp = g.cast(g.where(out, _k(g, bits - 1, b64), b64), "uint64")
    s = g.cast(g.op("BitShift", [g.cast(pos, "uint64"), clamp], "uint64", a.shape, direction="RIGHT"), "int64")
    y = g.where(neg, _bin(g, "Sub", g.apply("Neg", [s]), _k(g, 1, s)), s)
    return g.cast(y, a.dtype)


@rule("atan2", "Atan(y / x) with quadrant fixes (Where)")
def _atan2(g, r, xs):
    y, x = _f(g, xs[0]), _f(g, xs[1])
    zero, pi = _k(g, 0, x), math.pi
    sy = g.where(_signbit(g, y), _k(g, -1, y), _k(g, 1, y))  # the sign of y, -0.0 included
    base = g.apply("Atan", [_bin(g, "Div", y, x)])
    res = g.where(_bin(g, "Less", x, zero), _bin(g, "Add", base, _bin(g, "Mul", sy, _k(g, pi, x))), base)
    # x == 0 (either sign): +-pi/2, or for y == 0: y itself (x = +0) or +-pi (x = -0).
    at_zero = g.where(_bin(g, "Equal", y, zero),
                      g.where(_signbit(g, x), _bin(g, "Mul", sy, _k(g, pi, x)), y),
                      _bin(g, "Mul", sy, _k(g, pi / 2, x)))
    res = g.where(_bin(g, "Equal", x, zero), at_zero, res)
    both_inf = _and(g, g.apply("IsInf", [x]), g.apply("IsInf", [y]))
    inf_val = _bin(g, "Mul", sy, g.where(_bin(g, "Greater", x, zero), _k(g, pi / 4, x), _k(g, 3 * pi / 4, x)))
    res = g.where(both_inf, inf_val, res)
    res = g.where(_or(g, _isnan(g, x), _isnan(g, y)), _bin(g, "Add", x, y), res)
    return _finish(g, res, r)


@rule("hypot", "m * Sqrt(1 + (n/m)^2), m = max(|a|, |b|) (no overflow)")
def _hypot(g, r, xs):
    a, b = g.apply("Abs", [_f(g, xs[0])]), g.apply("Abs", [_f(g, xs[1])])
    m = g.where(_bin(g, "Less", a, b), b, a)
    n = g.where(_bin(g, "Less", a, b), a, b)
    zero = _k(g, 0, a)
    safe = g.where(_bin(g, "Equal", m, zero), _k(g, 1, a), m)
    q = _bin(g, "Div", n, safe)
    h = _bin(g, "Mul", m, g.apply("Sqrt", [_bin(g, "Add", _k(g, 1, a), _bin(g, "Mul", q, q))]))
    h = g.where(_bin(g, "Equal", m, zero), zero, h)
    h = g.where(_or(g, _isnan(g, a), _isnan(g, b)), _bin(g, "Add", a, b), h)
    inf = _or(g, g.apply("IsInf", [a]), g.apply("IsInf", [b]))
    return _finish(g, g.where(inf, _k(g, math.inf, a), h), r)


@rule("copysign", "Where(signbit(b), -|a|, |a|)")
def _copysign(g, r, xs):
    a, b = _f(g, xs[0]), _f(g, xs[1])
    m = g.apply("Abs", [a])
    return _finish(g, g.where(_signbit(g, b), g.apply("Neg", [m]), m), r)


@rule("heaviside", "Where")
def _heaviside(g, r, xs):
    x, h = xs
    zero = _k(g, 0, x)
    y = g.where(_bin(g, "Less", x, zero), zero, _k(g, 1, x))
    y = g.where(_bin(g, "Equal", x, zero), h, y)
    return g.where(_isnan(g, x), x, y)


@rule(["logaddexp", "logaddexp2"], "Max + log1p(exp(-|a - b|)) (Exp/Pow, Log, Where)")
def _logaddexp(g, r, xs):
    a, b = _f(g, xs[0]), _f(g, xs[1])
    two = r["op"] == "logaddexp2"
    d = _bin(g, "Sub", a, b)
    nd = g.apply("Neg", [g.apply("Abs", [d])])
    e = _bin(g, "Pow", _k(g, 2.0, a), nd) if two else g.apply("Exp", [nd])
    l1 = _log1p_f(g, e)
    if two:
        l1 = _bin(g, "Mul", l1, _k(g, 1.0 / math.log(2.0), a))
    m = g.where(_bin(g, "Greater", d, _k(g, 0, a)), a, b)
    y = _bin(g, "Add", m, l1)
    y = g.where(_isnan(g, d), d, y)
    y = g.where(_bin(g, "Equal", a, b), _bin(g, "Add", a, _k(g, 1.0 if two else math.log(2.0), a)), y)
    return _finish(g, y, r)


unsupported("nextafter", "needs the bits of a float (ONNX has no bitcast)")


@rule("where", "Where")
def _where(g, r, xs):
    return g.where(*xs)


@rule("astype", "Cast")
def _astype(g, r, xs):
    return g.cast(xs[0], r["dtype"])


# ---------------------------------------------------------------- creation (constants)
_family = "creation"


@rule("full", "a constant (initializer, or ConstantOfShape when large)")
def _full(g, r, xs):
    return g.fill(r["shape"], r["scalars"][0], r["dtype"])


def _host_dtype(dtype):
    return np.float32 if dtype in ("float16", "bfloat16") else np_dtype(dtype)


@rule("arange", "a constant (initializer)")
def _arange(g, r, xs):
    (n,), dtype = r["shape"], r["dtype"]
    start, step = r["scalars"]
    i = np.arange(n)
    if dtype in INTS:
        vals = (int(start) + i.astype(np.int64) * int(step)).astype(np_dtype(dtype))
    else:
        vals = (float(start) + i.astype(np.float64) * float(step)).astype(np_dtype(dtype))
    return g.const(vals, dtype)


@rule("linspace", "a constant (initializer)")
def _linspace(g, r, xs):
    (num,), dtype = r["shape"], r["dtype"]
    start, stop = (float(s) for s in r["scalars"])
    div = num - 1 if r["flag"] else num
    v = start + np.arange(num, dtype=np.float64) * ((stop - start) / div) if div > 0 else np.full(num, start)
    if r["flag"] and num > 1:
        v[-1] = stop
    return g.const(v.astype(_host_dtype(dtype)).astype(np_dtype(dtype)), dtype)


@rule("eye", "a constant (initializer)")
def _eye(g, r, xs):
    n, m = r["shape"]
    return g.const(np.eye(n, m, r["ints"][0]).astype(np_dtype(r["dtype"])), r["dtype"])


unsupported("random", "ember's Philox streams have no ONNX equivalent (RandomUniform/RandomNormal draw other values)")

# ---------------------------------------------------------------- reductions and scans
_family = "reduction"


def _nan_any(g, x, axes, keepdims):
    return g.cast(g.reduce("ReduceMax", g.cast(_isnan(g, x), "uint8"), axes, keepdims), "bool")


@rule(["sum", "prod"], "ReduceSum / ReduceProd (+ initial)")
def _sum(g, r, xs):
    x = xs[0]
    prod = r["op"] == "prod"
    y = g.reduce("ReduceProd" if prod else "ReduceSum", x, r["axes"], r["flag"])
    if r["scalars"]:
        y = _bin(g, "Mul" if prod else "Add", y, g.scalar(r["scalars"][0], y.dtype))
    return _finish(g, y, r)


@rule(["max", "min"], "ReduceMax / ReduceMin, NaN propagated (IsNaN, Where)")
def _maxmin(g, r, xs):
    x = xs[0]
    mx = r["op"] == "max"
    if x.dtype == "bool":
        y = g.cast(g.reduce("ReduceMax" if mx else "ReduceMin", g.cast(x, "uint8"), r["axes"], r["flag"]), "bool")
    else:
        y = g.reduce("ReduceMax" if mx else "ReduceMin", x, r["axes"], r["flag"])
    if r["scalars"]:
        init = g.scalar(r["scalars"][0], y.dtype)
        y = _extremum(g, {"op": "maximum" if mx else "minimum"}, [y, init])
    if x.dtype in FLOATS:
        y = g.where(_nan_any(g, x, r["axes"], r["flag"]), g.scalar(math.nan, y.dtype), y)
    return _finish(g, y, r)


@rule(["all", "any"], "ReduceMin / ReduceMax over Cast(uint8)")
def _allany(g, r, xs):
    x = xs[0]
    if x.dtype != "bool":  # truth is x != 0 (a cast would truncate 0.5 to 0)
        x = _not(g, _bin(g, "Equal", x, _k(g, 0, x)))
    x = g.cast(x, "uint8")
    y = g.reduce("ReduceMin" if r["op"] == "all" else "ReduceMax", x, r["axes"], r["flag"])
    return g.cast(y, "bool")


@rule(["argmax", "argmin"], "ArgMax / ArgMin (the first NaN wins, as NumPy)")
def _argreduce(g, r, xs):
    x = xs[0]
    onnx_op = "ArgMax" if r["op"] == "argmax" else "ArgMin"
    ax, keep = int(r["axes"][0]), int(r["flag"])
    xc = g.cast(x, "uint8") if x.dtype == "bool" else x
    compute = g.compute_dtype(onnx_op, xc.dtype)
    y = g.op(onnx_op, [g.cast(xc, compute)], "int64", r["shape"], axis=ax, keepdims=keep)
    if x.dtype in FLOATS:
        isn = g.cast(_isnan(g, x), "uint8")
        first_nan = g.op("ArgMax", [isn], "int64", r["shape"], axis=ax, keepdims=keep)
        y = g.where(_nan_any(g, x, [ax], keep), first_nan, y)
    return y


def _with_initial(g, y, ax, value):
    """`y` with a slice of `value` prepended along `ax` (cumsum/cumprod's include_initial)."""
    shape = list(y.shape)
    shape[ax] = 1
    first = g.fill(shape, value, y.dtype)
    out = list(y.shape)
    out[ax] += 1
    return g.op("Concat", [first, y], y.dtype, out, axis=ax)


@rule("cumsum", "CumSum (+ Concat for include_initial)")
def _cumsum(g, r, xs):
    x = xs[0]
    ax = int(r["axes"][0])
    compute = g.compute_dtype("CumSum", x.dtype)
    y = g.cast(g.op("CumSum", [g.cast(x, compute), g.const(np.asarray(ax, np.int64), "int64")], compute, x.shape),
               x.dtype)
    return _with_initial(g, y, ax, 0) if r["flag"] else y


@rule("cumprod", "ReduceProd over a lower-triangular Where (n^2 elements; no ONNX CumProd)")
def _cumprod(g, r, xs):
    x = xs[0]
    ax = int(r["axes"][0])
    nd = len(x.shape)
    n = x.shape[ax]
    perm = [i for i in range(nd) if i != ax] + [ax]
    xt = g.transpose(x, perm)  # (..., n)
    rows = tuple(xt.shape[:-1])
    tri = g.const(np.tril(np.ones((n, n), dtype=bool)), "bool")  # [out j, in i]: i <= j
    xe = g.reshape(xt, rows + (1, n))
    m = g.where(tri, xe, g.scalar(1, x.dtype))  # (..., n, n)
    y = g.reduce("ReduceProd", m, [len(rows) + 1], False)
    inv = list(np.argsort(perm))
    y = g.transpose(y, inv)
    return _with_initial(g, y, ax, 1) if r["flag"] else y


@rule("nonzero_count", "ReduceSum(Cast(x != 0))")
def _nonzero_count(g, r, xs):
    x = xs[0]
    nz = _not(g, _bin(g, "Equal", x, _k(g, 0, x))) if x.dtype != "bool" else x
    return g.reduce("ReduceSum", g.cast(nz, "int64"), range(len(x.shape)), False)


# ---------------------------------------------------------------- movement and indexing
_family = "movement"


def _flat_index(shape, offset, strides):
    """The element offsets of a strided view, as an int64 array of the view's shape."""
    idx = np.full(tuple(shape), offset, dtype=np.int64)
    for d, (n, s) in enumerate(zip(shape, strides)):
        sh = [1] * len(shape)
        sh[d] = n
        idx = idx + (np.arange(n, dtype=np.int64) * s).reshape(sh)
    return idx


def _contiguous(shape):
    st, acc = [], 1
    for n in reversed(shape):
        st.append(acc)
        acc *= n
    return tuple(reversed(st))


def _view_plan(in_shape, shape, offset, strides):
    """Slices of the input's axes that make the view, or None: [(axis, start, step, n, out_dim)]."""
    cs = _contiguous(in_shape)
    starts = [(offset // c) % n if n else 0 for c, n in zip(cs, in_shape)]
    if sum(s * c for s, c in zip(starts, cs)) != offset:
        return None
    used, plan = set(), []
    for d, (n, t) in enumerate(zip(shape, strides)):
        if n == 1 or t == 0:
            continue
        for j, c in enumerate(cs):  # the outermost axis whose stride divides t
            if j in used or t % c or in_shape[j] <= 1:
                continue
            step = t // c
            last = starts[j] + (n - 1) * step
            if 0 <= last < in_shape[j]:
                used.add(j)
                plan.append((j, starts[j], step, n, d))
                break
        else:
            return None
    return plan, starts


@rule("as_strided", "Reshape, or Slice + Transpose + Reshape + Expand; otherwise Gather of constant indices")
def _as_strided(g, r, xs):
    x = xs[0]
    shape, strides, offset = tuple(r["shape"]), tuple(r["strides"]), int(r["offset"])
    size = int(np.prod(shape))
    if size == 0:
        return g.zeros(shape, r["dtype"])
    if offset == 0 and size == int(np.prod(x.shape)) and all(
            n == 1 or s == c for n, s, c in zip(shape, strides, _contiguous(shape))):
        return g.reshape(x, shape)
    found = _view_plan(x.shape, shape, offset, strides)
    if found is None:  # any other window: gather its elements from the flat input
        flat = g.reshape(x, (int(np.prod(x.shape)),))
        idx = g.const(_flat_index(shape, offset, strides), "int64")
        return g.op("Gather", [flat, idx], x.dtype, shape, axis=0)
    plan, starts = found
    matched = {j for j, *_ in plan}
    begin, end, steps = [], [], []
    for j, n_in in enumerate(x.shape):
        p = next((q for q in plan if q[0] == j), None)
        if p is None:
            begin.append(starts[j]), end.append(starts[j] + 1), steps.append(1)
        else:
            _, s, st, n, _ = p
            stop = s + (n - 1) * st + (1 if st > 0 else -1)
            begin.append(s), end.append(stop if stop >= 0 else -(2 ** 63)), steps.append(st)
    sliced_shape = tuple(next((q[3] for q in plan if q[0] == j), 1) for j in range(len(x.shape)))
    y = x
    if sliced_shape != tuple(x.shape) or any(s < 0 for s in steps):
        axes = list(range(len(x.shape)))
        y = g.op("Slice", [x, g.ints(begin), g.ints(end), g.ints(axes), g.ints(steps)], x.dtype, sliced_shape)
    order = [q[0] for q in sorted(plan, key=lambda q: q[4])]
    perm = order + [j for j in range(len(x.shape)) if j not in matched]
    y = g.transpose(y, perm)
    pre = tuple(1 if t == 0 else n for n, t in zip(shape, strides))
    y = g.reshape(y, pre)
    return g.expand(y, shape)


@rule("concat", "Concat")
def _concat(g, r, xs):
    return g.op("Concat", xs, r["dtype"], r["shape"], axis=int(r["axes"][0]))


def _normalize_index(g, idx, n):
    return g.where(_bin(g, "Less", idx, _k(g, 0, idx)), _bin(g, "Add", idx, _k(g, n, idx)), idx)


def _gather_advanced(g, x, idxs, axes, advanced_first, out_shape):
    """x[..., idx, ...] as NumPy: Gather for one index, else Transpose + GatherND (+ Transpose)."""
    idxs = [_normalize_index(g, g.cast(i, "int64"), x.shape[a]) for i, a in zip(idxs, axes)]
    b = tuple(idxs[0].shape)
    if len(idxs) == 1 and not advanced_first:
        return g.op("Gather", [x, idxs[0]], x.dtype, out_shape, axis=int(axes[0]))
    nd = len(x.shape)
    plain = [a for a in range(nd) if a not in axes]
    xt = g.transpose(x, list(axes) + plain)
    stacked = g.op("Concat", [g.reshape(i, b + (1,)) for i in idxs], "int64", b + (len(idxs),), axis=-1)
    mid = b + tuple(x.shape[a] for a in plain)
    y = g.op("GatherND", [xt, stacked], x.dtype, mid)
    if advanced_first:
        return y
    first = min(axes)  # plain axes before the (adjacent) advanced ones go in front
    nb = len(b)
    perm = list(range(nb, nb + first)) + list(range(nb)) + list(range(nb + first, len(mid)))
    return g.transpose(y, perm)


@rule("gather", "Gather, or Transpose + GatherND (+ Transpose)")
def _gather(g, r, xs):
    return _gather_advanced(g, xs[0], xs[1:], [int(a) for a in r["axes"]], r["flag"], tuple(r["shape"]))


def _scatter_flat(g, old, positions, value):
    """`old` with the elements at flat `positions` replaced by `value` (same shape as positions)."""
    n = int(np.prod(old.shape))
    m = int(np.prod(positions.shape))
    if m == 0:
        return old
    flat = g.reshape(old, (n,))
    upd = g.op("ScatterND", [flat, g.reshape(positions, (m, 1)), g.reshape(value, (m,))], old.dtype, (n,))
    return g.reshape(upd, old.shape)


@rule("set_view", "ScatterND at the view's constant flat indices")
def _set_view(g, r, xs):
    old, value = xs
    pos = g.const(_flat_index(value.shape, int(r["offset"]), r["strides"]), "int64")
    return _scatter_flat(g, old, pos, value)


@rule("scatter", "ScatterND at flat indices gathered from the view's constant index array")
def _scatter(g, r, xs):
    old, value, idxs = xs[0], xs[1], xs[2:]
    k = len(idxs)
    view_shape = tuple(r["ints"][k:])
    flat = g.const(_flat_index(view_shape, int(r["offset"]), r["strides"]), "int64")
    pos = _gather_advanced(g, flat, idxs, [int(a) for a in r["axes"]], r["flag"], tuple(value.shape))
    return _scatter_flat(g, old, pos, value)


unsupported(["nonzero", "unique_info", "unique_gather", "repeat_indices"],
            "data-dependent output shape (ONNX for NPUs needs static shapes)")

# ---------------------------------------------------------------- sorting
_family = "sorting"


@rule(["sort", "argsort"], "TopK (k = n; ties keep index order)")
def _sort(g, r, xs):
    x = xs[0]
    ax = int(r["axes"][0])
    n = x.shape[ax]
    if n == 0:
        return g.zeros(r["shape"], r["dtype"])
    xc = g.cast(x, "uint8") if x.dtype == "bool" else x
    compute = g.compute_dtype("TopK", xc.dtype)
    vals, idx = g.op("TopK", [g.cast(xc, compute), g.ints([n])], compute, x.shape, outputs=2, axis=ax,
                     largest=int(r["flag"]), sorted=1)
    idx.dtype = "int64"
    return idx if r["op"] == "argsort" else g.cast(vals, x.dtype)


@rule("searchsorted", "Less / LessOrEqual against every element, ReduceSum (n*m elements)")
def _searchsorted(g, r, xs):
    x, v = xs[0], xs[1]
    if len(xs) > 2:
        x = g.op("Gather", [x, xs[2]], x.dtype, x.shape, axis=0)
    n = x.shape[0]
    xr = g.reshape(x, (1,) * len(v.shape) + (n,))
    ve = g.reshape(v, tuple(v.shape) + (1,))
    below = _bin(g, "LessOrEqual" if r["flag"] else "Less", xr, ve)
    return g.reduce("ReduceSum", g.cast(below, "int64"), [len(v.shape)], False)


# ---------------------------------------------------------------- linear algebra
_family = "linalg"


@rule("matmul", "MatMul (bool: through int64, then > 0)")
def _matmul(g, r, xs):
    a, b = xs
    if a.dtype == "bool":
        y = g.op("MatMul", [g.cast(a, "int64"), g.cast(b, "int64")], "int64", r["shape"])
        return _bin(g, "Greater", y, _k(g, 0, y))
    compute = g.compute_dtype("MatMul", a.dtype)
    y = g.op("MatMul", [g.cast(a, compute), g.cast(b, compute)], compute, r["shape"])
    return g.cast(y, r["dtype"])


@rule("vector_norm", "ReduceL2 / ReduceL1 / ReduceMax(Abs) / ReduceMin(Abs) / Pow + ReduceSum")
def _vector_norm(g, r, xs):
    x = _f(g, xs[0])
    k = int(r["ints"][0])
    nd = len(x.shape)
    axes = list(range(nd - k, nd))
    ord_ = float(r["scalars"][0])
    ax = g.apply("Abs", [x])
    if ord_ == 0:
        nz = g.cast(_not(g, _bin(g, "Equal", x, _k(g, 0, x))), x.dtype)
        y = g.reduce("ReduceSum", nz, axes, False)
    elif not axes:
        y = ax
    elif ord_ == 2:
        y = g.reduce("ReduceL2", x, axes, False)
    elif ord_ == 1:
        y = g.reduce("ReduceSum", ax, axes, False)
    elif math.isinf(ord_):
        y = g.reduce("ReduceMax" if ord_ > 0 else "ReduceMin", ax, axes, False)
    else:
        p = _k(g, ord_, x)
        s = g.reduce("ReduceSum", _bin(g, "Pow", ax, p), axes, False)
        y = _bin(g, "Pow", s, _k(g, 1.0 / ord_, x))
    return _finish(g, y, r)


@rule("det", "Det")
def _det(g, r, xs):
    return _finish(g, g.apply("Det", [xs[0]], shape=tuple(r["shape"])), r)


unsupported(["cholesky", "eigh", "inv", "qr", "slogdet", "solve", "svd"],
            "no standard ONNX operator (only contrib domains have Inverse; none has the decompositions)")
unsupported(list(COLLECTIVES), "an MPI collective between ranks (ember.distributed); an ONNX model runs in one process")
unsupported("linalg_output", "a further result of svd/qr/eigh/slogdet, which are not exportable")

# ---------------------------------------------------------------- graph structure (the exporter's)
_family = "graph"
RULES["parameter"] = Rule("parameter", "a graph input", lambda g, r, xs: None, family=_family)
RULES["leaf"] = Rule("leaf", "an initializer (the evaluated value)", lambda g, r, xs: None, family=_family)


def _control(g, r, xs):
    return g.control(r, xs)


for _n, _o in {"cond": "If", "while_loop": "Loop (condition body inlined before and in the loop)",
               "fori_loop": "Loop (trip count upper - lower)", "scan": "Loop (rows by Gather, ys as scan outputs)",
               "call": "inlined (no node)"}.items():
    RULES[_n] = Rule(_n, _o, _control, family=_family)
RULES["control_output"] = Rule("control_output", "the control node's output (no node)",
                               lambda g, r, xs: xs[0][int(r["ints"][0])], family=_family)


def refusal(r, opset):
    """Why this record cannot be exported at `opset`, or None."""
    rl = RULES.get(r["op"])
    if rl is None:
        return "no ONNX rule for this primitive"
    if not rl.exportable:
        return rl.reason
    for dt in [r["dtype"]]:
        if dt.startswith("complex") and r["op"] not in ("cond", "while_loop", "fori_loop", "scan", "call"):
            return f"dtype {dt}: complex numbers are not exported"
    if rl.check is not None:
        return rl.check(r, opset)
    return None


def check_known(ops):
    unknown = sorted(set(ops) - set(RULES))
    if unknown:
        raise ExportError(f"no ONNX rule for: {', '.join(unknown)}")
