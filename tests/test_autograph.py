"""The AST conversion behind @em.jit: converted functions on ember arrays must give what the same
function gives on NumPy arrays, array-dependent statements must go through em.cond / em.while_loop /
em.fori_loop, and constructs that cannot be compiled must raise ConversionError naming file and line."""
import collections
import inspect

import numpy as np
import pytest

import ember as em
from ember.jit import ConversionError, _control
from ember.jit._autograph import convert, source

THIS_FILE = __file__
COUNTER = 10  # a global the converted code reads and writes


@pytest.fixture
def calls(monkeypatch):
    """Counts calls of the graph control-flow functions the runtime uses."""
    counts = collections.Counter()
    for name in ("cond", "while_loop", "fori_loop"):
        def spy(*args, _orig=getattr(_control, name), _name=name, **kwargs):
            counts[_name] += 1
            return _orig(*args, **kwargs)

        monkeypatch.setattr(_control, name, spy)
    return counts


def to_np(value):
    if isinstance(value, (tuple, list)):
        return type(value)(to_np(v) for v in value)
    return value.numpy() if isinstance(value, em.Array) else value


def to_em(value):
    return em.asarray(value) if isinstance(value, np.ndarray) else value


def check(fn, *args):
    """convert(fn) on ember arrays equals fn on NumPy arrays; returns the converted result."""
    expected = fn(*args)
    got = convert(fn)(*(to_em(a) for a in args))
    got_np, exp_np = to_np(got), to_np(expected)
    if isinstance(exp_np, tuple):
        assert len(got_np) == len(exp_np)
        for g, e in zip(got_np, exp_np):
            np.testing.assert_allclose(g, e)
    else:
        np.testing.assert_allclose(got_np, exp_np)
    return got


def line_of(fn, text):
    """The file line of the first source line of fn containing text."""
    lines, first = inspect.getsourcelines(fn)
    return first + next(i for i, line in enumerate(lines) if text in line)


POS, NEG = np.array([1.0, 2.0, 3.0]), np.array([-1.0, -2.0, 0.5])


# ---- if / elif / else ----

def if_else(x):
    if x.sum() > 0:
        y = x * 2
    else:
        y = -x
    return y + 1


def if_elif(x):
    s = x.sum()
    if s > 5:
        y = x * 2
    elif s > 0:
        y = x * 3
    elif s > -10:
        y = x - 100
    else:
        y = x
    return y


def nested_if(x):
    y = x
    if x[0] > 0:
        if x[1] > 1.5:
            y = x * 10
        else:
            y = x * 20
        z = y + 1
    else:
        z = x - 1
    return z


def if_without_else(x):
    y = x
    if x.max() > 2:
        y = y * 2
        y += 1
    return y


@pytest.mark.parametrize("fn", [if_else, if_elif, nested_if, if_without_else])
@pytest.mark.parametrize("x", [POS, NEG, np.array([0.5, 1.0, -20.0])])
def test_if_on_arrays_goes_through_cond(fn, x, calls):
    check(fn, x)
    assert calls["cond"] >= 1 and calls["while_loop"] == 0


def python_if(x, flag, k):
    if flag:
        x = x * k
    elif k > 2:
        x = x - k
    return x


@pytest.mark.parametrize("flag,k", [(True, 3), (False, 3), (False, 1)])
def test_if_on_python_values_runs_as_python(flag, k, calls):
    check(python_if, POS, flag, k)
    assert sum(calls.values()) == 0


def branch_temporary(x):
    if x.sum() > 0:
        t = x * 2  # only in one branch, but not used after the if
        y = t + 1
    else:
        y = x
    return y


def test_variable_local_to_one_branch_is_fine():
    check(branch_temporary, POS)
    check(branch_temporary, NEG)


def scalar_branches(x):
    if x.sum() > 0:
        c = 1.0
    else:
        c = 2.5
    return x * c


def test_python_numbers_assigned_under_an_array_if_become_arrays():
    assert isinstance(convert(scalar_branches)(em.asarray(POS)), em.Array)
    check(scalar_branches, POS)
    check(scalar_branches, NEG)


# ---- while ----

def while_array(x):
    i = 0
    while x.sum() < 100:
        x = x * 2
        i += 1
    return x, i


def test_while_with_array_test_goes_through_while_loop(calls):
    x, i = check(while_array, POS)
    assert calls["while_loop"] == 1
    assert isinstance(i, em.Array)  # the Python counter is carried by the graph loop


def while_python(x, n):
    i = 0
    while i < n:
        x = x + i
        i += 1
    return x


def test_while_with_python_test_unrolls(calls):
    check(while_python, POS, 4)
    assert sum(calls.values()) == 0


def while_turns_array(x):
    i = 0
    while i < 3 or x.sum() < 50:  # Python for three iterations, then an array test
        x = x + 1
        i = i + 1
    return x, i


