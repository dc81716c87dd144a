"""The explicit control-flow functions: em.cond, em.while_loop, em.fori_loop, em.scan (JAX lax
signatures). With array conditions or bounds they build graph nodes whose branches and bodies are
traced once into Plans and run by the C++ core when the node is evaluated: no sync point, and
inside @em.jit the loop stays in the compiled plan. Operands and results are pytrees (tuples, lists,
dicts) of arrays and Python numbers; numbers become 0-d arrays."""
from .. import _core
from .._array import Array, _wrap
from . import _pytree
from ._tracing import as_array, trace, trace_on


def _leaves(tree, what):
    """(arrays, weak, structure): weak[i] holds the Python number leaf i was, else None."""
    leaves, structure = _pytree.flatten(tree)
    try:
        weak = [None if isinstance(x, Array) else x for x in leaves]
        return [as_array(x) for x in leaves], weak, structure
    except TypeError as e:
        raise TypeError(f"ember.{what}: operands must be arrays or numbers ({e})") from None


def _condition(x, what):
    """A predicate as a 0-d bool array (truth as Python's: nonzero), inside the trace."""
    x = as_array(x)
    if x.size != 1:
        raise ValueError(f"ember.{what}: the condition must have one element, got shape {x.shape}")
    x = x.reshape(())
    return x if x.dtype == bool else x != 0


def _cast_to(dtypes, structure, what):
    """A converter for traced results: Python numbers become arrays of the wanted dtypes."""

    def convert(out):
        leaves, st = _pytree.flatten(out)
        if st != structure:
            raise TypeError(f"ember.{what}: the function returned {st}, expected {structure}")
        return _pytree.unflatten(st, [as_array(x, dtype=None if isinstance(x, Array) else dt)
                                      for x, dt in zip(leaves, dtypes)])

    return convert


def _result_type(a, b):
    if a == b:
        return a
    from .._elementwise import result_type

    return result_type(a, b)


def _describe(shape, dtype):
    return f"{dtype}{list(shape)}"


def cond(pred, true_fun, false_fun, *operands):
    """true_fun(*operands) if pred else false_fun(*operands); both branches must return the same
    structure of arrays with the same shapes (dtypes are promoted as NumPy would)."""
    if not isinstance(pred, Array):
        return true_fun(*operands) if pred else false_fun(*operands)
    pred = _condition(pred, "cond")
    leaves, _, structure = _leaves(operands, "cond")
    t = trace_on(true_fun, leaves, structure)
    f = trace_on(false_fun, leaves, structure)
    if t.structure != f.structure:
        raise TypeError(f"ember.cond: the branches return different structures: {t.structure} and {f.structure}")
    dtypes = []
    for i, (a, b) in enumerate(zip(t.results, f.results)):
        if a.shape != b.shape:
            raise ValueError(f"ember.cond: result {i} has shape {a.shape} in the true branch and {b.shape} in "
                             "the false branch; both branches must give the same shapes")
        dtypes.append(_result_type(a.dtype, b.dtype))
    if any(a.dtype != dt for a, dt in zip(t.results, dtypes)):
        t = trace_on(true_fun, leaves, structure, _cast_results(t.structure, dtypes))
    if any(b.dtype != dt for b, dt in zip(f.results, dtypes)):
        f = trace_on(false_fun, leaves, structure, _cast_results(f.structure, dtypes))
    outs = _core.make_cond(pred._h, t.plan, f.plan, [x._h for x in leaves], [r._h for r in t.results])
    return _pytree.unflatten(t.structure, [_wrap(h) for h in outs])


def _cast_results(structure, dtypes):
    def convert(out):
        leaves, st = _pytree.flatten(out)
        return _pytree.unflatten(st, [as_array(x).astype(dt, copy=False) for x, dt in zip(leaves, dtypes)])

    return convert


def _settle_weak(fun, leaves, weak, structure, extra):
    """Carried values that start as Python numbers take the dtype one trip of the body gives them
    when it sees the number itself (NumPy: `total = 0.0; total = total + x32.sum()` is float32)."""
    if all(w is None for w in weak):
        return
    dynamic = list(extra) + [x for x, w in zip(leaves, weak) if w is None]

    def probe(*params):
        it = iter(params[len(extra):])
        val = _pytree.unflatten(structure, [w if w is not None else next(it) for w in weak])
        return fun(*params[:len(extra)], val)

    try:
        traced = trace(probe, dynamic, out_to_array=True, keep_writes=False)
    except Exception:  # the body needs arrays even for these values: keep their default dtypes
        return
    for i, (w, r) in enumerate(zip(weak, traced.results)):
        if w is not None and r.shape == leaves[i].shape and r.dtype != leaves[i].dtype:
            leaves[i] = leaves[i].astype(r.dtype)


