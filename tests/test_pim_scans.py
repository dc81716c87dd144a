"""cumsum / cumprod on the pim device (the machine's parallel prefix scan), checked against NumPy,
and a failed pim evaluation that is read again (it raises again; nothing crashes)."""
import numpy as np
import pytest

import ember as em
from helpers import sample

pim = pytest.importorskip("ember.pim")


@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
@pytest.mark.parametrize("dtype", ["int32", "float32"])
@pytest.mark.parametrize("shape", [(1,), (9,), (3, 5), (2, 3, 4)])
def test_scans_match_numpy(op, dtype, shape):
    a = sample(shape, dtype, 3, low=-2, high=3)  # small values: products stay exact
    e = em.asarray(a, device="pim")
    for axis in [None] + list(range(len(shape))):
        r = getattr(em, op)(e, axis=axis)
        assert r.device == "pim"
        np.testing.assert_allclose(r.numpy(), getattr(np, op)(a, axis=axis), rtol=1e-5, atol=1e-6)  # floats: summed in tree order


def test_cumprod_runs_in_memory():
    e = em.asarray(np.arange(1, 9, dtype=np.int32), device="pim")
    em.eval(e)
    with pim.profile() as p:
        assert em.cumprod(e).numpy().tolist() == np.cumprod(np.arange(1, 9)).tolist()
    op = {x["op"]: x for x in p.ops}["cumprod"]
    assert not op["fallback"] and op["logic"][0] > 0


def test_evaluated_zero_d_pim_value_in_a_fused_expression():
    # an evaluated 0-d pim value has no host bytes: fusion must not read it as a host constant
    v = em.mean(em.asarray(np.arange(8, dtype=np.float32), device="pim"))
    assert v.numpy() == 3.5
    assert (v * 2 + 1).numpy() == 8.0
    assert (em.asarray(np.ones(4, dtype=np.float32), device="pim") * v).numpy().tolist() == [3.5] * 4


def test_failed_evaluation_on_pim_raises_again_when_read_again():
    v = em.mean(em.asarray(np.arange(8, dtype=np.float32), device="pim"))
    r = em.cbrt(v * 2)  # cbrt has no pim microcode
    for _ in range(2):
        with pytest.raises(NotImplementedError, match="'cbrt' is not implemented on device pim"):
            r.numpy()
    assert v.numpy() == 3.5  # its input is intact


def test_retried_fused_pim_read_never_crashes():
    # float64 sqrt of a 0-d pim value can run out of scratch registers (it did in a fresh process):
    # then every read raises again; reading it again once crashed in fusion (a pim value's host bytes)
    e = em.asarray(np.arange(60, dtype=np.int8).reshape(3, 4, 5) % 5 - 2, device="pim")
    d = e - em.mean(e)
    v = em.mean(d * d)
    r = em.sqrt(v)
    for _ in range(2):
        try:
            assert r.numpy() == np.sqrt(2.0)
        except NotImplementedError as err:
            assert "'sqrt' is not implemented on device pim" in str(err)
    assert v.numpy() == 2.0

