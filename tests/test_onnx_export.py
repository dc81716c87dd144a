"""em.onnx.export / em.onnx.run: every exportable primitive round-trips through ONNX Runtime (CPU).

Tolerances (against ember's own result for the same jitted function):
  * exact (bit-for-bit, NaN where NaN) for integer/bool results, movement, indexing, comparisons,
    rounding, +, -, *, /, sqrt, casts;
  * ULPS_T = 8 ulp (relative, or 8 eps absolute near 0) for transcendental and composed formulas
    (exp, log, sin, atan2, expm1, log1p, cbrt, hypot, logaddexp, ...), whose ONNX Runtime kernels
    round differently from ember's libm;
  * ULPS_R = 64 eps for float reductions, matmul and cumulative products (another summation order).
float64 transcendentals that ONNX Runtime's CPU provider has no kernel for (tan, asin, sinh, ...) are
run in onnx.reference's evaluator instead, marked runner="reference".
Every exported model also passes onnx.checker (full_check) and strict shape inference."""
import logging
import os
import subprocess
import zlib
import sys
from pathlib import Path

import numpy as np
import pytest

import ember as em

ort = pytest.importorskip("onnxruntime", reason="ONNX Runtime is not installed")
onnx = pytest.importorskip("onnx")

ULPS_T = 8
ULPS_R = 64
ROOT = Path(__file__).resolve().parents[1]
rng = np.random.default_rng(7)


@pytest.fixture(autouse=True)
def _seed(request):
    # Each test draws the same data whatever runs before it.
    global rng
    rng = np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


def _np(x):
    return np.asarray(x)


def _flat(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _eps(dtype):
    return float(np.finfo(dtype).eps) if np.dtype(dtype).kind == "f" else 0.0


def roundtrip(fn, *args, ulps=0, opset=17, runner="ort", **kw):
    """Exports fn at args, checks the model, runs it and compares with ember's result."""
    jf = em.jit(fn, **kw)
    ember_args = [em.asarray(a) if isinstance(a, np.ndarray) else a for a in args]
    want = [_np(w) for w in _flat(jf(*ember_args))]
    model = em.onnx.export(jf, *ember_args, opset=opset)
    onnx.checker.check_model(model, full_check=True)
    onnx.shape_inference.infer_shapes(model, strict_mode=True)
    feeds = [a for a in args if isinstance(a, np.ndarray)]
    if runner == "ort":
        got = list(em.onnx.run(model, *feeds, providers=["CPUExecutionProvider"]))
    else:
        from onnx.reference import ReferenceEvaluator
        names = [i.name for i in model.graph.input]
        got = ReferenceEvaluator(model).run(None, dict(zip(names, feeds)))
    assert len(got) == len(want)
    for w, g in zip(want, got):
        g = np.asarray(g)
        assert g.shape == w.shape, (g.shape, w.shape)
        assert g.dtype == w.dtype, (g.dtype, w.dtype)
        if ulps == 0 or w.dtype.kind != "f":
            np.testing.assert_array_equal(g, w)
        else:
            tol = ulps * _eps(w.dtype)
            np.testing.assert_allclose(g.astype(np.float64), w.astype(np.float64), rtol=tol, atol=tol)
    return model


def rand(shape, dtype="float32", lo=-3.0, hi=3.0):
    dtype = np.dtype(dtype)
    if dtype == bool:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        lo = max(lo, np.iinfo(dtype).min)
        return rng.integers(int(lo), int(hi) + 1, size=shape).astype(dtype)
    return rng.uniform(lo, hi, size=shape).astype(dtype)


FLOATS = ["float32", "float64", "float16"]
SPECIAL = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.5, -2.5, 0.5, -0.5, 3.0])

# ---------------------------------------------------------------- unary elementwise

