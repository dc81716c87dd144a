"""The sort family on the cuda device (sort, argsort, searchsorted, nonzero, unique, repeat; CUB radix
sort through libember_cub). Without a GPU: the registrations, and the key transforms the kernels
compile (cpp/ember/backend/cuda/ops_sort_keys.h) built for the host and checked against NumPy's own
stable order. On a GPU: the cases the shared op suite (EMBER_DEVICE=cuda) lacks: large and many-lane
sorts, every radix-pass shape of the plans, signed zeros' bits, and the sorter error."""
import ctypes
import pathlib
import shutil
import subprocess

import numpy as np
import pytest

import ember as em
from cuda_helpers import gpu, needs_build, on_gpu

ROOT = pathlib.Path(__file__).resolve().parents[1]
KEYS_H = ROOT / "cpp" / "ember" / "backend" / "cuda" / "ops_sort_keys.h"
CXX = shutil.which("g++") or shutil.which("c++")

SORT_OPS = ["sort", "argsort", "searchsorted", "nonzero", "nonzero_count", "repeat_indices", "unique_gather",
            "unique_info"]


@needs_build
def test_sort_family_is_registered_without_a_driver():
    names = set(em._core.kernel_names("cuda"))
    assert not [op for op in SORT_OPS if op not in names]


# ---- the key transforms on the host, against NumPy ----

_SHIM = """
#include <cstdint>
#include <cstring>
#include "ops_sort_keys.h"
// Key word w of n elements of `item` bytes (complex: real part then imaginary part).
extern "C" void words(const unsigned char* x, long long n, int item, int kind, int nbits, int mant, int cpx, int w,
                      int invert, int wbits, unsigned long long* out) {
  for (long long i = 0; i < n; ++i) {
    unsigned long long lo = 0, hi = 0;
    const int part = cpx ? item / 2 : item;
    std::memcpy(&lo, x + i * item, part);
    if (cpx) std::memcpy(&hi, x + i * item + part, part);
    out[i] = em_sk_pass_key(lo, hi, 0, w, wbits, -1, invert, kind, nbits, mant, cpx);
  }
}
"""

# dtype -> (kind, bits of a value or part, mantissa bits, complex, data bits of each word)
_KEYS = {
    "bool": (0, 8, 0, 0, [1]), "int8": (1, 8, 0, 0, [8]), "int16": (1, 16, 0, 0, [16]),
    "int32": (1, 32, 0, 0, [32]), "int64": (1, 64, 0, 0, [64]), "uint8": (2, 8, 0, 0, [8]),
    "uint32": (2, 32, 0, 0, [32]), "uint64": (2, 64, 0, 0, [64]), "float16": (3, 16, 10, 0, [16]),
    "float32": (3, 32, 23, 0, [32]), "float64": (3, 64, 52, 0, [64]), "complex64": (3, 32, 23, 1, [2, 64]),
    "complex128": (3, 64, 52, 1, [2, 64, 64]),
}


@pytest.fixture(scope="module")
def keys_lib(tmp_path_factory):
    if CXX is None:
        pytest.skip("no host C++ compiler to build the key transforms with")
    d = tmp_path_factory.mktemp("keys")
    (d / "shim.cpp").write_text(_SHIM)
    lib = d / "shim.so"
    subprocess.run([CXX, "-std=c++17", "-shared", "-fPIC", "-O1", "-I", str(KEYS_H.parent), "-o", str(lib),
                    str(d / "shim.cpp")], check=True, capture_output=True)
    so = ctypes.CDLL(str(lib))
    so.words.restype = None
    return so


def _awkward(dtype, n, seed):
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.integers(0, 2, n).astype(bool)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        pool = np.array([info.min, info.max, 0, 1, info.max - 1, info.min + 1, 5, 5], dtype=dt)
        return np.where(rng.random(n) < 0.5, rng.choice(pool, n), rng.integers(info.min, info.max, n, dtype=dt, endpoint=True))
    real = np.dtype(dt.char.lower()) if dt.kind == "f" else np.dtype(np.float32 if dt == np.complex64 else np.float64)
    pool = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1.0, -1.0, 1.0, 2.5, -2.5], dtype=real)
    ones = np.iinfo(f"u{real.itemsize}").max
    nan_payload = np.array([ones], dtype=f"u{real.itemsize}").view(real)  # an all-ones NaN
    pool = np.concatenate([pool, nan_payload, [np.finfo(real).tiny / 4, -np.finfo(real).max]]).astype(real)
    if dt.kind == "c":  # parts set through the bits (arithmetic would turn 1j * inf into nan)
        return rng.choice(pool, (n, 2)).view(dt).reshape(n)
    return rng.choice(pool, n)


