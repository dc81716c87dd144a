"""Device placement: `with ember.default_device("pim"):` builds new arrays on that device."""
import contextlib

from . import _core

__all__ = ["default_device"]


@contextlib.contextmanager
def default_device(device):
    """Arrays created inside the block (creation functions, asarray of host data) live on `device`;
    ops follow their operands' device. The previous default is restored on exit."""
    saved = _core.get_default_device()
    _core.set_default_device(device)
    try:
        yield
    finally:
        _core.set_default_device(saved)
