"""Low-precision numerics on the cpu device: bfloat16 casts and elementwise ops bit-exact with ml_dtypes (and
onnxruntime's Cast), and quantize_linear / dequantize_linear bit-exact with onnxruntime's QuantizeLinear /
DequantizeLinear and with a NumPy reference."""
import warnings

import numpy as np
import pytest

import ember as em

ml = pytest.importorskip("ml_dtypes")
onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

BF = ml.bfloat16
ALL_BF16 = np.arange(1 << 16, dtype=np.uint16).view(BF)  # every bfloat16, NaNs and infinities included
SPECIAL = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1.0, -1.0, 0.5, 3.3895314e38, -3.3895314e38,
                    1.1754944e-38, 9.2e-41, -9.2e-41, 65504.0], dtype=np.float32)


def same_bits(got, ref):
    """Bit-equal, except that any NaN matches any NaN (payloads are not part of the contract)."""
    got, ref = np.asarray(got), np.asarray(ref)
    assert got.dtype == ref.dtype and got.shape == ref.shape
    gn, rn = np.isnan(got.astype(np.float32)), np.isnan(ref.astype(np.float32))
    bad = (gn != rn) | (~gn & (got.view(np.uint16) != ref.view(np.uint16)))
    assert not bad.any(), f"{bad.sum()} differ, first: got {got[bad][:5]} expected {ref[bad][:5]}"


def session(model, optimize=False):
    opts = ort.SessionOptions()
    if not optimize:
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def one_node(op, x, out_type, inits=(), opset=17, **attrs):
    """A one-node model `op(x, *inits)` taking x as its input."""
    names = ["x"] + [f"p{i}" for i in range(len(inits))]
    g = helper.make_graph(
        [helper.make_node(op, names, ["y"], **attrs)], op,
        [helper.make_tensor_value_info("x", helper.np_dtype_to_tensor_dtype(x.dtype), list(x.shape))],
        [helper.make_tensor_value_info("y", out_type, list(x.shape))],
        initializer=[numpy_helper.from_array(np.asarray(v), n) for n, v in zip(names[1:], inits)])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], ir_version=8 if opset < 21 else 10)
    onnx.checker.check_model(m, full_check=True)
    return session(m).run(None, {"x": x})[0]


# ---------------------------------------------------------------- bfloat16 casts

def _float32_near_every_bf16():
    hi = np.arange(1 << 16, dtype=np.uint32) << 16
    # exact, just below a tie, the tie, just above it, and the largest low half: every rounding case
    return np.concatenate([(hi | low).view(np.float32) for low in (0, 0x7FFF, 0x8000, 0x8001, 0xFFFF)])


def test_bfloat16_from_float32_rounds_to_nearest_even():
    x = _float32_near_every_bf16()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = x.astype(BF)
    got = em.asarray(x).astype(em.bfloat16).numpy()
    same_bits(got, ref)
    # independent of ml_dtypes: a tie goes to the even neighbour, a finite value past the largest tie to inf
    bits = x.view(np.uint32)
    tie = ((bits & 0xFFFF) == 0x8000) & ~np.isnan(x)
    up = (bits[tie] >> 16) + ((bits[tie] >> 16) & 1)
    assert np.array_equal(got.view(np.uint16)[tie], up.astype(np.uint16))
    big = np.isfinite(x) & (np.abs(x) >= np.float32(3.3961776e38))  # bf16 max + half an ulp
    assert np.isinf(got[big].astype(np.float32)).all() and big.any()
    assert np.isnan(got[np.isnan(x)].astype(np.float32)).all()