def test_while_switches_to_while_loop_when_test_becomes_array(calls):
    check(while_turns_array, POS)
    assert calls["while_loop"] == 1


def while_else(x):
    while x.sum() < 10:
        x = x + 1
    else:
        x = x * 2
    return x


def test_while_else():
    check(while_else, POS)


# ---- for ----

def for_range(x, n):
    s = x * 0
    for i in range(n):
        s = s + x * i
    return s


def test_for_range_with_array_bound_goes_through_fori_loop(calls):
    got = convert(for_range)(em.asarray(POS), em.asarray(4))
    np.testing.assert_allclose(got.numpy(), for_range(POS, 4))
    assert calls["fori_loop"] == 1


def test_for_range_with_python_bound_unrolls(calls):
    check(for_range, POS, 4)
    check(for_range, POS, 0)
    assert sum(calls.values()) == 0


def for_range_step(x, lo, hi):
    s = x
    for i in range(lo, hi, 2):
        s = s + i
    return s


def test_for_range_with_step_and_array_bound(calls):
    got = convert(for_range_step)(em.asarray(POS), 1, em.asarray(8))
    np.testing.assert_allclose(got.numpy(), for_range_step(POS, 1, 8))
    assert calls["while_loop"] == 1


def for_rows(x):
    total = 0.0
    for row in x:
        total = total + row.sum()
    return total


def for_else(x):
    found = 0
    for v in [1, 2, 3]:
        if v == 5:
            found = v
            break
    else:
        found = -1
    return x + found


def test_for_over_rows_and_python_iterables():
    m = np.arange(12.0).reshape(4, 3)
    check(for_rows, m)
    check(for_else, POS)


# ---- break / continue ----

def break_in_array_while(x):
    i = 0
    while i < 100:
        x = x * 2
        if x.sum() > 50:
            break
        i += 1
    return x, i


def continue_in_for(x, n):
    s = x * 0
    for i in range(n):
        if i % 2 == 0:
            continue
        s = s + i
    return s


def break_in_for(x, n):
    s = x
    for i in range(n):
        if s.sum() > 30:
            break
        s = s + i
    return s


def test_break_in_while_with_array_condition(calls):
    check(break_in_array_while, POS)
    assert calls["while_loop"] == 1  # the break flag turned the Python test into an array test


def test_continue_in_for(calls):
    check(continue_in_for, POS, 7)
    assert sum(calls.values()) == 0
    got = convert(continue_in_for)(em.asarray(POS), em.asarray(7))
    np.testing.assert_allclose(got.numpy(), continue_in_for(POS, 7))
    assert calls["fori_loop"] == 1


def test_break_in_for_with_array_break_condition(calls):
    check(break_in_for, POS, 10)  # Python bound, array break: each iteration after the flag is a cond
    assert calls["cond"] > 1
    got = convert(break_in_for)(em.asarray(POS), em.asarray(10))
    np.testing.assert_allclose(got.numpy(), break_in_for(POS, 10))
    assert calls["while_loop"] == 1


def python_break(x):
    for i in range(10):
        if i == 3:
            break
        x = x + i
    return x, i


def test_break_on_python_values_keeps_python_semantics(calls):
    check(python_break, POS)
    assert sum(calls.values()) == 0


# ---- assignments, functions, scopes ----