# (name, function, domain lo, hi, tolerance in ulp, float64 runner)
UNARY = [
    ("exp", em.exp, -5, 5, ULPS_T, "ort"), ("log", em.log, 0.01, 50, ULPS_T, "ort"),
    ("sqrt", em.sqrt, 0, 50, 0, "ort"), ("sin", em.sin, -6, 6, ULPS_T, "ort"),
    ("cos", em.cos, -6, 6, ULPS_T, "ort"), ("tan", em.tan, -1.2, 1.2, ULPS_T, "reference"),
    ("asin", em.asin, -0.99, 0.99, ULPS_T, "reference"), ("acos", em.acos, -0.99, 0.99, ULPS_T, "reference"),
    ("atan", em.atan, -9, 9, ULPS_T, "reference"), ("sinh", em.sinh, -4, 4, ULPS_T, "reference"),
    ("cosh", em.cosh, -4, 4, ULPS_T, "reference"), ("tanh", em.tanh, -4, 4, ULPS_T, "ort"),
    ("asinh", em.asinh, -9, 9, ULPS_T, "reference"), ("acosh", em.acosh, 1, 9, ULPS_T, "reference"),
    ("atanh", em.atanh, -0.95, 0.95, ULPS_T, "reference"), ("expm1", em.expm1, -3, 3, ULPS_T, "ort"),
    ("log1p", em.log1p, -0.9, 9, ULPS_T, "ort"), ("exp2", em.exp2, -8, 8, ULPS_T, "ort"),
    ("log2", em.log2, 0.01, 99, ULPS_T, "ort"), ("log10", em.log10, 0.01, 99, ULPS_T, "ort"),
    ("cbrt", em.cbrt, -20, 20, ULPS_T, "ort"), ("deg2rad", em.deg2rad, -400, 400, 1, "ort"),
    ("rad2deg", em.rad2deg, -7, 7, 1, "ort"), ("floor", em.floor, -5, 5, 0, "ort"),
    ("ceil", em.ceil, -5, 5, 0, "ort"), ("trunc", em.trunc, -5, 5, 0, "ort"), ("rint", em.rint, -5, 5, 0, "ort"),
    ("round", em.round, -5, 5, 0, "ort"), ("abs", em.abs, -5, 5, 0, "ort"), ("fabs", em.fabs, -5, 5, 0, "ort"),
    ("negative", em.negative, -5, 5, 0, "ort"), ("positive", em.positive, -5, 5, 0, "ort"),
    ("square", em.square, -5, 5, 0, "ort"), ("sign", em.sign, -5, 5, 0, "ort"),
    ("reciprocal", em.reciprocal, 0.1, 5, 0, "ort"), ("isnan", em.isnan, -5, 5, 0, "ort"),
    ("isinf", em.isinf, -5, 5, 0, "ort"), ("isfinite", em.isfinite, -5, 5, 0, "ort"),
    ("signbit", em.signbit, -5, 5, 0, "ort"),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name,f,lo,hi,ulps,runner", UNARY, ids=[u[0] for u in UNARY])
def test_unary_float(name, f, lo, hi, ulps, runner, dtype):
    x = rand((3, 5), dtype, lo, hi)
    run = runner if dtype == "float64" else "ort"
    roundtrip(f, x, ulps=ulps, runner=run)


EXACT_ON_SPECIAL = ["floor", "ceil", "trunc", "rint", "round", "abs", "fabs", "negative", "square", "sign",
                    "isnan", "isinf", "isfinite", "signbit", "sqrt", "exp", "expm1", "log1p"]


@pytest.mark.parametrize("name", EXACT_ON_SPECIAL)
def test_unary_special_values(name):
    f = getattr(em, name)
    x = SPECIAL.astype(np.float32)
    roundtrip(f, x, ulps=ULPS_T if name in ("exp", "expm1", "log1p") else 0)


_INT_UNARY = ["abs", "negative", "square", "sign", "isnan", "isinf", "isfinite", "signbit", "floor", "ceil", "trunc",
              "positive", "bitwise_invert", "logical_not", "round"]
_NOT_ON_BOOL = ("negative", "positive", "sign", "signbit")  # ember (and NumPy) reject these on bool


@pytest.mark.parametrize("name,dtype", [(n, d) for n in _INT_UNARY for d in ["int8", "uint8", "int32", "int64", "bool"]
                                        if not (d == "bool" and n in _NOT_ON_BOOL)])
def test_unary_int_bool(name, dtype):
    roundtrip(getattr(em, name), rand((4, 3), dtype, -20, 20))


def test_bfloat16_through_float32():
    x = rand((4, 4), "float32")
    roundtrip(lambda a: (em.exp(a.astype(em.bfloat16)) * a.astype(em.bfloat16)).astype(em.float32), x,
              ulps=ULPS_T)
    roundtrip(lambda a: em.sum(a.astype(em.bfloat16) + 1, axis=0).astype(em.float32), x, ulps=ULPS_R)


# ---------------------------------------------------------------- binary elementwise

BIN_EXACT = ["add", "subtract", "multiply", "maximum", "minimum", "fmax", "fmin", "equal", "not_equal", "less",
             "less_equal", "greater", "greater_equal", "floor_divide", "remainder", "fmod"]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int8", "uint8", "int32", "int64"])
@pytest.mark.parametrize("name", BIN_EXACT)
def test_binary(name, dtype):
    a = rand((3, 4), dtype, -9, 9)
    b = rand((4,), dtype, -9, 9)
    if np.dtype(dtype).kind == "f":
        b[0] = 0.0 if name not in ("floor_divide", "remainder", "fmod") else b[0]
    else:
        b[1] = 0  # integer x/0 gives 0 in NumPy and ember
        if dtype in ("int8", "int32", "int64"):
            b[2] = -1
    roundtrip(getattr(em, name), a, b)


@pytest.mark.parametrize("name", ["floor_divide", "remainder", "fmod", "maximum", "minimum", "fmax", "fmin",
                                  "copysign", "heaviside", "atan2", "hypot", "logaddexp", "logaddexp2"])
def test_binary_special_values(name):
    a = np.repeat(SPECIAL, len(SPECIAL)).astype(np.float32)
    b = np.tile(SPECIAL, len(SPECIAL)).astype(np.float32)
    ulps = ULPS_T if name in ("atan2", "hypot", "logaddexp", "logaddexp2") else 0
    roundtrip(getattr(em, name), a, b, ulps=ulps)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@pytest.mark.parametrize("c", [0.0, -0.0, 1.5, float("nan")])
def test_extremum_with_a_constant(name, c):
    # A constant second operand without NaN exports as one Where (relu's form); NaN in x still comes out.
    x = np.array(SPECIAL, dtype=np.float32)
    model = roundtrip(lambda v: getattr(em, name)(v, c), x)
    assert [n.op_type for n in model.graph.node].count("IsNaN") == (2 if c != c else 0)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ["divide", "pow", "float_power", "atan2", "hypot", "copysign", "heaviside",
                                  "logaddexp", "logaddexp2"])
