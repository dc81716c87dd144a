"""Graph views: `em.explain` (a text tree), `em.to_dot` (Graphviz DOT) and `em.to_svg`.

The C++ core records the graph (`_core.inspect_graph`: nodes, and the Kernels the unevaluated ones
become); this module only formats it. Nothing is evaluated.
"""
import os
import shutil
import subprocess

from .. import _core
from .._array import Array
from ..jit._pytree import flatten

__all__ = ["explain", "to_dot", "to_svg"]


def _arrays_of(tree, what):
    leaves, _ = flatten(tree)
    arrays = [x for x in leaves if isinstance(x, Array)]
    if not arrays:
        raise TypeError(f"{what} holds no ember arrays (got {type(tree).__name__}); pass an ember Array, "
                        "a list/tuple of them, or a function with its arguments")
    return arrays


def _roots(obj, args, kwargs):
    """The arrays whose graph to show: obj itself, its elements, or the outputs of a function."""
    if isinstance(obj, (Array, list, tuple, dict)):
        if args or kwargs:
            raise TypeError(f"extra arguments are only for functions; got an {type(obj).__name__} "
                            f"with {len(args)} positional and {len(kwargs)} keyword arguments")
        return _arrays_of(obj, "the argument")
    if hasattr(obj, "lower") and not isinstance(obj, (str, bytes)):  # a jitted function: its traced outputs
        return _arrays_of(obj.lower(*args, **kwargs).outputs(), f"{obj!r}.lower(...).outputs()")
    if callable(obj):  # a plain function: ember is lazy, so its results are still graphs
        return _arrays_of(obj(*args, **kwargs), f"the result of {getattr(obj, '__name__', obj)!r}")
    raise TypeError(f"cannot show the graph of a {type(obj).__name__}: pass an ember Array, "
                    "a list/tuple of them, or a (jitted) function with its arguments")


def graph(obj, *args, **kwargs):
    """The graph as records: {"nodes": [...], "kernels": [...], "roots": [...]}.

    Each node: id, op, kind, dtype, shape, device, origin ("file.py:line"), inputs (ids), evaluated,
    kernel (the index of the Kernel computing it, -1 if evaluated). Each kernel: fused, shape, nodes
    (the ids it computes), inputs (ids it reads), outputs (ids it materializes)."""
    return _core.inspect_graph([a._h for a in _roots(obj, args, kwargs)])


def _where(origin):
    """A source location relative to the working directory when it lies under it."""
    if not origin:
        return ""
    cwd = os.getcwd() + os.sep
    return origin[len(cwd):] if origin.startswith(cwd) else origin


def _shape(shape):
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _node_line(n):
    state = "evaluated" if n["evaluated"] else f"lazy k{n['kernel']}" if n["kernel"] >= 0 else "lazy"
    head = f"%{n['id']} {n['op']} {n['dtype']} {_shape(n['shape'])} {n['device']}"
    return f"{head}  {state}  {_where(n['origin'])}".rstrip()


def _kernel_line(i, k, nodes):
    ops = ", ".join(nodes[j]["op"] for j in k["nodes"])
    kind = "fused" if k["fused"] else "single"
    reads = " ".join(f"%{j}" for j in k["inputs"]) or "-"
    writes = " ".join(f"%{j}" for j in k["outputs"]) or "-"
    return f"  k{i}  {kind:<6} {_shape(k['shape']):<14} {ops}   reads {reads}  writes {writes}"


def _tree(g):
    """The nodes under each root as an indented tree; a node met again is named, not repeated.
    Iterative: graphs can be hundreds of nodes deep."""
    nodes, lines, shown = g["nodes"], [], set()
    for root in reversed(g["roots"]):
        stack = [(root, "", "")]  # (id, prefix of its line, prefix of its children's lines)
        while stack:
            i, head, tail = stack.pop()
            n = nodes[i]
            if i in shown:
                lines.append(f"{head}%{i} {n['op']} (shown above)")
                continue
            shown.add(i)
            lines.append(head + _node_line(n))
            for d in n.get("detail", "").splitlines():  # a control node's branches / loop body
                lines.append(tail + "   : " + d)
            ins = n["inputs"]
            for pos in reversed(range(len(ins))):
                last = pos == len(ins) - 1
                stack.append((ins[pos], tail + ("└─ " if last else "├─ "), tail + ("   " if last else "│  ")))
    return lines


