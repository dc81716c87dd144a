"""em.quantize: fp32 ONNX models to QDQ int8. Accuracy against the fp32 model on held-out data, structure (checker,
strict shape inference, int8 weights, int32 biases with scale s_x * s_w, power-of-two scales), ember's own
evaluation of the QDQ model against onnxruntime's, and bad input.

Stated accuracy bounds (held-out data, trained models below): fp32/int8 class agreement >= 98%, accuracy drop
<= 1 point, max |logit error| <= 5% of the largest |logit|. `python tests/test_quantize.py` prints the figures
quoted in docs/quantization.md."""
import functools
import os

import numpy as np
import pytest

import ember as em

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from ember.onnx import run_ember, size_report  # noqa: E402

D, CLASSES = 16, 4


# ---------------------------------------------------------------- data, trained models

def blobs(n, seed):
    """Four Gaussian classes in 16-D with overlapping tails (so accuracy is below 100%)."""
    rng = np.random.default_rng(seed)
    centers = np.random.default_rng(0).standard_normal((CLASSES, D)).astype(np.float32) * 1.2
    y = rng.integers(0, CLASSES, n)
    x = centers[y] + rng.standard_normal((n, D)).astype(np.float32)
    return x.astype(np.float32), y


@functools.lru_cache(None)
def trained_mlp(hidden=32):
    """A 16-hidden-4 ReLU MLP trained by full-batch gradient descent on softmax cross-entropy."""
    x, y = blobs(2000, 1)
    rng = np.random.default_rng(2)
    w1 = rng.standard_normal((D, hidden)).astype(np.float32) / np.sqrt(D)
    b1 = np.zeros(hidden, np.float32)
    w2 = rng.standard_normal((hidden, CLASSES)).astype(np.float32) / np.sqrt(hidden)
    b2 = np.zeros(CLASSES, np.float32)
    onehot = np.eye(CLASSES, dtype=np.float32)[y]
    for _ in range(300):
        h = np.maximum(x @ w1 + b1, 0)
        z = h @ w2 + b2
        p = np.exp(z - z.max(1, keepdims=True))
        g = (p / p.sum(1, keepdims=True) - onehot) / len(x)
        gh = (g @ w2.T) * (h > 0)
        w2 -= 0.5 * h.T @ g
        b2 -= 0.5 * g.sum(0)
        w1 -= 0.5 * x.T @ gh
        b1 -= 0.5 * gh.sum(0)
    return w1, b1, w2, b2


@functools.lru_cache(None)
def trained_logreg():
    """Logistic regression: class 0 against the rest."""
    x, y = blobs(2000, 3)
    t = (y == 0).astype(np.float32)
    w, b = np.zeros(D, np.float32), np.float32(0)
    for _ in range(300):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        w -= 0.5 * x.T @ (p - t) / len(x)
        b -= 0.5 * np.float32((p - t).mean())
    return w.reshape(D, 1), np.array([b], np.float32)


def make_model(nodes, inits, inputs, outputs, opset=17):
    g = helper.make_graph(nodes, "g", inputs, outputs,
                          initializer=[numpy_helper.from_array(np.asarray(v, np.float32), k) for k, v in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], ir_version=8)
    onnx.checker.check_model(m, full_check=True)
    return m


def vi(name, shape, t=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, t, shape)


def mlp_model(gemm=False, batch="N", weights=None):
    w1, b1, w2, b2 = weights or trained_mlp()
    if gemm:
        nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["h"]), helper.make_node("Relu", ["h"], ["r"]),
                 helper.make_node("Gemm", ["r", "W2", "b2"], ["logits"])]
    else:  # how a Linear layer often exports: MatMul then Add
        nodes = [helper.make_node("MatMul", ["x", "W1"], ["m1"]), helper.make_node("Add", ["m1", "b1"], ["h"]),
                 helper.make_node("Relu", ["h"], ["r"]), helper.make_node("MatMul", ["r", "W2"], ["m2"]),
                 helper.make_node("Add", ["m2", "b2"], ["logits"])]
    return make_model(nodes, {"W1": w1, "b1": b1, "W2": w2, "b2": b2}, [vi("x", [batch, D])],
                      [vi("logits", [batch, w2.shape[1]])])


