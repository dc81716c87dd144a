"""em.onnx.export: a jitted function's traced graph as an ONNX model with static shapes.

The function is traced for the example arguments (`fn.lower`); its plan is replayed over parameter
stand-ins, and `_core.graph_records` lists every node (inputs first) with its primitive's parameters.
Each record becomes ONNX nodes through its rule in _ops.RULES; control-flow nodes carry the graphs
of their branches or bodies, which become If/Loop subgraphs (call is inlined)."""
import numpy as np

from .. import _core
from .._array import _wrap
from ._graph import Emitter, ExportError, Value, onnx_type
from ._ops import RULES, refusal

_CONTROL = ("cond", "while_loop", "fori_loop", "scan", "call")


def _bodies(r, known):
    """The records of a control node's branches/bodies: [(param ids, result handles, records)], cached."""
    if "_bodies" not in r:
        out = []
        for b in r["control"]["bodies"]:
            recs = _core.graph_records(b["results"], known=known)
            out.append(([_core.node_id(p) for p in b["params"]], list(b["results"]), recs))
        r["_bodies"] = out
    return r["_bodies"]


def _scan_refusals(records, opset, known, found):
    """Every record (bodies included) that cannot be exported: found[op] = [reason, [origins]]."""
    known = set(known) | {r["id"] for r in records}
    for r in records:
        if r["value"] is not None or r["parameter"]:
            if r["dtype"].startswith("complex"):
                found.setdefault(f"{r['op']} ({r['dtype']})", ["complex numbers are not exported", []])
            continue
        why = refusal(r, opset)
        if why:
            where = found.setdefault(r["op"], [why, []])[1]
            if r.get("origin") and r["origin"] not in where:  # records carry it once export.cpp adds it
                where.append(r["origin"])
        if r["op"] in _CONTROL:
            for _, _, recs in _bodies(r, known):
                _scan_refusals(recs, opset, known, found)
    return found


def _type_of(handle):
    a = _wrap(handle)
    return str(a.dtype), tuple(a.shape)


class _Exporter(Emitter):
    def __init__(self, opset):
        super().__init__(opset)
        self.scopes = [{}]

    def lookup(self, node_id):
        for scope in reversed(self.scopes):
            if node_id in scope:
                return scope[node_id]
        raise ExportError(f"internal: node {node_id} read before it was exported")

    def emit(self, records, bind):
        """Exports records into a new scope over `bind` (id -> Value); returns the scope (popped)."""
        scope = dict(bind)
        self.scopes.append(scope)
        try:
            for r in records:
                if r["id"] in scope:
                    continue
                if r["parameter"]:
                    raise ExportError("internal: a parameter that no graph input or body argument binds")
                if r["value"] is not None:
                    v = self.const(np.asarray(_wrap(r["value"])), r["dtype"])
                else:
                    xs = [self.lookup(i) for i in r["inputs"]]
                    v = RULES[r["op"]].fn(self, r, xs)
                if isinstance(v, Value):
                    if v.dtype != r["dtype"]:
                        v = self.cast(v, r["dtype"])
                    v = Value(v.name, r["dtype"], r["shape"])
                scope[r["id"]] = v
        finally:
            self.scopes.pop()
        return scope

    def body(self, r, k, args):
        """Body/branch k of control record r over `args`: its result Values, emitted in the current graph."""
        pids, results, recs = _bodies(r, self._all_known())[k]
        scope = self.emit(recs, dict(zip(pids, args)))
        out = []
        for h in results:  # a result may be an argument or an outer value, not in the body's records
            i = _core.node_id(h)
            out.append(scope[i] if i in scope else self.lookup(i))
        return out

    def _all_known(self):
        ids = set()
        for s in self.scopes:
            ids.update(s.keys())
        return ids

    def value_info(self, v):
        return self.helper.make_tensor_value_info(v.name, onnx_type(v.dtype), list(v.shape))

    def subgraph(self, name, inputs, build):
        """A GraphProto whose nodes `build()` emits; its outputs are copies of what build returns."""
        saved, self.nodes = self.nodes, []
        try:
            outs = [self.identity(o) for o in build()]
            return self.helper.make_graph(self.nodes, self.fresh(name), [self.value_info(x) for x in inputs],
                                          [self.value_info(o) for o in outs])
        finally:
            self.nodes = saved

    def _loop_inputs(self, carried):
        it = Value(self.fresh("iter"), "int64", ())
        cond = Value(self.fresh("cond_in"), "bool", ())
        state = [Value(self.fresh("carry"), v.dtype, v.shape) for v in carried]
        return it, cond, state

    def _loop(self, trip, cond, init, body_inputs, build, outputs):
        graph = self.subgraph("loop_body", body_inputs, build)
        vals = self.op("Loop", [trip, cond] + list(init), "bool", outputs=max(outputs, 1), body=graph)
        return vals if isinstance(vals, list) else [vals]

    def control(self, r, xs):
        op, k = r["op"], r["control"]["num_carry"]
        bodies = r["control"]["bodies"]
        if op == "call":
            return self.body(r, 0, xs[:k])
        if op == "cond":
            pred, operands = xs[0], xs[1:1 + k]
            then_g = self.subgraph("then", [], lambda: self.body(r, 0, operands))
            else_g = self.subgraph("else", [], lambda: self.body(r, 1, operands))
            n = len(then_g.output)
            outs = self.op("If", [pred], "bool", outputs=n, then_branch=then_g, else_branch=else_g)
            outs = outs if isinstance(outs, list) else [outs]
            for o, vi in zip(outs, then_g.output):
                o.dtype = _dtype_of(vi)
            return outs
        if op == "while_loop":
            init = xs[:k]
            first = self.body(r, 0, init)[0]
            it, c, state = self._loop_inputs(init)

            def build():
                new = self.body(r, 1, state)
                return [self.body(r, 0, new)[0]] + new
            return self._typed(self._loop("", first, init, [it, c] + state, build, k), init)
        if op == "fori_loop":
            lower, upper, init = xs[0], xs[1], xs[2:2 + k]
            span = self.apply("Sub", [self.cast(upper, "int64"), self.cast(lower, "int64")])
            trip = self.op("Max", [span, self.scalar(0, "int64")], "int64", ())
            it, c, state = self._loop_inputs(init)

            def build():
                i = self.apply("Add", [self.cast(lower, "int64"), it])
                return [c] + self.body(r, 0, [i] + state)
            return self._typed(self._loop(trip, "", init, [it, c] + state, build, k), init)
        if op == "scan":
            length = int(r["control"]["length"])
            num_xs = len(bodies[0]["params"]) - k
            init, seqs = xs[:k], xs[k:k + num_xs]
            ys_types = [_type_of(h) for h in bodies[0]["results"][k:]]
            if length == 0:
                return list(init) + [self.zeros((0,) + s, d) for d, s in ys_types]
            it, c, state = self._loop_inputs(init)

            def build():
                rows = [self.op("Gather", [x, it], x.dtype, x.shape[1:], axis=0) for x in seqs]
                return [c] + self.body(r, 0, state + rows)
            outs = self._loop(self.scalar(length, "int64"), "", init, [it, c] + state, build, k + len(ys_types))
            return self._typed(outs, list(init) + [Value("", d, (length,) + s) for d, s in ys_types])
        raise ExportError(f"internal: unknown control node {op}")

    @staticmethod
    def _typed(outs, like):
        for o, v in zip(outs, like):
            o.dtype, o.shape = v.dtype, v.shape
        return outs


