"""The graph passes before fusion (constant folding, algebraic simplification, common-subexpression
elimination, dead-node elimination): tested by structure (what the kernel listing still computes)
and by values against NumPy over dtypes, awkward shapes, -0.0, infinities and NaN — including
arrays a user holds, mutates, or hands over from NumPy."""
import numpy as np
import pytest

import ember as em
from helpers import ALL_DTYPES, BROADCAST_PAIRS, FLOAT_DTYPES, SHAPES, assert_matches, check_op, sample


def listing(*arrays):
    return em.kernels(*arrays)


def ops_in(text, op):
    """How many instructions (or single kernels) of `op` a kernel listing holds."""
    lines = text.splitlines()
    return sum(f"= {op} " in l for l in lines) + sum(l.startswith("kernel ") and f": {op} " in l for l in lines)


def arrays(*shapes, dtype="float64"):
    return [em.asarray(sample(s, dtype, seed=i)) for i, s in enumerate(shapes)]


# ---- common subexpressions ----

def test_equal_products_are_computed_once():
    a, b = arrays((30, 40), (30, 40))
    _, text = listing((a * b) + (a * b))
    assert ops_in(text, "multiply") == 1
    _, text = listing((a * 2) + (a * 2))  # two Python scalars 2: one constant, one product
    assert ops_in(text, "multiply") == 1
    _, text = listing((a * 2) + (a * -2))
    assert ops_in(text, "multiply") == 2


def test_equal_reductions_become_one_kernel():
    a, b = arrays((30, 40), (30, 40))
    r = em.sum(a * b) + em.sum(a * b)
    n, text = listing(r)
    assert text.count("reduce sum") == 1 and n == 2  # the reduction, the scalar add
    na, nb = sample((30, 40), "float64", 0), sample((30, 40), "float64", 1)
    assert_matches(r, np.sum(na * nb) + np.sum(na * nb))


def test_one_exp_feeds_two_reductions():
    x, = arrays((20, 30))
    r = em.max(em.exp(x), axis=1) - em.min(em.exp(x), axis=1)
    _, text = listing(r)
    assert ops_in(text, "exp") == 1
    nx = sample((20, 30), "float64", 0)
    assert_matches(r, np.exp(nx).max(axis=1) - np.exp(nx).min(axis=1))


def test_views_of_the_same_slice_merge():
    a, b = arrays((50,), (50,))
    r = (a[1:] * b[:-1]) + (a[1:] * b[:-1])
    _, text = listing(r)
    assert ops_in(text, "multiply") == 1
    na, nb = sample((50,), "float64", 0), sample((50,), "float64", 1)
    assert_matches(r, 2 * (na[1:] * nb[:-1]))


def test_duplicate_arrays_a_user_holds_get_their_own_values():
    x, = arrays((100,))
    e1, e2 = em.exp(x), em.exp(x)
    _, text = listing(e1 + e2, e2)
    assert ops_in(text, "exp") == 1 and ops_in(text, "copy") == 1
    em.eval(e1 + e2, e2)
    e2[0] = 0.0  # each is its own array
    nx = np.exp(sample((100,), "float64", 0))
    assert_matches(e1, nx)
    assert e2.numpy()[0] == 0
    assert_matches(e2[1:], nx[1:])
    np.testing.assert_array_equal(e2.numpy()[1:], e1.numpy()[1:])


def test_random_draws_never_merge():
    g1, g2 = em.random.default_rng(5), em.random.default_rng(5)
    r = g1.random(100) - g2.random(100)  # equal draws, still two draws
    _, text = listing(r)
    assert ops_in(text, "random") == 2
    assert_matches(r, np.zeros(100))


# ---- algebraic simplification ----

