"""ember.random: a counter-based generator (Philox4x32-10 in the C++ core). A draw is one graph node
whose parameters hold the generator's key and counter, so its values depend only on the seed and on
the order of draws (never on threads or evaluation order); each draw advances the counter by its size.

Values differ from NumPy's bit for bit; the distributions are the same."""
import builtins
import math
import operator

import numpy as _np

from .. import _core, _dtypes
from .._array import Array, _wrap

__all__ = ["Generator", "default_rng", "seed", "rand", "randn", "randint", "random", "random_sample", "uniform",
           "normal", "standard_normal", "integers", "choice", "permutation", "shuffle"]

_MASK64 = (1 << 64) - 1


def _shape(size):
    if size is None:
        return ()
    if isinstance(size, (tuple, list)):
        return tuple(operator.index(s) for s in size)
    return (operator.index(size),)


def _result(arr, size):
    """size=None gives a Python scalar, as NumPy's Generator does."""
    return arr.item() if size is None else arr


class Generator:
    """Random draws from a seeded Philox stream: random, uniform, normal, standard_normal, integers,
    choice, permutation, shuffle (as numpy.random.Generator)."""

    def __init__(self, seed=None):
        ss = seed if isinstance(seed, _np.random.SeedSequence) else _np.random.SeedSequence(seed)
        words = ss.generate_state(2, _np.uint32)
        self._key = int(words[0]) | (int(words[1]) << 32)
        self._counter = 0

    def __repr__(self):
        return "Generator(Philox)"

    def _take(self, n):
        """The counter for a draw of n elements, advancing the stream past them."""
        c = self._counter
        self._counter = (c + n) & _MASK64
        return c

    def random(self, size=None, dtype=_np.float64, out=None):
        """Uniform floats in [0, 1)."""
        shape = _shape(size) if out is None else out.shape
        r = _wrap(_core.random_uniform(shape, _dtypes.name_of(dtype), self._key, self._take(math.prod(shape))))
        if out is not None:
            out[...] = r
            return out
        return _result(r, size)

    def standard_normal(self, size=None, dtype=_np.float64, out=None):
        shape = _shape(size) if out is None else out.shape
        r = _wrap(_core.random_normal(shape, _dtypes.name_of(dtype), self._key, self._take(math.prod(shape))))
        if out is not None:
            out[...] = r
            return out
        return _result(r, size)

    def _params_shape(self, size, *params):
        if size is not None:
            return _shape(size)
        shapes = [_np.shape(p) if not isinstance(p, Array) else p.shape for p in params]
        return tuple(_np.broadcast_shapes(*shapes))

    def uniform(self, low=0.0, high=1.0, size=None):
        """Uniform floats in [low, high); low and high may be arrays (broadcast)."""
        shape = self._params_shape(size, low, high)
        u = _wrap(_core.random_uniform(shape, "float64", self._key, self._take(math.prod(shape))))
        r = _as_float(low) + (_as_float(high) - _as_float(low)) * u
        return r if size is not None or shape else r.item()

    def normal(self, loc=0.0, scale=1.0, size=None):
        """Normal floats with mean loc and standard deviation scale (arrays broadcast)."""
        if _np.any(_np.asarray(scale.numpy() if isinstance(scale, Array) else scale) < 0):
            raise ValueError("scale < 0")
        shape = self._params_shape(size, loc, scale)
        z = _wrap(_core.random_normal(shape, "float64", self._key, self._take(math.prod(shape))))
        r = _as_float(loc) + _as_float(scale) * z
        return r if size is not None or shape else r.item()

    def integers(self, low, high=None, size=None, dtype=_np.int64, endpoint=False):
        """Integers uniform in [low, high) ([low, high] with endpoint=True); high=None draws from [0, low)."""
        if high is None:
            low, high = 0, low
        for v in (low, high):
            if isinstance(v, (Array, _np.ndarray, list, tuple)):
                raise NotImplementedError("ember.random.integers: array bounds are not supported; pass integers")
        low, high = operator.index(low), operator.index(high)
        name = _dtypes.name_of(dtype)
        d = _np.dtype(name)
        if d.kind not in "iub":
            raise TypeError(f"Unsupported dtype {d} for integers")
        lo_lim, hi_lim = (0, 1) if d.kind == "b" else (int(_np.iinfo(d).min), int(_np.iinfo(d).max))
        last = high if endpoint else high - 1
        if low < lo_lim:
            raise ValueError(f"low is out of bounds for {d}")
        if last > hi_lim:
            raise ValueError(f"high is out of bounds for {d}")
        if last < low:
            raise ValueError("low > high" if endpoint else "low >= high")
        shape = _shape(size)
        rng = (last - low + 1) & _MASK64  # 2^64 wraps to 0, which the core reads as the full range
        low64 = low - (1 << 64) if low >= (1 << 63) else low
        r = _wrap(_core.random_integers(shape, name, low64, rng, self._key, self._take(math.prod(shape))))
        return _result(r, size)

    def permutation(self, x):
        """A permuted range (x an int) or a permuted copy of x along its first axis."""
        if isinstance(x, (int, _np.integer)) and not isinstance(x, builtins.bool):
            n = operator.index(x)
            if n < 0:
                raise ValueError(f"permutation: negative size {n}")
            return _wrap(_core.random_permutation(n, self._key, self._take(n)))
        from .._creation import asarray

        a = asarray(x)
        if a.ndim == 0:
            raise ValueError("permutation: x must be an integer or at least 1-dimensional")
        return a[self.permutation(a.shape[0])]

    def shuffle(self, x):
        """Shuffles the ember array x in place along its first axis."""
        if not isinstance(x, Array):
            raise TypeError("shuffle: x must be an ember array")
        x[...] = self.permutation(x)

    def choice(self, a, size=None, replace=True, p=None, shuffle=True):
        """Random samples from range(a) (a an int) or from the first axis of a."""
        if p is not None:
            raise NotImplementedError("ember.random.choice: p= (weighted sampling) is not supported yet")
        pool = None
        if isinstance(a, (int, _np.integer)) and not isinstance(a, builtins.bool):
            n = operator.index(a)
            if n < 0:
                raise ValueError("a must be a positive integer unless no samples are taken")
        else:
            from .._creation import asarray

            pool = asarray(a)
            if pool.ndim == 0:
                raise ValueError("a must be a sequence or an integer, not a 0-d array")
            n = pool.shape[0]
        shape = _shape(size)
        k = math.prod(shape)
        if n == 0 and k > 0:
            raise ValueError("a cannot be empty unless no samples are taken")
        if replace:
            idx = self.integers(0, builtins.max(n, 1), size=shape)
        else:
            if k > n:
                raise ValueError("Cannot take a larger sample than population when replace=False")
            idx = self.permutation(n)[:k].reshape(shape)
        if pool is None:
            return _result(idx, size)
        r = pool[idx]
        return r[()] if size is None and r.ndim == 0 else r


