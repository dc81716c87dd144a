"""Static post-training quantization of fp32 ONNX models to QDQ int8 (the format Ryzen AI, OpenVINO and QNN take).

What it emits (see docs/quantization.md):
- the inputs of MatMul, Gemm and Conv get QuantizeLinear -> DequantizeLinear pairs: activations with scales from
  static calibration (onnxruntime runs the fp32 model on the calibration inputs, min/max or a percentile),
  constant weights quantized offline to int8 initializers behind a DequantizeLinear (symmetric, zero point 0,
  per-tensor or per-channel along the output axis);
- biases follow the A8W8 convention: int32 initializers behind a DequantizeLinear with scale s_x * s_w. That is
  Gemm's C and Conv's B, and the constant of an Add that directly follows a quantized MatMul (MatMul + Add is
  how a Linear layer often exports). Gemm with alpha or beta != 1 keeps a float bias;
- an Add of two activations (a residual) gets both inputs quantized; other Adds are left alone;
- power_of_two=True rounds every scale up to a power of two (XINT8), so nothing clips that did not before.
Outputs of ops stay float, so the model's outputs keep their fp32 type.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .. import _quantization as _q

__all__ = ["quantize", "size_report", "run_ember"]

_SUPPORTED = ("MatMul", "Gemm", "Conv", "Add")
_QRANGE = {"int8": (-128, 127, TensorProto.INT8), "uint8": (0, 255, TensorProto.UINT8)}


def _load(model):
    if isinstance(model, onnx.ModelProto):
        m = onnx.ModelProto()
        m.CopyFrom(model)
        return m
    if isinstance(model, (str, os.PathLike)):
        return onnx.load(os.fspath(model))
    raise TypeError(f"model must be an onnx.ModelProto or a path, not {type(model).__name__}")


def _graph_inputs(g):
    inits = {t.name for t in g.initializer}
    return [i for i in g.input if i.name not in inits]


def _feeds(model, calibration):
    """Calibration samples (tuples, dicts, or single arrays) as a list of {input name: numpy array}."""
    inputs = _graph_inputs(model.graph)
    if not any(i.type.tensor_type.elem_type == TensorProto.FLOAT for i in inputs):
        raise ValueError("quantize needs a model with float32 inputs; this one has "
                         + (", ".join(f"{i.name}: {TensorProto.DataType.Name(i.type.tensor_type.elem_type)}"
                                      for i in inputs) or "no inputs"))
    try:
        samples = list(calibration)
    except TypeError:
        raise ValueError("calibration must be a list of input tuples or dicts") from None
    if not samples:
        raise ValueError("calibration is empty: give at least one input tuple or dict")
    names = [i.name for i in inputs]
    types = {i.name: helper.tensor_dtype_to_np_dtype(i.type.tensor_type.elem_type) for i in inputs}
    shapes = {i.name: [d.dim_value if d.HasField("dim_value") else None for d in i.type.tensor_type.shape.dim]
              for i in inputs if i.type.tensor_type.HasField("shape")}
    shapes.update({n: None for n in names if n not in shapes})
    feeds = []
    for k, s in enumerate(samples):
        if isinstance(s, dict):
            if set(s) != set(names):
                raise ValueError(f"calibration sample {k} has inputs {sorted(s)}, the model takes {names}")
            items = s.items()
        else:
            s = (s,) if not isinstance(s, (tuple, list)) else s
            if len(s) != len(names):
                raise ValueError(f"calibration sample {k} has {len(s)} inputs, the model takes {len(names)} {names}")
            items = zip(names, s)
        feed = {n: np.asarray(v, dtype=types[n]) for n, v in items}
        for n, v in feed.items():
            if not _shape_fits(shapes[n], v.shape):
                raise ValueError(f"calibration sample {k}: input {n!r} has shape {v.shape}, the model expects "
                                 f"{tuple(d if d is not None else '?' for d in shapes[n])}")
        feeds.append(feed)
    return feeds


def _shape_fits(dims, shape):
    if dims is None:  # the model gives no shape
        return True
    return len(dims) == len(shape) and all(d is None or d == s for d, s in zip(dims, shape))


class _Plan:
    """What to quantize: activation tensors, weight initializers (with their per-channel axis) and biases."""

    def __init__(self):
        self.acts = []           # activation tensor names, in first-use order
        self.weights = {}        # initializer name -> per-channel axis
        self.biases = {}         # (node index, input index) -> (bias name, activation name, weight name, axis)
        self.rewire = []         # (node index, input index, tensor name) to replace by its dequantized copy

    def act(self, name):
        if name not in self.acts:
            self.acts.append(name)


def _float_tensors(model):
    """Names of the float32 tensors (from shape inference); others (int, unknown type) are left alone."""
    g = onnx.shape_inference.infer_shapes(model).graph
    infos = list(g.input) + list(g.value_info) + list(g.output)
    return {i.name for i in infos if i.type.tensor_type.elem_type == TensorProto.FLOAT} | \
        {t.name for t in g.initializer if t.data_type == TensorProto.FLOAT}


def _plan(g, op_types, per_channel, float_tensors):
    inits = {t.name: t for t in g.initializer}
    floats = {n for n, t in inits.items() if t.data_type == TensorProto.FLOAT}
    consumers = {}
    for node in g.node:
        for x in node.input:
            consumers[x] = consumers.get(x, 0) + 1
    outputs = {o.name for o in g.output}
    producer = {o: k for k, node in enumerate(g.node) for o in node.output}
    p = _Plan()
    quantized_matmul = {}  # MatMul output -> (activation, weight, axis)

    def operand(k, i, name, axis):
        if name in floats:
            p.weights.setdefault(name, axis if per_channel else None)
        elif name in inits or name not in float_tensors:  # integer (or untyped) tensors stay as they are
            return False
        else:
            p.act(name)
        p.rewire.append((k, i, name))
        return True

    for k, node in enumerate(g.node):
        if node.op_type not in op_types or node.domain not in ("", "ai.onnx"):
            continue
        ins = list(node.input)
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "MatMul":
            w_rank = len(inits[ins[1]].dims) if ins[1] in inits else 0
            ok = operand(k, 0, ins[0], None) & operand(k, 1, ins[1], w_rank - 1 if w_rank >= 2 else None)
            if ok and ins[1] in floats:
                quantized_matmul[node.output[0]] = (ins[0], ins[1], p.weights.get(ins[1]))
        elif node.op_type in ("Gemm", "Conv"):
            axis = (0 if attrs.get("transB", 0) else 1) if node.op_type == "Gemm" else 0
            ok = operand(k, 0, ins[0], None) & operand(k, 1, ins[1], axis)
            unit = node.op_type == "Conv" or (attrs.get("alpha", 1.0) == 1.0 and attrs.get("beta", 1.0) == 1.0)
            if ok and len(ins) > 2 and ins[2] in floats and ins[1] in floats and unit:
                shape, w_axis = list(inits[ins[2]].dims), p.weights[ins[1]]
                if w_axis is None:
                    p.biases[(k, 2)] = (ins[2], ins[0], ins[1], None)
                elif shape and shape[-1] == inits[ins[1]].dims[w_axis]:  # else (a broadcast bias) it stays float
                    p.biases[(k, 2)] = (ins[2], ins[0], ins[1], len(shape) - 1)
        elif node.op_type == "Add":
            const = [i for i, x in enumerate(ins) if x in inits]
            if len(const) == 1 and ins[1 - const[0]] in quantized_matmul:
                mm_out, b = ins[1 - const[0]], ins[const[0]]
                a, w, w_axis = quantized_matmul[mm_out]
                shape = list(inits[b].dims)
                single = consumers.get(mm_out) == 1 and mm_out not in outputs
                fits = w_axis is None or (len(shape) >= 1 and shape[-1] == inits[w].dims[w_axis])
                if b in floats and single and fits:
                    p.biases[(k, const[0])] = (b, a, w, None if w_axis is None else len(shape) - 1)
            elif not const and all(x in producer or x in {i.name for i in g.input} for x in ins):
                for i, x in enumerate(ins):
                    operand(k, i, x, None)
    return p


def _calibrate(model, feeds, names, method, percentile):
    """Runs the fp32 model with `names` added as outputs; returns {name: (low, high)} over all samples."""
    import onnxruntime as ort

    m = onnx.ModelProto()
    m.CopyFrom(model)
    inputs = {i.name for i in m.graph.input}
    have = {o.name for o in m.graph.output}
    for n in names:
        if n not in have and n not in inputs:
            m.graph.output.append(helper.make_tensor_value_info(n, TensorProto.FLOAT, None))
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(m.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    out_names = [o.name for o in sess.get_outputs()]
    values = {n: [] for n in names}
    for feed in feeds:
        got = dict(zip(out_names, sess.run(None, feed)))
        got.update(feed)
        for n in names:
            values[n].append(np.asarray(got[n], dtype=np.float64).ravel())
    ranges = {}
    for n, vs in values.items():
        v = np.concatenate(vs)
        v = v[np.isfinite(v)]
        if v.size == 0:
            ranges[n] = (0.0, 0.0)
        elif method == "minmax":
            ranges[n] = (float(v.min()), float(v.max()))
        else:
            ranges[n] = (float(np.percentile(v, 100 - percentile)), float(np.percentile(v, percentile)))
    return ranges


def _pow2_up(s):
    """The smallest power of two >= s (elementwise), so a power-of-two scale never clips more."""
    s = np.asarray(s, dtype=np.float64)
    return np.exp2(np.ceil(np.log2(s)))


def _act_params(low, high, qtype, symmetric, power_of_two):
    qmin, qmax, _ = _QRANGE[qtype]
    if symmetric:
        amax = max(abs(low), abs(high))
        scale = amax / 127.0 if amax > 0 else 1.0
        scale = float(_pow2_up(scale)) if power_of_two else scale
        return np.float32(scale), 0 if qtype == "int8" else 128
    low, high = min(low, 0.0), max(high, 0.0)
    scale = (high - low) / (qmax - qmin) if high > low else 1.0
    scale = float(_pow2_up(scale)) if power_of_two else scale
    zp = int(np.clip(np.rint(qmin - low / np.float32(scale)), qmin, qmax))
    return np.float32(scale), zp


def _weight_scale(w, axis, power_of_two):
    if axis is None:
        amax = np.abs(w).max() if w.size else 0.0
    else:
        amax = np.moveaxis(np.abs(w), axis, 0).reshape(w.shape[axis], -1).max(axis=1)
    scale = np.where(amax > 0, amax / 127.0, 1.0)
    scale = _pow2_up(scale) if power_of_two else scale
    return scale.astype(np.float32)


def quantize(model, calibration, path=None, per_channel=False, power_of_two=False, symmetric=True,
             activations="int8", weights="int8", op_types=None, method="minmax", percentile=99.99):
    """Quantize an fp32 ONNX model (ModelProto or path) to a QDQ int8 model; returns it and saves it to `path`.

    calibration: a non-empty list of samples, each a tuple of the model's inputs (in graph order), a dict
    {input name: array}, or a single array for a one-input model. Activations get static scales from the
    min/max (method="minmax") or the `percentile` / 100-`percentile` percentiles (method="percentile") of
    the fp32 model's tensors on those samples. Weights are symmetric int8, per-tensor or per-channel along
    the output axis; biases int32 with scale s_x * s_w. symmetric=False gives activations a zero point.
    power_of_two=True rounds all scales up to powers of two (Ryzen AI XINT8)."""
    op_types = tuple(_SUPPORTED if op_types is None else op_types)
    bad = [o for o in op_types if o not in _SUPPORTED]
    if bad:
        raise ValueError(f"cannot quantize op types {bad}; supported: {list(_SUPPORTED)}")
    if activations not in _QRANGE:
        raise ValueError(f"activations must be 'int8' or 'uint8', not {activations!r}")
    if weights != "int8":
        raise ValueError(f"weights must be 'int8' (symmetric, zero point 0), not {weights!r}")
    if method not in ("minmax", "percentile"):
        raise ValueError(f"method must be 'minmax' or 'percentile', not {method!r}")
    if not 50.0 < percentile <= 100.0:
        raise ValueError(f"percentile must be in (50, 100], got {percentile}")
    model = _load(model)
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    if opset < 13:
        raise ValueError(f"QDQ with per-axis scales needs opset >= 13; the model has opset {opset}")
    feeds = _feeds(model, calibration)
    g = model.graph
    plan = _plan(g, op_types, per_channel, _float_tensors(model))
    if not plan.rewire:
        raise ValueError(f"the model has no {'/'.join(op_types)} node with float inputs to quantize")
    ranges = _calibrate(model, feeds, plan.acts, method, percentile)

    inits = {t.name: t for t in g.initializer}
    new_inits, head, after = [], [], {}  # `after`: tensor name -> Q/DQ nodes to place after its producer
    act_scale, w_scale = {}, {}
    _, _, act_tp = _QRANGE[activations]
    act_np = np.dtype(activations)

    for n in plan.acts:
        s, zp = _act_params(*ranges[n], activations, symmetric, power_of_two)
        act_scale[n] = s
        new_inits += [numpy_helper.from_array(np.array(s, np.float32), f"{n}_scale"),
                      numpy_helper.from_array(np.array(zp, act_np), f"{n}_zero_point")]
        after[n] = [helper.make_node("QuantizeLinear", [n, f"{n}_scale", f"{n}_zero_point"], [f"{n}_quantized"],
                                     name=f"{n}_QuantizeLinear"),
                    helper.make_node("DequantizeLinear", [f"{n}_quantized", f"{n}_scale", f"{n}_zero_point"],
                                     [f"{n}_dequantized"], name=f"{n}_DequantizeLinear")]
    for n, axis in plan.weights.items():
        w = numpy_helper.to_array(inits[n]).astype(np.float32)
        axis = axis if axis is not None and w.ndim > 0 else None
        s = _weight_scale(w, axis, power_of_two)
        w_scale[n] = (s, axis)
        wq = _q.quantize_linear(w, s, 0, np.int8, axis=axis).numpy()
        attrs = {} if axis is None else {"axis": axis}
        new_inits += [numpy_helper.from_array(wq, f"{n}_quantized"),
                      numpy_helper.from_array(s if axis is not None else np.array(s, np.float32), f"{n}_scale"),
                      numpy_helper.from_array(np.zeros(s.shape, np.int8), f"{n}_zero_point")]
        head.append(helper.make_node("DequantizeLinear", [f"{n}_quantized", f"{n}_scale", f"{n}_zero_point"],
                                     [f"{n}_dequantized"], name=f"{n}_DequantizeLinear", **attrs))
    bias_names = {}
    for (k, i), (b, a, w, b_axis) in plan.biases.items():
        bias = numpy_helper.to_array(inits[b]).astype(np.float64)
        # s_x * s_w in float32 (per-channel: a vector along the bias's last axis, the output channels)
        s = np.float32(act_scale[a] if a in act_scale else w_scale[a][0]) * w_scale[w][0]
        bq = np.clip(np.rint(bias / s.astype(np.float64)), np.iinfo(np.int32).min,
                     np.iinfo(np.int32).max).astype(np.int32)
        name = f"{b}_{k}_bias"
        attrs = {} if b_axis is None else {"axis": b_axis}
        new_inits += [numpy_helper.from_array(bq, f"{name}_quantized"),
                      numpy_helper.from_array(s.astype(np.float32), f"{name}_scale"),
                      numpy_helper.from_array(np.zeros(s.shape, np.int32), f"{name}_zero_point")]
        head.append(helper.make_node("DequantizeLinear", [f"{name}_quantized", f"{name}_scale", f"{name}_zero_point"],
                                     [f"{name}_dequantized"], name=f"{name}_DequantizeLinear", **attrs))
        bias_names[(k, i)] = f"{name}_dequantized"

    nodes = list(g.node)
    for k, i, x in plan.rewire:
        nodes[k].input[i] = f"{x}_dequantized"
    for (k, i), name in bias_names.items():
        nodes[k].input[i] = name
    order = list(head)
    for n in plan.acts:  # graph inputs (and anything without a producer) are quantized first
        if not any(n in node.output for node in nodes):
            order += after.pop(n)
    for node in nodes:
        order.append(node)
        for o in node.output:
            order += after.pop(o, [])
    still_used = {x for node in order for x in node.input} | {o.name for o in g.output}
    kept = [t for t in g.initializer if t.name in still_used]
    del g.node[:]
    g.node.extend(order)
    del g.initializer[:]
    g.initializer.extend(kept + new_inits)
    model.metadata_props.append(onnx.StringStringEntryProto(
        key="ember.quantize", value=f"per_channel={per_channel} power_of_two={power_of_two} symmetric={symmetric} "
                                    f"activations={activations} weights={weights} method={method}"))
    onnx.checker.check_model(model, full_check=True)
    if path is not None:
        onnx.save(model, os.fspath(path))
    return model


def size_report(before, after):
    """Sizes in bytes of two models (ModelProto or path): the serialized model and its initializers."""
    def sizes(m):
        m = _load(m)
        return len(m.SerializeToString()), sum(len(numpy_helper.to_array(t).tobytes()) for t in m.graph.initializer)

    (b_model, b_init), (a_model, a_init) = sizes(before), sizes(after)
    return {"model_bytes_before": b_model, "model_bytes_after": a_model,
            "initializer_bytes_before": b_init, "initializer_bytes_after": a_init,
            "ratio": a_model / b_model}


def _ember_ops():
    import ember as em

    def attr(node, name, default):
        for a in node.attribute:
            if a.name == name:
                return helper.get_attribute_value(a)
        return default

    def gemm(node, a, b, c=None):
        a = em.matrix_transpose(a) if attr(node, "transA", 0) else a
        b = em.matrix_transpose(b) if attr(node, "transB", 0) else b
        y = em.matmul(a, b) * np.float32(attr(node, "alpha", 1.0))
        return y if c is None else y + c * np.float32(attr(node, "beta", 1.0))

    def softmax(node, x):
        e = em.exp(x - em.max(x, axis=attr(node, "axis", -1), keepdims=True))
        return e / em.sum(e, axis=attr(node, "axis", -1), keepdims=True)

    return {
        "QuantizeLinear": lambda n, x, s, z=None: em.quantize_linear(
            x, s, 0 if z is None else z, np.int8 if z is None else z.dtype,
            axis=attr(n, "axis", 1) if s.ndim == 1 and s.size > 1 else None),
        "DequantizeLinear": lambda n, q, s, z=None: em.dequantize_linear(
            q, s, 0 if z is None else z, axis=attr(n, "axis", 1) if s.ndim == 1 and s.size > 1 else None),
        "MatMul": lambda n, a, b: em.matmul(a, b),
        "Gemm": gemm,
        "Add": lambda n, a, b: a + b,
        "Sub": lambda n, a, b: a - b,
        "Mul": lambda n, a, b: a * b,
        "Div": lambda n, a, b: a / b,
        "Relu": lambda n, x: em.maximum(x, np.float32(0)),
        "Sigmoid": lambda n, x: np.float32(1) / (np.float32(1) + em.exp(-x)),
        "Tanh": lambda n, x: em.tanh(x),
        "Softmax": softmax,
        "Identity": lambda n, x: x,
        # what em.onnx.export emits in the models of examples/onnx_*.py
        "Neg": lambda n, x: -x,
        "Exp": lambda n, x: em.exp(x),
        "Less": lambda n, a, b: a < b,
        "Where": lambda n, c, a, b: em.where(c, a, b),
        "IsNaN": lambda n, x: em.isnan(x),
        "Or": lambda n, a, b: em.logical_or(a, b),
        "Reshape": lambda n, x, shape: em.reshape(  # ONNX's 0 copies the input's dimension
            x, tuple(x.shape[i] if int(d) == 0 else int(d) for i, d in enumerate(shape.numpy()))),
    }


def run_ember(model, *inputs):
    """Evaluate an fp32 or QDQ model with ember ops on the cpu device (quantize_linear / dequantize_linear for
    Q/DQ), for comparing ember's int8 arithmetic with onnxruntime's. Supports the ops quantize() emits around
    MLPs (MatMul, Gemm, Add, Sub, Mul, Div, Relu, Sigmoid, Tanh, Softmax, Identity) and what em.onnx.export
    emits for the examples (Neg, Exp, Less, Where, IsNaN, Or, Reshape); returns the outputs."""
    import ember as em

    model = _load(model)
    g = model.graph
    ops = _ember_ops()
    names = [i.name for i in _graph_inputs(g)]
    if len(inputs) != len(names):
        raise ValueError(f"the model takes {len(names)} inputs {names}, got {len(inputs)}")
    env = {t.name: em.asarray(numpy_helper.to_array(t)) for t in g.initializer}
    env.update({n: em.asarray(x) for n, x in zip(names, inputs)})
    for node in g.node:
        if node.op_type not in ops:
            raise NotImplementedError(f"run_ember cannot evaluate ONNX op {node.op_type} (node {node.name!r})")
        args = [env[x] for x in node.input if x]
        env[node.output[0]] = ops[node.op_type](node, *args)
    outs = [env[o.name] for o in g.output]
    return outs[0] if len(outs) == 1 else tuple(outs)
