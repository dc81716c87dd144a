"""Introspection: graph views (explain, to_dot, to_svg) by exact structure, profile counters for
known expressions, Chrome trace JSON, and EMBER_DEBUG output."""
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import ember as em

HERE = os.path.basename(__file__)
ROW_KEYS = {"op", "origin", "device", "calls", "time", "bytes_read", "bytes_written", "flops", "cycles", "energy"}


def line():
    """The caller's line number: nodes made on that line carry it as their origin."""
    return sys._getframe(1).f_lineno


def evaluated(*shape_seeds, n=1000):
    out = [em.asarray(np.random.default_rng(s).standard_normal(n)) for s in shape_seeds]
    em.eval(*out)
    return out


# ---- graph views ----

def test_explain_lists_nodes_kernels_and_origins():
    a, b, c = evaluated(0, 1, 2)
    y = a * b + c; where = line()  # noqa: E702
    text = em.explain(y)
    assert text.splitlines()[0] == "ember graph: 1 root(s), 5 node(s) (2 lazy), 1 kernel(s) (1 fused)"
    assert re.search(r"k0\s+fused\s+\(1000,\)\s+multiply, add\s+reads %0 %1 %3\s+writes %4", text)
    assert re.search(rf"^  %4 add float64 \(1000,\) cpu  lazy k0  \S*{HERE}:{where}$", text, re.M)
    assert "%2 multiply float64 (1000,) cpu  lazy k0" in text
    assert text.count("evaluated") == 3  # the three inputs
    assert "  ├─ %2 multiply" in text and "  │  ├─ %0 leaf" in text and "  └─ %3 leaf" in text
    # explaining computes nothing: the result is still lazy and then right
    g = em.introspect.graph(y)
    assert not g["nodes"][g["roots"][0]]["evaluated"]
    np.testing.assert_allclose(y.numpy(), a.numpy() * b.numpy() + c.numpy())
    assert em.explain(y).splitlines()[0] == "ember graph: 1 root(s), 1 node(s) (0 lazy), 0 kernel(s) (0 fused)"


def test_explain_shared_nodes_are_shown_once():
    (a,) = evaluated(0)
    t = em.exp(a)
    y = t * t + t
    text = em.explain(y)
    assert text.count("exp float64") == 1
    assert text.count("%1 exp (shown above)") == 2


def test_graph_records_match_the_kernel_planner():
    a, b = evaluated(0, 1, n=60)
    m = em.reshape(a * 2.0, (6, 10)) @ em.reshape(b, (10, 6))
    y = em.sum(em.tanh(m) + 1.0)
    g = em.introspect.graph(y)
    assert len([k for k in g["kernels"] if g["nodes"][k["nodes"][0]]["kind"] != "view"]) == em.kernels(y)[0]
    for i, k in enumerate(g["kernels"]):
        for j in k["nodes"]:
            assert g["nodes"][j]["kernel"] == i
    for n in g["nodes"]:
        assert all(j < n["id"] for j in n["inputs"])  # inputs come first
        assert (n["kernel"] == -1) == n["evaluated"]
    assert set(g["nodes"][0]) == {"id", "op", "kind", "dtype", "shape", "device", "origin", "inputs", "evaluated",
                                  "kernel", "detail"}


def test_dot_has_one_cluster_per_fused_kernel():
    a, b = evaluated(0, 1, n=60)
    m = em.reshape(a * 2.0 + 1.0, (6, 10)) @ em.reshape(b, (10, 6))
    y = em.tanh(m) - 1.0
    g = em.introspect.graph(y)
    fused = sum(k["fused"] for k in g["kernels"])
    assert fused == 2  # (a*2+1) and (tanh(m)-1), the matmul between them is its own kernel
    dot = em.to_dot(y)
    assert dot.startswith("digraph ember {") and dot.rstrip().endswith("}")
    assert len(re.findall(r"subgraph cluster_k\d+ \{", dot)) == fused
    assert len(re.findall(r"^\s*n\d+ \[label=", dot, re.M)) == len(g["nodes"])
    assert len(re.findall(r"^\s*n\d+ -> n\d+;", dot, re.M)) == sum(len(n["inputs"]) for n in g["nodes"])
    assert "matmul" in dot and "peripheries=2" in dot  # the root has a double border


def test_to_dot_writes_a_file(tmp_path):
    (a,) = evaluated(0)
    text = em.to_dot(a + 1, path=tmp_path / "g.dot")
    assert (tmp_path / "g.dot").read_text() == text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_to_svg_renders_with_graphviz(tmp_path):
    a, b = evaluated(0, 1)
    svg = em.to_svg(em.sqrt(a * a + b * b), path=tmp_path / "g.svg")
    assert "<svg" in svg and "cluster_k0" in svg and "sqrt" in svg
    assert (tmp_path / "g.svg").read_text() == svg