def test_binary_float(name, dtype):
    a = rand((2, 3, 4), dtype, 0.1, 4)
    b = rand((3, 1), dtype, -3, 3)
    exact = name in ("divide", "copysign", "heaviside")
    runner = "reference" if (name, dtype) == ("atan2", "float64") else "ort"  # no float64 Atan kernel in ORT
    roundtrip(getattr(em, name), a, b, ulps=0 if exact else ULPS_T, runner=runner)


@pytest.mark.parametrize("dtype", ["int32", "int64", "int8", "uint8"])
def test_integer_pow(dtype):
    a = rand((5,), dtype, 0, 5)
    b = rand((5,), dtype, 0, 3)
    roundtrip(em.pow, a, b)


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor", "add", "multiply", "maximum",
                                  "minimum", "equal", "less", "greater_equal", "bitwise_and", "bitwise_xor"])
def test_bool_binary(name):
    roundtrip(getattr(em, name), rand((3, 4), bool), rand((1, 4), bool))


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int32", "int64"])
@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_invert"])
def test_bitwise_opset18(name, dtype):
    a, b = rand((6,), dtype, -100, 100), rand((6,), dtype, -100, 100)
    f = getattr(em, name)
    roundtrip((lambda x, y: f(x)) if name == "bitwise_invert" else f, a, b, opset=18)


