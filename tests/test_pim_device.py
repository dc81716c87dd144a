"""The pim device: placement, transfers, ops lowered to the PIM machine (checked against NumPy
through the shared check_op), metrics and profiles, the fallback, and errors."""
import re
import warnings

import numpy as np
import pytest

import ember as em
from helpers import SHAPES, assert_matches, check_op, sample

pim = pytest.importorskip("ember.pim")
DTYPES = ["bool", "int32", "float32"]
BINARY = ["add", "subtract", "multiply", "maximum", "minimum", "equal", "not_equal", "less", "less_equal",
          "greater", "greater_equal"]
INT_ONLY = ["floor_divide", "remainder", "bitwise_and", "bitwise_or", "bitwise_xor"]
UNARY = ["negative", "abs", "positive", "square", "logical_not"]
SMALL = [s for s in SHAPES if np.prod(s, dtype=int) <= 24]


@pytest.fixture
def on_pim():
    with em.default_device("pim"):
        yield


def test_placement_and_transfer():
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    x = em.asarray(a, device="pim")
    assert x.device == "pim" and em.asarray(a).device == "cpu"
    assert x.to("cpu").device == "cpu" and x.to("pim") is x
    with em.default_device("pim"):
        assert em.zeros(3).device == "pim" and em.arange(3).device == "pim"
        assert em.asarray(a).device == "pim"
    assert em.zeros(3).device == "cpu"
    assert (x + 1).device == "pim"  # Python scalars join any device
    np.testing.assert_array_equal(x.numpy(), a)
    with pytest.raises(ValueError, match=r"different devices \('pim' and 'cpu'\)|different devices \('cpu' and 'pim'\)"):
        x + em.asarray(a)


# Pairs NumPy rejects (bitwise ops on floats, bool subtract) are tested on cpu, not parametrized here.
@pytest.mark.parametrize("op,dtype", [(op, dt) for op in BINARY + INT_ONLY for dt in DTYPES
                                      if not (op in INT_ONLY and dt != "int32" or op == "subtract" and dt == "bool")])
def test_binary_on_pim(on_pim, op, dtype):
    for shape in SMALL:
        a, b = sample(shape, dtype, 1), sample(shape, dtype, 2)
        if op in ("floor_divide", "remainder"):
            b = np.where(b == 0, 3, b).astype(dtype)
        check_op(getattr(em, op), getattr(np, op), a, b)


@pytest.mark.parametrize("op,dtype", [(op, dt) for op in UNARY for dt in DTYPES
                                      if not (op in ("negative", "positive") and dt == "bool"
                                              or op == "logical_not" and dt != "bool")])
def test_unary_on_pim(on_pim, op, dtype):
    for shape in SMALL:
        check_op(getattr(em, op), getattr(np, op), sample(shape, dtype, 3))


@pytest.mark.parametrize("dtype", DTYPES)
def test_broadcast_where_astype_on_pim(on_pim, dtype):
    a, b = sample((3, 1), dtype, 1), sample((1, 4), dtype, 2)
    check_op(em.add if dtype != "bool" else em.logical_or, np.add if dtype != "bool" else np.logical_or, a, b)
    c = sample((3, 4), "bool", 4)
    check_op(lambda c, x, y: em.where(c, x, y), np.where, c, sample((3, 4), dtype, 5), b)
    for to in DTYPES:
        check_op(lambda x: x.astype(to), lambda x: x.astype(to), sample((2, 3), dtype, 6))


@pytest.mark.parametrize("op,dtype", [(op, dt) for op in ("sum", "min", "max", "prod", "any", "all") for dt in DTYPES
                                      if not (op in ("sum", "prod") and dt == "bool")])  # bool sums: below
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)])
def test_reductions_on_pim(on_pim, op, dtype, axis):
    a = sample((3, 5, 4), dtype, 7)
    kw = dict(rtol=1e-5) if dtype == "float32" else {}
    check_op(lambda x: getattr(em, op)(x, axis=axis), lambda x: getattr(np, op)(x, axis=axis), a, **kw)


