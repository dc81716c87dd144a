"""User CUDA kernels (RawModule, RawKernel, ElementwiseKernel, ReductionKernel) and cuda interop.

Without a GPU: parameter parsing and type binding, argument checking, NVRTC compiles of many
rendered signatures, compile errors with NVRTC's log, and the rendered kernels' indexing run on the
host (the source compiled by the C++ compiler with one thread per block) against NumPy. GPU tests
skip saying why."""
import ctypes
import os
import shutil
import subprocess

import numpy as np
import pytest

import ember as em
from ember import _core
from cuda_helpers import BUILT, gpu

pytestmark = pytest.mark.skipif(not BUILT, reason="this build of ember has no cuda device")
NVRTC = BUILT and _core.cuda.nvrtc_available()
needs_nvrtc = pytest.mark.skipif(not NVRTC, reason="NVRTC does not load here")


# ---- parameters and binding (no GPU, no NVRTC) ----

@pytest.mark.parametrize("params, match", [
    ("float32", "TYPE NAME"),
    ("float32 x y", "TYPE NAME"),
    ("floaty x", "unknown type"),
    ("float32 i", "reserved"),
    ("float32 _x", "reserved"),
    ("T x, T x", "twice"),
    ("T 1x", "not a C identifier"),
    ("raw", "TYPE NAME"),
])
def test_bad_parameter_lists_raise_value_error_naming_the_item(params, match):
    with pytest.raises(ValueError, match=match):
        em.cuda.ElementwiseKernel(params, "T z", "z = 0", "k")


def test_parsed_parameters():
    k = em.cuda.ElementwiseKernel("float32 x, T y, raw T z", "T w", "w = x + y", "k")
    assert k.params == [("x", "float32", False, False), ("y", "T", False, False), ("z", "T", True, False),
                        ("w", "T", False, True)]
    assert (k.nin, k.nout, k.nargs) == (3, 1, 4)


def test_kernel_definition_errors():
    with pytest.raises(ValueError, match="output"):
        em.cuda.ElementwiseKernel("T x", "", "", "k")
    with pytest.raises(ValueError, match="raw"):
        em.cuda.ElementwiseKernel("T x", "raw T y", "", "k")
    with pytest.raises(ValueError, match="both an input and an output"):
        em.cuda.ElementwiseKernel("T x", "T x", "", "k")
    with pytest.raises(ValueError, match="not a C identifier"):
        em.cuda.ElementwiseKernel("T x", "T y", "y = x", "my kernel")
    with pytest.raises(TypeError):
        em.cuda.ReductionKernel("T x", "T y", "x", "a + b", "y = a", "0", "r", reduce_type="nonsense")


def _a(shape, dtype="float32", start=0):
    n = int(np.prod(shape))
    return em.asarray((np.arange(n) + start).reshape(shape).astype(dtype))


def test_placeholders_bind_from_arrays_then_scalars():
    k = em.cuda.ElementwiseKernel("T x, U s", "T z", "z = x * s", "k")
    p = k._prepare(_a((3,), "int16"), 2.5)
    assert p["types"] == ["int16", "float64", "int16"]
    p = k._prepare(_a((3,), "float32"), np.float32(2))
    assert p["types"] == ["float32", "float32", "float32"]
    p = k._prepare(_a((3,), "float32"), True)
    assert p["types"][1] == "bool"