def test_bitwise_needs_opset18():
    a = rand((3,), "int32", 0, 9)
    with pytest.raises(em.onnx.ExportError, match="bitwise_and.*opset >= 18"):
        em.onnx.export(em.bitwise_and, em.asarray(a), em.asarray(a))


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int32", "int64"])
@pytest.mark.parametrize("name", ["bitwise_left_shift", "bitwise_right_shift"])
def test_shifts(name, dtype):
    bits = np.dtype(dtype).itemsize * 8
    a = rand((12,), dtype, -100, 100)
    b = np.array([0, 1, 2, 3, bits - 1, bits, bits + 3, 5, 0, 1, 7, 2], dtype=dtype)
    roundtrip(getattr(em, name), a, b)


def test_where_and_broadcast():
    c = rand((3, 1), bool)
    roundtrip(em.where, c, rand((1, 4), "float32"), rand((4,), "float32"))
    roundtrip(em.where, c, rand((3, 4), bool), rand((4,), bool))
    roundtrip(em.where, c, rand((3, 4), "int8", -9, 9), rand((), "int8", -9, 9))
    roundtrip(lambda x: em.where(x > 0, x, 0.5), rand((2, 3), "float64"))


def test_zero_d_and_empty():
    roundtrip(lambda x, y: em.exp(x) * y + 1, rand((), "float32"), rand((), "float32"), ulps=ULPS_T)
    roundtrip(lambda x: (x + 1, em.sum(x, axis=0), em.max(x, axis=1, initial=-1.0)), rand((0, 3), "float32"))
    roundtrip(lambda x: x[::-1] * 2, rand((0,), "int32"))


# ---------------------------------------------------------------- casts and creation

CASTS = ["float32", "float64", "float16", "int8", "uint8", "int32", "int64", "bool"]


@pytest.mark.parametrize("src", CASTS)
@pytest.mark.parametrize("dst", CASTS)
def test_astype(src, dst):
    x = rand((7,), src, 0, 100)
    roundtrip(lambda a: a.astype(getattr(em, dst)), x)


def test_astype_bfloat16_rounds_to_nearest_even():
    x = (np.arange(64, dtype=np.float32) * 1.0001 + 0.5).astype(np.float32)
    roundtrip(lambda a: a.astype(em.bfloat16).astype(em.float32), x)


def test_creation_constants():
    def f(x):
        return (x + em.arange(5, dtype=em.float32), em.linspace(0, 1, 5) + x.astype(em.float64),
                em.eye(5, 5, 1, dtype=em.int32), em.zeros((40,)) + 3, em.full((3,), 7, dtype=em.int8),
                em.arange(2, 20, 3))
    roundtrip(f, rand((5,), "float32"))


# ---------------------------------------------------------------- reductions

@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int8", "int32", "int64", "bool"])
@pytest.mark.parametrize("axis,keepdims", [(None, False), (0, True), (1, False), ((0, 2), False), ((), False)])
@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "all", "any"])
def test_reductions(name, dtype, axis, keepdims):
    lo, hi = (-2, 2) if name == "prod" else (-9, 9)
    x = rand((3, 4, 2), dtype, lo, hi)
    ulps = ULPS_R if np.dtype(dtype).kind == "f" else 0
    roundtrip(lambda a: getattr(em, name)(a, axis=axis, keepdims=keepdims), x, ulps=ulps)


def test_reductions_nan_and_empty():
    x = rand((3, 4), "float32")
    x[1, 2] = np.nan
    roundtrip(lambda a: (em.max(a, axis=1), em.min(a, axis=0), em.argmax(a, axis=1), em.argmin(a, axis=1)), x)
    e = rand((0, 4), "float32")
    roundtrip(lambda a: (em.sum(a, axis=0), em.prod(a, axis=0), em.all(a > 0, axis=0), em.any(a > 0, axis=0)), e)