def _trace_body(fun, leaves, weak, structure, what, extra=()):
    """Traces a loop body whose results must match the carried values. A carried value that started
    as a Python number takes the dtype the body gives it (as `total = 0.0; total += x32` would)."""
    _settle_weak(fun if extra else (lambda val: fun(val)), leaves, weak, structure, extra)
    for _ in range(len(leaves) + 1):
        like = list(extra) + leaves

        def body(*params, _fun=fun, _n=len(extra)):
            if _n:
                return _fun(*params[:_n], _pytree.unflatten(structure, list(params[_n:])))
            return _fun(_pytree.unflatten(structure, list(params)))

        traced = trace_on(body, like, _pytree.flatten(like)[1],
                          _cast_to([x.dtype for x in leaves], structure, what))
        changed = False
        for i, (x, r) in enumerate(zip(leaves, traced.results)):
            if r.shape != x.shape:
                raise ValueError(f"ember.{what}: the loop body changes carried value {i} from shape {x.shape} to "
                                 f"{r.shape}; carried values must keep their shapes")
            if r.dtype != x.dtype:
                if weak[i] is None:
                    raise TypeError(f"ember.{what}: the loop body changes carried value {i} from "
                                    f"{_describe(x.shape, x.dtype)} to {_describe(r.shape, r.dtype)}; start it "
                                    f"with the dtype the loop gives it (e.g. x.astype({r.dtype}))")
                leaves[i], weak[i], changed = x.astype(r.dtype), None, True
        if not changed:
            return traced
    raise TypeError(f"ember.{what}: the carried dtypes do not settle")


def while_loop(cond_fun, body_fun, init_val):
    """val = init_val; while cond_fun(val): val = body_fun(val); returns val. The body must keep
    the structure, shapes and dtypes of val."""
    leaves, weak, structure = _leaves(init_val, "while_loop")
    body = _trace_body(body_fun, leaves, weak, structure, "while_loop")
    test = trace_on(lambda *p: _condition(cond_fun(_pytree.unflatten(structure, list(p))), "while_loop"),
                    leaves, _pytree.flatten(leaves)[1])
    outs = _core.make_while(test.plan, body.plan, [x._h for x in leaves])
    return _pytree.unflatten(structure, [_wrap(h) for h in outs])


def fori_loop(lower, upper, body_fun, init_val):
    """val = init_val; for i in range(lower, upper): val = body_fun(i, val); returns val. i is a
    0-d int64 array; the bounds may be numbers or 0-d integer arrays."""
    bounds = []
    for b, name in ((lower, "lower"), (upper, "upper")):
        b = as_array(b)
        if b.ndim != 0 or b.dtype.kind not in "iub":
            raise TypeError(f"ember.fori_loop: {name} must be an integer or a 0-d integer array, got "
                            f"{_describe(b.shape, b.dtype)}")
        bounds.append(b.astype("int64", copy=False))
    leaves, weak, structure = _leaves(init_val, "fori_loop")
    index = as_array(0, dtype="int64")
    body = _trace_body(lambda i, val: body_fun(i, val), leaves, weak, structure, "fori_loop", extra=(index,))
    outs = _core.make_fori(bounds[0]._h, bounds[1]._h, body.plan, [x._h for x in leaves])
    return _pytree.unflatten(structure, [_wrap(h) for h in outs])


def scan(f, init, xs=None, length=None):
    """carry = init; for each x along xs's first axis: carry, y = f(carry, x); returns
    (carry, ys stacked along a new first axis). xs may be None (then give length)."""
    carry, weak, c_structure = _leaves(init, "scan")
    xs_leaves, _, x_structure = _leaves(xs, "scan")
    n = length
    for x in xs_leaves:
        if x.ndim == 0:
            raise ValueError("ember.scan: the xs must have a leading axis to scan over")
        if n is not None and x.shape[0] != n:
            raise ValueError(f"ember.scan: xs have leading axis {x.shape[0]}, expected {n}")
        n = x.shape[0]
    if n is None:
        raise ValueError("ember.scan: give xs or length")
    from .._creation import empty

    x_like = [empty(x.shape[1:], dtype=x.dtype) for x in xs_leaves]
    nc = len(carry)
    y_structure = []  # filled by the trace: the structure of f's second result
    for _ in range(nc + 1):
        def body(*params, _carry_dtypes=[c.dtype for c in carry]):
            c = _pytree.unflatten(c_structure, list(params[:nc]))
            x = _pytree.unflatten(x_structure, list(params[nc:]))
            out = f(c, x)
            if not (isinstance(out, tuple) and len(out) == 2):
                raise TypeError("ember.scan: f must return a pair (carry, y)")
            new_c, y_st = _pytree.flatten(out[0])[0], _pytree.flatten(out[1])
            y_structure[:] = [y_st[1]]
            if _pytree.flatten(out[0])[1] != c_structure:
                raise TypeError("ember.scan: f changed the structure of the carry")
            new_c = [as_array(v, dtype=None if isinstance(v, Array) else dt) for v, dt in zip(new_c, _carry_dtypes)]
            return tuple(new_c) + tuple(as_array(v) for v in y_st[0])

        params_like = carry + x_like
        traced = trace_on(body, params_like, _pytree.flatten(params_like)[1])
        changed = False
        for i in range(nc):
            r = traced.results[i]
            if r.shape != carry[i].shape:
                raise ValueError(f"ember.scan: f changes carried value {i} from shape {carry[i].shape} to {r.shape}")
            if r.dtype != carry[i].dtype:
                if weak[i] is None:
                    raise TypeError(f"ember.scan: f changes carried value {i} from {carry[i].dtype} to {r.dtype}")
                carry[i], weak[i], changed = carry[i].astype(r.dtype), None, True
        if not changed:
            break
    ys_like = traced.results[nc:]
    outs = _core.make_scan(traced.plan, [c._h for c in carry], [x._h for x in xs_leaves], n,
                           [y._h for y in ys_like])
    outs = [_wrap(h) for h in outs]
    return _pytree.unflatten(c_structure, outs[:nc]), _pytree.unflatten(y_structure[0], outs[nc:])