def explain(obj, *args, **kwargs):
    """The graph of `obj` as text: its Kernels (fused groups of nodes), then a tree of its nodes.

    obj is an ember Array, a list/tuple of them, or a function (jitted or not) called with *args and
    **kwargs. Each node line reads: %id op dtype shape device, "evaluated" or "lazy kN" (the Kernel
    computing it), and the Python file:line that created it. Nothing is evaluated."""
    g = graph(obj, *args, **kwargs)
    nodes, kernels = g["nodes"], g["kernels"]
    lazy = sum(not n["evaluated"] for n in nodes)
    fused = sum(k["fused"] for k in kernels)
    out = [f"ember graph: {len(g['roots'])} root(s), {len(nodes)} node(s) ({lazy} lazy), "
           f"{len(kernels)} kernel(s) ({fused} fused)"]
    if kernels:
        out.append("kernels:")
        out += [_kernel_line(i, k, nodes) for i, k in enumerate(kernels)]
    out.append("graph:")
    out += ["  " + line for line in _tree(g)]
    return "\n".join(out)


def _dot_str(s):
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _dot(g):
    nodes, kernels, roots = g["nodes"], g["kernels"], set(g["roots"])
    lines = ["digraph ember {", "  rankdir=TB;", '  node [shape=box, fontname="monospace", fontsize=10];']

    def node_stmt(n, indent):
        label = f"%{n['id']} {n['op']}\n{n['dtype']} {_shape(n['shape'])} {n['device']}\n{_where(n['origin'])}".strip()
        attrs = [f"label={_dot_str(label)}"]
        if n["evaluated"]:
            attrs.append('style=filled, fillcolor="#dddddd"')
        if n["id"] in roots:
            attrs.append("peripheries=2")
        return f"{indent}n{n['id']} [{', '.join(attrs)}];"

    in_cluster = set()
    for i, k in enumerate(kernels):
        if not k["fused"]:
            continue
        ops = ", ".join(nodes[j]["op"] for j in k["nodes"])
        lines.append(f"  subgraph cluster_k{i} {{")
        title = f"kernel {i}: fused {_shape(k['shape'])}: {ops}"
        lines.append(f"    label={_dot_str(title)};")
        lines.append('    style="rounded,dashed"; color="#3465a4"; fontname="monospace"; fontsize=10;')
        for j in k["nodes"]:
            lines.append(node_stmt(nodes[j], "    "))
            in_cluster.add(j)
        lines.append("  }")
    for n in nodes:
        if n["id"] not in in_cluster:
            lines.append(node_stmt(n, "  "))
    for n in nodes:
        for j in n["inputs"]:
            lines.append(f"  n{j} -> n{n['id']};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_dot(obj, *args, path=None, **kwargs):
    """The graph of `obj` (as for explain) in Graphviz DOT: one box per node, an edge from each input
    to its user, and each fused Kernel as a `subgraph cluster_kN`. Evaluated nodes are grey, roots
    have a double border. Writes the text to `path` too when given."""
    text = _dot(graph(obj, *args, **kwargs))
    if path is not None:
        with open(path, "w") as f:
            f.write(text)
    return text


def to_svg(obj, *args, path=None, **kwargs):
    """The graph of `obj` rendered to SVG by Graphviz's `dot` program (install graphviz for it).
    Writes the SVG to `path` too when given, and returns it."""
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError("em.to_svg needs Graphviz's 'dot' program, which is not on PATH: install graphviz "
                           "(apt-get install graphviz, brew install graphviz or conda install graphviz), "
                           "or use em.to_dot and render it elsewhere")
    source = to_dot(obj, *args, **kwargs)
    done = subprocess.run([dot, "-Tsvg"], input=source, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"Graphviz 'dot' failed ({done.returncode}): {done.stderr.strip()}")
    if path is not None:
        with open(path, "w") as f:
            f.write(done.stdout)
    return done.stdout
