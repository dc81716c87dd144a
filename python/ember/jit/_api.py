"""@ember.jit: trace a function once per input signature, cache its Plan, replay it.

A call computes the signature (the shapes, dtypes and devices of the array arguments, and the
values of everything else), finds or traces the plan, and replays it in C++ with no per-op Python
work: a small plan on evaluated arguments runs at once, anything else becomes one lazy node
(docs/jit.md, "How a jitted call runs")."""
import builtins
import functools
import inspect

import numpy as _np

from .. import _core
from .._array import Array, _wrap
from . import _pytree
from ._tracing import as_array, trace

_signature = _core.signature
_SCALARS = (builtins.bool, builtins.int, builtins.float, builtins.complex)


def _one_array(outs, dynamic):
    """finish() for a function returning one array (inlines _wrap: one Python call fewer)."""
    a = _new(Array)
    a._h = outs[0]
    return a


_new = Array.__new__


class _Entry:
    """One traced signature: the plan, and how a call turns its outputs into the results."""

    __slots__ = ("traced", "slots", "call", "finish")

    def __init__(self, traced):
        self.traced = traced
        self.call = traced.plan.call  # bound once: the call path looks up nothing else
        # Where each result leaf comes from: an index into the plan's outputs, or a constant.
        self.slots, k = [], 0
        for r in traced.results:
            if isinstance(r, Array):
                self.slots.append((True, k))
                k += 1
            else:
                self.slots.append((False, r))
        self.finish = self._finisher()

    def _finisher(self):
        """finish(outs, dynamic) -> the call's result, made for this entry's result layout: the usual
        results (one array; a flat tuple of arrays) skip the pytree walk."""
        traced = self.traced
        structure, mutated = traced.structure, tuple(traced.mutated)
        if not mutated and all(is_out for is_out, _ in self.slots):
            if structure.kind == "leaf":
                return _one_array
            if structure.kind == "tuple" and all(c.kind == "leaf" for c in structure.children):
                return lambda outs, dynamic: tuple(map(_wrap, outs))
        slots, first_mutated = self.slots, len(traced.results) - sum(not o for o, _ in self.slots)

        def finish(outs, dynamic):
            for i, value in zip(mutated, outs[first_mutated:]):
                dynamic[i][...] = _wrap(value)  # the function wrote to this argument in place
            leaves = [_wrap(outs[s]) if is_out else s for is_out, s in slots]
            return _pytree.unflatten(structure, leaves)

        return finish


class Lowered:
    """A jitted function's plan for one signature (what `f.lower(*args)` returns)."""

    def __init__(self, name, key, entry, dynamic):
        self._name, self._key, self._entry, self._dynamic = name, key, entry, dynamic

    @property
    def plan(self):
        return self._entry.traced.plan

    def outputs(self):
        """The results as lazy (unevaluated) arrays, as a call would return them, flattened."""
        outs = self.plan.run([a._h for a in self._dynamic])
        return [_wrap(h) for h in outs[:len(outs) - len(self._entry.traced.mutated)]]

    def as_text(self):
        return f"jit({self._name}) for {_describe_key(self._key)}\n{self.plan}"

    __str__ = as_text

    def __repr__(self):
        return f"<Lowered jit({self._name}): {self.plan.num_steps} steps>"


def _describe_key(key):
    parts = []
    for k in key[1]:
        if k[0] == "a":
            parts.append(f"{k[2]}{list(k[1])}@{k[3]}")
        elif k[0] != "tree":
            parts.append(repr(k[2]))
    return "(" + ", ".join(parts) + ")"


