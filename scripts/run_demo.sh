#!/usr/bin/env bash
# Sets up, installs ember and runs the demo (a NumPy program run by NumPy and by ember).
set -euo pipefail
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1
cd "$(dirname "$0")/.."
bash scripts/setup.sh
python3 -m pip install -q --no-build-isolation .
cd examples && python3 demo.py