def test_to_svg_without_graphviz_says_to_install_it(monkeypatch):
    (a,) = evaluated(0)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="install graphviz"):
        em.to_svg(a + 1)


class _Lowered:
    def __init__(self, outs):
        self._outs = outs

    def outputs(self):
        return self._outs


class _FakeJitted:
    """What em.jit's functions offer: lower(*args) -> an object whose outputs() are lazy arrays."""

    def __init__(self, fun):
        self.fun = fun

    def lower(self, *args, **kwargs):
        return _Lowered(self.fun(*args, **kwargs))


def test_explain_and_dot_of_a_lowered_function():
    (x,) = evaluated(0)
    f = _FakeJitted(lambda x, k=1.0: (x * k + 1.0, {"s": em.sum(x)}))
    text = em.explain(f, x, k=3.0)
    assert text.startswith("ember graph: 2 root(s)")
    assert "multiply" in text and "sum" in text
    assert em.to_dot(f, x).count("peripheries=2") == 2
    # a plain function works the same way (ember is lazy: its results are graphs)
    assert em.explain(lambda x: x * 2.0, x).startswith("ember graph: 1 root(s)")


def test_explain_rejects_what_has_no_graph():
    with pytest.raises(TypeError, match="cannot show the graph of a int"):
        em.explain(3)
    with pytest.raises(TypeError, match="cannot show the graph of a str"):
        em.explain("y")
    with pytest.raises(TypeError, match="holds no ember arrays"):
        em.explain([1, 2])
    (x,) = evaluated(0)
    with pytest.raises(TypeError, match="only for functions"):
        em.explain(x, 1)


# ---- profile ----

def test_profile_counts_bytes_and_flops_of_a_fused_expression():
    n = 10**6
    a, b, c = evaluated(0, 1, 2, n=n)
    with em.profile() as p:
        y = a * b + c; where = line()  # noqa: E702
        got = y.numpy()
    np.testing.assert_allclose(got, a.numpy() * b.numpy() + c.numpy())
    rows = {r["op"]: r for r in p.to_list()}
    assert set(rows) == {"multiply", "add"}
    for r in rows.values():
        assert set(r) == ROW_KEYS
        assert r["calls"] == 1 and r["device"] == "cpu" and r["time"] > 0
        assert r["origin"].endswith(f"{HERE}:{where}")
        assert r["flops"] == n and r["cycles"] is None
    # the kernel reads a, b (multiply) and c (add) once, and stores only y
    assert rows["multiply"]["bytes_read"] == 16 * n and rows["add"]["bytes_read"] == 8 * n
    assert rows["multiply"]["bytes_written"] == 0 and rows["add"]["bytes_written"] == 8 * n
    assert "multiply" in str(p) and "written" in str(p)


def test_profile_counts_matmul_and_reduction_flops():
    x = em.asarray(np.arange(50 * 60, dtype=np.float64).reshape(50, 60))
    w = em.asarray(np.ones((60, 70)))
    em.eval(x, w)
    with em.profile() as p:
        s = em.sum(x @ w)
        float(s)
    rows = {r["op"]: r for r in p.to_list()}
    assert rows["matmul"]["flops"] == 2 * 50 * 60 * 70
    assert rows["matmul"]["bytes_read"] == 8 * (50 * 60 + 60 * 70)
    assert rows["matmul"]["bytes_written"] == 8 * 50 * 70
    assert rows["sum"]["flops"] == 50 * 70 and rows["sum"]["bytes_written"] == 8


def test_profile_sorts_and_nests():
    a, b = evaluated(0, 1, n=10**5)
    with em.profile() as outer:
        em.eval(em.exp(a) + b)
        with em.profile() as inner:
            em.eval(em.sin(a) * 2.0)
    assert {r["op"] for r in inner.to_list()} == {"sin", "multiply"}
    assert {r["op"] for r in outer.to_list()} == {"exp", "add", "sin", "multiply"}
    times = [r["time"] for r in outer.sort("time").to_list()]
    assert times == sorted(times, reverse=True)
    assert [r["op"] for r in outer.sort("op").to_list()] == ["add", "exp", "multiply", "sin"]
    flops = [r["flops"] for r in outer.sort(by="flops").rows]
    assert flops == sorted(flops, reverse=True)
    with pytest.raises(ValueError, match="cannot sort a profile by 'speed'"):
        outer.sort("speed")
    with em.profile() as idle:
        pass
    assert idle.to_list() == []


