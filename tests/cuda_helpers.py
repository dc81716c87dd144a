"""What the cuda test files share: whether this build has the cuda device, and skipping a test that
needs a GPU with the reason none is usable."""
import pytest

import ember as em

BUILT = hasattr(em._core, "cuda")
needs_build = pytest.mark.skipif(not BUILT, reason="this build of ember has no cuda device")


def gpu():
    """Skips the calling test, naming why, unless a GPU and its driver are usable."""
    if not em.cuda.is_available():
        pytest.skip("no GPU/driver: " + em.cuda.why_unavailable())
