"""@ember.jit: trace a function once per input signature, cache the plan, replay it.
(Provisional: converts control flow and calls the function; the tracing engine replaces the call.)"""
import functools


def jit(fun=None, *, static_argnums=(), static_argnames=()):
    """Compiles `fun` (usable as @jit or @jit(static_argnums=...))."""
    if fun is None:
        return functools.partial(jit, static_argnums=static_argnums, static_argnames=static_argnames)
    try:
        from ._autograph import convert
        converted = convert(fun)
    except ImportError:
        converted = fun

    @functools.wraps(fun)
    def wrapper(*args, **kwargs):
        return converted(*args, **kwargs)

    return wrapper