def test_bfloat16_from_float64_matches_ml_dtypes_and_onnxruntime():
    rng = np.random.default_rng(0)
    with np.errstate(invalid="ignore"):  # signalling NaNs among the float32 patterns
        near = _float32_near_every_bf16().astype(np.float64)
    x = np.concatenate([near, rng.standard_normal(20000) * 1e4,
                        [1 + 2.0**-8 + 2.0**-40, 1e300, -1e300, 1e-300, 5e-324, 3.3961776e38, np.nan, np.inf]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = x.astype(BF)
        via32 = x.astype(np.float32).astype(BF)
    got = em.asarray(x).astype(em.bfloat16).numpy()
    same_bits(got, ref)
    # float64 rounds through float32 (as ml_dtypes and onnxruntime do): 1 + 2^-8 + 2^-40 becomes 1, not 1 + 2^-7
    same_bits(got, via32)
    # onnxruntime: Cast to bfloat16 and back to float32 (exact), so NumPy can read the result
    g = helper.make_graph([helper.make_node("Cast", ["x"], ["b"], to=TensorProto.BFLOAT16),
                           helper.make_node("Cast", ["b"], ["y"], to=TensorProto.FLOAT)], "cast",
                          [helper.make_tensor_value_info("x", TensorProto.DOUBLE, [x.size])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [x.size])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    same_bits(got, session(m).run(None, {"x": x})[0].astype(BF))


def test_bfloat16_to_wider_types_is_exact():
    f32 = em.asarray(ALL_BF16).astype(em.float32).numpy()  # the bfloat16 bits are float32's top half, NaNs too
    np.testing.assert_array_equal(f32.view(np.uint32), ALL_BF16.view(np.uint16).astype(np.uint32) << 16)
    f64 = em.asarray(ALL_BF16).astype(em.float64).numpy()
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(f64, ALL_BF16.astype(np.float64))


# ---------------------------------------------------------------- bfloat16 elementwise

UNARY = ["negative", "abs", "sqrt", "square", "exp", "log", "sin", "cos", "tanh", "floor", "ceil", "rint", "trunc",
         "exp2", "log2", "log10", "expm1", "log1p", "reciprocal", "cbrt", "arctan", "sinh"]
BINARY = ["add", "subtract", "multiply", "divide", "power", "arctan2", "hypot", "copysign", "fmod", "floor_divide",
          "remainder", "logaddexp"]
# Equal arguments with different bits are +0 and -0: there ml_dtypes returns the second argument and keeps -0
# in sign(-0), while ember returns the first argument and +0 (as for its other float types). Only the sign of a
# zero result differs; the tests below pin both halves of that statement.
ZERO_SIGN = ["maximum", "minimum", "fmax", "fmin", "nextafter"]


def _pairs():
    rng = np.random.default_rng(1)
    a, b = rng.choice(ALL_BF16, 100000), rng.choice(ALL_BF16, 100000)
    s = SPECIAL.astype(BF)
    return np.concatenate([a, np.repeat(s, s.size)]), np.concatenate([b, np.tile(s, s.size)])


@pytest.mark.parametrize("name", UNARY)
def test_bfloat16_unary_matches_ml_dtypes(name):
    with np.errstate(all="ignore"):
        ref = getattr(np, name)(ALL_BF16)
    same_bits(getattr(em, name)(em.asarray(ALL_BF16)).numpy(), ref)


@pytest.mark.parametrize("name", BINARY)
def test_bfloat16_binary_matches_ml_dtypes(name):
    a, b = _pairs()
    with np.errstate(all="ignore"):
        ref = getattr(np, name)(a, b)
    same_bits(getattr(em, name)(em.asarray(a), em.asarray(b)).numpy(), ref)


@pytest.mark.parametrize("name", ZERO_SIGN + ["sign"])
def test_bfloat16_zero_sign_ops_match_up_to_the_sign_of_zero(name):
    a, b = _pairs()
    args = (a,) if name == "sign" else (a, b)
    with np.errstate(all="ignore"):
        ref = getattr(np, name)(*args)
    got = getattr(em, name)(*(em.asarray(v) for v in args)).numpy()
    zero = (ref.astype(np.float32) == 0) & (got.astype(np.float32) == 0)
    same_bits(np.where(zero, BF(0), got), np.where(zero, BF(0), ref))
    # at a +0/-0 tie ember returns the first argument (sign: +0)
    tie = zero & ((a.view(np.uint16) & 0x7FFF) == 0) & ((b.view(np.uint16) & 0x7FFF) == 0)
    first = np.zeros(tie.sum(), bool) if name == "sign" else np.signbit(a[tie].astype(np.float32))
    assert tie.any() and np.array_equal(np.signbit(got[tie].astype(np.float32)), first)


def test_bfloat16_rounds_after_every_op_and_scalars_are_weak():
    a, b = _pairs()
    x, y = em.asarray(a), em.asarray(b)
    with np.errstate(all="ignore"):
        same_bits(((x * y + x) / y - x).numpy(), ((a * b + a) / b - a))
        # NEP 50: a Python float takes the array's dtype first (NumPy with ml_dtypes would give float32 here)
        same_bits((x * 0.1).numpy(), a * BF(0.1))
        same_bits((x + 3).numpy(), a + BF(3))
        # with a float32 array the result is float32, computed from the exact bfloat16 values
        np.testing.assert_array_equal((x + em.asarray(b.astype(np.float32))).numpy(), a.astype(np.float32) + b.astype(np.float32))


# ---------------------------------------------------------------- quantize_linear / dequantize_linear

def np_quantize(x, scale, zp, dtype, axis=None):
    """NumPy reference of ONNX QuantizeLinear, with onnxruntime's NaN rule (NaN -> the dtype's lowest value)."""
    info = np.iinfo(dtype)
    if axis is not None:
        shape = [1] * x.ndim
        shape[axis] = -1
        scale, zp = np.reshape(scale, shape), np.reshape(zp, shape)
    with np.errstate(all="ignore"):
        v = np.rint(x / np.float32(scale) if axis is None else x / scale.astype(np.float32)) + zp
    return np.where(np.isnan(v), info.min, np.clip(v, info.min, info.max)).astype(dtype)


def ort_quantize(x, scale, zp, axis=None, opset=17):
    kw = {} if axis is None else {"axis": axis}
    return one_node("QuantizeLinear", x, helper.np_dtype_to_tensor_dtype(np.asarray(zp).dtype),
                    (np.asarray(scale, np.float32), np.asarray(zp)), opset=opset, **kw)


def ort_dequantize(q, scale, zp, axis=None):
    kw = {} if axis is None else {"axis": axis}
    return one_node("DequantizeLinear", q, TensorProto.FLOAT, (np.asarray(scale, np.float32), np.asarray(zp)), **kw)


def awkward_floats(n, scale):
    rng = np.random.default_rng(2)
    ties = (np.arange(-300, 300) + 0.5) * scale  # exact x.5 multiples when scale is a power of two
    return np.concatenate([rng.standard_normal(n).astype(np.float32) * 100 * scale, ties.astype(np.float32),
                           SPECIAL, np.array([1e30, -1e30, 127.5 * scale, -128.5 * scale], np.float32)])


@pytest.mark.parametrize("dtype,zp", [(np.int8, 0), (np.int8, -7), (np.uint8, 0), (np.uint8, 128), (np.uint8, 3)])
@pytest.mark.parametrize("scale", [1.0, 0.25, 0.0731])
def test_quantize_linear_matches_onnxruntime_and_numpy(dtype, zp, scale):
    x = awkward_floats(5000, scale)
    got = em.quantize_linear(x, np.float32(scale), dtype(zp), dtype=dtype).numpy()
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, ort_quantize(x, scale, dtype(zp)))
    np.testing.assert_array_equal(got, np_quantize(x, scale, dtype(zp), dtype))


def test_quantize_linear_ties_saturation_and_nan():
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 126.5, 127.5, -127.5, -128.5, 1e9, -np.inf, np.inf, np.nan],
                 np.float32)
    got = em.quantize_linear(x, 1.0).numpy()
    np.testing.assert_array_equal(got, ort_quantize(x, 1.0, np.int8(0)))
    # half to even, saturation, +-inf saturate, NaN -> -128 (onnxruntime's choice; ONNX leaves it open)
    np.testing.assert_array_equal(got, np.array([0, 2, 2, 0, -2, -2, 126, 127, -128, -128, 127, -128, 127, -128]))
    u = em.quantize_linear(x, 1.0, 10, dtype=em.uint8).numpy()
    np.testing.assert_array_equal(u, ort_quantize(x, 1.0, np.uint8(10)))
    assert u[-1] == 0