def test_sum_any_size_and_views(on_pim):
    for n in (1, 5, 1000, 1500, 3000):
        a = np.arange(n, dtype=np.int32)
        assert em.asarray(a).sum().item() == a.sum()
        assert em.asarray(a)[::-3].sum().item() == a[::-3].sum()
    check_op(lambda x: x.sum(), np.sum, sample((7,), "bool", 1))


def test_sort_and_setitem_on_pim(on_pim):
    a = sample((37,), "int32", 3, -100, 100)
    assert_matches(em.sort(em.asarray(a)), np.sort(a))
    f = sample((4, 8), "float32", 4)
    assert_matches(em.sort(em.asarray(f)), np.sort(f))
    x = em.asarray(np.arange(10, dtype=np.int32))
    y = x + 0
    x[::3] = -1
    expect = np.arange(10, dtype=np.int32)
    expect[::3] = -1
    assert_matches(x, expect)
    assert_matches(y, np.arange(10, dtype=np.int32))  # lazy readers keep the old version


def test_readme_program_small():
    n = 2 ** 14
    a = em.full(n, 2.0 ** -9, dtype=em.float32, device="pim")
    b = em.ones(n, dtype=em.float32, device="pim")
    assert (a * (1 + b))[::2].sum().item() == 32.0


def test_metrics_and_profile():
    pim.reset_metrics()
    x = em.asarray(np.arange(64, dtype=np.int32), device="pim")
    with pim.profile() as p:
        y = (x * 3 + x).sum()
        assert y.item() == 4 * 2016
    m = pim.metrics()
    assert set(m) == {"mask", "rw", "logic", "move", "transfer", "total"}
    assert m["transfer"][0] == 64 + 2  # the upload and the int64 result's read: one cycle per 32-bit word
    assert m["logic"][0] > 0 and m["total"][0] == sum(m[k][0] for k in ("mask", "rw", "logic", "move", "transfer"))
    ops = {e["op"] for e in p.ops}
    assert {"multiply", "add", "sum"} <= ops
    assert all(re.search(r"test_pim_device.py:\d+$", e["origin"]) for e in p.ops if e["op"] != "to_device")
    assert "Latency" in p.format() and "multiply" in p.format()
    pim.reset_metrics()
    assert pim.metrics()["total"] == (0, 0)


def test_not_implemented_and_fallback():
    x = em.asarray(np.linspace(0.5, 2, 8, dtype=np.float32), device="pim")
    with pytest.raises(NotImplementedError, match=r"'cbrt' is not implemented on device pim"):
        em.cbrt(x).numpy()
    pim.fallback("cpu")
    try:
        pim.reset_metrics()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = em.cbrt(x)
            np.testing.assert_allclose(r.numpy(), np.cbrt(x.numpy()), rtol=1e-6)
            assert r.device == "pim"
        assert any("'cbrt' runs on the host" in str(i.message) for i in w)
        assert pim.metrics()["transfer"][0] >= 16  # down and back up, charged
    finally:
        pim.fallback(None)


def test_memory_error():
    with pytest.raises(MemoryError, match="out of memory"):
        em.zeros(2 ** 27, dtype=em.int32, device="pim").numpy()


