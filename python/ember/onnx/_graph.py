"""The ONNX graph under construction: values, nodes, constants and casts, for the primitive rules.

A `Value` is a named ONNX tensor with the ember dtype name and static shape it holds. `Emitter` appends
nodes to the graph (or loop/branch subgraph) being built; names are unique across the whole model,
so subgraphs may read any enclosing graph's values by name (ONNX outer-scope references)."""
import numpy as np

# ember dtype name -> (ONNX TensorProto enum value, numpy dtype name for constants)
_ONNX_TYPES = {
    "bool": 9, "int8": 3, "uint8": 2, "int16": 5, "uint16": 4, "int32": 6, "uint32": 12, "int64": 7,
    "uint64": 13, "float16": 10, "bfloat16": 16, "float32": 1, "float64": 11,
}
DTYPES = tuple(_ONNX_TYPES)
FLOATS = ("float16", "bfloat16", "float32", "float64")
SIGNED = ("int8", "int16", "int32", "int64")
UNSIGNED = ("uint8", "uint16", "uint32", "uint64")
INTS = SIGNED + UNSIGNED


class ExportError(NotImplementedError):
    """A function uses primitives (or dtypes) that have no ONNX form; the message names them all."""


def onnx_type(dtype):
    try:
        return _ONNX_TYPES[dtype]
    except KeyError:
        raise ExportError(f"dtype {dtype} has no ONNX export (exportable: {', '.join(DTYPES)})") from None


def np_dtype(dtype):
    if dtype == "bfloat16":
        import ml_dtypes
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(dtype)


class Value:
    __slots__ = ("name", "dtype", "shape")

    def __init__(self, name, dtype, shape):
        self.name, self.dtype, self.shape = name, dtype, tuple(shape)

    def __repr__(self):
        return f"Value({self.name}, {self.dtype}, {self.shape})"


# ONNX Runtime's CPU kernels (1.31) by ONNX op: the dtypes it runs natively. Other dtypes are computed
# in a wider type and cast back (see Emitter.compute_dtype), which gives the same values: small
# integers wrap modulo 2**bits either way, float16/bfloat16 round once from float32 as ember does.
_ALL = set(DTYPES)
_NUM = {"float32", "float64", "float16", "int8", "uint8", "int16", "uint16", "int32", "int64", "uint32", "uint64"}
ORT_NATIVE = {
    "Add": _NUM, "Sub": _NUM, "Mul": _NUM, "Div": _NUM, "Mod": _NUM, "Abs": _NUM,
    "Max": _NUM - {"int16", "uint16"}, "Min": _NUM - {"int16", "uint16"},
    "Neg": {"float32", "float64", "float16", "int8", "int16", "int32", "int64"},
    "Sign": _NUM | {"bfloat16"},
    "Sqrt": {"float32", "float64", "float16"}, "Exp": {"float32", "float64", "float16"},
    "Log": {"float32", "float64", "float16"}, "Sin": {"float32", "float64", "float16"},
    "Cos": {"float32", "float64", "float16"}, "Tanh": {"float32", "float64", "float16"},
    "Floor": {"float32", "float64", "float16"}, "Ceil": {"float32", "float64", "float16"},
    "Round": {"float32", "float64", "float16"}, "Reciprocal": {"float32", "float64", "float16"},
    "IsNaN": {"float32", "float64", "float16"}, "IsInf": {"float32", "float64"},
    "Pow": {"float32", "float64", "float16", "int32", "int64"},
    "Equal": _ALL - {"bfloat16"}, "Less": _NUM, "Greater": _NUM, "LessOrEqual": _NUM, "GreaterOrEqual": _NUM,
    "ReduceSum": {"float32", "float64", "float16", "int32", "int64"},
    "ReduceProd": {"float32", "float64", "float16", "int32", "int64"},
    "ReduceMax": {"float32", "float64", "float16", "int8", "uint8", "int32", "int64"},
    "ReduceMin": {"float32", "float64", "float16", "int8", "uint8", "int32", "int64"},
    "ReduceL1": {"float32", "float64", "int32", "int64"}, "ReduceL2": {"float32", "float64", "int32", "int64"},
    "CumSum": {"float32", "float64", "int32", "int64"},
    "MatMul": {"float32", "float64", "float16", "int32", "int64", "uint32", "uint64"},
    "ArgMax": {"float32", "float64", "float16", "int8", "uint8", "int32", "int64"},
    "ArgMin": {"float32", "float64", "float16", "int8", "uint8", "int32", "int64"},
    "TopK": {"float32", "float64", "int8", "uint8", "int16", "uint16", "int32", "int64", "uint32", "uint64"},
    "Det": {"float32", "float64"},
    "BitwiseAnd": _NUM - set(FLOATS), "BitwiseOr": _NUM - set(FLOATS), "BitwiseXor": _NUM - set(FLOATS),
    "BitwiseNot": _NUM - set(FLOATS), "BitShift": {"uint8", "uint32", "uint64"},
    "Where": {"float32", "float64", "float16", "int8", "uint8", "int32", "int64", "uint32"},
    "Expand": _ALL - {"bfloat16"},
}
# Transcendentals ONNX Runtime runs in float32/float16 only: float64 is emitted natively (valid ONNX,
# what an NPU compiler reads) though the CPU provider has no kernel for it.
for _op in ("Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Erf"):
    ORT_NATIVE[_op] = {"float32", "float16", "float64"}