def test_quantize_linear_int16_matches_onnxruntime_opset21():
    x = awkward_floats(2000, 0.3)
    got = em.quantize_linear(x, np.float32(0.01), np.int16(5), dtype=em.int16).numpy()
    np.testing.assert_array_equal(got, ort_quantize(x, 0.01, np.int16(5), opset=21))


@pytest.mark.parametrize("axis", [0, 1, -1, 2])
def test_quantize_linear_per_axis(axis):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((4, 5, 6)) * 50).astype(np.float32)
    n = x.shape[axis]
    scale = np.float32(2.0) ** rng.integers(-3, 3, n).astype(np.float32) * np.float32(0.37)
    zp = rng.integers(-20, 20, n).astype(np.int8)
    got = em.quantize_linear(x, scale, zp, axis=axis).numpy()
    np.testing.assert_array_equal(got, ort_quantize(x, scale, zp, axis=axis))
    np.testing.assert_array_equal(got, np_quantize(x, scale, zp, np.int8, axis))
    back = em.dequantize_linear(got, scale, zp, axis=axis).numpy()
    np.testing.assert_array_equal(back, ort_dequantize(got, scale, zp, axis=axis))


@pytest.mark.parametrize("dtype,zp", [(np.int8, 0), (np.int8, 3), (np.uint8, 128), (np.int32, 0)])
def test_dequantize_linear_matches_onnxruntime(dtype, zp):
    info = np.iinfo(dtype)
    q = np.random.default_rng(4).integers(max(info.min, -2**20), min(info.max, 2**20), 3000, endpoint=True).astype(dtype)
    if dtype != np.int32:
        q[0], q[1] = info.min, info.max
    for scale in (1.0, 0.0731, 3.3e-5):
        got = em.dequantize_linear(q, np.float32(scale), dtype(zp)).numpy()
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, ort_dequantize(q, scale, dtype(zp)))
        np.testing.assert_array_equal(got, ((q.astype(np.int64) - zp).astype(np.float32) * np.float32(scale)))