@pytest.mark.parametrize("dtype", ["int32", "float32"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_cumsum_and_sort_on_pim(on_pim, dtype, axis):
    a = sample((3, 7), dtype, 8)
    kw = dict(rtol=1e-5, atol=1e-5) if dtype == "float32" else {}
    check_op(lambda x: em.cumsum(x, axis=axis), lambda x: np.cumsum(x, axis=axis), a, **kw)
    if axis in (None, -1, 1):
        check_op(lambda x: em.sort(x, axis=-1), lambda x: np.sort(x, axis=-1), a)


@pytest.mark.parametrize("dtype", ["int32", "float32"])
@pytest.mark.parametrize("shapes", [((3, 4), (4, 5)), ((4,), (4, 2)), ((2, 6), (6,)), ((1, 33), (33, 1))])
def test_matmul_on_pim(on_pim, dtype, shapes):
    a, b = sample(shapes[0], dtype, 1), sample(shapes[1], dtype, 2)
    kw = dict(rtol=1e-5, atol=1e-5) if dtype == "float32" else {}
    check_op(lambda x, y: x @ y, np.matmul, a, b, **kw)


def test_indexing_and_concat_on_pim(on_pim):
    a = sample((4, 5), "float32", 9)
    check_op(lambda x: x[np.array([3, 0, 0])], lambda x: x[np.array([3, 0, 0])], a)
    check_op(lambda x: x[:, [4, 1]], lambda x: x[:, [4, 1]], a)
    check_op(lambda x: x[[0, 2], [1, 3]], lambda x: x[[0, 2], [1, 3]], a)
    check_op(lambda x: x[x > 0], lambda x: x[x > 0], a)
    check_op(lambda x: em.concat([x, x[::-1]], axis=1), lambda x: np.concatenate([x, x[::-1]], axis=1), a)
    check_op(lambda x: em.stack([x, -x]), lambda x: np.stack([x, -x]), a)
    with pytest.raises(IndexError):
        em.asarray(a)[np.array([7])].numpy()


# ---- fusion: immediates baked into the microcode, chains in one stream (pim_device.md "Fusion") ----

def _specials(dtype):
    f = np.dtype(dtype).type
    info = np.finfo(dtype)
    v = [0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.5, 3.0, -3.0, 7.25, info.tiny, -info.tiny, info.tiny / 8,
         info.smallest_subnormal, -info.smallest_subnormal, info.max, -info.max, info.max / 3, np.inf, -np.inf,
         np.nan, 1e-3, 123456.789]
    rng = np.random.default_rng(5)
    r = rng.standard_normal(40) * np.exp2(rng.integers(-140, 120, 40).astype(float))
    return np.concatenate([np.array(v, dtype=dtype), r.astype(dtype)]).astype(f)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", ["x * 2.5", "x + 1", "x < 3", "where(x > 0, x, 0)", "x * 2", "x / 4",
                                  "x * -0.5", "2.0 ** -120 * x", "x / 2.0 ** 100", "x * 2.0 ** 100",
                                  "x - 0.0", "maximum(x, 1)", "x * (1 + x) - 3"])
def test_scalar_operands_bit_exact(dtype, case):
    xs = _specials(dtype)
    env_np = {"x": xs, "where": np.where, "maximum": np.maximum}
    env_em = {"x": em.asarray(xs, device="pim"), "where": em.where, "maximum": em.maximum}
    with np.errstate(all="ignore"):
        want = eval(case, env_np)
    got = eval(case, env_em)
    assert got.device == "pim"
    assert_matches(got, want)
    if want.dtype.kind == "f":  # bit for bit, NaN payloads and signed zeros included
        np.testing.assert_array_equal(got.numpy().view(np.uint8), np.asarray(want).view(np.uint8))


def test_zero_d_pim_operand_is_an_immediate():
    xs = _specials("float32")
    s = em.asarray(np.float32(0.25), device="pim")
    x = em.asarray(xs, device="pim")
    np.testing.assert_array_equal((x * s).numpy().view(np.uint32), (xs * np.float32(0.25)).view(np.uint32))
    b = em.asarray(np.arange(-5, 5, dtype=np.int32), device="pim")
    np.testing.assert_array_equal(em.where(b < 3, b, 0).numpy(), np.where(np.arange(-5, 5) < 3, np.arange(-5, 5), 0))


