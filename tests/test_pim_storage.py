"""float16, bfloat16 and complex64 arrays on the pim device: stored as 16- / 64-bit words and
moved bit for bit (transfers, views, concat, gathers, writes, full, copy, where); arithmetic on
them has no microcode and still raises NotImplementedError naming the op."""
import numpy as np
import pytest

import ember as em
from helpers import sample

pim = pytest.importorskip("ember.pim")


def _values(dtype):
    if dtype == "bfloat16":
        return None
    a = sample((4, 6), dtype, 1)
    if np.dtype(dtype).kind in "fc":
        a.flat[[0, 1, 2, 3]] = [np.nan, -0.0, np.inf, -np.inf]
    return a


@pytest.mark.parametrize("dtype", ["float16", "complex64"])
def test_movement_is_bit_exact(dtype):
    a = _values(dtype)
    e = em.asarray(a, device="pim")
    assert e.device == "pim"

    def same(got, want):
        got = got.numpy()
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got.view(np.uint8), np.ascontiguousarray(want).view(np.uint8))

    same(e, a)
    same(e[::-1, 1::2], a[::-1, 1::2])
    same(e.T, a.T)
    same(em.concat([e, e[:1]]), np.concatenate([a, a[:1]]))
    same(em.stack([e, e], axis=-1), np.stack([a, a], axis=-1))
    same(e[[3, 0, 0]], a[[3, 0, 0]])
    same(em.tile(e, (2, 1)), np.tile(a, (2, 1)))
    same(em.flip(e), np.flip(a))
    same(em.where(em.asarray(a.real > 0, device="pim"), e, e[::-1]), np.where(a.real > 0, a, a[::-1]))
    same(em.full((3, 2), 1.5, dtype=dtype, device="pim"), np.full((3, 2), 1.5, dtype=dtype))
    b, w = a.copy(), em.asarray(a, device="pim")
    b[1:3, ::2] = b[0, ::2]
    w[1:3, ::2] = w[0, ::2]
    b[[0, 3], 1] = 7
    w[[0, 3], 1] = 7
    same(w, b)


def test_bfloat16_round_trip_and_views():
    e = em.asarray(np.arange(12, dtype=np.float32).reshape(3, 4)).astype(em.bfloat16).to("pim")
    h = e.to("cpu")
    np.testing.assert_array_equal(e[:, ::-2].numpy().astype(np.float32), h.numpy()[:, ::-2].astype(np.float32))


@pytest.mark.parametrize("dtype", ["float16", "complex64"])
def test_arithmetic_has_no_microcode(dtype):
    e = em.asarray(_values(dtype), device="pim")
    with pytest.raises(NotImplementedError, match="'add' is not implemented on device pim"):
        (e + e).numpy()
    with pytest.raises(NotImplementedError, match="is not implemented on device pim"):
        em.sum(e).numpy()