def _wider(dtype):
    if dtype in ("float16", "bfloat16"):
        return "float32"
    if dtype == "bool":
        return "uint8"
    if dtype in ("int8", "int16", "uint8", "uint16"):
        return "int32"
    return dtype


class Emitter:
    """Appends ONNX nodes to the current graph. One per model; `subgraph()` switches graphs."""

    def __init__(self, opset):
        from onnx import helper
        self.helper = helper
        self.opset = opset
        self.initializers = []  # the main graph's
        self.nodes = []  # the current graph's
        self._count = 0
        self._consts = {}
        self.known = {}  # constant Value name -> its numpy value (rules may simplify with it)

    def fresh(self, hint="v"):
        self._count += 1
        return f"{hint}_{self._count}"

    def op(self, op_type, inputs, dtype, shape=None, outputs=1, **attrs):
        """One ONNX node; returns its Value (or a list for outputs > 1)."""
        names = [self.fresh(op_type.lower()) for _ in range(outputs)]
        ins = [x.name if isinstance(x, Value) else (x or "") for x in inputs]
        self.nodes.append(self.helper.make_node(op_type, ins, names, **attrs))
        vals = [Value(n, dtype, shape if shape is not None else ()) for n in names]
        return vals[0] if outputs == 1 else vals

    def const(self, value, dtype=None):
        """A constant (a main-graph initializer, visible from every subgraph); small ones are shared."""
        from onnx import numpy_helper
        if dtype is None:
            dtype = value.dtype if isinstance(value, np.ndarray) else "float64"
            dtype = "bfloat16" if str(dtype) == "bfloat16" else str(np.dtype(dtype))
        arr = np.asarray(value).astype(np_dtype(dtype))
        key = None
        if arr.size <= 16:
            key = (dtype, arr.shape, arr.tobytes())
            if key in self._consts:
                return self._consts[key]
        name = self.fresh("c")
        if dtype == "bfloat16":
            t = self.helper.make_tensor(name, onnx_type(dtype), arr.shape, arr.view(np.uint16).tobytes(), raw=True)
        else:
            t = numpy_helper.from_array(arr, name)
        self.initializers.append(t)
        v = Value(name, dtype, arr.shape)
        self.known[name] = arr
        if key is not None:
            self._consts[key] = v
        return v

    def ints(self, values):
        """A 1-D int64 constant (shapes, axes, indices)."""
        return self.const(np.asarray(list(values), dtype=np.int64).reshape(-1), "int64")

    def scalar(self, value, dtype):
        return self.const(np.asarray(value), dtype)

    def cast(self, x, dtype):
        if x.dtype == dtype:
            return x
        return self.op("Cast", [x], dtype, x.shape, to=onnx_type(dtype))

    def identity(self, x):
        return self.op("Identity", [x], x.dtype, x.shape)

    # Nodes in the dtype ONNX Runtime runs, casting around them when it has no kernel for `x.dtype`.
    def compute_dtype(self, onnx_op, dtype):
        native = ORT_NATIVE.get(onnx_op)
        if native is None or dtype in native:
            return dtype
        wide = _wider(dtype)
        return wide if wide in native else dtype

    def apply(self, onnx_op, inputs, out_dtype=None, shape=None, **attrs):
        """`onnx_op` over inputs of one dtype; the result as `out_dtype` (default: the inputs' dtype).
        Boolean-valued ops (comparisons, IsNaN) give bool whatever the compute dtype."""
        dtype = inputs[0].dtype
        compute = self.compute_dtype(onnx_op, dtype)
        xs = [self.cast(x, compute) for x in inputs]
        boolean = onnx_op in ("Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "IsNaN", "IsInf",
                              "And", "Or", "Xor", "Not")
        res_dtype = "bool" if boolean else compute
        if shape is None:
            shape = np.broadcast_shapes(*[x.shape for x in inputs])
        y = self.op(onnx_op, xs, res_dtype, shape, **attrs)
        return self.cast(y, out_dtype or (res_dtype if boolean else dtype))

    def where(self, c, x, y):
        dtype = x.dtype
        compute = self.compute_dtype("Where", dtype)
        shape = np.broadcast_shapes(c.shape, x.shape, y.shape)
        r = self.op("Where", [c, self.cast(x, compute), self.cast(y, compute)], compute, shape)
        return self.cast(r, dtype)

    # Reductions take their axes as an attribute before opset 18 (ReduceSum from 13) and as an input after.
    def reduce(self, onnx_op, x, axes, keepdims, out_dtype=None):
        compute = self.compute_dtype(onnx_op, x.dtype)
        xc = self.cast(x, compute)
        axes = [int(a) % max(len(x.shape), 1) for a in axes]
        shape = tuple(1 if i in axes else n for i, n in enumerate(x.shape) if keepdims or i not in axes)
        if not axes:  # ONNX reads no axes as "all axes"; ember's empty list reduces nothing
            return self.cast(xc, out_dtype or x.dtype)
        if onnx_op == "ReduceSum" or self.opset >= 18:
            y = self.op(onnx_op, [xc, self.ints(axes)], compute, shape, keepdims=int(keepdims))
        else:
            y = self.op(onnx_op, [xc], compute, shape, axes=axes, keepdims=int(keepdims))
        return self.cast(y, out_dtype or x.dtype)

    def reshape(self, x, shape):
        if tuple(x.shape) == tuple(shape):
            return x
        return self.op("Reshape", [x, self.ints(shape)], x.dtype, shape)

    def transpose(self, x, perm):
        perm = [int(p) for p in perm]
        if perm == list(range(len(perm))):
            return x
        return self.op("Transpose", [x], x.dtype, tuple(x.shape[p] for p in perm), perm=perm)

    def expand(self, x, shape):
        if tuple(x.shape) == tuple(shape):
            return x
        compute = self.compute_dtype("Expand", x.dtype)
        r = self.op("Expand", [self.cast(x, compute), self.ints(shape)], compute, shape)
        return self.cast(r, x.dtype)

    def zeros(self, shape, dtype):
        return self.fill(shape, 0, dtype)

    def fill(self, shape, value, dtype):
        """A constant array of one value: an initializer when small, else ConstantOfShape."""
        shape = tuple(int(s) for s in shape)
        if int(np.prod(shape)) <= 16:
            return self.const(np.full(shape, value, dtype=np_dtype(dtype)), dtype)
        from onnx import numpy_helper
        if dtype == "bfloat16":  # ConstantOfShape's value may not be bfloat16 before opset 20: cast
            v = self.fill(shape, value, "float32")
            return self.cast(v, dtype)
        t = numpy_helper.from_array(np.full((1,), value, dtype=np_dtype(dtype)), self.fresh("fill"))
        return self.op("ConstantOfShape", [self.ints(shape)], dtype, shape, value=t)
