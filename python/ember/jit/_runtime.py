"""Run-time helpers that code rewritten by _autograph calls (the rewritten code names this module `_ag`).

Each helper decides when it runs: a test that is an ember Array goes to em.cond / em.while_loop /
em.fori_loop; anything else runs as plain Python, so loops over Python values simply unroll.
Branches and loop bodies arrive as functions that take the variables the statement changes and
return them (see _autograph for the shape of the rewritten code)."""
import builtins
import numbers
import operator

import numpy as _np

from .._array import Array
from . import _control, _pytree


class ConversionError(TypeError):
    """A Python construct inside @ember.jit that cannot be compiled into the graph."""


class Undefined:
    """The value of a variable that has not been assigned yet; any use of it raises UnboundLocalError."""

    __slots__ = ("name",)

    def __init__(self, name):
        object.__setattr__(self, "name", name)

    def __repr__(self):
        return f"<undefined {self.name}>"

    def _fail(self, *args, **kwargs):
        raise UnboundLocalError(f"{_describe(self.name)} is used before it is assigned on this path")

    def __getattr__(self, attr):
        self._fail()


for _dunder in ("bool", "int", "float", "index", "len", "iter", "call", "getitem", "setitem", "array", "neg",
                "pos", "abs", "invert", "add", "radd", "sub", "rsub", "mul", "rmul", "truediv", "rtruediv",
                "floordiv", "rfloordiv", "mod", "rmod", "pow", "rpow", "matmul", "rmatmul", "lt", "le", "gt",
                "ge", "and", "rand", "or", "ror", "xor", "rxor"):
    setattr(Undefined, f"__{_dunder}__", Undefined._fail)


def _describe(name):
    if name == "_ag_retval":
        return "the return value"
    if name.startswith("_ag_brk"):
        return "the 'break' flag"
    if name.startswith("_ag_cont"):
        return "the 'continue' flag"
    return f"variable '{name}'"


def _one_branch(where, name):
    if name == "_ag_retval":
        return _error(where, "the function returns a value in only one branch of an if whose condition is an "
                      "ember Array", "Return a value on every path, or choose with em.where(cond, a, b) or "
                      "em.cond(pred, true_fun, false_fun, *operands).")
    return _error(where, f"{_describe(name)} is assigned in only one branch of an if whose condition is an ember "
                  "Array, and is used after it", _IF_HINT)


def _error(where, what, suggestion):
    return ConversionError(f"{where}: {what}. {suggestion}")


_IF_HINT = ("Assign the variable in both branches, or compute both values and choose with "
            "em.where(cond, a, b) or em.cond(pred, true_fun, false_fun, *operands).")
_OBJECT_HINT = ("Keep values that are not arrays out of array-dependent branches (decide them with a Python "
                "condition), or choose between arrays with em.where(cond, a, b) or em.cond(pred, true_fun, "
                "false_fun, *operands).")
_LOOP_HINT = "Give it an array or number value before the loop, or write the loop with em.while_loop / em.fori_loop."


def is_array(value):
    return isinstance(value, Array)


def _leaf_ok(leaf):
    if isinstance(leaf, (Array, _np.ndarray, _np.generic)):
        return True
    return isinstance(leaf, numbers.Number) and not isinstance(leaf, Undefined)


def _kind(value):
    """'undefined', 'array' (an array, a number, or tuples/lists/dicts of them) or 'object'."""
    if isinstance(value, Undefined):
        return "undefined"
    leaves, _ = _pytree.flatten(value)
    return "array" if all(_leaf_ok(leaf) for leaf in leaves) else "object"


def _to_arrays(value):
    """The same tree with every leaf an ember Array (Python numbers carried by the graph become arrays)."""
    import ember as em

    leaves, structure = _pytree.flatten(value)
    return _pytree.unflatten(structure, [x if isinstance(x, Array) else em.asarray(x) for x in leaves])


def _check_pred(pred, where, construct):
    if pred.size != 1:
        raise ValueError(f"{where}: the condition of this {construct} is an ember Array of shape {pred.shape}; "
                         "it must hold one value (use .any() or .all(), or em.where for an elementwise choice)")


def ld(value, name):
    """A read of a variable that may be unassigned: Python's UnboundLocalError if it is."""
    if isinstance(value, Undefined):
        value._fail()
    return value


def retval(value):
    """The function's result: None when no return statement ran."""
    return None if isinstance(value, Undefined) else value


# ---- statements ----

def if_stmt(test, body, orelse, state, names, n_out, where, maybe_undefined=()):
    """`if test:` rewritten: body/orelse take `state` (named `names`) and return its first n_out entries."""
    if not is_array(test):
        return body(*state) if test else orelse(*state)
    return _array_if(test, body, orelse, tuple(state), names, n_out, where, maybe_undefined)