def _dtype_of(vi):
    from onnx import helper
    np_type = helper.tensor_dtype_to_np_dtype(vi.type.tensor_type.elem_type)
    return "bfloat16" if "bfloat16" in str(np_type) else str(np.dtype(np_type))


def _names(given, count, default, what):
    if given is None:
        return [f"{default}_{i}" for i in range(count)]
    given = list(given)
    if len(given) != count:
        raise ValueError(f"{what}: {len(given)} names given for {count} {default}s")
    if len(set(given)) != count:
        raise ValueError(f"{what}: names must be distinct, got {given}")
    return given


def export(fn, *example_args, path=None, opset=17, input_names=None, output_names=None):
    """Exports `fn` (an em.jit function, or a plain one, which is jitted) traced at `example_args`
    as an ONNX ModelProto with static shapes: one graph input per array argument, one output per
    array result (flattened). Saved to `path` when given. Raises ExportError (a NotImplementedError)
    naming every primitive that has no ONNX form."""
    import onnx
    from onnx import helper

    from ..jit import jit
    from ..jit._api import JittedFunction

    if not isinstance(opset, int) or opset < 13:
        raise ValueError(f"opset must be an int >= 13, got {opset!r}")
    if not isinstance(fn, JittedFunction):
        if not callable(fn):
            raise TypeError(f"em.onnx.export needs a function, got {type(fn).__name__}")
        fn = jit(fn)
    low = fn.lower(*example_args)
    dynamic = low._dynamic
    params = [_core.trace_parameter(a._h) for a in dynamic]
    outs = low.plan.run(params)
    outs = outs[:len(outs) - len(low._entry.traced.mutated)]
    if not outs:
        raise ValueError(f"em.onnx.export: {fn.__name__} returns no arrays; nothing to export")
    records = _core.graph_records(outs)

    found = _scan_refusals(records, opset, set(), {})
    if found:
        lines = "\n".join(f"  {op}" + (f" (at {', '.join(where)})" if where else "") + f": {why}"
                           for op, (why, where) in sorted(found.items()))
        raise ExportError(f"cannot export {fn.__name__} to ONNX (opset {opset}); unsupported:\n{lines}")

    g = _Exporter(opset)
    in_names = _names(input_names, len(params), "input", "input_names")
    out_names = _names(output_names, len(outs), "output", "output_names")
    inputs, bind = [], {}
    for name, p, a in zip(in_names, params, dynamic):
        v = Value(name, str(a.dtype), tuple(a.shape))
        onnx_type(v.dtype)
        inputs.append(v)
        bind[_core.node_id(p)] = v
    scope = g.emit(records, bind)
    g.scopes.append(scope)
    outputs = []
    for name, h in zip(out_names, outs):
        v = g.lookup(_core.node_id(h))
        outputs.append(Value(name, v.dtype, v.shape))
        g.nodes.append(helper.make_node("Identity", [v.name], [name]))
    graph = helper.make_graph(g.nodes, fn.__name__ or "ember", [g.value_info(v) for v in inputs],
                              [g.value_info(v) for v in outputs], initializer=g.initializers)
    ops = [helper.make_opsetid("", opset)]
    model = helper.make_model(graph, opset_imports=ops, producer_name="ember",
                              ir_version=helper.find_min_ir_version_for(ops))
    onnx.checker.check_model(model, full_check=True)
    if path is not None:
        onnx.save(model, path)
    return model
