#!/usr/bin/env bash
# Sets up, installs ember and runs the demo (a NumPy program run by NumPy and by ember).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
python3 -m pip install -q --no-build-isolation .
cd examples && python3 demo.py
