#!/usr/bin/env bash
# Installs what building ember needs: a C++20 compiler, CMake, Ninja, oneTBB, OpenBLAS/LAPACK,
# GoogleTest, Highway, OpenMPI, Graphviz (em.to_svg) (Debian/Ubuntu packages), then the Python build and test requirements.
set -euo pipefail
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1
pkgs=(g++ cmake ninja-build pkg-config libtbb-dev libhwy-dev libopenblas-dev liblapack-dev libgtest-dev libopenmpi-dev openmpi-bin graphviz)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi
python3 -m pip install -q --upgrade pip
python3 -m pip install -q "scikit-build-core>=0.10" "nanobind>=2.0" numpy ml_dtypes "pytest>=8" hypothesis pytest-timeout numexpr onnx onnxruntime