class JittedFunction:
    """A function compiled by @ember.jit. Call it as the original; `lower(*args)` shows the plan;
    `cache_size()` counts the traced signatures."""

    def __init__(self, fun, static_argnums, static_argnames):
        functools.update_wrapper(self, fun)
        self._fun = fun
        self._converted = None
        self._cache = {}
        self._fast = {}  # calls with only array arguments, keyed by _core.signature
        self.trace_count = 0
        if isinstance(static_argnums, int):
            static_argnums = (static_argnums,)
        if isinstance(static_argnames, str):
            static_argnames = (static_argnames,)
        self._static_argnums = frozenset(static_argnums)
        self._static_argnames = frozenset(static_argnames)
        try:
            self._signature = inspect.signature(fun)
        except (TypeError, ValueError):
            self._signature = None
        if self._signature is not None:  # static names given by position count too, and vice versa
            names = list(self._signature.parameters)
            self._static_argnames |= {names[i] for i in self._static_argnums if i < len(names)}
            self._static_argnums |= {names.index(n) for n in self._static_argnames if n in names}

    def _function(self):
        if self._converted is None:
            from ._autograph import convert

            self._converted = convert(self._fun)
        return self._converted

    def _split(self, args, kwargs):
        """(key, dynamic arrays, rebuild(params) -> (args, kwargs)) for a call."""
        dynamic, key_parts, rebuilders = [], [], []

        def leaf_key(x):
            if isinstance(x, Array):
                dynamic.append(x)
                return ("a", x.shape, str(x.dtype), x.device)
            if isinstance(x, _np.ndarray):
                x = as_array(x)
                dynamic.append(x)
                return ("a", x.shape, str(x.dtype), x.device)
            if type(x) in _SCALARS or isinstance(x, _np.generic):
                return ("s", type(x).__name__, x)  # numbers are static: a new value retraces
            try:
                hash(x)
            except TypeError:
                raise TypeError(f"jit({self.__name__}): an argument of type {type(x).__name__} is neither an array, "
                                "a number nor hashable; pass arrays, or mark it static (static_argnums)") from None
            return ("o", type(x).__name__, x)

        def part(value, static):
            if static:
                try:
                    hash(value)
                except TypeError:
                    raise TypeError(f"jit({self.__name__}): static argument {value!r} must be hashable") from None
                key_parts.append(("static", type(value).__name__, value))
                rebuilders.append(None)
                return
            leaves, structure = _pytree.flatten(value)
            start = len(dynamic)
            key_parts.append(("tree", structure))
            for leaf in leaves:
                key_parts.append(leaf_key(leaf))
            rebuilders.append((structure, leaves, start))

        for i, a in enumerate(args):
            part(a, i in self._static_argnums)
        names = sorted(kwargs)
        for n in names:
            part(kwargs[n], n in self._static_argnames)
        key = (len(args), tuple(key_parts), tuple(names))

        def rebuild(params):
            it = iter(zip(list(args) + [kwargs[n] for n in names], rebuilders))
            out = []
            for value, rb in it:
                if rb is None:
                    out.append(value)
                    continue
                structure, leaves, start = rb
                j = start
                new = []
                for leaf in leaves:
                    if isinstance(leaf, (Array, _np.ndarray)):
                        new.append(params[j])
                        j += 1
                    else:
                        new.append(leaf)
                out.append(_pytree.unflatten(structure, new))
            return out[:len(args)], dict(zip(names, out[len(args):]))

        return key, dynamic, rebuild

    def _entry(self, args, kwargs):
        key, dynamic, rebuild = self._split(args, kwargs)
        entry = self._cache.get(key)
        if entry is None:
            fun = self._function()

            def call(*params):
                call_args, call_kwargs = rebuild(params)
                return fun(*call_args, **call_kwargs)

            traced = trace(call, dynamic)
            entry = self._cache[key] = _Entry(traced)
            self.trace_count += 1
        return key, entry, dynamic

    def __call__(self, *args, **kwargs):
        if not kwargs and not self._static_argnums:
            # The common call: ember arrays only. C++ reads their signature (None if an argument is
            # something else) and plan.call their handles, straight from the argument tuple.
            fast_key = _signature(args)
            if fast_key is not None:
                entry = self._fast.get(fast_key)
                if entry is None:
                    entry = self._fast[fast_key] = self._entry(args, kwargs)[1]
                return entry.finish(entry.call(args), args)
        key, entry, dynamic = self._entry(args, kwargs)
        return entry.finish(entry.call(dynamic), dynamic)

    def lower(self, *args, **kwargs):
        """The plan this call would run (traced now if new): print it, or get its lazy outputs()."""
        key, entry, dynamic = self._entry(args, kwargs)
        return Lowered(self.__name__, key, entry, dynamic)

    def cache_size(self):
        return len(self._cache)

    def clear_cache(self):
        self._cache.clear()
        self._fast.clear()

    def __get__(self, obj, objtype=None):  # methods: bind self as a static-free first argument
        if obj is None:
            return self
        return functools.partial(self, obj)

    def __repr__(self):
        return f"<ember.jit({self.__name__}): {len(self._cache)} traced signature(s)>"


def jit(fun=None, *, static_argnums=(), static_argnames=()):
    """Compiles `fun`: traced once per input signature (array shapes, dtypes, devices; the values
    of numbers, static arguments and other hashable arguments), replayed from a cached plan.
    Python if/while/for on arrays in `fun` become ember.cond/while_loop/fori_loop. Usable as
    @jit or @jit(static_argnums=..., static_argnames=...)."""
    if fun is None:
        return functools.partial(jit, static_argnums=static_argnums, static_argnames=static_argnames)
    if isinstance(fun, JittedFunction):
        return fun
    return JittedFunction(fun, static_argnums, static_argnames)