def _key_order(lib, a, descending=False):
    kind, nbits, mant, cpx, wbits = _KEYS[a.dtype.name]
    a = np.ascontiguousarray(a)
    cols = []
    for w, bits in enumerate(wbits):
        out = np.zeros(a.size, dtype=np.uint64)
        lib.words(ctypes.c_void_p(a.ctypes.data), ctypes.c_longlong(a.size), ctypes.c_int(a.itemsize), ctypes.c_int(kind),
                  ctypes.c_int(nbits), ctypes.c_int(mant), ctypes.c_int(cpx), ctypes.c_int(w), ctypes.c_int(descending),
                  ctypes.c_int(bits), ctypes.c_void_p(out.ctypes.data))
        cols.append(out)
    return np.lexsort(cols[::-1])  # stable; the last key is the primary one


@pytest.mark.parametrize("dtype", list(_KEYS))
def test_key_words_order_elements_as_numpys_stable_sort(keys_lib, dtype):
    a = _awkward(dtype, 4000, 1)
    got = _key_order(keys_lib, a)
    np.testing.assert_array_equal(got, np.argsort(a, kind="stable"))
    # The same order holds for the bits: -0.0 before 0.0 only where the input had it so.
    np.testing.assert_array_equal(a[got].view(np.uint8), np.sort(a, kind="stable").view(np.uint8))


@pytest.mark.parametrize("dtype", ["int8", "uint64", "float16", "float64", "complex64", "bool"])
def test_inverted_keys_give_the_stable_descending_order(keys_lib, dtype):
    a = _awkward(dtype, 2000, 2)
    n = a.size
    want = n - 1 - np.flip(np.argsort(np.flip(a), kind="stable"))  # the Array API's stable descending order
    np.testing.assert_array_equal(_key_order(keys_lib, a, descending=True), want)


# ---- on a GPU ----

def same(x, ref):
    got, ref = np.ascontiguousarray(x.numpy()), np.ascontiguousarray(ref)
    assert got.dtype == ref.dtype and got.shape == ref.shape, (got.dtype, got.shape, ref.dtype, ref.shape)
    if ref.dtype.kind in "fc":  # the bits: -0.0 against 0.0, NaN payloads
        got, ref = got.view(np.uint8), ref.view(np.uint8)
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "uint64", "float16", "float32", "float64", "complex64",
                                   "complex128", "bool"])
@pytest.mark.parametrize("shape, axis", [((300000,), 0), ((5000, 3), 0), ((3, 70000), 1), ((40, 9, 11), 1),
                                         ((2, 1, 3000), -1)])
def test_large_and_many_lane_sorts_match_numpy_bit_for_bit(dtype, shape, axis):
    gpu()
    a = _awkward(dtype, int(np.prod(shape)), 3).reshape(shape)
    x = on_gpu(a)
    same(em.sort(x, axis=axis), np.sort(a, axis=axis, kind="stable"))
    np.testing.assert_array_equal(em.argsort(x, axis=axis).numpy(), np.argsort(a, axis=axis, kind="stable"))


def test_sort_of_strided_and_reversed_views():
    gpu()
    a = _awkward("float64", 6 * 500, 4).reshape(6, 500)
    x = on_gpu(a)
    for view in (lambda t: t[::2, ::-3], lambda t: t.T, lambda t: t[:, 7:300:5]):
        for axis in (0, 1, None):
            same(em.sort(view(x), axis=axis), np.sort(view(a), axis=axis, kind="stable"))


def test_searchsorted_sorter_out_of_bounds_raises_as_on_the_cpu():
    gpu()
    x = on_gpu(np.array([3.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match="sorter index 7 is out of bounds for size 3"):
        em.searchsorted(x, on_gpu(np.array([2.0])), sorter=on_gpu(np.array([1, 7, 0]))).numpy()


@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted_large_with_nans_and_sorter(side):
    gpu()
    a = _awkward("float32", 100000, 5)
    order = np.argsort(a, kind="stable")
    v = _awkward("float32", 3000, 6).reshape(60, 50)
    got = em.searchsorted(on_gpu(a), on_gpu(v), side=side, sorter=on_gpu(order))
    np.testing.assert_array_equal(got.numpy(), np.searchsorted(a, v, side=side, sorter=order))


def test_nonzero_and_unique_at_scale():
    gpu()
    a = _awkward("float32", 2 * 300 * 500, 7).reshape(2, 300, 500)[:, ::-1, ::2]
    for g, r in zip(em.nonzero(on_gpu(a)), np.nonzero(a)):
        np.testing.assert_array_equal(g.numpy(), r)
    vals, idx, inv, counts = em.unique_all(on_gpu(a))
    ref = np.unique(a, return_index=True, return_inverse=True, return_counts=True, equal_nan=False)
    same(vals, ref[0])
    np.testing.assert_array_equal(idx.numpy(), ref[1])
    np.testing.assert_array_equal(inv.numpy().reshape(-1), ref[2].reshape(-1))
    np.testing.assert_array_equal(counts.numpy(), ref[3])