def logreg_model():
    w, b = trained_logreg()
    nodes = [helper.make_node("Gemm", ["x", "w", "b"], ["z"]), helper.make_node("Sigmoid", ["z"], ["p"])]
    return make_model(nodes, {"w": w, "b": b}, [vi("x", ["N", D])], [vi("p", ["N", 1])])


def run_ort(model, *inputs, optimize=True):
    opts = ort.SessionOptions()
    if not optimize:
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    s = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    return s.run(None, {i.name: v for i, v in zip(s.get_inputs(), inputs)})[0]


def calibration(seed=10, batches=16, batch=128):
    x, _ = blobs(batches * batch, seed)
    return [(x[i * batch:(i + 1) * batch],) for i in range(batches)]


HELD_OUT = blobs(4000, 99)


def scales(model):
    return {t.name: numpy_helper.to_array(t) for t in model.graph.initializer if t.name.endswith("_scale")}


def check_structure(q):
    onnx.checker.check_model(q, full_check=True)
    onnx.shape_inference.infer_shapes(q, check_type=True, strict_mode=True, data_prop=True)


# ---------------------------------------------------------------- accuracy

CONFIGS = [dict(), dict(per_channel=True), dict(power_of_two=True), dict(per_channel=True, power_of_two=True),
           dict(symmetric=False, activations="uint8"), dict(method="percentile", percentile=99.99)]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "default")
@pytest.mark.parametrize("gemm", [False, True], ids=["matmul_add", "gemm"])
def test_mlp_int8_stays_close_to_fp32(gemm, config):
    m = mlp_model(gemm)
    q = em.quantize(m, calibration(), **config)
    check_structure(q)
    x, y = HELD_OUT
    f = run_ort(m, x)
    for optimize in (False, True):  # ORT fuses QDQ into integer kernels when optimizing
        z = run_ort(q, x, optimize=optimize)
        assert (z.argmax(1) == f.argmax(1)).mean() >= 0.98
        assert (z.argmax(1) == y).mean() >= (f.argmax(1) == y).mean() - 0.01
        assert np.abs(z - f).max() <= 0.05 * np.abs(f).max()
        assert np.abs(z - f).mean() <= 0.005 * np.abs(f).max()


def test_calibration_range_matters():
    """Held-out inputs beyond the calibrated range saturate: a small calibration set gives larger worst-case errors,
    and power-of-two scales (rounded up) leave headroom."""
    m, (x, _) = mlp_model(), HELD_OUT
    f = run_ort(m, x)
    err = {(n, p2): np.abs(run_ort(em.quantize(m, calibration(batches=n, batch=32), power_of_two=p2), x) - f).max()
           for n in (1, 64) for p2 in (False, True)}
    assert err[(64, False)] < err[(1, False)]
    assert err[(1, True)] <= err[(1, False)]


def test_logistic_regression_int8_stays_close_to_fp32():
    m = logreg_model()
    x, y = HELD_OUT
    f = run_ort(m, x)
    for config in CONFIGS[:4]:
        q = em.quantize(m, calibration(), **config)
        check_structure(q)
        p = run_ort(q, x)
        assert ((p > 0.5) == (f > 0.5)).mean() >= 0.98
        assert ((p[:, 0] > 0.5) == (y == 0)).mean() >= ((f[:, 0] > 0.5) == (y == 0)).mean() - 0.01
        assert np.abs(p - f).max() <= 0.05