@pytest.mark.parametrize("dtype", ["float32", "int32", "uint8", "bool"])
def test_arg_reductions(dtype):
    x = rand((4, 5), dtype, -3, 3)  # small range: ties, first index wins
    roundtrip(lambda a: (em.argmax(a, axis=0), em.argmin(a, axis=1, keepdims=True), em.argmax(a)), x)


def test_statistics():
    x = rand((4, 6), "float32")
    roundtrip(lambda a: (em.mean(a, axis=0), em.var(a, axis=1), em.std(a), em.count_nonzero(a > 0)), x,
              ulps=ULPS_R)


@pytest.mark.parametrize("dtype", ["float32", "int32", "int64", "float64"])
def test_cumulative(dtype):
    x = rand((3, 5), dtype, -2, 3)
    roundtrip(lambda a: (em.cumsum(a, axis=1), em.cumprod(a, axis=0), em.cumulative_sum(a, axis=1, include_initial=True),
                         em.cumulative_prod(a, axis=1, include_initial=True)), x, ulps=ULPS_R)


@pytest.mark.parametrize("ord_", [2, 1, np.inf, -np.inf, 0, 3])
def test_vector_norm(ord_):
    x = rand((3, 4), "float32")
    x[0, 1] = 0
    roundtrip(lambda a: (em.linalg.vector_norm(a, ord=ord_), em.linalg.vector_norm(a, axis=1, ord=ord_)), x,
              ulps=ULPS_R)


# ---------------------------------------------------------------- movement, views, indexing

def test_views():
    x = rand((4, 5, 6), "float32")

    def f(a):
        return (a.T, a[::-1, 1:4, ::2], a[2], a[:, -1, ::-3], a[None, 1, :, None], em.broadcast_to(a[:, :1], (4, 3, 6)),
                em.flip(a, axis=(0, 2)), a.reshape(20, 6), em.moveaxis(a, 0, -1), em.squeeze(a[:, :1], 1),
                em.expand_dims(a, 1), a[1:3].reshape(-1), em.permute_dims(a, (2, 0, 1))[::2])
    roundtrip(f, x)


@pytest.mark.parametrize("dtype", ["float16", "int8", "bool", "int64"])
def test_views_dtypes(dtype):
    roundtrip(lambda a: (a.T[::-1], a[:, 1], em.broadcast_to(a[:1], (3, 4))), rand((3, 4), dtype, -9, 9))


def test_strided_fallback_gather():
    # A diagonal view has strides no axis slicing makes: exported as a Gather of constant indices.
    x = rand((4, 4), "float32")
    m = roundtrip(lambda a: em.linalg.diagonal(a) * 2, x)
    assert "Gather" in [n.op_type for n in m.graph.node]


def test_concat_stack():
    a, b = rand((2, 3), "float32"), rand((4, 3), "float32")
    roundtrip(lambda x, y: (em.concat([x, y], axis=0), em.stack([x, x], axis=1), em.concat([x, y], axis=None)), a, b)


def test_advanced_indexing():
    x = rand((5, 6, 7), "float32")
    i = np.array([[0, 4], [-1, 2]])
    j = np.array([1, -2])

    def f(a, i, j):
        return (a[i], a[:, j], a[i, j], a[:, i, j], a[j, :, j], a[0, :, j], em.take(a, j, axis=2), a[:, 1:4][j])
    roundtrip(f, x, i, j)


def test_setitem():
    x = rand((4, 5), "float32")

    def f(a, v):
        # Index arrays are constants here: a write checks its indices when it is made (a sync point).
        idx = em.asarray([0, -1])
        b = a * 1
        b[1:3, ::2] = v
        b[idx] = -1.0
        b[:, idx] = b[:, idx] + 100
        c = em.zeros((3, 3))
        c[1] = 5
        return b, c
    roundtrip(f, x, rand((2, 3), "float32"))


def test_mutated_argument_is_not_an_output():
    def f(a):
        a[0] = 1.0
        return a * 2
    m = em.onnx.export(f, em.asarray(rand((3,), "float32")))
    assert len(m.graph.output) == 1


