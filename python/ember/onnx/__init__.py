"""ember and ONNX. This minimal __init__ comes from the onnx-quant branch (quantization only); the export
branch owns this package's real __init__ and should re-export these names."""
from ._quantize import quantize, run_ember, size_report  # noqa: F401