def test_binding_errors():
    k = em.cuda.ElementwiseKernel("T x, T y", "T z", "z = x + y", "k")
    with pytest.raises(TypeError, match="placeholder T is int32 from 'x' but float32 from 'y'"):
        k.source(_a((3,), "int32"), _a((3,), "float32"))
    with pytest.raises(TypeError, match="takes 2 inputs"):
        k.source(_a((3,)))
    with pytest.raises(ValueError, match="broadcast|shapes"):
        k.source(_a((3,)), _a((4,)))
    u = em.cuda.ElementwiseKernel("T x", "U z", "z = x", "k")
    with pytest.raises(TypeError, match="placeholder U"):
        u.source(_a((3,)))
    assert "double& z" in u.source(_a((3,)), _a((3,), "float64"))  # an output binds its own placeholder
    with pytest.raises(TypeError, match="output 'z' is float32 but the kernel writes float64"):
        em.cuda.ElementwiseKernel("T x", "float64 z", "z = x", "k").source(_a((3,)), _a((3,)))
    with pytest.raises(ValueError, match=r"shape \(2,\) but the call produces \(3,\)"):
        k.source(_a((3,)), _a((3,)), _a((2,)))
    r = em.cuda.ElementwiseKernel("raw T x", "T z", "z = x[i]", "k")
    with pytest.raises(ValueError, match="size="):
        r.source(_a((3,)))
    with pytest.raises(TypeError, match="raw argument 'x' must be an array"):
        r.source(1.0, size=3)
    with pytest.raises(TypeError, match="raw argument 'x' is int32 but declared float32"):
        em.cuda.ElementwiseKernel("raw float32 x", "float32 z", "z = x[i]", "k").source(_a((3,), "int32"), size=3)
    with pytest.raises(NotImplementedError, match="float16"):
        k.source(_a((3,), "float16"), _a((3,), "float16"))
    with pytest.raises(OverflowError):
        k.source(_a((3,), "int64"), 2**70)


def test_reduction_errors():
    k = em.cuda.ReductionKernel("T x", "T y", "x", "max(a, b)", "y = a", None, "rmax")
    with pytest.raises(ValueError, match="zero-size reduction and no identity"):
        k.source(_a((0, 3)), axis=0)
    k.source(_a((0, 3)), axis=1)  # nothing to reduce per output, but no output either: fine
    with pytest.raises(Exception, match="axis"):
        k.source(_a((2, 3)), axis=2)
    with pytest.raises(TypeError, match="axis"):
        k.source(_a((2, 3)), axis="0")
    with pytest.raises(NotImplementedError, match="raw"):
        em.cuda.ReductionKernel("raw T x", "T y", "x", "a + b", "y = a", "0", "r")


def test_raw_kernel_arguments_are_checked_before_the_gpu_is_needed():
    k = em.cuda.RawKernel('extern "C" __global__ void f(float* x) {}', "f")
    with pytest.raises(TypeError, match="argument 0 is an ember array on the cpu device"):
        k((1,), (1,), (_a((3,)),))
    with pytest.raises(TypeError, match="argument 1 is a host NumPy array"):
        k((1,), (1,), (1, np.zeros(3)))
    with pytest.raises(TypeError, match="argument 0 has type str"):
        k((1,), (1,), ("x",))
    with pytest.raises(TypeError, match="args must be a tuple"):
        k((1,), (1,), 3)
    for bad in (0, (1, 1, 1, 1), (2.0,), -1, (True,)):
        with pytest.raises(ValueError, match="grid"):
            k(bad, (1,), ())
    with pytest.raises(ValueError, match="block"):
        k(1, (0,), ())
    with pytest.raises(ValueError, match="shared_mem"):
        k(1, 1, (), shared_mem=-1)
    with pytest.raises(TypeError, match="stream"):
        k(1, 1, (), stream="s")
    with pytest.raises(TypeError, match="output 0 is an ember array on the cpu"):
        em.cuda.ElementwiseKernel("T x", "T y", "y = x", "k")(2.0, _a((3,)))
    if not em.cuda.is_available():
        with pytest.raises(RuntimeError, match="unavailable"):
            k(1, 1, (np.float32(1), 2, 3.0, True))


# ---- NVRTC (no GPU) ----

@needs_nvrtc
def test_compile_errors_carry_nvrtcs_log():
    mod = em.cuda.RawModule(code='extern "C" __global__ void f(float* x) { x[0] = not_declared; }')
    with pytest.raises(em.cuda.CompileError) as e:
        mod.compile("sm_90")
    assert isinstance(e.value, RuntimeError)
    assert "not_declared" in e.value.log and "not_declared" in str(e.value)
    k = em.cuda.ElementwiseKernel("T x", "T y", "y = x +* 1", "broken")
    with pytest.raises(em.cuda.CompileError, match=r"y = x \+\* 1"):
        k.compile(_a((3,)), arch="sm_90")
    with pytest.raises(ValueError, match="arch"):
        mod.compile("compute_90")