def test_chain_is_one_kernel_and_cheaper():
    n = 4096
    a = em.asarray(np.full(n, 2.0 ** -9, dtype=np.float32), device="pim")
    b = em.asarray(np.linspace(-3, 3, n, dtype=np.float32), device="pim")
    em.eval(a, b)
    z = a * (1 + b)
    count, text = em.kernels(z)
    pim_kernels = [k for k in text.split("kernel ")[1:] if "(4096,)" in k.splitlines()[0]]
    assert len(pim_kernels) == 1 and "add" in pim_kernels[0] and "multiply" in pim_kernels[0], text
    pim.reset_metrics()
    got = z.numpy()
    fused = pim.metrics()
    np.testing.assert_array_equal(got, np.float32(2.0 ** -9) * (1 + b.numpy()))
    # The same ops one node at a time (each evaluated), with the constant in a full-size tensor.
    one = em.asarray(np.ones(n, dtype=np.float32), device="pim")
    pim.reset_metrics()
    t = one + b
    em.eval(t)
    z2 = a * t
    got2 = z2.numpy()
    apart = pim.metrics()
    np.testing.assert_array_equal(got, got2)
    assert fused["mask"][0] < apart["mask"][0]
    assert fused["logic"][0] < apart["logic"][0]  # the add is specialised on the constant 1.0


def test_power_of_two_scaling_is_cheap():
    x = em.asarray(_specials("float32"), device="pim")
    costs = {}
    for c in (2.5, 2.0, 0.125):
        pim.reset_metrics()
        (x * c).numpy()
        costs[c] = pim.metrics()["logic"][0]
    # The exponent adjustment (about 775 cycles) against the general IEEE multiply (about 1,330 with an
    # immediate operand): clearly cheaper, whatever small changes either microcode sees.
    assert costs[2.0] < 0.75 * costs[2.5] and costs[0.125] < 0.75 * costs[2.5]


def test_fused_kernel_with_unsupported_step_runs_node_by_node():
    # float64 floor_divide needs more scratch than a fused chain leaves: the nodes run one by one.
    xs = np.linspace(-7, 7, 33)
    x = em.asarray(xs, device="pim")
    r = (x * 3 + 1) // 2.5
    assert_matches(r, (xs * 3 + 1) // 2.5)


def _np_argsort(a, descending):
    if not descending:
        return np.argsort(a, axis=-1, kind="stable")
    # The Array API reference: flip, stable argsort, flip, map the indices back (ties in index order, NaN first).
    n = a.shape[-1]
    return n - 1 - np.flip(np.argsort(np.flip(a, -1), axis=-1, kind="stable"), -1)


def _argsort_values(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    if dtype.startswith("float"):
        sp = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1.0, -1.0, 5e-324, 1e-310], dtype=dtype)
        a = rng.integers(-3, 4, shape).astype(dtype)  # many ties
        pick = rng.integers(0, 3, shape) == 0
        a[pick] = rng.choice(sp, int(pick.sum()))
        if a.size > 3:  # NaN payloads, negative NaN, the all-ones pattern
            u = np.uint32 if dtype == "float32" else np.uint64
            flat = a.reshape(-1)
            flat[:3] = np.array([np.iinfo(u).max, np.iinfo(u).max >> 1, (np.iinfo(u).max >> 1) - 5], dtype=u).view(dtype)
        return a
    info = np.iinfo(dtype)
    a = rng.integers(-3, 4, shape).astype(dtype)
    pick = rng.integers(0, 3, shape) == 0
    a[pick] = rng.integers(info.min, info.max, int(pick.sum()), dtype=dtype, endpoint=True)
    return a


@pytest.mark.parametrize("dtype", ["int32", "uint32", "float32", "int64", "float64", "bool", "int8"])
@pytest.mark.parametrize("shape", [(1,), (7,), (64,), (300,), (3, 5), (4, 16), (2, 3, 7)])
@pytest.mark.parametrize("descending", [False, True])
def test_argsort_on_pim_is_stable(dtype, shape, descending):
    a = _argsort_values(shape, dtype, hash((dtype, shape, descending)) % 1000)
    got = em.argsort(em.asarray(a, device="pim"), descending=descending)
    assert got.device == "pim" and got.dtype == em.int64
    want = _np_argsort(a, descending)
    np.testing.assert_array_equal(got.numpy(), want)
    assert np.array_equal(em.argsort(em.asarray(a), descending=descending).numpy(), want)  # the cpu agrees