# ---------------------------------------------------------------- sorting, searching, linalg

@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int8", "uint8", "bool", "float16"])
def test_sort(dtype):
    x = rand((4, 6), dtype, -5, 5)
    roundtrip(lambda a: (em.sort(a, axis=1), em.argsort(a, axis=0), em.sort(a, axis=0, descending=True),
                         em.argsort(a, axis=1, descending=True, stable=True)), x)


def test_searchsorted():
    x = np.sort(rand((9,), "float32"))
    v = rand((3, 4), "float32")
    v[0, 0] = x[3]
    roundtrip(lambda a, b: (em.searchsorted(a, b), em.searchsorted(a, b, side="right")), x, v)
    u = rand((9,), "int32", -50, 50)
    roundtrip(lambda a, b, s: em.searchsorted(a, b, sorter=s), u, rand((5,), "int32", -50, 50),
              np.argsort(u, kind="stable").astype(np.int64))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int32", "int8", "bool"])
def test_matmul(dtype):
    a, b = rand((2, 3, 4), dtype, -3, 3), rand((4, 5), dtype, -3, 3)
    v = rand((4,), dtype, -3, 3)
    ulps = ULPS_R if np.dtype(dtype).kind == "f" else 0
    roundtrip(lambda x, y, z: (x @ y, y.T @ z, z @ y, em.tensordot(x, y, axes=1)), a, b, v, ulps=ulps)


def test_det():
    a = rand((2, 3, 3), "float32")
    roundtrip(em.linalg.det, a, ulps=ULPS_R * 4)


# ---------------------------------------------------------------- control flow

def test_cond():
    def f(x):
        return em.cond(em.sum(x) > 0, lambda v: v + 1.0, lambda v: v * -2.0, x)
    roundtrip(f, rand((3,), "float32", 0, 2))
    roundtrip(f, rand((3,), "float32", -2, 0))


def test_autograph_if():
    def f(x):
        if em.sum(x) > 0:
            y = x * 3
        else:
            y = x - 1
        return y
    for x in (rand((2, 2), "float32", 0, 1), rand((2, 2), "float32", -1, 0)):
        roundtrip(f, x)


def test_fori_while_scan():
    c = em.asarray(np.arange(3, dtype=np.float32))

    def f(x, n):
        y = em.fori_loop(1, n, lambda i, acc: acc * 2.0 + c + i.astype(em.float32), x)
        w = em.while_loop(lambda v: em.sum(v) < 1000.0, lambda v: v * 2.0 + c, y)
        return y, w
    roundtrip(f, rand((3,), "float32", 1, 2), 4, static_argnums=1)

    def g(xs, init):
        def body(carry, x):
            new = carry * 0.5 + x
            return new, em.sum(new)
        return em.scan(body, init, xs)
    roundtrip(g, rand((5, 3), "float32"), rand((3,), "float32"), ulps=ULPS_R)


def test_fori_dynamic_bounds():
    def f(x, n):
        return em.fori_loop(0, n, lambda i, acc: acc + i, x)
    roundtrip(f, np.zeros((), np.int64), np.array(5, dtype=np.int64))
    roundtrip(f, np.zeros((), np.int64), np.array(-2, dtype=np.int64))


def test_nested_jit_call_and_loop_in_cond():
    inner = em.jit(lambda v: em.tanh(v) * 2)

    def f(x):
        y = inner(x) + inner(x * 2)
        return em.cond(em.max(y) > 0, lambda v: em.fori_loop(0, 3, lambda i, a: a + 1.0, v), lambda v: v, y)
    roundtrip(f, rand((4,), "float32"), ulps=ULPS_T)


# ---------------------------------------------------------------- errors

def test_unsupported_primitives_named():
    def f(x, y):
        return em.linalg.inv(x) @ y, em.nextafter(y, y + 1)
    with pytest.raises(em.onnx.ExportError) as e:
        em.onnx.export(f, em.asarray(rand((3, 3), "float32")), em.asarray(rand((3, 3), "float32")))
    assert isinstance(e.value, NotImplementedError)
    assert "inv" in str(e.value) and "nextafter" in str(e.value)


