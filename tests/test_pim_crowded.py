"""Kernels that place several tensors of their own (argmax / argmin rounds, axis reductions, matmul,
searchsorted) must find room for them and for their macro's scratch registers when the crossbars
are crowded by live arrays. The default placement reserve (14 registers, one macro on one tensor)
sent them into a crossbar with 15 free registers, where the float32 compare or multiply ran out
("out of registers"): test_reductions.py's argmax failed that way after earlier tests.

Each scenario runs in a fresh process, so the machine starts empty and the crowding is exact."""
import os
import subprocess
import sys
import textwrap

import pytest

import ember as em

PRELUDE = """
import gc
import numpy as np
import ember as em
import ember.pim
rng = np.random.default_rng(0)

def crowd(n_keep, n_drop):
    # float32 arrays of 8 elements take one register of crossbar 0 each until it has 14 free
    # (first fit with a 14-register reserve); dropping some leaves 14 + n_drop free there.
    live = [em.asarray(np.full(8, i, np.float32), device="pim") for i in range(n_keep)]
    em.eval(*live)
    for _ in range(n_drop):
        live.pop()
    gc.collect()
    return live

def same(got, want):
    got = got.numpy()
    assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, want.dtype, got.shape, want.shape)
    np.testing.assert_array_equal(got, want)
"""


def run_script(body):
    code = PRELUDE + textwrap.dedent(body)
    env = dict(os.environ)
    env.pop("EMBER_DEVICE", None)
    env["PYTHONPATH"] = os.path.dirname(em.__path__[0])  # the ember these tests import (dev tree or installed)
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
@pytest.mark.parametrize("drop", [1, 2, 3, 5])
def test_arg_reductions_in_crowded_crossbars(dtype, drop):
    run_script(f"""
    live = crowd(18, {drop})
    a = rng.integers(-2, 3, size=(5, 7)).astype("{dtype}")
    if a.dtype.kind == "f":
        a[1, 3] = np.nan
    x = em.asarray(a, device="pim")
    for op in ("argmax", "argmin"):
        for axis in (None, 0, 1):
            same(getattr(em, op)(x, axis=axis), getattr(np, op)(a, axis=axis))
    """)


@pytest.mark.parametrize("dtype", ["float32", "int32", "float64"])
def test_reductions_matmul_search_in_crowded_crossbars(dtype):
    run_script(f"""
    live = crowd(18, 2)
    a = rng.integers(-3, 4, size=(6, 9)).astype("{dtype}")
    x = em.asarray(a, device="pim")
    for op in ("sum", "prod", "max", "min"):
        for axis in (0, 1):
            same(getattr(em, op)(x, axis=axis), getattr(np, op)(a, axis=axis))
    b = rng.integers(-3, 4, size=(9, 4)).astype("{dtype}")
    same(x @ em.asarray(b, device="pim"), a @ b)
    s = np.sort(a.ravel())
    v = np.array([-1, 0, 2, 5], dtype="{dtype}")
    same(em.searchsorted(em.asarray(s, device="pim"), em.asarray(v, device="pim")), np.searchsorted(s, v))
    """)


def test_many_dropped_arrays_then_argmax():
    # arrays created and dropped (also by failed ops and views) give their registers back: a
    # machine of 8 crossbars (256 registers) would run out after a few hundred leaked arrays
    run_script("""
    em.pim.configure(crossbars=8, rows=64)
    for i in range(600):
        x = em.asarray(rng.random(40).astype(np.float32), device="pim")
        y = (x[::-1] * 2 + 1).reshape(5, 8)
        em.eval(em.sum(y, axis=1), em.argmax(y, axis=0))
        try:
            em.exp(x.astype("float16")).numpy()
        except NotImplementedError:
            pass
    a = rng.random((6, 10)).astype(np.float32)
    x = em.asarray(a, device="pim")
    same(em.argmax(x, axis=1), np.argmax(a, axis=1))
    same(em.argmin(x, axis=0), np.argmin(a, axis=0))
    """)
