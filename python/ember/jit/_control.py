"""The explicit control-flow functions: em.cond, em.while_loop, em.fori_loop, em.scan.

Signatures follow JAX's lax module. (Provisional eager versions: the graph primitives replace
their bodies; the signatures and results stay.)"""
from . import _pytree


def cond(pred, true_fun, false_fun, *operands):
    """true_fun(*operands) if pred else false_fun(*operands); both must return the same structure
    of arrays with the same shapes and dtypes."""
    return true_fun(*operands) if bool(pred) else false_fun(*operands)


def while_loop(cond_fun, body_fun, init_val):
    """val = init_val; while cond_fun(val): val = body_fun(val); return val."""
    val = init_val
    while bool(cond_fun(val)):
        val = body_fun(val)
    return val


def fori_loop(lower, upper, body_fun, init_val):
    """val = init_val; for i in range(lower, upper): val = body_fun(i, val); return val."""
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def scan(f, init, xs=None, length=None):
    """carry = init; for each x in xs (along axis 0): carry, y = f(carry, x); returns (carry, stacked ys)."""
    import ember as em

    leaves, structure = _pytree.flatten(xs)
    n = length if length is not None else (leaves[0].shape[0] if leaves else None)
    if n is None:
        raise ValueError("ember.scan: give xs or length")
    carry, ys = init, []
    for i in range(n):
        x = _pytree.unflatten(structure, [leaf[i] for leaf in leaves]) if leaves else None
        carry, y = f(carry, x)
        ys.append(y)
    if not ys:
        return carry, None
    y_leaves = [_pytree.flatten(y)[0] for y in ys]
    y_structure = _pytree.flatten(ys[0])[1]
    stacked = [em.stack([row[j] for row in y_leaves]) for j in range(len(y_leaves[0]))]
    return carry, _pytree.unflatten(y_structure, stacked)