def test_static_shapes_and_quantized_graph_structure():
    m = mlp_model(batch=64)
    with pytest.raises(ValueError, match=r"shape \(128, 16\), the model expects \(64, 16\)"):
        em.quantize(m, calibration(batch=128))
    q = em.quantize(m, calibration(batch=64))
    check_structure(q)
    ops = [n.op_type for n in q.graph.node]
    # activations x and r: one Q/DQ pair each; weights W1, W2 and biases b1, b2: one DequantizeLinear each
    assert ops.count("QuantizeLinear") == 2 and ops.count("DequantizeLinear") == 6
    inits = {t.name: numpy_helper.to_array(t) for t in q.graph.initializer}
    assert inits["W1_quantized"].dtype == np.int8 and "W1" not in inits
    assert inits["b1_1_bias_quantized"].dtype == np.int32
    # A8W8 bias scale: s_x * s_w, exactly as float32
    assert inits["b1_1_bias_scale"] == np.float32(inits["x_scale"]) * inits["W1_scale"]
    assert inits["b2_4_bias_scale"] == np.float32(inits["r_scale"]) * inits["W2_scale"]
    x = calibration(batch=64)[0][0]
    np.testing.assert_allclose(run_ort(q, x), run_ort(m, x), atol=0.05 * np.abs(run_ort(m, x)).max())


def test_ember_runs_the_qdq_model_like_onnxruntime():
    """run_ember evaluates the same QDQ arithmetic with ember ops; it agrees with ORT up to float summation order."""
    x, y = HELD_OUT
    for m in (mlp_model(), mlp_model(gemm=True), logreg_model()):
        for config in CONFIGS[:4]:
            q = em.quantize(m, calibration(), **config)
            ref = run_ort(q, x, optimize=False)
            got = run_ember(q, x).numpy()
            assert got.dtype == np.float32 and got.shape == ref.shape
            np.testing.assert_allclose(got, ref, rtol=0, atol=1e-5 * np.abs(ref).max())
            decide = (lambda z: z.argmax(1)) if ref.shape[1] > 1 else (lambda z: z > 0.5)
            assert np.array_equal(decide(got), decide(ref))
        np.testing.assert_allclose(run_ember(m, x).numpy(), run_ort(m, x), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------- per-channel, power of two

def test_per_channel_beats_per_tensor_on_unequal_channels():
    w1, b1, w2, b2 = trained_mlp()
    spread = np.float32(10.0) ** np.linspace(-3, 0, w1.shape[1], dtype=np.float32)
    m = mlp_model(weights=(w1 * spread, b1 * spread, w2 / spread[:, None], b2))  # same function, skewed channels
    x, _ = HELD_OUT
    f = run_ort(m, x)
    err = {pc: np.abs(run_ort(em.quantize(m, calibration(), per_channel=pc), x) - f).mean() for pc in (False, True)}
    assert err[True] <= err[False]
    q = em.quantize(m, calibration(), per_channel=True)
    assert scales(q)["W1_scale"].shape == (w1.shape[1],)
    assert next(a.i for n in q.graph.node if n.name == "W1_DequantizeLinear" for a in n.attribute) == 1


def test_power_of_two_scales_are_powers_of_two_and_clip_no_more():
    for m in (mlp_model(), mlp_model(gemm=True)):
        plain = scales(em.quantize(m, calibration(), per_channel=True))
        p2 = scales(em.quantize(m, calibration(), per_channel=True, power_of_two=True))
        assert plain.keys() == p2.keys()
        for name, s in p2.items():
            mant, _ = np.frexp(s)
            assert np.all(mant == 0.5), name  # an exact power of two
            if "bias" not in name:  # rounded up, by less than 2x: nothing clips that did not before
                assert np.all(s >= plain[name]) and np.all(s < 2 * plain[name]), name


# ---------------------------------------------------------------- other graphs

def test_conv_per_channel_with_int32_bias():
    rng = np.random.default_rng(5)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32) * np.float32([[[[0.01]]], [[[0.1]]], [[[1]]], [[[3]]]])
    b = rng.standard_normal(4).astype(np.float32)
    m = make_model([helper.make_node("Conv", ["x", "W", "B"], ["c"], pads=[1, 1, 1, 1]),
                    helper.make_node("Relu", ["c"], ["y"])], {"W": w, "B": b},
                   [vi("x", [2, 3, 8, 8])], [vi("y", [2, 4, 8, 8])])
    cal = [(rng.standard_normal((2, 3, 8, 8)).astype(np.float32),) for _ in range(4)]
    q = em.quantize(m, cal, per_channel=True)
    check_structure(q)
    inits = {t.name: numpy_helper.to_array(t) for t in q.graph.initializer}
    assert inits["W_quantized"].dtype == np.int8 and inits["B_0_bias_quantized"].dtype == np.int32
    x = rng.standard_normal((2, 3, 8, 8)).astype(np.float32)
    f, z = run_ort(m, x), run_ort(q, x)
    for c in range(4):  # each channel within a few of its own quantization steps
        assert np.abs(z[:, c] - f[:, c]).max() <= 0.05 * np.abs(f[:, c]).max()