@needs_nvrtc
def test_raw_module_name_expressions_and_cache():
    src = """
template <class T> __global__ void axpy(T a, const T* x, T* y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}
extern "C" __global__ void plain(float* y) { y[0] = 1; }
"""
    mod = em.cuda.RawModule(code=src, options=("-std=c++17",), name_expressions=("axpy<float>", "axpy<double>"))
    names = mod.lowered_names("sm_90")
    assert set(names) == {"axpy<float>", "axpy<double>"}
    assert names["axpy<float>"].startswith("_Z") and names["axpy<float>"] != names["axpy<double>"]
    cubin = mod.compile("sm_90")
    assert cubin[:4] == b"\x7fELF"
    assert mod.compile("sm_90") == cubin  # cached: the same binary
    k = em.cuda.RawKernel(src, "plain")
    assert k.compile("sm_80")[:4] == b"\x7fELF" and k.name == "plain" and k.code == src


SHAPES = [((), ()), ((5,), (5,)), ((3, 4), (4,)), ((2, 1, 3), (1, 4, 1)), ((0, 3), (3,)), ((2, 3, 4, 5), (5,))]


@needs_nvrtc
@pytest.mark.parametrize("dtype", ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
                                   "float32", "float64"])
def test_elementwise_signatures_compile(dtype):
    k = em.cuda.ElementwiseKernel("T x, T y, float64 s", "T z, float32 w", "z = x + y; w = (float)(s * i)",
                                  "ew_" + dtype)
    for sx, sy in SHAPES:
        assert k.compile(_a(sx, dtype), _a(sy, dtype), 0.5, arch="sm_90") > 0
    raw = em.cuda.ElementwiseKernel("raw T x, int64 n", "T z", "z = x[n - 1 - i]", "rev_" + dtype)
    assert raw.compile(_a((2, 3), dtype), 6, size=6, arch="sm_90") > 0


@needs_nvrtc
@pytest.mark.parametrize("dtype", ["int32", "uint8", "float32", "float64"])
@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (1, True), ((0, 2), False), ((), False)])
@pytest.mark.parametrize("identity", ["0", None])
def test_reduction_signatures_compile(dtype, axis, keepdims, identity):
    k = em.cuda.ReductionKernel("T x, T y", "float64 out", "x * y", "a + b", "out = sqrt(a)", identity, "dot",
                                reduce_type="float64")
    assert k.compile(_a((2, 3, 4), dtype), _a((4,), dtype), axis=axis, keepdims=keepdims, arch="sm_90") > 0


# ---- the rendered code run on the host (one thread per block) against NumPy ----

_HOST_PRELUDE = """#include <cmath>
#include <algorithm>
using std::sqrt; using std::max; using std::min; using std::abs;
#define __global__
#define __device__
#define __shared__ static
#define __syncthreads()
struct _EmberDim3 { unsigned x, y, z; };
static _EmberDim3 blockIdx{0, 0, 0}, threadIdx{0, 0, 0}, blockDim{1, 1, 1}, gridDim{1, 1, 1};
"""
CXX = shutil.which("g++") or shutil.which("c++")
_CTYPES = {"bool": ctypes.c_bool, "int8": ctypes.c_int8, "uint8": ctypes.c_uint8, "int16": ctypes.c_int16,
           "uint16": ctypes.c_uint16, "int32": ctypes.c_int32, "uint32": ctypes.c_uint32, "int64": ctypes.c_int64,
           "uint64": ctypes.c_uint64, "float32": ctypes.c_float, "float64": ctypes.c_double}


def _dims_type(n):
    return type(f"Dims{n}", (ctypes.Structure,), {"_fields_": [("v", ctypes.c_longlong * n)]})