@pytest.mark.skipif(not hasattr(em._core, "pim"), reason="this build has no pim device")
def test_profile_rows_of_pim_ops_carry_cycles_and_energy():
    x = em.asarray(np.arange(64, dtype=np.int32), device="pim")
    with em.profile() as p:
        (x * 3 + 1).numpy()
    pim_rows = [r for r in p.to_list() if r["device"] == "pim" and r["op"] in ("multiply", "add")]
    assert pim_rows and all(r["cycles"] > 0 and r["energy"] > 0 for r in pim_rows)


# ---- trace ----

def _load_trace(path):
    with open(path) as f:
        doc = json.load(f)
    events = doc["traceEvents"]
    for e in events:
        assert e["ph"] in ("X", "M")
        keys = {"name", "cat", "ts", "dur", "pid", "tid", "args"} if e["ph"] == "X" else {"name", "pid", "tid", "args"}
        assert keys <= set(e), e
    return events


def test_trace_writes_chrome_trace_json_with_worker_chunks(tmp_path):
    threads = em.get_num_threads()
    em.set_num_threads(2)
    try:
        a, b, c = evaluated(0, 1, 2, n=4 * 10**6)
        path = tmp_path / "run.json"
        for _ in range(5):  # the second worker must pick up a chunk: retry on a very busy machine
            with em.trace(str(path)):
                em.eval(em.sqrt(a * a + b * b) * c)
            events = _load_trace(path)
            chunks = [e for e in events if e["ph"] == "X" and e["cat"] == "chunk"]
            if len({e["tid"] for e in chunks}) > 1:
                break
        assert len({e["tid"] for e in chunks}) > 1
    finally:
        em.set_num_threads(threads)
    kernels = [e for e in events if e["ph"] == "X" and e["cat"] == "fused kernel"]
    assert len(kernels) == 1
    assert kernels[0]["name"] == "multiply+multiply+add+sqrt+multiply"
    assert kernels[0]["args"]["ops"] == "multiply, multiply, add, sqrt, multiply"
    assert HERE in kernels[0]["args"]["origins"] and kernels[0]["args"]["device"] == "cpu"
    assert all(e["name"] == kernels[0]["name"] for e in chunks)
    k0, k1 = kernels[0]["ts"], kernels[0]["ts"] + kernels[0]["dur"]
    assert all(k0 <= e["ts"] and e["ts"] + e["dur"] <= k1 + 1 for e in chunks)  # chunks run inside it
    names = {e["args"]["name"] for e in events if e["name"] == "thread_name"}
    assert "worker" in names and names & {"python", "ember dispatcher"}  # em.eval of big work runs async
    assert any(e["name"] == "process_name" and e["args"]["name"] == "ember cpu device" for e in events)


def test_trace_as_a_function_and_numpys_trace(tmp_path):
    (a,) = evaluated(0, n=10**6)
    t = em.trace(tmp_path / "t.json")
    with pytest.raises(RuntimeError, match="already recording"):
        em.trace(tmp_path / "other.json")
    em.eval_async(em.exp(a) - 1.0)  # runs on the dispatcher thread
    assert t.stop() == str(tmp_path / "t.json")
    events = _load_trace(tmp_path / "t.json")
    assert [e["name"] for e in events if e.get("cat") == "fused kernel"] == ["exp+subtract"]
    assert "ember dispatcher" in {e["args"]["name"] for e in events if e["name"] == "thread_name"}
    # an array is still NumPy's trace
    m = np.arange(12.0).reshape(3, 4)
    assert float(em.trace(em.asarray(m), offset=1)) == np.trace(m, offset=1)


# ---- EMBER_DEBUG ----

_PROGRAM = "import numpy as np, ember as em; a = em.asarray(np.ones(10)); print(float(em.sum(a * 2.0 + 1.0)))"


def _run(debug):
    env = dict(os.environ, PYTHONPATH=os.path.dirname(em.__path__[0]))
    env.pop("EMBER_DEBUG", None)
    if debug is not None:
        env["EMBER_DEBUG"] = debug
    done = subprocess.run([sys.executable, "-c", _PROGRAM], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "30.0"
    return done.stderr


def test_ember_debug_prints_kernels_then_graphs():
    assert "[ember]" not in _run(None)
    one = _run("1")
    assert "[ember] compiled 1 kernel(s) for 1 root(s)" in one and "reduce sum" in one
    assert "[ember] graph:" not in one
    two = _run("2")
    assert "[ember] graph:" in two and re.search(r"%\d+ = multiply\(%\d+, %\d+\) float64 \(10,\) cpu \[k0\]", two)


def test_set_debug_in_process(capfd):
    old = em.get_debug()
    (a,) = evaluated(0)
    em.set_debug(1)
    try:
        em.eval(a + 1.0)
    finally:
        em.set_debug(old)
    assert "[ember] compiled 1 kernel(s)" in capfd.readouterr().err
    em.eval(a + 2.0)
    assert "[ember]" not in capfd.readouterr().err