IDENTITIES = [  # (expression, the op that disappears, dtypes it is exact for)
    (lambda x, y: x * 1 + y, "multiply", ["int8", "int32", "uint16", "float16", "float32", "float64"]),
    (lambda x, y: 1 * x + y, "multiply", ["int64", "float32", "float64"]),
    (lambda x, y: (x / 1) * y, "divide", ["float16", "float32", "float64"]),
    (lambda x, y: (x // 1) * y, "floor_divide", ["int8", "int64", "uint32"]),
    (lambda x, y: (x + 0) * y, "add", ["int16", "int64", "uint8"]),
    (lambda x, y: (x + -0.0) * y, "add", ["float16", "float32", "float64"]),
    (lambda x, y: (x - 0) * y, "subtract", ["int32", "float32", "float64"]),
    (lambda x, y: (x - 0.0) * y, "subtract", ["float64", "complex128"]),
    (lambda x, y: x ** 1 + y, "pow", ["int32", "float32", "float64", "complex64", "complex128"]),
    (lambda x, y: -(-x) + y, "negative", ["int8", "uint8", "float32", "complex128"]),
    (lambda x, y: ~(~x) + y, "bitwise_invert", ["int16", "uint64"]),
    (lambda x, y: x.astype("float64").astype(x.dtype) + y, "astype", ["float32", "int32", "uint16", "float16"]),
]


@pytest.mark.parametrize("expr,op,dtypes", IDENTITIES)
def test_identities_disappear_and_match_numpy(expr, op, dtypes):
    for dtype in dtypes:
        nx, ny = sample((7, 5), dtype, 1), sample((7, 5), dtype, 2)
        r = expr(em.asarray(nx), em.asarray(ny))
        _, text = listing(r)
        assert ops_in(text, op) == 0, (dtype, text)
        with np.errstate(all="ignore"):
            assert_matches(r, expr(nx, ny))


NOT_IDENTITIES = [  # exact-looking, but not for every value of the dtype: they stay
    (lambda x, y: (x + 0.0) * y, "add", "float64"),  # -0.0 + 0.0 is 0.0
    (lambda x, y: (x - -0.0) * y, "subtract", "float32"),
    (lambda x, y: (x * 1) + y, "multiply", "complex128"),  # inf * 0 in the cross terms
    (lambda x, y: (x / 1) + y, "divide", "complex64"),
    (lambda x, y: (x // 1) * y, "floor_divide", "float64"),  # floor
    (lambda x, y: x.astype("float64").astype(x.dtype) + y, "astype", "int64"),  # past 2^53
    (lambda x, y: x.astype("float16").astype(x.dtype) + y, "astype", "float32"),
    (lambda x, y: (x * 1.0) + y, "astype", "int32"),  # the cast to float64 is real work
]


@pytest.mark.parametrize("expr,op,dtype", NOT_IDENTITIES)
def test_non_identities_stay(expr, op, dtype):
    nx, ny = sample((40,), dtype, 1), sample((40,), dtype, 2)
    r = expr(em.asarray(nx), em.asarray(ny))
    assert ops_in(listing(r)[1], op) >= 1
    with np.errstate(all="ignore"):
        assert_matches(r, expr(nx, ny))


def test_broadcasting_one_is_not_an_identity():
    a, = arrays((5,))
    ones = em.ones((3, 5))
    r = a * ones + 2
    assert ops_in(listing(r)[1], "multiply") == 1
    assert_matches(r, sample((5,), "float64", 0) * np.ones((3, 5)) + 2)


SPECIAL = np.array([-0.0, 0.0, 1.5, -2.25, np.inf, -np.inf, np.nan, 5e-324, -1e300, 3.0])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_signed_zeros_infinities_and_nan_survive_bit_for_bit(dtype):
    with np.errstate(over="ignore"):
        nx = SPECIAL.astype(dtype)  # -1e300 becomes -inf in the narrow floats
    x = em.asarray(nx)
    programs = [
        lambda x: (x * 1) + -0.0, lambda x: x / 1 - 0.0, lambda x: -(-x), lambda x: x ** 1 + -0.0,
        lambda x: x + 0.0, lambda x: (x - -0.0) * 1, lambda x: x ** 2, lambda x: x ** 0.5,
        lambda x: np.power(x, 2.0) if isinstance(x, np.ndarray) else em.pow(x, 2.0),
    ]
    for p in programs:
        with np.errstate(all="ignore"):
            want = p(nx)
        got = p(x).numpy()
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
        assert np.array_equal(np.signbit(got), np.signbit(want)), (got, want)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_specials(dtype):
    nz = np.array([complex(np.inf, 1), complex(-0.0, -1), complex(1, np.nan), 2 - 3j], dtype=dtype)
    z = em.asarray(nz)
    for p in [lambda z: z * 1, lambda z: z + -0.0, lambda z: z - 0.0, lambda z: -(-z), lambda z: z ** 1]:
        with np.errstate(all="ignore"):
            want = p(nz)
        got = p(z).numpy()
        np.testing.assert_array_equal(got, want)
        assert np.array_equal(np.signbit(got.real), np.signbit(want.real))
        assert np.array_equal(np.signbit(got.imag), np.signbit(want.imag))


def test_powers_become_products_and_square_roots():
    x, = arrays((50,))
    _, text = listing(x ** 2 + 1)
    assert ops_in(text, "pow") == 0 and ops_in(text, "multiply") == 1
    _, text = listing(em.abs(x) ** 0.5 + 1)
    assert ops_in(text, "pow") == 0 and ops_in(text, "sqrt") == 1
    for dtype in ["int8", "int64", "uint32", "float16", "float32", "float64"]:
        nx = sample((64,), dtype, 3)
        with np.errstate(all="ignore"):
            np.testing.assert_array_equal((em.asarray(nx) ** 2).numpy(), nx ** 2)
            if nx.dtype.kind == "f":
                np.testing.assert_array_equal((em.asarray(np.abs(nx)) ** 0.5).numpy(), np.abs(nx) ** 0.5)


# ---- constant folding ----

def test_scalar_arithmetic_is_folded_at_build_time():
    a, = arrays((1000,))
    r = a * (em.asarray(1.0) / (em.asarray(2.0) * 3.0))
    n, text = listing(r)
    assert n == 1 and ops_in(text, "multiply") == 1 and ops_in(text, "divide") == 0
    assert_matches(r, sample((1000,), "float64", 0) * (1 / (2 * 3.0)))
    f, = arrays((100,), dtype="float32")
    r = f * (em.asarray(1, dtype="float32") / 3)  # a float32 scalar subgraph
    assert ops_in(listing(r)[1], "divide") == 0
    assert_matches(r, sample((100,), "float32", 0) * (np.float32(1) / np.float32(3)))


def test_a_failing_constant_still_raises_at_evaluation():
    r = em.asarray(2) ** em.asarray(-1)
    listing(r)  # planning does not raise
    with pytest.raises(ValueError, match="negative integer powers"):
        r.numpy()


# ---- arrays a user holds ----

def test_a_held_intermediate_keeps_its_own_value():
    na = sample((100,), "float64", 0)
    a = em.asarray(na.copy())
    t = a * 1.0
    r = t + 1
    assert ops_in(listing(r)[1], "multiply") == 0
    em.eval(r)
    assert_matches(r, na + 1)
    t[0] = 100.0  # writing t never touches a
    assert t.numpy()[0] == 100 and a.numpy()[0] == na[0]
    assert_matches(a, na)


def test_writing_a_simplified_array_never_writes_numpy_memory():
    nx = np.arange(20.0)
    t = em.asarray(nx) * 1.0  # the zero-copy wrapper of nx is read only through t's product
    t[0] = 100.0
    t[5:8] = -1.0
    assert t.numpy()[0] == 100 and list(t.numpy()[5:8]) == [-1, -1, -1]
    np.testing.assert_array_equal(nx, np.arange(20.0))
    u = em.asarray(nx) + 0  # integer-free identity on float: stays (x + 0.0 is not exact)
    u[1] = 7.0
    np.testing.assert_array_equal(nx, np.arange(20.0))
    i = np.arange(20)
    v = em.asarray(i) + 0
    v[1] = 7
    assert v.numpy()[1] == 7
    np.testing.assert_array_equal(i, np.arange(20))


def test_unreachable_arrays_are_not_computed():
    x, = arrays((100,))
    unrelated = em.exp(x)
    r = em.sin(x) * 1.0 + 2
    em.eval(r)
    assert not unrelated._h.is_evaluated()
    assert_matches(unrelated, np.exp(sample((100,), "float64", 0)))


# ---- values against NumPy over dtypes and shapes ----

PROGRAMS = [
    lambda x, y: (x * y) + (x * y),
    lambda x, y: (x * 1) * (y * 1) + x * 1,
    lambda x, y: (x + 0) - (y - 0),
    lambda x, y: x ** 1 + y ** 1,
    lambda x, y: x ** 2 + y ** 2 if x.dtype != bool else x,  # NumPy: bool ** 2 is int8 (ember: int64)
    lambda x, y: (x / 1) + (y / 1.0),
    lambda x, y: (x + y) * (2 * 3) + (x + y) * 6,
]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_programs_match_numpy(dtype, shape):
    nx, ny = sample(shape, dtype, 5), sample(shape, dtype, 6)
    if np.dtype(dtype).kind in "iu":
        ny = np.abs(ny) % 3  # small powers of ints
    for p in PROGRAMS:
        check_op(p, p, nx, ny)


@pytest.mark.parametrize("sa,sb", BROADCAST_PAIRS)
@pytest.mark.parametrize("dtype", ["bool", "int32", "float32", "complex128"])
def test_broadcast_programs_match_numpy(sa, sb, dtype):
    nx, ny = sample(sa, dtype, 7), sample(sb, dtype, 8)
    for p in PROGRAMS[:4]:
        check_op(p, p, nx, ny)


def test_jit_and_async_paths():
    @em.jit
    def f(x):
        return (x * 1.0 + x * 1.0) * (1 / (2 * 3.0)) + x ** 2 + em.sum(x * x)

    for seed in range(3):
        nx = sample((64,), "float64", seed)
        want = (nx * 1.0 + nx * 1.0) * (1 / (2 * 3.0)) + nx ** 2 + np.sum(nx * nx)
        assert_matches(f(em.asarray(nx)), want)
    big = sample((1 << 19,), "float32", 1)
    x = em.asarray(big)
    r = em.sum(em.exp(x * 1) * 2) + em.sum(em.exp(x * 1) * 2)
    em.eval_async(r)
    assert_matches(r, np.sum(np.exp(big) * 2) * 2, rtol=1e-4)


# ---- transposed matrices of repeated matrix-vector products ----

@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_transposed_matrix_read_by_several_products_is_copied_once(dtype):
    x, r1, r2 = arrays((57, 30), (57,), (57,), dtype=dtype)
    g1, g2 = x.T @ r1, x.T @ (r2 * 2)
    _, text = listing(g1, g2)
    assert ops_in(text, "copy") == 1 and ops_in(text, "matmul") == 2
    nx, n1, n2 = (sample(s, dtype, i) for i, s in enumerate(((57, 30), (57,), (57,))))
    assert_matches(g1, nx.T @ n1)
    assert_matches(g2, nx.T @ (n2 * 2))


def test_one_product_or_a_row_major_matrix_is_not_copied():
    x, r, w = arrays((57, 30), (57,), (30,))
    _, text = listing(x.T @ r)
    assert ops_in(text, "copy") == 0
    _, text = listing(x @ w, x @ (w + 1))  # row-major already
    assert ops_in(text, "copy") == 0


def test_the_copy_follows_writes_to_the_matrix():
    xn = sample((20, 10), "float64", 0)
    x = em.asarray(xn.copy())
    r = em.asarray(sample((20,), "float64", 1))
    g1, g2 = x.T @ r, x.T @ (r + 1)
    em.eval(g1, g2)
    x[0, 0] = 100.0            # a new version of x: later products read it, earlier ones kept theirs
    h1, h2 = x.T @ r, x.T @ (r + 1)
    xw = xn.copy()
    xw[0, 0] = 100.0
    rn = sample((20,), "float64", 1)
    assert_matches(g1, xn.T @ rn)
    assert_matches(h1, xw.T @ rn)
    assert_matches(h2, xw.T @ (rn + 1))
