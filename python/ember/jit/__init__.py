"""@ember.jit and the control-flow primitives it compiles Python's if/while/for into."""
from ._control import cond, fori_loop, scan, while_loop
from ._api import jit
from ._runtime import ConversionError

__all__ = ["jit", "cond", "while_loop", "fori_loop", "scan", "ConversionError"]