def test_quantize_empty_zero_d_and_views():
    e = np.zeros((0, 3), np.float32)
    assert em.quantize_linear(e, 0.5).numpy().shape == (0, 3)
    assert em.dequantize_linear(em.quantize_linear(e, 0.5), 0.5).numpy().shape == (0, 3)
    np.testing.assert_array_equal(em.quantize_linear(e, 0.5).numpy(), ort_quantize(e, 0.5, np.int8(0)))
    z = np.float32(2.5)
    got = em.quantize_linear(z, 1.0)
    assert got.shape == () and int(got) == 2
    np.testing.assert_array_equal(got.numpy(), ort_quantize(np.asarray(z), 1.0, np.int8(0)))
    base = (np.random.default_rng(5).standard_normal((8, 10)) * 40).astype(np.float32)
    a = em.asarray(base)
    for view, ref in [(a[::2, 1::3], base[::2, 1::3]), (a.T, base.T), (a[::-1], base[::-1])]:
        np.testing.assert_array_equal(em.quantize_linear(view, 0.3).numpy(), ort_quantize(np.ascontiguousarray(ref), 0.3,
                                                                                        np.int8(0)))
    q = em.quantize_linear(a, 0.3)
    np.testing.assert_array_equal(em.dequantize_linear(q[:, ::-2], 0.3).numpy(),
                                  ort_dequantize(np.ascontiguousarray(q.numpy()[:, ::-2]), 0.3, np.int8(0)))


def test_quantize_is_lazy_and_composes():
    x = em.asarray(np.linspace(-3, 3, 101, dtype=np.float32))
    fq = em.dequantize_linear(em.quantize_linear(x * 2, 0.125), 0.125)  # fake quantization, still lazy
    ref = np_quantize(np.linspace(-3, 3, 101, dtype=np.float32) * 2, 0.125, 0, np.int8).astype(np.float32) * 0.125
    np.testing.assert_array_equal(fq.numpy(), ref)


def test_quantize_linear_bad_input():
    x = np.ones(4, np.float32)
    with pytest.raises(ValueError, match="scale"):
        em.quantize_linear(x, 0.0)
    with pytest.raises(ValueError, match="scale"):
        em.quantize_linear(x, np.nan)
    with pytest.raises(ValueError, match="axis"):
        em.quantize_linear(x, [1.0, 2.0])
    with pytest.raises(ValueError, match="elements"):
        em.quantize_linear(np.ones((2, 3), np.float32), [1.0, 2.0], axis=1)
    with pytest.raises(ValueError, match="out of range"):
        em.quantize_linear(x, [1.0] * 4, axis=1)
    with pytest.raises(TypeError, match="quantized dtype"):
        em.quantize_linear(x, 1.0, dtype=em.float32)
    with pytest.raises(TypeError, match="floating"):
        em.quantize_linear(np.ones(4, np.int32), 1.0)
    with pytest.raises(TypeError, match="integer"):
        em.dequantize_linear(x, 1.0)