def _as_float(v):
    if isinstance(v, Array):
        return v if v.dtype.kind in "fc" else v.astype(_np.float64)
    if isinstance(v, (list, tuple, _np.ndarray)):
        from .._creation import asarray

        return asarray(v, dtype=_np.float64)
    return float(v)


def default_rng(seed=None):
    """A new Generator; equal seeds give equal streams. A Generator passed in is returned as is."""
    if isinstance(seed, Generator):
        return seed
    return Generator(seed)


# ---- the legacy module-level functions, drawing from one global Generator ----
_global = Generator()


def seed(seed=None):
    """Reseeds the global generator used by rand, randn, randint, random, uniform, normal, ..."""
    global _global
    _global = Generator(seed)


def rand(*shape):
    return _global.random(shape if shape else None)


def randn(*shape):
    return _global.standard_normal(shape if shape else None)


def randint(low, high=None, size=None, dtype=int):
    return _global.integers(low, high, size=size, dtype=dtype)


def random(size=None):
    return _global.random(size)


random_sample = random


def uniform(low=0.0, high=1.0, size=None):
    return _global.uniform(low, high, size)


def normal(loc=0.0, scale=1.0, size=None):
    return _global.normal(loc, scale, size)


def standard_normal(size=None):
    return _global.standard_normal(size)


def integers(low, high=None, size=None, dtype=_np.int64, endpoint=False):
    return _global.integers(low, high, size, dtype, endpoint)


def choice(a, size=None, replace=True, p=None):
    return _global.choice(a, size, replace, p)


def permutation(x):
    return _global.permutation(x)


def shuffle(x):
    _global.shuffle(x)
