"""Issue 6's checklist items that no other pim test pins down exactly: host transfers are bulk
(charged as transfers, no per-element READ/WRITE micro-ops), the cpu fallback warns once per op,
and a profile entry names the exact Python line that created the op; the two examples run."""
import inspect
import os
import runpy
import warnings

import numpy as np
import pytest

import ember as em

pim = pytest.importorskip("ember.pim")
MACHINE_KINDS = ("mask", "rw", "logic", "move")


@pytest.mark.parametrize("dtype,words", [("int32", 1), ("float64", 2), ("bool", 1)])
def test_transfers_are_bulk_and_charged(dtype, words):
    n = 2 ** 16 + 3
    a = np.arange(n).astype(dtype)
    pim.reset_metrics()
    x = em.asarray(a, device="pim")
    em.eval(x)
    up = pim.metrics()
    # one bulk write: no machine micro-ops, the cost of PyPIM's per-element host I/O as 'transfer'
    assert all(up[k] == (0, 0) for k in MACHINE_KINDS)
    assert up["transfer"] == (n * words, 32 * n * words)
    np.testing.assert_array_equal(x.numpy(), a)
    down = pim.metrics()
    assert all(down[k] == (0, 0) for k in MACHINE_KINDS)
    assert down["transfer"][0] == 2 * n * words
    with pim.profile() as p:
        y = x.to("cpu")
        em.eval(y)
    t = [e for e in p.ops if e["op"] == "to_device"]
    assert len(t) == 1 and t[0]["count"] == 1 and t[0]["transfer"][0] == n * words


def test_fallback_warns_once_per_op():
    x = em.asarray(np.linspace(0.5, 2, 8, dtype=np.float32), device="pim")
    y = em.asarray(np.linspace(1, 3, 8, dtype=np.float32), device="pim")
    with pytest.raises(NotImplementedError, match=r"'hypot' is not implemented on device pim"):
        em.hypot(x, y).numpy()
    pim.fallback("cpu")
    try:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")  # Python would not repeat it anyway; the device must not either
            first = em.hypot(x, y).numpy()
            second = em.hypot(y, x).numpy()
        msgs = [str(i.message) for i in w if "'hypot' runs on the host" in str(i.message)]
        assert len(msgs) == 1 and all(i.category is RuntimeWarning for i in w)
        np.testing.assert_allclose(first, np.hypot(x.numpy(), y.numpy()), rtol=1e-6)
        np.testing.assert_allclose(second, first, rtol=1e-6)
    finally:
        pim.fallback(None)
    with pytest.raises(NotImplementedError):  # off again
        em.hypot(x, y).numpy()


def test_profile_is_keyed_to_the_creating_line():
    x = em.asarray(np.arange(32, dtype=np.float32), device="pim")
    em.eval(x)
    with pim.profile() as p:
        line = inspect.currentframe().f_lineno + 1
        y = (x * 3).sum()
        z = y + 1
        em.eval(z)
    origins = {e["op"]: e["origin"] for e in p.ops}
    assert origins["multiply"].endswith(f"test_pim_checklist.py:{line}")
    assert origins["sum"].endswith(f"test_pim_checklist.py:{line}")
    assert origins["add"].endswith(f"test_pim_checklist.py:{line + 1}")
    assert z.item() == 3 * sum(range(32)) + 1


@pytest.mark.parametrize("name", ["pim_readme.py", "pim_kmeans.py"])
def test_examples_run_and_match_numpy(name, capsys):
    ns = runpy.run_path(os.path.join(os.path.dirname(__file__), "..", "examples", name), run_name="__main__")
    out = capsys.readouterr().out
    if name == "pim_readme.py":
        assert ns["result"] == 32.0 and "z[::2].sum() = 32.0" in out
    else:  # labels equal NumPy's, centroids within float32 rounding of the tree sums
        np.testing.assert_array_equal(ns["labels"], ns["ref_labels"])
        np.testing.assert_allclose(ns["got"], ns["ref"], rtol=1e-5, atol=1e-5)
    totals = ns["prof"].totals
    assert totals["logic"][0] > 0 and totals["total"][0] == sum(totals[k][0] for k in (*MACHINE_KINDS, "transfer"))
    assert "Latency" in out and "line" in out
