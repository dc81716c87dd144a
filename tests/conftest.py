import os
import sys

# Developer builds (cmake -B build) put ember._core next to the sources; installed builds need nothing.
_src = os.path.join(os.path.dirname(__file__), "..", "python")
if os.path.exists(os.path.join(_src, "ember")) and any(f.startswith("_core") for f in os.listdir(os.path.join(_src, "ember"))):
    sys.path.insert(0, os.path.abspath(_src))
