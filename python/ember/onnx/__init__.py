"""ember.onnx: export jitted functions to ONNX (static shapes, opset 17 by default), quantize them to
QDQ int8, and run ONNX models in ONNX Runtime, preferring an NPU execution provider when one is installed.

    model = em.onnx.export(em.jit(f), x, path="f.onnx")
    result = em.onnx.run("f.onnx", x)      # result.provider says where it ran

The onnx package is imported when export is called, onnxruntime when run is called."""
from ._graph import ExportError
from ._export import export
from ._quantize import quantize, run_ember, size_report  # noqa: F401
from ._run import NPU_PROVIDERS, RunResult, choose_providers, run

__all__ = ["export", "run", "ExportError", "RunResult", "choose_providers", "NPU_PROVIDERS", "quantize",
           "run_ember", "size_report"]