def _run_on_host(tmp_path, kernel, prep, args, outputs, reduction):
    """Compiles prep['source'] for the host and calls it with NumPy buffers laid out as the launcher would."""
    src = tmp_path / "k.cpp"
    src.write_text(_HOST_PRELUDE + prep["source"])
    lib = tmp_path / "k.so"
    subprocess.run([CXX, "-shared", "-fPIC", "-O0", "-o", str(lib), str(src)], check=True, capture_output=True)
    so = ctypes.CDLL(str(lib))
    R = len(prep["shape"])
    D = _dims_type(R)
    vals, types = [D((ctypes.c_longlong * R)(*prep["shape"]))], [D]
    if reduction:
        vals += [ctypes.c_longlong(prep["nout"]), ctypes.c_longlong(prep["L"])]
    else:
        vals += [ctypes.c_longlong(prep["n"])]
    types += [ctypes.c_longlong] * (len(vals) - len(types))
    kinds = kernel.params
    for k, (name, _, raw, is_out) in enumerate(kinds):
        a = outputs[k - kernel.nin] if is_out else args[k]
        if not isinstance(a, np.ndarray):  # scalar
            ct = _CTYPES[prep["types"][k]]
            vals.append(ct(a.item() if hasattr(a, "item") else a))
            types.append(ct)
            continue
        item = a.itemsize
        ptr = ctypes.c_void_p(a.ctypes.data)
        if raw:
            M = max(a.ndim, 1)
            Raw = type("Raw", (ctypes.Structure,), {"_fields_": [("p", ctypes.c_void_p), ("shape", ctypes.c_longlong * M),
                                                                 ("strides", ctypes.c_longlong * M)]})
            shape = a.shape or (1,)
            strides = [s // item for s in a.strides] or [0]
            vals.append(Raw(ptr, (ctypes.c_longlong * M)(*shape), (ctypes.c_longlong * M)(*strides)))
            types.append(Raw)
        else:
            vals += [ptr, D((ctypes.c_longlong * R)(*prep["strides"][k]))]
            types += [ctypes.c_void_p, D]
    fn = getattr(so, kernel.name)
    fn.argtypes, fn.restype = types, None
    fn(*vals)


@pytest.mark.skipif(CXX is None, reason="no host C++ compiler to run rendered kernels on")
@pytest.mark.parametrize("dtype", ["int32", "float32", "float64", "uint8"])
@pytest.mark.parametrize("case", ["same", "broadcast", "scalar0d", "strided", "reversed", "empty"])
def test_rendered_elementwise_runs_like_numpy(tmp_path, dtype, case):
    base = np.arange(24).reshape(4, 6).astype(dtype)
    views = {
        "same": (lambda b: b, lambda b: b),
        "broadcast": (lambda b: b, lambda b: b[1]),
        "scalar0d": (lambda b: b[2, 3, ...], lambda b: b[1, 1, ...]),
        "strided": (lambda b: b[::2, 1::2], lambda b: b[1:3, ::2]),
        "reversed": (lambda b: b[::-1, ::-2], lambda b: b[:, ::-1][:, :3]),
        "empty": (lambda b: b[:0], lambda b: b[0]),
    }[case]
    xn, yn = views[0](base), views[1](base + 1)
    xe, ye = views[0](em.asarray(base)), views[1](em.asarray(base + 1))
    k = em.cuda.ElementwiseKernel("T x, T y, float64 s", "T z, float64 w", "z = x * y + (T)1; w = s * i", "ew")
    prep = k._prepare(xe, ye, 0.5)
    shape = np.broadcast_shapes(xn.shape, yn.shape)
    assert tuple(prep["out_shape"]) == shape
    z = np.full(shape, 77, dtype)
    w = np.full(shape, -1.0)
    _run_on_host(tmp_path, k, prep, [xn, yn, 0.5], [z, w], False)
    np.testing.assert_array_equal(z, (xn * yn + 1).astype(dtype))
    np.testing.assert_array_equal(w, 0.5 * np.arange(z.size).reshape(shape))


@pytest.mark.skipif(CXX is None, reason="no host C++ compiler to run rendered kernels on")
def test_rendered_raw_parameter_indexes_its_own_strides(tmp_path):
    base = np.arange(12, dtype=np.float64).reshape(3, 4)
    xn, xe = base[:, ::-1].T, em.asarray(base)[:, ::-1].T  # (4, 3), negative and transposed strides
    k = em.cuda.ElementwiseKernel("raw T x, int64 n", "T z", "z = x[n - 1 - i]", "rev")
    prep = k._prepare(xe, 12, size=12)
    z = np.zeros(12)
    _run_on_host(tmp_path, k, prep, [xn, 12], [z], False)
    np.testing.assert_array_equal(z, xn.reshape(-1)[::-1])


@pytest.mark.skipif(CXX is None, reason="no host C++ compiler to run rendered kernels on")
@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (1, True), ((0, 2), False), (2, False),
                                            ((), False)])
