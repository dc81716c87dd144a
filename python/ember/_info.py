"""The Array API inspection namespace: what this build of ember offers."""
from . import _dtypes

__all__ = ["__array_namespace_info__"]


class _Info:
    def capabilities(self):
        # Boolean-mask shapes and unique's outputs depend on data; ember computes them at a sync point.
        return {"boolean indexing": True, "data-dependent shapes": True, "max dimensions": 64}

    def default_device(self):
        return "cpu"

    def devices(self):
        return ["cpu"]

    def default_dtypes(self, *, device=None):
        return {"real floating": _dtypes.from_name("float64"), "complex floating": _dtypes.from_name("complex128"),
                "integral": _dtypes.from_name("int64"), "indexing": _dtypes.from_name("int64")}

    def dtypes(self, *, device=None, kind=None):
        names = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                 "float32", "float64", "complex64", "complex128"]
        out = {n: _dtypes.from_name(n) for n in names}
        if kind is not None:
            out = {n: d for n, d in out.items() if _dtypes.isdtype(d, kind)}
        return out


def __array_namespace_info__():
    return _Info()