def _array_if(pred, body, orelse, state, names, n_out, where, maybe_undefined):
    _check_pred(pred, where, "if")
    for name, value in zip(names[:n_out], state):
        if isinstance(value, Undefined) and name in maybe_undefined:
            raise _one_branch(where, name)
    operand_idx = [i for i, v in enumerate(state) if _kind(v) == "array"]
    # outputs whose entry value is a non-array object stay outside the graph; branches must not change them
    out_carried = [i for i in range(n_out) if _kind(state[i]) != "object"]

    def branch(fn):
        def run(*operands):
            full = list(state)
            for i, v in zip(operand_idx, operands):
                full[i] = v
            out = fn(*full)
            carried = []
            for i in range(n_out):
                value, entry = out[i], state[i]
                kind = _kind(value)
                if i not in out_carried:
                    if value is not entry:
                        raise _error(where, f"a branch of an if whose condition is an ember Array assigns "
                                     f"{_describe(names[i])}, which holds a {type(entry).__name__}; only arrays, "
                                     "numbers and tuples/lists/dicts of them can depend on an array condition",
                                     _OBJECT_HINT)
                elif kind == "undefined":
                    raise _one_branch(where, names[i])
                elif kind == "object":
                    raise _error(where, f"a branch of an if whose condition is an ember Array assigns a "
                                 f"{type(value).__name__} to {_describe(names[i])}; only arrays, numbers and "
                                 "tuples/lists/dicts of them can depend on an array condition", _OBJECT_HINT)
                else:
                    carried.append(_to_arrays(value))
            return tuple(carried)

        return run

    results = iter(_control.cond(pred, branch(body), branch(orelse), *(state[i] for i in operand_idx)))
    return tuple(next(results) if i in out_carried else state[i] for i in range(n_out))


def while_stmt(cond, body, state, names, where):
    """`while cond: body` rewritten; switches to em.while_loop as soon as the test is an ember Array."""
    state = tuple(state)
    while True:
        test = cond(*state)
        if is_array(test):
            _check_pred(test, where, "while loop")
            return _array_loop(state, body, names, where, "while loop",
                               lambda init, step: _control.while_loop(lambda c: cond(*step.full(c)), step, init))
        if not test:
            return state
        state = tuple(body(*state))


def for_range(range_fn, args, extra, body, state, names, where):
    """`for i in range(*args)` rewritten: em.fori_loop (em.while_loop with a 'break') when a bound is an
    ember Array, a Python loop otherwise. `extra` (or None) is the 'not break' test."""
    if range_fn is not builtins.range or not any(is_array(a) for a in args):
        return for_stmt(range_fn(*args), extra, body, state, names, where)
    import ember as em

    start, stop, step = (0, args[0], 1) if len(args) == 1 else (args[0], args[1], args[2] if len(args) == 3 else 1)
    if not is_array(step) and step == 0:
        raise ValueError(f"{where}: range() arg 3 must not be zero")
    if extra is None and not is_array(step) and step == 1:
        return _array_loop(state, body, names, where, "for loop",
                           lambda init, step_fn: _control.fori_loop(start, stop, lambda i, c: step_fn(c, i), init))

    def in_range(i):
        if is_array(step):
            return em.where(step > 0, i < stop, i > stop)
        return i < stop if step > 0 else i > stop

    def run(init, step_fn):
        def cond_fun(carry):
            i, c = carry
            return and_(in_range(i), lambda: extra(*step_fn.full(c)) if extra is not None else True)

        _, final = _control.while_loop(cond_fun, lambda carry: (carry[0] + step, step_fn(carry[1], carry[0])),
                                       (em.asarray(start), init))
        return final

    return _array_loop(state, body, names, where, "for loop", run)


def for_stmt(iterable, extra, body, state, names, where):
    """`for x in iterable` rewritten: a Python loop (an ember Array yields its rows). Once the 'break'
    flag is an ember Array, each further iteration runs under em.cond."""
    state = tuple(state)
    pred = None  # the array 'not break' test once there is one
    for item in iterable:
        if pred is None:
            state = tuple(body(item, *state))
        else:
            state = _array_if(pred, lambda *s: body(item, *s), lambda *s: s, state, names, len(state), where, ())
        if extra is not None:
            test = extra(*state)
            if is_array(test):
                pred = test
            elif not test:
                break
    return state