@pytest.mark.parametrize("dtype", ["int32", "float32", "float64", "int64"])
@pytest.mark.parametrize("shape", [(4, 6), (3, 5, 7), (2, 1, 9)])
def test_sort_and_argsort_on_pim_along_any_axis(dtype, shape):
    a = _argsort_values(shape, dtype, 3)
    x = em.asarray(a, device="pim")
    for axis in [None] + list(range(-len(shape), len(shape))):
        got = em.argsort(x, axis=axis)
        assert got.device == "pim"
        np.testing.assert_array_equal(got.numpy(), np.argsort(a, axis=axis, kind="stable"))
        want = np.sort(a, axis=axis)
        assert_matches(em.sort(x, axis=axis), want)
        if axis is not None:
            ax = axis % len(shape)
            n = shape[ax]
            want_desc = n - 1 - np.flip(np.argsort(np.flip(a, ax), axis=ax, kind="stable"), ax)
            np.testing.assert_array_equal(em.argsort(x, axis=axis, descending=True).numpy(), want_desc)
    assert em.argsort(em.asarray(np.zeros((0, 3), np.int32), device="pim"), axis=0).shape == (0, 3)


def _rounding_values(dtype):
    info = np.finfo(dtype)
    m = info.nmant
    k = np.arange(-6, 7, dtype=dtype)
    near = [2.0 ** m, 2.0 ** m - 0.5, 2.0 ** m - 1, 2.0 ** m + 2, 2.0 ** (m - 1) + 0.5, 2.0 ** (m - 1) - 0.5,
            2.0 ** (m - 1) - 1.5, 2.0 ** (m + 1)]
    v = np.concatenate([_specials(dtype), k + 0.5, k + 0.25, k - 0.25, np.array(near, dtype=dtype),
                        np.nextafter(np.array([0.5, 1.0, 1.5, 2.5], dtype), np.array(0, dtype))])
    v = np.concatenate([v, -v]).astype(dtype)
    u = np.uint32 if dtype == "float32" else np.uint64
    nan_bits = np.array([np.iinfo(u).max, (np.iinfo(u).max >> 1) - 1], dtype=u)  # negative NaN, signaling NaN
    return np.concatenate([v, nan_bits.view(dtype)])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", ["isnan", "isinf", "isfinite", "signbit", "floor", "ceil", "trunc", "rint", "round"])
def test_classify_and_round_on_pim_bit_exact(dtype, op):
    xs = _rounding_values(dtype)
    got = getattr(em, op)(em.asarray(xs, device="pim"))
    assert got.device == "pim"
    with np.errstate(all="ignore"):
        want = getattr(np, op)(xs)
    assert got.dtype == want.dtype
    # bit for bit: signed zeros, quieted NaN payloads
    np.testing.assert_array_equal(got.numpy().view(np.uint8), np.asarray(want).view(np.uint8))


@pytest.mark.parametrize("dtype,op", [(d, o) for d in ("int32", "uint32", "int64", "bool")
                                      for o in ("isnan", "isinf", "isfinite", "signbit", "floor", "ceil", "trunc")
                                      if d != "bool" or o in ("isnan", "isinf", "isfinite", "signbit")])
def test_classify_and_round_integers_on_pim(on_pim, dtype, op):
    check_op(getattr(em, op), getattr(np, op), sample((5, 3), dtype, 2))


def test_rounding_fuses_with_arithmetic():
    xs = _rounding_values("float32")
    x = em.asarray(xs, device="pim")
    with np.errstate(all="ignore"):
        want = np.where(np.isfinite(xs), np.floor(xs * 0.5) + np.ceil(xs), 0)
    got = em.where(em.isfinite(x), em.floor(x * 0.5) + em.ceil(x), 0)
    np.testing.assert_array_equal(got.numpy().view(np.uint32), want.astype(np.float32).view(np.uint32))


# ---- exp / log / hyperbolic functions (float32 microcode, microcode/float_math.h) ----

# Max distance in ulp over _math_values (measured; docs/pim_device.md): to NumPy's float32 result
# (itself up to 2 ulp from the correctly rounded one), and to NumPy's float64 result rounded to float32.
MATH_ULP = {"exp": 2, "exp2": 2, "expm1": 2, "log": 1, "log2": 2, "log10": 2, "log1p": 2, "tanh": 2,
            "sinh": 2, "cosh": 3}