@pytest.mark.parametrize("identity", ["0", None])
def test_rendered_reduction_runs_like_numpy(tmp_path, axis, keepdims, identity):
    xn = np.arange(24, dtype=np.float32).reshape(2, 3, 4)[:, ::-1, :]
    yn = np.linspace(-1, 1, 4).astype(np.float32)
    xe = em.asarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4))[:, ::-1, :]
    k = em.cuda.ReductionKernel("T x, T y", "float64 out", "x * y", "a + b", "out = a * 2", identity, "dot",
                                reduce_type="float64")
    prep = k._prepare(xe, em.asarray(yn), axis=axis, keepdims=keepdims)
    expect = (xn * yn).astype(np.float64).sum(axis=axis, keepdims=keepdims) * 2  # map_expr runs in T
    assert tuple(prep["out_shape"]) == expect.shape
    out = np.full(expect.shape, np.nan)
    _run_on_host(tmp_path, k, prep, [xn, yn], [out], True)
    np.testing.assert_allclose(out, expect, rtol=1e-12)


# ---- interop (no GPU) ----

def test_cpu_arrays_keep_their_interop():
    a = _a((3,))
    assert not hasattr(a, "__cuda_array_interface__")
    assert a.__dlpack_device__() == (1, 0)
    np.testing.assert_array_equal(np.from_dlpack(a), [0, 1, 2])
    np.testing.assert_array_equal(em.from_dlpack(np.arange(3.0)).numpy(), [0, 1, 2])


class _FakeCAI:
    __cuda_array_interface__ = {"shape": (4,), "typestr": "<f4", "data": (256, False), "version": 3, "strides": None}


class _FakeCudaDLPack:
    def __dlpack_device__(self):
        return (2, 0)

    def __dlpack__(self, **kw):
        raise AssertionError("must not be called without a GPU")


def test_cuda_producers_without_a_gpu_raise_saying_why():
    if em.cuda.is_available():
        pytest.skip("a GPU is usable here")
    for obj in (_FakeCAI(), _FakeCudaDLPack()):
        with pytest.raises(RuntimeError, match="unavailable"):
            em.asarray(obj)
    with pytest.raises(RuntimeError, match="unavailable"):
        em.from_dlpack(_FakeCudaDLPack())


# ---- on a GPU ----

DTYPES = ["bool", "int8", "uint16", "int32", "int64", "uint64", "float32", "float64"]


def _cuda(a):
    return em.asarray(a, device="cuda")


