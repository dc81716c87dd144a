#!/usr/bin/env bash
# Sets up, installs ember with its C++ tests, runs the C++ tests (CTest/GoogleTest) and the Python
# tests (pytest) against the installed package.
set -euo pipefail
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1
cd "$(dirname "$0")/.."
bash scripts/setup.sh
rm -f python/ember/_core*.so  # make pytest use the installed package, not a developer build
python3 -m pip install -q --no-build-isolation -Ccmake.define.EMBER_TESTS=ON ".[test]"
build_dir=$(ls -d build-wheel/cp3* | head -n 1)
ctest --test-dir "$build_dir" --output-on-failure -j2
EMBER_TEST_PROFILE=ci python3 -m pytest -q -p no:cacheprovider tests
# CI has no GPU: every fused Kernel of the op tests is rendered for the cuda device and compiled with
# NVRTC (EMBER_NVRTC_CHECK=1); fails on any compile error (docs/cuda_device.md).
EMBER_TEST_PROFILE=ci python3 scripts/nvrtc_check.py
