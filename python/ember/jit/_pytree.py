"""Nested containers of arrays ("pytrees"): flatten to a list of leaves and a structure, and back.

Containers are tuples, lists, dicts (keys kept in insertion order) and None; everything else is a
leaf. jit, cond and the loops pass their operands and results through these."""


class Structure:
    """The shape of a nested container with its leaves taken out; compares and hashes by value."""

    __slots__ = ("kind", "meta", "children")

    def __init__(self, kind, meta, children):
        self.kind, self.meta, self.children = kind, meta, children

    def _key(self):
        return (self.kind, self.meta, self.children)

    def __eq__(self, other):
        return isinstance(other, Structure) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    @property
    def num_leaves(self):
        if self.kind == "leaf":
            return 1
        return sum(c.num_leaves for c in self.children)

    def __repr__(self):
        if self.kind == "leaf":
            return "*"
        if self.kind == "none":
            return "None"
        inner = ", ".join(map(repr, self.children))
        if self.kind == "tuple":
            return f"({inner}{',' if len(self.children) == 1 else ''})"
        if self.kind == "list":
            return f"[{inner}]"
        return "{" + ", ".join(f"{k!r}: {c!r}" for k, c in zip(self.meta, self.children)) + "}"


_LEAF = Structure("leaf", None, ())
_NONE = Structure("none", None, ())


def flatten(tree):
    """(leaves, structure) of a nested tuple/list/dict/None container."""
    if tree is not None and not isinstance(tree, (tuple, list, dict)):
        return [tree], _LEAF  # a single leaf: the call path of a jitted function
    leaves = []
    return leaves, _flatten(tree, leaves)


# Module-level recursion, not a nested function that calls itself: such a closure is a reference
# cycle, left to the garbage collector on every call.
def _flatten(t, leaves):
    if isinstance(t, tuple) and type(t) is tuple:
        return Structure("tuple", None, tuple([_flatten(x, leaves) for x in t]))
    if isinstance(t, list):
        return Structure("list", None, tuple([_flatten(x, leaves) for x in t]))
    if isinstance(t, dict):
        keys = tuple(t.keys())
        return Structure("dict", keys, tuple([_flatten(t[k], leaves) for k in keys]))
    if t is None:
        return _NONE
    leaves.append(t)
    return _LEAF


def unflatten(structure, leaves):
    """The container `structure` describes, filled with `leaves` in order."""
    if structure.kind == "leaf":
        return leaves[0]
    return _unflatten(structure, iter(leaves))


def _unflatten(s, it):
    kind = s.kind
    if kind == "leaf":
        return next(it)
    if kind == "none":
        return None
    kids = [_unflatten(c, it) for c in s.children]
    if kind == "tuple":
        return tuple(kids)
    if kind == "list":
        return kids
    return dict(zip(s.meta, kids))
