"""The ONNX examples end to end (train with ember, export fp32, quantize to int8, run in ONNX Runtime):
each script checks itself (fp32 model equal to ember's predictions, int8 within 2 points of accuracy)
and exits non-zero otherwise. Skipped only when onnx or onnxruntime is not installed."""
import os
import subprocess
import sys

import pytest

import ember as em

pytest.importorskip("onnx", reason="onnx is not installed (pip install onnx)")
pytest.importorskip("onnxruntime", reason="onnxruntime is not installed (pip install onnxruntime)")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
# The subprocess imports the ember these tests import (the installed one in CI, python/ in development).
ENV = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(em.__file__))))


@pytest.mark.parametrize("script", ["onnx_mlp.py", "onnx_logreg.py"])
@pytest.mark.parametrize("flags", [[], ["--per-channel", "--pow2"]])
def test_onnx_example_runs_and_checks_itself(script, flags, tmp_path):
    out = subprocess.run([sys.executable, os.path.join(ROOT, "examples", script), "--small", "--out", str(tmp_path),
                          *flags], capture_output=True, text=True, env=ENV, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "accuracy" in out.stdout and "int8" in out.stdout
    assert sorted(os.listdir(tmp_path)) == sorted(f for f in os.listdir(tmp_path) if f.endswith(".onnx"))
    assert len(os.listdir(tmp_path)) == 2