def test_residual_add_gets_both_inputs_quantized():
    w1, b1, _, _ = trained_mlp(hidden=D)
    m = make_model([helper.make_node("MatMul", ["x", "W"], ["m"]), helper.make_node("Add", ["m", "b"], ["h"]),
                    helper.make_node("Relu", ["h"], ["r"]), helper.make_node("Add", ["r", "x"], ["y"])],
                   {"W": w1, "b": b1}, [vi("x", ["N", D])], [vi("y", ["N", D])])
    q = em.quantize(m, calibration())
    check_structure(q)
    add = [n for n in q.graph.node if n.op_type == "Add"][-1]
    assert list(add.input) == ["r_dequantized", "x_dequantized"]
    x, _ = HELD_OUT
    f = run_ort(m, x)
    assert np.abs(run_ort(q, x) - f).max() <= 0.05 * np.abs(f).max()
    only_matmul = em.quantize(m, calibration(), op_types=["MatMul"])
    assert not any(n.op_type == "QuantizeLinear" and n.input[0] == "r" for n in only_matmul.graph.node)


def test_two_inputs_dicts_path_and_save(tmp_path):
    w1, b1, w2, b2 = trained_mlp()
    m = make_model([helper.make_node("Add", ["a", "b"], ["s"]), helper.make_node("MatMul", ["s", "W1"], ["y"])],
                   {"W1": w1}, [vi("a", [8, D]), vi("b", [8, D])], [vi("y", [8, w1.shape[1]])])
    src = tmp_path / "fp32.onnx"
    onnx.save(m, src)
    rng = np.random.default_rng(6)
    cal = [{"b": rng.standard_normal((8, D)), "a": rng.standard_normal((8, D))} for _ in range(64)]  # float64: cast
    q = em.quantize(str(src), cal, path=tmp_path / "int8.onnx")
    assert os.path.exists(tmp_path / "int8.onnx")
    assert onnx.load(tmp_path / "int8.onnx").SerializeToString() == q.SerializeToString()
    a, b = (rng.standard_normal((8, D)).astype(np.float32) for _ in range(2))
    f = run_ort(m, a, b)
    assert np.abs(run_ort(q, a, b) - f).max() <= 0.05 * np.abs(f).max()
    np.testing.assert_allclose(run_ember(q, a, b).numpy(), run_ort(q, a, b, optimize=False), atol=1e-4)


def test_sizes_shrink_about_fourfold():
    rng = np.random.default_rng(7)
    big = (rng.standard_normal((D, 256)).astype(np.float32) * 0.2, np.zeros(256, np.float32),
           rng.standard_normal((256, 256)).astype(np.float32) * 0.06, np.zeros(256, np.float32))
    w1, b1, w2, b2 = big
    m = mlp_model(weights=(w1, b1, w2, b2))
    r = size_report(m, em.quantize(m, calibration()))
    assert r["initializer_bytes_before"] == 4 * (w1.size + b1.size + w2.size + b2.size)
    # int8 weights, int32 biases, a few scales and zero points
    assert r["initializer_bytes_after"] <= (w1.size + w2.size) + 4 * (b1.size + b2.size) + 64
    assert r["ratio"] < 0.3


