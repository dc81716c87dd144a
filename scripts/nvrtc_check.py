"""CI's NVRTC check (issue 7): CI has no GPU, yet every fused Kernel the op tests produce must
compile for the cuda device. Runs the op test files with EMBER_NVRTC_CHECK=1 (each fused Kernel the
cpu runs is also rendered to CUDA C++ and compiled with NVRTC), waits for the last compiles, prints
the counts and fails on any test failure or compile error.

    python scripts/nvrtc_check.py [pytest arguments]   (default: the op test files below)
"""
import os
import sys
import time

os.environ["EMBER_NVRTC_CHECK"] = "1"  # before ember is imported: the binding reads it at import

import pytest  # noqa: E402

# The shared op test files that produce fused Kernels (elementwise chains, casts, reductions).
FILES = [
    "tests/test_elementwise.py",
    "tests/test_operators.py",
    "tests/test_reductions.py",
    "tests/test_fusion.py",
    "tests/test_promotion.py",
    "tests/test_vector_math.py",
    "tests/test_numpy_programs.py",
]


def main(argv):
    start = time.time()
    rc = pytest.main(["-q", "-p", "no:cacheprovider", *(argv or FILES)])
    import ember

    cuda = getattr(ember._core, "cuda", None)
    if cuda is None or not hasattr(cuda, "nvrtc_check_flush"):
        print("NVRTC check: ember was built without the cuda device; nothing was compiled")
        return int(rc)
    try:
        cuda.nvrtc_check_flush()
    except RuntimeError as e:
        print(e)
        rc = rc or 1
    s = cuda.nvrtc_check_stats()
    print(f"NVRTC check: {s['seen']} fused kernels run, {s['unique']} distinct sources, {s['compiled']} compiled, "
          f"{s['failed']} failed; {s['programs']} NVRTC programs, {s['compile_seconds']:.1f} s in NVRTC, "
          f"{time.time() - start:.1f} s in all")
    if s["failed"]:
        rc = rc or 1
    return int(rc)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
