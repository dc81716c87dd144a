"""em.onnx.run: runs an ONNX model in ONNX Runtime, on an NPU execution provider when one is installed.

None of the NPU providers ships in the PyPI onnxruntime wheel (AMD's Vitis AI comes with the Ryzen AI
installer, OpenVINO and QNN with their own onnxruntime builds), so the NPU path is only the choice
and the fallback here; it is not exercised on NPU hardware by ember's tests."""
import logging
import os

import numpy as np

log = logging.getLogger("ember.onnx")

# Preference order when providers=None: AMD Ryzen AI, Intel, Qualcomm; CPU last.
NPU_PROVIDERS = ("VitisAIExecutionProvider", "OpenVINOExecutionProvider", "QNNExecutionProvider")


def _ort():
    try:
        import onnxruntime
    except ImportError:
        raise ImportError("ember.onnx.run needs ONNX Runtime: pip install onnxruntime "
                          "(or a vendor build such as onnxruntime-openvino / onnxruntime-qnn)") from None
    return onnxruntime


def choose_providers(available):
    """The providers to ask for, best first: the first installed NPU provider, then the CPU."""
    for p in NPU_PROVIDERS:
        if p in available:
            return [p, "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]


class RunResult:
    """The outputs of a run (numpy arrays, in the model's output order) and the provider that ran it."""

    def __init__(self, outputs, provider, names):
        self.outputs, self.provider, self.names = list(outputs), provider, list(names)

    def __len__(self):
        return len(self.outputs)

    def __getitem__(self, i):
        return self.outputs[i]

    def __iter__(self):
        return iter(self.outputs)

    def __repr__(self):
        return f"<ember.onnx.RunResult: {len(self.outputs)} output(s) on {self.provider}>"


def _np_type(elem_type):
    from onnx import helper
    return np.dtype(helper.tensor_dtype_to_np_dtype(elem_type))


def _feed(session, model_inputs, inputs):
    if len(inputs) != len(model_inputs):
        names = ", ".join(i.name for i in model_inputs)
        raise TypeError(f"the model takes {len(model_inputs)} input(s) ({names}), got {len(inputs)}")
    feed = {}
    for spec, x in zip(model_inputs, inputs):
        a = np.asarray(x)
        tt = spec.type.tensor_type
        want = _np_type(tt.elem_type)
        if a.dtype != want:
            raise TypeError(f"input {spec.name!r}: the model wants {want}, got {a.dtype} (cast it first)")
        shape = tuple(d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim)
        if len(shape) != a.ndim or any(s is not None and s != n for s, n in zip(shape, a.shape)):
            raise ValueError(f"input {spec.name!r}: the model wants shape {shape}, got {a.shape}")
        feed[spec.name] = a
    return feed


def run(path_or_model, *inputs, providers=None):
    """Runs the model (a path or an onnx ModelProto) on `inputs` (ember or numpy arrays) in ONNX Runtime.
    providers=None prefers Vitis AI, then OpenVINO, then QNN, else the CPU; the returned RunResult's
    `.provider` names the one that ran it (also logged on the "ember.onnx" logger)."""
    ort = _ort()
    import onnx

    if isinstance(path_or_model, onnx.ModelProto):
        model, source = path_or_model, path_or_model.SerializeToString()
    elif isinstance(path_or_model, (str, os.PathLike)):
        model, source = onnx.load(os.fspath(path_or_model)), os.fspath(path_or_model)
    else:
        raise TypeError(f"em.onnx.run needs a path or an onnx.ModelProto, got {type(path_or_model).__name__}")
    init_names = {t.name for t in model.graph.initializer}
    model_inputs = [i for i in model.graph.input if i.name not in init_names]
    asked = list(providers) if providers is not None else choose_providers(ort.get_available_providers())
    try:
        session = ort.InferenceSession(source, providers=asked)
    except Exception as e:  # an NPU provider that is installed but cannot take this model
        if providers is not None or asked == ["CPUExecutionProvider"]:
            raise
        log.warning("ember.onnx: %s failed (%s); falling back to CPUExecutionProvider", asked[0], e)
        session = ort.InferenceSession(source, providers=["CPUExecutionProvider"])
    used = session.get_providers()[0]
    feed = _feed(session, model_inputs, inputs)
    outs = session.run(None, feed)
    log.info("ember.onnx.run: ran %s on %s", model.graph.name, used)
    return RunResult(outs, used, [o.name for o in session.get_outputs()])