def test_export_arguments():
    x = em.asarray(rand((2,), "float32"))
    with pytest.raises(ValueError, match="opset"):
        em.onnx.export(em.exp, x, opset=11)
    with pytest.raises(ValueError, match="input_names"):
        em.onnx.export(em.exp, x, input_names=["a", "b"])
    m = em.onnx.export(lambda a: (a + 1, a * 2), x, input_names=["x"], output_names=["p", "q"])
    assert [i.name for i in m.graph.input] == ["x"] and [o.name for o in m.graph.output] == ["p", "q"]


def test_save_and_run_from_path(tmp_path, caplog):
    x = rand((3,), "float32")
    p = tmp_path / "f.onnx"
    em.onnx.export(lambda a: a * 2, em.asarray(x), path=str(p))
    with caplog.at_level(logging.INFO, logger="ember.onnx"):
        r = em.onnx.run(p, x)
    assert r.provider == "CPUExecutionProvider"
    assert "CPUExecutionProvider" in caplog.text
    assert len(r) == 1 and np.array_equal(r[0], x * 2) and np.array_equal(list(r)[0], x * 2)


def test_run_input_errors():
    x = rand((3,), "float32")
    m = em.onnx.export(lambda a: a + 1, em.asarray(x))
    with pytest.raises(TypeError, match="1 input"):
        em.onnx.run(m, x, x)
    with pytest.raises(ValueError, match="shape"):
        em.onnx.run(m, rand((4,), "float32"))
    with pytest.raises(TypeError, match="float32"):
        em.onnx.run(m, x.astype(np.float64))
    with pytest.raises(TypeError, match="path"):
        em.onnx.run(3, x)


def test_provider_preference():
    choose = em.onnx.choose_providers
    assert choose(["CPUExecutionProvider"]) == ["CPUExecutionProvider"]
    assert choose(["QNNExecutionProvider", "OpenVINOExecutionProvider", "CPUExecutionProvider"])[0] == \
        "OpenVINOExecutionProvider"
    assert choose(["QNNExecutionProvider", "VitisAIExecutionProvider", "CPUExecutionProvider"]) == \
        ["VitisAIExecutionProvider", "CPUExecutionProvider"]


def test_missing_onnxruntime(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ImportError, match="pip install onnxruntime"):
        em.onnx.run(em.onnx.export(em.exp, em.asarray(rand((2,), "float32"))), rand((2,), "float32"))


def test_import_ember_does_not_import_onnx():
    code = "import sys, ember; assert 'onnx' not in sys.modules and 'onnxruntime' not in sys.modules; ember.onnx"
    # the ember these tests import: the installed one in CI, python/ in development
    where = os.path.dirname(os.path.dirname(os.path.abspath(em.__file__)))
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env={"PYTHONPATH": where})


# ---------------------------------------------------------------- the coverage table

def test_every_primitive_has_a_rule():
    from ember.onnx import coverage
    from ember.onnx._ops import RULES
    missing = [p for p in coverage.primitives() if p not in RULES]
    assert not missing, missing


def test_doc_table_matches_code():
    from ember.onnx import coverage
    doc = (ROOT / "docs" / "onnx.md").read_text()
    assert coverage.with_table(doc) == doc, "docs/onnx.md is stale: python -m ember.onnx.coverage --write docs/onnx.md"


@pytest.mark.parametrize("opset", [13, 15, 18, 20])
def test_other_opsets(opset):
    # Reduce* axes move from attribute to input at opset 18; Loop/If/TopK/Slice across versions.
    def f(a):
        y = em.max(a, axis=1) + em.sum(a, axis=0)[:3] + em.prod(a[:, :2], axis=1)
        return em.fori_loop(0, 3, lambda i, v: v * 2.0, y), em.argsort(a, axis=1), em.linalg.vector_norm(a, axis=0)
    roundtrip(f, rand((3, 4), "float32"), ulps=ULPS_R, opset=opset)