def test_integer_tensors_are_left_alone():
    w1 = trained_mlp()[0].astype(np.float32)
    g = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W1"], ["y"]), helper.make_node("MatMul", ["i", "Wi"], ["k"])], "g",
        [vi("x", [4, D]), vi("i", [4, D], TensorProto.INT64)], [vi("y", [4, w1.shape[1]]), vi("k", [4, 2], TensorProto.INT64)],
        initializer=[numpy_helper.from_array(w1, "W1"), numpy_helper.from_array(np.ones((D, 2), np.int64), "Wi")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    rng = np.random.default_rng(8)
    q = em.quantize(m, [(rng.standard_normal((4, D)), rng.integers(0, 5, (4, D))) for _ in range(8)])
    check_structure(q)
    quantized = {n.input[0] for n in q.graph.node if n.op_type in ("QuantizeLinear", "DequantizeLinear")}
    assert quantized == {"x", "x_quantized", "W1_quantized"}


# ---------------------------------------------------------------- bad input

def test_bad_input_raises_clear_errors():
    m = mlp_model()
    with pytest.raises(ValueError, match="empty"):
        em.quantize(m, [])
    with pytest.raises(ValueError, match="has 2 inputs, the model takes 1"):
        em.quantize(m, [(np.zeros((4, D), np.float32), np.zeros((4, D), np.float32))])
    with pytest.raises(ValueError, match="inputs"):
        em.quantize(m, [{"y": np.zeros((4, D), np.float32)}])
    with pytest.raises(ValueError, match="cannot quantize op types"):
        em.quantize(m, calibration(), op_types=["Softmax"])
    with pytest.raises(ValueError, match="activations"):
        em.quantize(m, calibration(), activations="int4")
    with pytest.raises(TypeError, match="ModelProto"):
        em.quantize(42, calibration())
    ints = make_model([helper.make_node("Cast", ["i"], ["f"], to=TensorProto.FLOAT),
                       helper.make_node("MatMul", ["f", "W"], ["y"])], {"W": np.ones((D, 2))},
                      [vi("i", [4, D], TensorProto.INT64)], [vi("y", [4, 2])])
    with pytest.raises(ValueError, match="float32 inputs"):
        em.quantize(ints, [(np.zeros((4, D), np.int64),)])
    relu = make_model([helper.make_node("Relu", ["x"], ["y"])], {}, [vi("x", [4])], [vi("y", [4])])
    with pytest.raises(ValueError, match="no MatMul"):
        em.quantize(relu, [(np.ones(4, np.float32),)])
    old = make_model([helper.make_node("MatMul", ["x", "W"], ["y"])], {"W": np.ones((D, 2))},
                     [vi("x", [4, D])], [vi("y", [4, 2])], opset=11)
    with pytest.raises(ValueError, match="opset"):
        em.quantize(old, [(np.ones((4, D), np.float32),)])


# ---------------------------------------------------------------- figures for docs/quantization.md

def figures():
    x, y = HELD_OUT
    rows = []
    models = [("MLP 16-32-4 (MatMul+Add)", mlp_model(), "mc"), ("MLP 16-32-4 (Gemm)", mlp_model(True), "mc"),
              ("MLP 16-256-4 (Gemm)", mlp_model(True, weights=trained_mlp(256)), "mc"),
              ("logistic regression 16-1", logreg_model(), "lr")]
    for label, m, kind in models:
        f = run_ort(m, x)
        pred = (lambda z: z.argmax(1)) if kind == "mc" else (lambda z: (z[:, 0] > 0.5).astype(int))
        truth = y if kind == "mc" else (y == 0).astype(int)
        for config in CONFIGS:
            q = em.quantize(m, calibration(), **config)
            z, e = run_ort(q, x), run_ember(q, x).numpy()
            r = size_report(m, q)
            rows.append((label, ",".join(f"{k}={v}" for k, v in config.items()) or "a8w8 per-tensor",
                         (pred(f) == truth).mean(), (pred(z) == truth).mean(), (pred(e) == truth).mean(),
                         (pred(z) == pred(f)).mean(), np.abs(z - f).max() / np.abs(f).max(),
                         r["model_bytes_before"], r["model_bytes_after"]))
    print("| model | quantization | fp32 acc | int8 acc (ORT) | int8 acc (ember) | agreement | max err / max |logit| "
          "| bytes fp32 | bytes int8 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]:.4f} | {r[3]:.4f} | {r[4]:.4f} | {r[5]:.4f} | {r[6]:.4f} | {r[7]} | {r[8]} |")


if __name__ == "__main__":
    figures()
