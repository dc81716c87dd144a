"""The `cuda` device: ember arrays on NVIDIA GPUs.

    import ember as em
    if em.cuda.is_available():
        x = em.asarray(a, device="cuda")      # one bulk copy through pinned staging buffers
        y = (x @ x).to("cpu")
    else:
        print(em.cuda.why_unavailable())

The driver (libcuda.so.1), NVRTC and cuBLAS are loaded with dlopen on first use, so this module
imports on machines without a GPU, a driver or a toolkit: is_available() is then False and
why_unavailable() says which of those is missing.

Device memory comes from a caching pool per GPU (freed arrays keep their blocks for reuse, ordered
on the device's stream): memory_stats() reports it, and "held" (cached_bytes) is not "leaked";
empty_cache() hands the cached blocks back to the driver.
"""
from .. import _core
from ._raw import CompileError, ElementwiseKernel, RawKernel, RawModule, ReductionKernel

__all__ = ["is_available", "device_count", "why_unavailable", "memory_stats", "empty_cache", "synchronize",
           "current_device", "set_device", "compute_capability", "get_device_name", "RawModule", "RawKernel",
           "ElementwiseKernel", "ReductionKernel", "CompileError"]

_cuda = getattr(_core, "cuda", None)
_NOT_BUILT = ("this build of ember has no cuda device (it was configured without the CUDA toolkit's "
              "headers; rebuild with them installed)")
_STAT_KEYS = ("allocated_bytes", "requested_bytes", "cached_bytes", "reserved_bytes", "peak_allocated_bytes",
              "peak_reserved_bytes", "num_allocs", "num_frees", "cache_hits", "device_allocs", "device_frees",
              "oom_retries")


def is_available():
    """True when the NVIDIA driver loads, initialises, and reports at least one GPU."""
    return _cuda is not None and _cuda.is_available()


def why_unavailable():
    """Why device 'cuda' cannot be used here (no driver library, the toolkit's stub library, cuInit's
    error, no GPU, or a build without cuda); '' when it can."""
    if _cuda is None:
        return _NOT_BUILT
    return _cuda.why_unavailable()


def device_count():
    """The number of GPUs the driver reports (0 when unavailable)."""
    return 0 if _cuda is None else _cuda.device_count()


def _require():
    if not is_available():
        raise RuntimeError("the cuda device is unavailable: " + why_unavailable())


def memory_stats(device=None):
    """The memory pool's counters as a dict: allocated/requested/cached/reserved bytes, their peaks,
    num_allocs, num_frees, cache_hits, device_allocs/frees (calls to the driver) and oom_retries.
    Summed over the GPUs used so far, or of one `device`; zeros before any use or without a GPU."""
    if _cuda is None:
        return dict.fromkeys(_STAT_KEYS, 0)
    if device is not None and (not isinstance(device, int) or isinstance(device, bool) or device < 0):
        raise ValueError(f"memory_stats: device must be a GPU index >= 0 or None, not {device!r}")
    return dict(_cuda.memory_stats(-1 if device is None else device))


def empty_cache():
    """Returns every cached (free) block of the pools to the driver; live arrays keep theirs."""
    if _cuda is not None:
        _cuda.empty_cache()


def synchronize():
    """Waits until the work queued on every GPU used so far has finished."""
    if _cuda is not None:
        _cuda.synchronize()


def current_device():
    """The GPU new cuda arrays go to (EMBER_CUDA_DEVICE, else 0, or set_device's choice)."""
    _require()
    return _cuda.current_device()


def set_device(device):
    """Places new cuda arrays on GPU `device` (an index below device_count())."""
    _require()
    _cuda.set_device(int(device))


def compute_capability(device=0):
    """(major, minor), e.g. (9, 0) on an H100."""
    _require()
    cc = _cuda.compute_capability(int(device))
    return cc // 10, cc % 10


def get_device_name(device=0):
    _require()
    return _cuda.device_name(int(device))