@pytest.mark.parametrize("dtype", DTYPES)
def test_gpu_raw_kernel_matches_numpy(dtype):
    gpu()
    code = r'''
template <class T> __global__ void axpb(const T* x, T* y, T a, long long n) {
  long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  if (i < n) y[i] = (T)(a * x[i] + y[i]);
}'''
    ct = {"bool": "bool", "int8": "signed char", "uint16": "unsigned short", "int32": "int", "int64": "long long",
          "uint64": "unsigned long long", "float32": "float", "float64": "double"}[dtype]
    mod = em.cuda.RawModule(code=code, name_expressions=(f"axpb<{ct}>",))
    k = mod.get_function(f"axpb<{ct}>")
    x = (np.arange(1000) % 7).astype(dtype)
    y = (np.arange(1000) % 5).astype(dtype)
    xd, yd = _cuda(x), _cuda(y)
    k(((1000 + 255) // 256,), (256,), (xd, yd, np.dtype(dtype).type(3), 1000))
    np.testing.assert_array_equal(yd.numpy(), (np.dtype(dtype).type(3) * x + y).astype(dtype))
    np.testing.assert_array_equal(xd.numpy(), x)


def test_gpu_raw_kernel_write_does_not_change_earlier_lazy_values():
    gpu()
    k = em.cuda.RawKernel('extern "C" __global__ void fill(float* y, float v, int n) {'
                          ' int i = threadIdx.x; if (i < n) y[i] = v; }', "fill")
    y = _cuda(np.zeros(8, np.float32))
    before = y + 1  # lazy, reads the version before the kernel
    k(1, 32, (y, np.float32(5), np.int32(8)))
    np.testing.assert_array_equal(y.numpy(), np.full(8, 5, np.float32))
    np.testing.assert_array_equal(before.numpy(), np.ones(8, np.float32))


@pytest.mark.parametrize("dtype", DTYPES[1:])
def test_gpu_elementwise_kernel_broadcast_and_views(dtype):
    gpu()
    k = em.cuda.ElementwiseKernel("T x, T y, float64 s", "T z", "z = (T)(x * y + s)", "ewk")
    x = (np.arange(24) % 11).astype(dtype).reshape(4, 6)
    y = (np.arange(6) % 3).astype(dtype)
    z = k(_cuda(x)[::-1, ::2], _cuda(y)[::2], 1.0)
    np.testing.assert_array_equal(z.numpy(), (x[::-1, ::2] * y[::2] + 1.0).astype(dtype))
    out = _cuda(np.zeros((4, 3), dtype))
    assert k(_cuda(x)[:, :3], _cuda(y)[:3], 0.0, out) is out
    np.testing.assert_array_equal(out.numpy(), (x[:, :3] * y[:3]).astype(dtype))


@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (1, True), ((0, 2), False)])
def test_gpu_reduction_kernel(axis, keepdims):
    gpu()
    k = em.cuda.ReductionKernel("T x", "T y", "x * x", "a + b", "y = sqrt(a)", "0", "l2", reduce_type="float64")
    x = np.random.default_rng(0).standard_normal((5, 300, 7))
    got = k(_cuda(x), axis=axis, keepdims=keepdims).numpy()
    np.testing.assert_allclose(got, np.sqrt((x * x).sum(axis=axis, keepdims=keepdims)), rtol=1e-12)
    m = em.cuda.ReductionKernel("T x", "T y", "x", "max(a, b)", "y = a", None, "rmax")
    np.testing.assert_array_equal(m(_cuda(x), axis=1).numpy(), x.max(axis=1))


def test_gpu_cuda_array_interface_and_dlpack_round_trip():
    gpu()
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    xd = _cuda(x)
    cai = xd.__cuda_array_interface__
    assert cai["version"] == 3 and cai["shape"] == (3, 4) and cai["typestr"] == "<f4" and cai["strides"] == (16, 4)
    t = xd.T
    back = em.asarray(t)  # an ember array is itself
    assert back is t
    class Holder:
        __cuda_array_interface__ = t.__cuda_array_interface__
    h = em.asarray(Holder())
    assert h.device == "cuda"
    np.testing.assert_array_equal(h.numpy(), x.T)
    d = em.from_dlpack(xd[:, ::-1])
    np.testing.assert_array_equal(d.numpy(), x[:, ::-1])


def test_gpu_zero_copy_with_cupy():
    gpu()
    cupy = pytest.importorskip("cupy")
    x = np.arange(20, dtype=np.float32).reshape(4, 5)
    xd = _cuda(x)
    c = cupy.asarray(xd)  # through __cuda_array_interface__
    assert c.data.ptr == xd.__cuda_array_interface__["data"][0]
    np.testing.assert_array_equal(cupy.asnumpy(c), x)
    e = em.asarray(cupy.arange(6, dtype=cupy.float64)[::2])
    np.testing.assert_array_equal(e.numpy(), [0, 2, 4])
    np.testing.assert_array_equal(cupy.asnumpy(cupy.from_dlpack(_cuda(x))), x)


def test_gpu_zero_copy_with_torch():
    gpu()
    torch = pytest.importorskip("torch")
    x = np.arange(20, dtype=np.float32).reshape(4, 5)
    t = torch.from_dlpack(_cuda(x))
    assert t.is_cuda
    np.testing.assert_array_equal(t.cpu().numpy(), x)
    e = em.from_dlpack(torch.arange(6, device="cuda", dtype=torch.float64).reshape(2, 3).T)
    np.testing.assert_array_equal(e.numpy(), np.arange(6.0).reshape(2, 3).T)
    t2 = torch.as_tensor(_cuda(x), device="cuda")  # through __cuda_array_interface__
    np.testing.assert_array_equal(t2.cpu().numpy(), x)
