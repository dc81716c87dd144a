"""Set functions: the Array API's unique_* (NaNs distinct, results in sorted order) and
numpy.unique (NaNs collapsed by default). The number of unique values is data, so these are sync
points: the input is evaluated before the results are built."""
from collections import namedtuple

from . import _core
from ._array import _wrap
from ._statistical import _arr

__all__ = ["unique", "unique_values", "unique_counts", "unique_inverse", "unique_all"]

UniqueAllResult = namedtuple("UniqueAllResult", ["values", "indices", "inverse_indices", "counts"])
UniqueCountsResult = namedtuple("UniqueCountsResult", ["values", "counts"])
UniqueInverseResult = namedtuple("UniqueInverseResult", ["values", "inverse_indices"])


def _unique(x, equal_nan):
    return [_wrap(h) for h in _core.unique_all(_arr(x)._h, equal_nan)]


def unique_all(x, /):
    return UniqueAllResult(*_unique(x, False))


def unique_counts(x, /):
    values, _, _, counts = _unique(x, False)
    return UniqueCountsResult(values, counts)


def unique_inverse(x, /):
    values, _, inverse, _ = _unique(x, False)
    return UniqueInverseResult(values, inverse)


def unique_values(x, /):
    return _unique(x, False)[0]


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *, equal_nan=True,
           sorted=True):
    """numpy.unique of the flattened array: sorted unique values, optionally first indices, the
    inverse (shaped as the input) and counts."""
    if axis is not None:
        raise NotImplementedError("ember.unique supports axis=None only")
    values, index, inverse, counts = _unique(ar, bool(equal_nan))
    extra = [r for flag, r in ((return_index, index), (return_inverse, inverse), (return_counts, counts)) if flag]
    return tuple([values] + extra) if extra else values