def fibonacci(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def test_tuple_unpacking_and_augmented_assignment_in_array_loop(calls):
    assert int(convert(fibonacci)(em.asarray(10))) == 55
    assert calls["fori_loop"] == 1
    assert convert(fibonacci)(10) == 55


def subscript_assign(x):
    y = x * 1
    if x.sum() > 0:
        y[0] = 100.0
    return y


def test_subscript_assignment_in_branch():
    check(subscript_assign, POS)
    check(subscript_assign, NEG)


def with_nested_function(x):
    def clip(v):
        if v.sum() > 4:
            v = v / 2
        return v

    scale = 3.0

    def scaled(v):
        return v * scale

    y = clip(x)
    if y.max() > 1:
        y = scaled(y)
    return y


def test_nested_functions_are_converted(calls):
    check(with_nested_function, POS)
    assert calls["cond"] == 2


def make_counter_fn():
    hits = 0

    def f(x):
        nonlocal hits
        if x.sum() > 0:
            y = x + hits
        else:
            y = x
        hits += 1
        return y

    return f


def test_closures_see_live_cells():
    f = make_counter_fn()
    g = convert(f)
    np.testing.assert_allclose(g(em.asarray(POS)).numpy(), POS)
    np.testing.assert_allclose(g(em.asarray(POS)).numpy(), POS + 1)
    np.testing.assert_allclose(f(POS), POS + 2)  # the original and the converted share the cell


def uses_globals(x):
    global COUNTER
    if x.sum() > 0:
        y = x * COUNTER
    else:
        y = x
    COUNTER += 1
    return y


def test_globals_read_and_written():
    global COUNTER
    COUNTER = 10
    got = convert(uses_globals)(em.asarray(POS))
    np.testing.assert_allclose(got.numpy(), POS * 10)
    assert COUNTER == 11


def default_args(x, k=2, *, m=3):
    if x.sum() > 0:
        x = x * k
    return x + m


def test_defaults_and_keywords():
    np.testing.assert_allclose(convert(default_args)(em.asarray(POS)).numpy(), default_args(POS))
    np.testing.assert_allclose(convert(default_args)(em.asarray(POS), m=1).numpy(), default_args(POS, m=1))


class Model:
    def __init__(self):
        self.__w = 2.0

    def apply(self, x):
        if x.sum() > 0:
            x = x * self.__w
        return x


def test_methods_with_private_names():
    m = Model()
    np.testing.assert_allclose(convert(m.apply)(em.asarray(POS)).numpy(), POS * 2)


# ---- expressions ----

def ternary(x):
    return x * 2 if x.sum() > 0 else x - 1


def bool_ops(x, flag):
    a = x.sum() > 0 and x.max() < 10
    b = not (x.min() > 0) or flag
    c = 0 < x.sum() < 10
    if a and not b:
        x = x + 1
    return x, a, b, c


def python_bool_ops(a, b):
    return (a and b), (a or b), (not a), (1 < a < b), (a if b else 7)


def test_ternary_and_boolean_operators(calls):
    check(ternary, POS)
    check(ternary, NEG)
    assert calls["cond"] == 2
    for x in (POS, NEG):
        for flag in (True, False):
            check(bool_ops, x, flag)


@pytest.mark.parametrize("a,b", [(0, 5), (3, 0), (2, 4), (4, 2), (0, 0)])
def test_boolean_operators_on_python_values_keep_python_results(a, b):
    assert convert(python_bool_ops)(a, b) == python_bool_ops(a, b)


# ---- return normalisation ----

def early_return(x):
    if x.sum() > 0:
        return x * 2
    x = x - 1
    return x * 3


def both_return(x):
    if x[0] > 0:
        if x[1] > 1.5:
            return x + 1
        return x + 2
    else:
        return x + 3


def test_returns_in_array_ifs_are_normalised(calls):
    for x in (POS, NEG, np.array([1.0, 1.0, 1.0])):
        check(early_return, x)
        check(both_return, x)
    assert calls["cond"] > 0


def return_in_python_loop(x):
    for i in range(10):
        if i == 3:
            return x + i
    return x


def test_return_inside_python_loop_still_works():
    check(return_in_python_loop, POS)


# ---- bigger programs mixing the constructs ----

def nested_loops(x):
    total = x * 0
    for i in range(4):
        j = 0
        while j < 10:
            if (x * j).sum() > 20:
                break
            j += 1
            if j % 2 == 1:
                continue
            total = total + j
        else:
            total = total - 1
        if total.sum() > 100:
            break
        total = total + i
    return total, j


def closure_reads_branch_result(x):
    def get():
        return y * 2

    if x.sum() > 0:
        y = x + 1
    else:
        y = x - 1
    return get()


def try_in_branch(x):
    if x.sum() > 0:
        try:
            y = x / 2
        finally:
            z = 1  # noqa: F841
    else:
        y = x
    return y


def while_break_continue_else(x):
    i = 0
    while i < 20:
        i += 1
        if i % 3 == 0:
            continue
        if x.sum() > 40:
            break
        x = x + i
    else:
        x = x * 100
    return x, i


def python_loop_array_ifs(x):
    acc = 0.0
    for k in range(3):
        if x[k] > 0:
            if x[k] > 1.5:
                acc = acc + x[k]
            else:
                acc = acc - 1
        elif k == 1:
            acc = acc * 2
    return acc


def comprehension(x):
    ys = [x * i for i in range(3)]
    s = ys[0]
    if s.sum() > 0:
        s = sum(ys)
    return s


def loop_index_after_loop(x, n):
    i = 0
    for i in range(n):
        x = x + i
    return x, i


@pytest.mark.parametrize("fn", [nested_loops, closure_reads_branch_result, try_in_branch,
                                while_break_continue_else, python_loop_array_ifs, comprehension])
@pytest.mark.parametrize("x", [POS, NEG])
def test_programs(fn, x):
    check(fn, x)


def test_loop_index_after_array_loop(calls):
    x, i = convert(loop_index_after_loop)(em.asarray(POS), em.asarray(4))
    np.testing.assert_allclose(x.numpy(), POS + 6)
    assert int(i) == 3 and calls["fori_loop"] == 1


def assigns_declared_names_in_branches(x, flag):
    global COUNTER
    hits = 0

    def bump():
        nonlocal hits
        if flag:
            hits += 1
        else:
            hits -= 1

    if flag:
        COUNTER = 5
    bump()
    return x + hits


def test_global_and_nonlocal_assigned_in_branches():
    global COUNTER
    COUNTER = 0
    f = convert(assigns_declared_names_in_branches)
    np.testing.assert_allclose(f(em.asarray(POS), True).numpy(), POS + 1)
    assert COUNTER == 5
    np.testing.assert_allclose(f(em.asarray(POS), False).numpy(), POS - 1)


# ---- errors ----

def err_one_branch(x):
    if x.sum() > 0:
        y = x * 2
    return y


def err_non_array(x):
    if x.sum() > 0:
        mode = "up"
    else:
        mode = "down"
    return x, mode


def err_raise(x):
    if x.sum() > 0:
        raise ValueError("positive")
    return x


def err_return_in_while(x):
    while x.sum() < 100:
        x = x * 2
        if x.max() > 20:
            return x
    return -x


def err_return_in_for(x, n):
    for i in range(n):
        if i == 2:
            return x
    return x


def err_undefined_loop_var(x):
    while x.sum() < 100:
        x = x * 2
        last = x
    return last


def err_return_one_branch(x):
    if x.sum() > 0:
        return x


ERRORS = [
    (err_one_branch, (POS,), "if x.sum() > 0", "variable 'y' is assigned in only one branch"),
    (err_non_array, (POS,), "if x.sum() > 0", "assigns a str to variable 'mode'"),
    (err_raise, (POS,), "if x.sum() > 0", "'raise' inside an if"),
    (err_return_in_while, (POS,), "while x.sum()", "'return' inside a while loop"),
    (err_return_in_for, (POS, np.array(4)), "for i in range", "'return' inside a for loop"),
    (err_undefined_loop_var, (POS,), "while x.sum()", "variable 'last' has no value before a while loop"),
    (err_return_one_branch, (POS,), "if x.sum() > 0", "returns a value in only one branch"),
]


@pytest.mark.parametrize("fn,args,line_text,message", ERRORS, ids=[e[0].__name__ for e in ERRORS])
def test_uncompilable_constructs_raise_conversion_error(fn, args, line_text, message):
    with pytest.raises(ConversionError) as info:
        convert(fn)(*(to_em(a) for a in args))
    text = str(info.value)
    assert f"{THIS_FILE}:{line_of(fn, line_text)}:" in text
    assert message in text
    assert "em." in text  # names the explicit form to use instead
    assert isinstance(info.value, TypeError) and em.ConversionError is ConversionError


def test_the_same_constructs_run_with_python_tests():
    # NumPy inputs: the tests are NumPy scalars, so everything runs as Python
    np.testing.assert_allclose(convert(err_raise)(NEG), NEG)
    np.testing.assert_allclose(convert(err_return_in_for)(POS, 4), POS)
    np.testing.assert_allclose(convert(err_return_in_while)(POS), err_return_in_while(POS))
    np.testing.assert_allclose(convert(err_one_branch)(POS), POS * 2)
    assert convert(err_non_array)(POS)[1] == "up"
    assert convert(err_return_one_branch)(NEG) is None
    with pytest.raises(ValueError, match="positive"):
        convert(err_raise)(POS)
    with pytest.raises(UnboundLocalError, match="'y'"):
        convert(err_one_branch)(NEG)


def test_condition_must_be_one_value():
    with pytest.raises(ValueError, match="shape \\(3,\\)"):
        convert(lambda_free_if)(em.asarray(POS))


def lambda_free_if(x):
    if x > 0:
        x = x + 1
    return x


# ---- mechanics ----

def test_errors_point_at_user_lines():
    def fails(x):
        if x.sum() > 0:
            y = x + 1
            raise KeyError("here")
        return x

    with pytest.raises(KeyError) as info:
        convert(fails)(POS)
    frame = info.traceback[-1]
    assert frame.lineno + 1 == line_of(fails, 'raise KeyError("here")')  # pytest counts lines from 0
    assert str(frame.path) == THIS_FILE


def test_unavailable_source_and_lambdas_are_returned_unchanged():
    namespace = {}
    exec("def g(x):\n    return x + 1\n", namespace)
    assert convert(namespace["g"]) is namespace["g"]
    f = lambda x: x  # noqa: E731
    assert convert(f) is f


def test_conversion_is_cached_per_code_object():
    assert convert(if_else).__code__ is convert(if_else).__code__
    assert convert(convert(if_else)).__code__ is convert(if_else).__code__
    assert "_ag.if_stmt" in source(if_else)


def test_jit_uses_the_conversion(calls):
    f = em.jit(while_array)
    x, i = f(em.asarray(POS))
    np.testing.assert_allclose(x.numpy(), while_array(POS)[0])
    assert calls["while_loop"] == 1
