import os
import sys

# Developer builds (cmake -B build) put ember._core next to the sources; installed builds need nothing.
_src = os.path.join(os.path.dirname(__file__), "..", "python")
if os.path.exists(os.path.join(_src, "ember")) and any(f.startswith("_core") for f in os.listdir(os.path.join(_src, "ember"))):
    sys.path.insert(0, os.path.abspath(_src))

# The README's test command (EMBER_TEST_PROFILE=ci) runs hypothesis derandomized, so CI is
# reproducible; a plain pytest run keeps exploring new examples.
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("EMBER_TEST_PROFILE") == "ci":
    settings.load_profile("ci")

# EMBER_DEVICE=pim (or cuda) runs the shared op tests with new arrays on that device (ember.default_device).
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _ember_device():
    device = os.environ.get("EMBER_DEVICE")
    if not device or device == "cpu":
        yield
        return
    import ember as em

    # EMBER_DEVICE=cuda without a usable GPU: every shared op test skips, saying why.
    if device == "cuda" and not em.cuda.is_available():
        pytest.skip("EMBER_DEVICE=cuda but no GPU/driver: " + em.cuda.why_unavailable())
    with em.default_device(device):
        yield