class _LoopStep:
    """Wraps a loop body so the graph loop carries only the array entries of the state."""

    def __init__(self, state, carried, body, names, where, construct):
        self.state, self.carried, self.body = state, carried, body
        self.names, self.where, self.construct = names, where, construct
        self.structures = {i: _pytree.flatten(state[i])[1] for i in carried}

    def full(self, carry):
        full = list(self.state)
        for i, v in zip(self.carried, carry):
            full[i] = v
        return full

    def __call__(self, carry, *index):
        out = self.body(*index, *self.full(carry))
        result = []
        for i, (value, entry) in enumerate(zip(out, self.state)):
            name = _describe(self.names[i])
            if i not in self.structures:
                if value is not entry:
                    raise _error(self.where, f"the body of a {self.construct} whose condition is an ember Array "
                                 f"assigns {name}, which holds a {type(entry).__name__}; only arrays, numbers and "
                                 "tuples/lists/dicts of them can change in such a loop", _LOOP_HINT)
                continue
            if _kind(value) != "array":
                raise _error(self.where, f"the body of a {self.construct} whose condition is an ember Array "
                             f"assigns a {type(value).__name__} to {name}", _LOOP_HINT)
            structure = _pytree.flatten(value)[1]
            if structure != self.structures[i]:
                raise _error(self.where, f"{name} changes structure from {self.structures[i]} to {structure} in "
                             f"the body of a {self.construct} whose condition is an ember Array",
                             "Keep the same tuple/list/dict layout in every iteration.")
            result.append(_to_arrays(value))
        return tuple(result)


def _array_loop(state, body, names, where, construct, run):
    """Runs run(init, step) (a graph loop whose body calls step) over the array entries of state;
    returns the whole new state."""
    state = tuple(state)
    carried = []
    for i, value in enumerate(state):
        kind = _kind(value)
        if kind == "undefined":
            raise _error(where, f"{_describe(names[i])} has no value before a {construct} whose condition is an "
                         "ember Array, but the loop carries it (it is read in the loop or after it)", _LOOP_HINT)
        if kind == "array":
            carried.append(i)
    step = _LoopStep(state, carried, body, names, where, construct)
    final = run(tuple(_to_arrays(state[i]) for i in carried), step)
    return tuple(step.full(final))


def py_test(test, where, what, suggestion):
    """The test of an if/while kept as Python (it holds return/raise/...): an ember Array is an error."""
    if is_array(test):
        raise _error(where, f"{what} whose condition is an ember Array cannot be compiled", suggestion)
    return test


def py_range(range_fn, args, where, what, suggestion):
    """The range of a for loop kept as Python: an ember Array bound is an error."""
    if range_fn is builtins.range and any(is_array(a) for a in args):
        raise _error(where, f"{what} whose range depends on an ember Array cannot be compiled", suggestion)
    return range_fn(*args)


# ---- expressions ----

def and_(first, *rest):
    """`a and b and ...`: Python's rule for Python values; em.logical_and once a value is an ember Array."""
    import ember as em

    value = first
    for thunk in rest:
        if is_array(value):
            value = em.logical_and(value, thunk())
        elif not value:
            return value
        else:
            value = thunk()
    return value


def or_(first, *rest):
    """`a or b or ...`: Python's rule for Python values; em.logical_or once a value is an ember Array."""
    import ember as em

    value = first
    for thunk in rest:
        if is_array(value):
            value = em.logical_or(value, thunk())
        elif value:
            return value
        else:
            value = thunk()
    return value


def not_(value):
    import ember as em

    return em.logical_not(value) if is_array(value) else not value


_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
            "!=": operator.ne, "is": operator.is_, "is not": operator.is_not,
            "in": lambda a, b: a in b, "not in": lambda a, b: a not in b}


def cmp_chain(left, ops, thunks):
    """`a < b < c`: (a < b) and (b < c), each operand evaluated once, combined like and_."""
    result = None
    for op, thunk in zip(ops, thunks):
        right = thunk()
        value = _COMPARE[op](left, right)
        result = value if result is None else and_(result, lambda v=value: v)
        if not is_array(result) and not result:
            return result
        left = right
    return result


def if_exp(test, body, orelse, where):
    """`body() if test else orelse()`: em.cond when test is an ember Array."""
    if not is_array(test):
        return body() if test else orelse()
    _check_pred(test, where, "conditional expression")

    def branch(thunk):
        def run():
            value = thunk()
            if _kind(value) != "array":
                raise _error(where, f"a branch of 'x if cond else y' whose condition is an ember Array gives a "
                             f"{type(value).__name__}; only arrays, numbers and tuples/lists/dicts of them can "
                             "depend on an array condition", "Choose between arrays with em.where(cond, a, b).")
            return _to_arrays(value)

        return run

    return _control.cond(test, branch(body), branch(orelse))