MATH_ULP_ROUNDED = {"exp": 1, "exp2": 1, "expm1": 1, "log": 1, "log2": 1, "log10": 1, "log1p": 2, "tanh": 1,
                    "sinh": 3, "cosh": 3}


def _math_values():
    rng = np.random.default_rng(5)
    f = np.float32
    special = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 2.0, 0.5, 1e-45, -1e-45, 1e-40, 1e-30, -1e-30,
               3.4e38, -3.4e38, 88.72, 88.73, 89.5, -103.9, -104.5, 127.9, 128.0, -149.5, -150.0, -151.0]
    sweep = [np.linspace(-110, 130, 2401), np.linspace(-3, 3, 601), np.linspace(0, 4, 401),
             rng.standard_normal(500) * np.exp2(rng.integers(-60, 60, 500).astype(float))]
    bits = rng.integers(0, 2 ** 32, 500, dtype=np.uint64).astype(np.uint32).view(f)
    return np.concatenate([np.array(special, f)] + [s.astype(f) for s in sweep] + [bits[~np.isnan(bits)]])


def _ulps(a, b):
    key = lambda v: np.where(v.view(np.int32) < 0, np.int64(-(2 ** 31)) - v.view(np.int32), v.view(np.int32))
    return np.abs(key(a).astype(np.int64) - key(b).astype(np.int64))


@pytest.mark.parametrize("op", list(MATH_ULP))
def test_exp_log_hyperbolic_on_pim_within_ulp_bound(op):
    xs = _math_values()
    got = getattr(em, op)(em.asarray(xs, device="pim"))
    assert got.device == "pim" and got.dtype == em.float32
    g = got.numpy()
    with np.errstate(all="ignore"):
        want = getattr(np, op)(xs)
    assert g.dtype == want.dtype == np.float32
    np.testing.assert_array_equal(np.isnan(g), np.isnan(want))
    ok = ~np.isnan(want)
    with np.errstate(all="ignore"):
        rounded = getattr(np, op)(xs.astype(np.float64)).astype(np.float32)
    # inf and zeros of the correctly rounded result exactly, with their sign (NumPy's float32 exp2
    # flushes 2^-149.5 to 0; it rounds to the smallest subnormal)
    exact = ok & (~np.isfinite(rounded) | (rounded == 0))
    np.testing.assert_array_equal(g[exact].view(np.uint32), rounded[exact].view(np.uint32))
    d = _ulps(g[ok], want[ok])
    assert d.max() <= MATH_ULP[op], (op, xs[ok][d.argmax()], g[ok][d.argmax()], want[ok][d.argmax()])
    d = _ulps(g[ok], rounded[ok])
    assert d.max() <= MATH_ULP_ROUNDED[op], (op, xs[ok][d.argmax()], g[ok][d.argmax()], rounded[ok][d.argmax()])


def test_exp_log_fuse_with_arithmetic():
    xs = np.linspace(-5, 5, 64, dtype=np.float32)
    x = em.asarray(xs, device="pim")
    got = em.where(x > 0, em.log(x), em.exp(x) - 1)
    count, text = em.kernels(got)
    pim_kernels = [k for k in text.split("kernel ")[1:] if "(64,)" in k.splitlines()[0] and "fused" in k]
    assert len(pim_kernels) == 1 and "log" in pim_kernels[0] and "exp" in pim_kernels[0], text
    with np.errstate(all="ignore"):
        want = np.where(xs > 0, np.log(xs), np.exp(xs) - np.float32(1))
    np.testing.assert_allclose(got.numpy(), want, rtol=3e-7, atol=3e-7)


def test_float64_math_is_not_implemented_on_pim():
    x = em.asarray(np.linspace(0.5, 2, 8), device="pim")
    with pytest.raises(NotImplementedError, match=r"'exp' is not implemented on device pim"):
        em.exp(x).numpy()
