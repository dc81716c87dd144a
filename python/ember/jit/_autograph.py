"""convert(fn): rewrite a function's Python control flow so that array-dependent if/while/for become
em.cond / em.while_loop / em.fori_loop (AutoGraph-style, decided at run time by _runtime, imported as `_ag`).

Passes, per function (nested functions get their own run):
  1. returns:  `if c: return a` + more statements -> `if c: return a else: <rest>`; returns at the
               tail of the function's if-tree become `_ag_retval = ...` with one `return` at the end;
  2. jumps:    break/continue in loops become flags (`_ag_brk_N`, `_ag_cont_N`) that guard the rest
               of the body and extend the loop test;
  3. liveness: which variables each statement must pass in and out;
  4. rewrite:  branches and loop bodies become local functions taking and returning those variables:
               `x, y = _ag.if_stmt(test, true_fn, false_fn, (x, y), ("x", "y"), n_out, "file.py:LINE", ...)`.
Statements holding what a function cannot express (a `return` inside a loop, `raise` in a branch, ...)
stay Python statements whose test raises ConversionError if it turns out to be an ember Array.
The new code keeps the user's file name and line numbers, globals and closure cells."""
import ast
import copy
import inspect
import itertools
import textwrap
import types
import warnings
import weakref

from . import _runtime
from ._runtime import ConversionError  # noqa: F401 (re-exported)

_cache = weakref.WeakKeyDictionary()  # original code object -> converted code object, or None
_AG_CELL = types.CellType(_runtime)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_LOOPS = (ast.For, ast.While, ast.AsyncFor)
_NOT_IN_FUNCTION = (ast.Yield, ast.YieldFrom, ast.Await)


def convert(fn):
    """fn with its control flow rewritten (fn itself when its source is unavailable or it is a generator,
    coroutine or lambda). Conversions are cached per code object."""
    if inspect.ismethod(fn):
        new = convert(fn.__func__)
        return fn if new is fn.__func__ else types.MethodType(new, fn.__self__)
    if not isinstance(fn, types.FunctionType) or getattr(fn, "__ember_converted__", False):
        return fn
    code = fn.__code__
    if code not in _cache:
        _cache[code] = _convert_code(fn)
    new_code = _cache[code]
    if new_code is None:
        return fn
    cells = dict(zip(code.co_freevars, fn.__closure__ or ()))
    closure = tuple(_AG_CELL if name == "_ag" else cells[name] for name in new_code.co_freevars)
    new = types.FunctionType(new_code, fn.__globals__, fn.__name__, fn.__defaults__, closure)
    new.__kwdefaults__ = fn.__kwdefaults__
    for attr in ("__qualname__", "__doc__", "__module__", "__annotations__"):
        setattr(new, attr, getattr(fn, attr))
    new.__dict__.update(fn.__dict__)
    new.__wrapped__ = fn
    new.__ember_converted__ = True
    return new


def source(fn):
    """The rewritten source of fn, for reading (None when fn is not converted)."""
    fdef = _rewrite(fn)
    return None if fdef is None else ast.unparse(fdef)


def _convert_code(fn):
    code = fn.__code__
    fdef = _rewrite(fn)
    if fdef is None:
        return None
    factory = _def("_ag_factory", ("_ag",) + code.co_freevars, [fdef, ast.Return(value=_name(fdef.name))])
    module = ast.Module(body=[factory], type_ignores=[])
    _locate(factory, fdef.lineno)
    try:
        compiled = compile(module, code.co_filename, "exec")
    except SyntaxError as e:  # a construct the rewrite mishandles: run the function as written
        warnings.warn(f"ember.jit could not convert {fn.__qualname__} ({e}); it runs unconverted")
        return None
    factory_code = next(c for c in compiled.co_consts if isinstance(c, types.CodeType))
    new_code = next(c for c in factory_code.co_consts if isinstance(c, types.CodeType) and c.co_name == fdef.name)
    if hasattr(new_code, "co_qualname"):  # Python 3.11+: tracebacks show the user's name, not the factory's
        new_code = new_code.replace(co_qualname=code.co_qualname)
    return new_code


def _rewrite(fn):
    """The converted FunctionDef of fn (line numbers as in its file), or None."""
    code = fn.__code__
    if fn.__name__ == "<lambda>" or code.co_flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE
                                                     | inspect.CO_ASYNC_GENERATOR):
        return None
    try:
        lines, first = inspect.getsourcelines(code)  # the code object: no unwrapping of decorators
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except (OSError, TypeError, SyntaxError):
        return None
    fdef = tree.body[0] if tree.body else None
    if not isinstance(fdef, ast.FunctionDef) or fdef.name != code.co_name or _unsupported(fdef):
        return None
    ast.increment_lineno(tree, first - 1)
    fdef.decorator_list = []
    parts = fn.__qualname__.split(".")
    if len(parts) > 1 and parts[-2] != "<locals>":
        _Mangler(parts[-2]).visit(fdef)  # compiled outside its class: apply the private-name mangling here
    return _Function(code.co_filename, itertools.count()).convert(fdef)


def _unsupported(fdef):
    """Functions left as they are: zero-argument super() and locals()/vars() see the rewritten frames."""
    for node in ast.walk(fdef):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.args:
            if node.func.id in ("super", "locals", "vars"):
                return True
    return False


class _Mangler(ast.NodeTransformer):
    def __init__(self, cls):
        self.prefix = "_" + cls.lstrip("_")

    def _mangle(self, name):
        return self.prefix + name if name.startswith("__") and not name.endswith("__") else name

    def visit_Name(self, node):
        node.id = self._mangle(node.id)
        return node

    def visit_Attribute(self, node):
        self.generic_visit(node)
        node.attr = self._mangle(node.attr)
        return node

    def visit_arg(self, node):
        node.arg = self._mangle(node.arg)
        return node


# ---- small AST helpers ----

def _locate(node, lineno):
    """Gives generated nodes (those without a position) the line of the statement they replace."""
    for child in ast.walk(node):
        if "lineno" in child._attributes and getattr(child, "lineno", None) is None:
            child.lineno, child.col_offset = lineno, 0
            child.end_lineno, child.end_col_offset = lineno, 0
    return node


def _name(id, store=False):
    node = ast.Name(id=id, ctx=ast.Store() if store else ast.Load())
    node._ag_generated = True  # _CheckedLoads leaves the rewrite's own reads alone
    return node


def _ag(attr):
    return ast.Attribute(value=_name("_ag"), attr=attr, ctx=ast.Load())


def _call(attr, *args):
    return ast.Call(func=_ag(attr), args=list(args), keywords=[])


def _const(value):
    return ast.Constant(value=value)


def _tuple(names, store=False):
    return ast.Tuple(elts=[_name(n, store) for n in names], ctx=ast.Store() if store else ast.Load())


def _assign(id, value):
    return ast.Assign(targets=[_name(id, True)], value=value)


def _def(name, params, body):
    fn = ast.FunctionDef(name=name, args=ast.arguments(posonlyargs=[], args=[ast.arg(arg=p) for p in params],
                                                       kwonlyargs=[], kw_defaults=[], defaults=[]),
                         body=body, decorator_list=[], returns=None)
    if "type_params" in ast.FunctionDef._fields:  # Python 3.12+
        fn.type_params = []
    return fn


def _thunk(expr):
    return ast.Lambda(args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
                      body=expr)


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _walk(node):
    """Nodes of `node` (a node or a list) in the same function scope: nested defs, lambdas, classes and
    comprehensions are yielded but not entered."""
    stack = list(node) if isinstance(node, list) else [node]
    while stack:
        n = stack.pop()
        yield n
        if not isinstance(n, _SCOPES + _COMPREHENSIONS):
            stack.extend(ast.iter_child_nodes(n))


def _has(node, types_):
    return any(isinstance(n, types_) for n in _walk(node))


def _jumps(stmts):
    """The break/continue statements that belong to the loop whose body is `stmts`."""
    found, stack = [], list(stmts)
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.Break, ast.Continue)):
            found.append(n)
        elif isinstance(n, _LOOPS):
            stack.extend(n.orelse)  # a nested loop's else clause still belongs to us
        elif not isinstance(n, _SCOPES + (ast.expr,)):
            stack.extend(ast.iter_child_nodes(n))
    return found


def _stored(target):
    """Names a binding target binds (not the bases of subscripts/attributes)."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(_stored(e) for e in target.elts)) if target.elts else set()
    if isinstance(target, ast.Starred):
        return _stored(target.value)
    return set()


def _subscript_base(target):
    while isinstance(target, (ast.Subscript, ast.Attribute, ast.Starred)):
        if isinstance(target, ast.Attribute):
            return None  # obj.attr = v changes an object, not a variable the graph carries
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


def _bindings(node):
    """Names a statement (or list) binds in this scope, plus arrays written through subscripts."""
    names = set()
    for n in _walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            names.add(n.id)
        elif isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store):
            base = _subscript_base(n)
            if base:
                names.add(base)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n is not node:
            names.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in n.names)
        elif isinstance(n, ast.ExceptHandler) and n.name:
            names.add(n.name)
    return names


def _reads(node):
    """Variables an expression or statement reads; for nested functions, lambdas and comprehensions,
    the outer variables they use."""
    out = set()

    def visit(n, bound):
        if isinstance(n, ast.Name):
            if isinstance(n.ctx, ast.Load) and n.id not in bound:
                out.add(n.id)
            return
        if isinstance(n, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
            a = n.args
            for d in a.defaults + [d for d in a.kw_defaults if d is not None]:
                visit(d, bound)
            for d in getattr(n, "decorator_list", []):
                visit(d, bound)
            inner = bound | {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs} | {
                x.arg for x in (a.vararg, a.kwarg) if x}
            body = n.body if isinstance(n.body, list) else [n.body]
            if not isinstance(n, ast.Lambda):
                inner = inner | _bindings(body)
            for b in body:
                visit(b, inner)
            return
        if isinstance(n, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            inner = bound | set().union(*(_stored(g.target) for g in n.generators))
            for child in ast.iter_child_nodes(n):
                visit(child, inner)
            return
        for child in ast.iter_child_nodes(n):
            visit(child, bound)

    visit(node, frozenset())
    return out


def _definite(stmts):
    """Names every path through `stmts` assigns (loops may run zero times, so they count for nothing)."""
    names = set()
    for s in stmts:
        if isinstance(s, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = s.targets if isinstance(s, ast.Assign) else ([s.target] if s.value is not None else [])
            for t in targets:
                names |= _stored(t)
        elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(s.name)
        elif isinstance(s, (ast.Import, ast.ImportFrom)):
            names |= _bindings(s)
        elif isinstance(s, ast.If):
            names |= _definite(s.body) & _definite(s.orelse)
        elif isinstance(s, ast.With):
            names |= _definite(s.body) | set().union(*(_stored(i.optional_vars) for i in s.items
                                                         if i.optional_vars is not None))
        elif isinstance(s, ast.Try):  # a path that leaves by an exception never reaches what follows
            completed = _definite(s.body) | _definite(s.orelse)
            for handler in s.handlers:
                completed &= _definite(handler.body)
            names |= completed | _definite(s.finalbody)
    return names


# ---- pass 1: returns ----

def _ends(stmts):
    return bool(stmts) and isinstance(stmts[-1], (ast.Return, ast.Raise, ast.Break, ast.Continue))


def _push_rest(stmts, rest):
    """Appends `rest` to every path through `stmts` that does not end in return/raise/break/continue."""
    last = stmts[-1] if stmts else None
    if _ends(stmts):
        return
    if isinstance(last, ast.If) and _has(last, ast.Return):
        _push_rest(last.body, rest)
        _push_rest(last.orelse, rest)
    else:
        stmts.extend(copy.deepcopy(rest))


def _normalize_returns(stmts):
    """`if c: return a` followed by more statements becomes `if c: return a else: <rest>`."""
    out = []
    for k, s in enumerate(stmts):
        for field in ("body", "orelse", "finalbody"):
            if isinstance(s, ast.stmt) and not isinstance(s, _SCOPES) and isinstance(getattr(s, field, None), list):
                setattr(s, field, _normalize_returns(getattr(s, field)))
        for handler in getattr(s, "handlers", []) + getattr(s, "cases", []):
            handler.body = _normalize_returns(handler.body)
        out.append(s)
        if isinstance(s, ast.Return):
            return out  # what follows is dead code
        if isinstance(s, ast.If) and _has(s, ast.Return) and k + 1 < len(stmts):
            _push_rest(s.body, _normalize_returns(stmts[k + 1:]))
            _push_rest(s.orelse, _normalize_returns(stmts[k + 1:]))
            return out
    return out


def _tail_returns_to_assignments(body):
    """Returns at the tail of the function's if-tree become `_ag_retval = value`; one `return` ends it."""
    found = []

    def visit(stmts, inside_if):
        if stmts and isinstance(stmts[-1], ast.If):
            visit(stmts[-1].body, True)
            visit(stmts[-1].orelse, True)
        elif stmts and isinstance(stmts[-1], ast.Return) and inside_if:
            ret = stmts[-1]
            stmts[-1] = ast.copy_location(_assign("_ag_retval", ret.value or _const(None)), ret)
            found.append(ret)

    visit(body, False)
    if found:
        body.append(ast.copy_location(ast.Return(value=_call("retval", _name("_ag_retval"))), found[-1]))
    return body


# ---- pass 2: break / continue ----

def _loop_is_functional(loop):
    if _has(loop, (ast.Return,) + _NOT_IN_FUNCTION) or isinstance(loop, ast.AsyncFor):
        return False
    if isinstance(loop, ast.While):
        return not _has(loop.test, ast.NamedExpr)
    return all(isinstance(n, (ast.Name, ast.Tuple, ast.List, ast.Store)) for n in ast.walk(loop.target))


def _lower_jumps(stmts, counter):
    """Rewrites break/continue of every loop that will become a function into flag variables."""
    out = []
    for s in stmts:
        for field in ("body", "orelse", "finalbody"):
            if isinstance(s, ast.stmt) and not isinstance(s, _SCOPES) and isinstance(getattr(s, field, None), list):
                setattr(s, field, _lower_jumps(getattr(s, field), counter))
        for handler in getattr(s, "handlers", []) + getattr(s, "cases", []):
            handler.body = _lower_jumps(handler.body, counter)
        if isinstance(s, _LOOPS):
            s._ag_functional = _loop_is_functional(s)
            jumps = _jumps(s.body)
            if s._ag_functional and jumps:
                out.extend(_lower_loop(s, jumps, next(counter)))
                continue
        out.append(s)
    return out


def _lower_loop(loop, jumps, n):
    brk, cont = f"_ag_brk_{n}", f"_ag_cont_{n}"
    has_brk = any(isinstance(j, ast.Break) for j in jumps)
    has_cont = any(isinstance(j, ast.Continue) for j in jumps)

    def guard(stmts):
        out = []
        for k, s in enumerate(stmts):
            if isinstance(s, (ast.Break, ast.Continue)):
                out.append(ast.copy_location(_assign(brk if isinstance(s, ast.Break) else cont, _const(True)), s))
                return out
            inner = _jumps([s])
            if not inner:
                out.append(s)
                continue
            for field in ("body", "orelse", "finalbody"):
                if isinstance(getattr(s, field, None), list) and not isinstance(s, _LOOPS):
                    setattr(s, field, guard(getattr(s, field)))
            for handler in getattr(s, "handlers", []) + getattr(s, "cases", []):
                handler.body = guard(handler.body)
            out.append(s)
            if k + 1 < len(stmts):
                flags = sorted({brk if isinstance(j, ast.Break) else cont for j in inner})
                test = ast.UnaryOp(op=ast.Not(), operand=_name(flags[0]) if len(flags) == 1 else ast.BoolOp(
                    op=ast.Or(), values=[_name(f) for f in flags]))
                out.append(_locate(ast.If(test=test, body=guard(stmts[k + 1:]), orelse=[]), stmts[k + 1].lineno))
            return out
        return out

    loop.body = guard(loop.body)
    if has_cont:
        loop.body.insert(0, _locate(_assign(cont, _const(False)), loop.lineno))
    if not has_brk:
        return [loop]
    not_brk = ast.UnaryOp(op=ast.Not(), operand=_name(brk))
    if isinstance(loop, ast.While):
        loop.test = ast.BoolOp(op=ast.And(), values=[loop.test, not_brk])
    else:
        loop._ag_extra = not_brk
    out = [_locate(_assign(brk, _const(False)), loop.lineno), loop]
    if loop.orelse:  # the else clause runs only when no break happened
        out.append(_locate(ast.If(test=copy.deepcopy(not_brk), body=loop.orelse, orelse=[]), loop.orelse[0].lineno))
        loop.orelse = []
    for node in out:
        _locate(node, loop.lineno)
    return out


# ---- pass 3: liveness ----

class _Liveness:
    """Backward liveness over the statement tree. Annotates each If with _ag_out (live after it) and
    _ag_in (live at the start of either branch), and each loop with _ag_out and _ag_head (live at the
    start of an iteration)."""

    def block(self, stmts, out, loop=None):
        live = set(out)
        for s in reversed(stmts):
            live = self.stmt(s, live, loop)
        return live

    def stmt(self, s, out, loop):
        if isinstance(s, ast.If):
            body, orelse = self.block(s.body, out, loop), self.block(s.orelse, out, loop)
            s._ag_out, s._ag_in = set(out), body | orelse
            return _reads(s.test) | body | orelse
        if isinstance(s, (ast.While, ast.For, ast.AsyncFor)):
            after_else = self.block(s.orelse, out, loop)
            head = set(after_else)
            while True:
                body = self.block(s.body, head, (out, head))  # break -> out, continue -> head
                if isinstance(s, ast.While):
                    new = head | _reads(s.test) | body
                else:
                    new = head | (body - _stored(s.target)) | _reads(s.target)
                if new == head:
                    break
                head = new
            s._ag_out, s._ag_head = set(out), head
            return head | (_reads(s.iter) if not isinstance(s, ast.While) else set())
        if isinstance(s, ast.Return):
            return _reads(s)
        if isinstance(s, ast.Raise):
            return _reads(s)
        if isinstance(s, ast.Break):
            return set(loop[0]) if loop else set(out)
        if isinstance(s, ast.Continue):
            return set(loop[1]) if loop else set(out)
        if isinstance(s, ast.Assign):
            kills = set().union(*(_stored(t) for t in s.targets))
            return (out - kills) | _reads(s)
        if isinstance(s, ast.AnnAssign):
            return (out - _stored(s.target)) | _reads(s.target) | (_reads(s.value) if s.value else set())
        if isinstance(s, ast.AugAssign):
            return out | _reads(s) | _stored(s.target)
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return (out - {s.name}) | _reads(s)
        if isinstance(s, (ast.Import, ast.ImportFrom, ast.Delete)):
            return out - _bindings(s)
        if isinstance(s, (ast.With, ast.AsyncWith)):
            body = self.block(s.body, out, loop)
            kills = set().union(*(_stored(i.optional_vars) for i in s.items if i.optional_vars is not None))
            return (body - kills) | set().union(*(_reads(i.context_expr) for i in s.items))
        if isinstance(s, ast.Try):
            final = self.block(s.finalbody, out, loop)
            handlers = set().union(*(self.block(h.body, final, loop) | (_reads(h.type) if h.type else set())
                                     for h in s.handlers)) if s.handlers else set()
            orelse = self.block(s.orelse, final, loop)
            return self.block(s.body, orelse | handlers | final, loop) | handlers | final
        if isinstance(s, ast.Match):
            live = set(out) | _reads(s.subject)
            for case in s.cases:
                live |= self.block(case.body, out, loop) | (_reads(case.guard) if case.guard else set())
            return live
        return out | _reads(s)


# ---- pass 4: the rewrite ----

class _Expressions(ast.NodeTransformer):
    """and/or/not, `a if c else b` and chained comparisons through the runtime, which keeps Python's
    rules for Python values and uses logical ops / em.cond for ember Arrays. Operands that are delayed
    become lambdas, so parts holding := or yield are left alone."""

    def __init__(self, filename):
        self.filename = filename

    def _delayable(self, nodes):
        return not any(_has(n, (ast.NamedExpr,) + _NOT_IN_FUNCTION) for n in nodes)

    def visit_FunctionDef(self, node):  # nested functions are converted as their own scope
        return node

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        if not self._delayable(node.values[1:]):
            return node
        fn = "and_" if isinstance(node.op, ast.And) else "or_"
        return ast.copy_location(_call(fn, node.values[0], *[_thunk(v) for v in node.values[1:]]), node)

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return ast.copy_location(_call("not_", node.operand), node)
        return node

    def visit_IfExp(self, node):
        self.generic_visit(node)
        if not self._delayable([node.body, node.orelse]):
            return node
        where = _const(f"{self.filename}:{node.lineno}")
        return ast.copy_location(_call("if_exp", node.test, _thunk(node.body), _thunk(node.orelse), where), node)

    def visit_Compare(self, node):
        self.generic_visit(node)
        if len(node.ops) < 2 or not self._delayable(node.comparators):
            return node
        ops = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
               ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}
        return ast.copy_location(_call("cmp_chain", node.left, _const(tuple(ops[type(o)] for o in node.ops)),
                                       ast.Tuple(elts=[_thunk(c) for c in node.comparators], ctx=ast.Load())),
                                 node)


class _CheckedLoads(ast.NodeTransformer):
    """The user's reads of variables that may hold Undefined become _ag.ld(name), which raises
    UnboundLocalError as Python would."""

    def __init__(self, names):
        self.names = names

    def visit_body(self, fdef):
        fdef.body = [self.visit(s) for s in fdef.body]

    def visit_FunctionDef(self, node):
        if getattr(node, "_ag_generated", False):
            self.visit_body(node)
        return node  # the user's nested functions are their own scope

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.names and not getattr(node, "_ag_generated", False):
            return ast.copy_location(_call("ld", node, _const(node.id)), node)
        return node


def _why_python(node):
    """What makes a statement stay Python, as the construct to name in the error."""
    for n in _walk(node):
        if isinstance(n, ast.Return):
            return "'return'"
        if isinstance(n, (ast.Yield, ast.YieldFrom)):
            return "'yield'"
        if isinstance(n, ast.Await):
            return "'await'"
    for n in _walk(node):
        if isinstance(n, ast.Raise):
            return "'raise'"
    for n in _walk(node):
        if isinstance(n, (ast.Break, ast.Continue)):
            return "'break'" if isinstance(n, ast.Break) else "'continue'"
    return "an assignment expression (:=) in the test"


_IF_SUGGESTION = {
    "'return'": "Assign the result to a variable in both branches and return it after the if, or choose with "
                "em.where(cond, a, b) / em.cond(pred, true_fun, false_fun, *operands).",
    "'raise'": "The graph cannot raise depending on array values: check the condition outside the jitted "
               "function, or compute both results and choose with em.where(cond, a, b) / em.cond(...).",
}
_LOOP_SUGGESTION = ("Compute the result in a loop variable and return it after the loop, or write the loop with "
                    "em.while_loop(cond_fun, body_fun, init_val) / em.fori_loop(lower, upper, body_fun, init_val).")


class _Function:
    """Converts one function definition (and, through new instances, the functions nested in it)."""

    def __init__(self, filename, counter):
        self.filename, self.counter = filename, counter
        self.exprs = _Expressions(filename)

    def convert(self, fdef):
        if _has(fdef.body, _NOT_IN_FUNCTION):
            return fdef  # generators and coroutines stay as written
        a = fdef.args
        self.params = {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs} | {
            x.arg for x in (a.vararg, a.kwarg) if x}
        # global / nonlocal names: never carried, re-declared in the generated functions that use them
        self.globals, self.nonlocals = set(), set()
        for n in _walk(fdef.body):
            if isinstance(n, ast.Global):
                self.globals.update(n.names)
            elif isinstance(n, ast.Nonlocal):
                self.nonlocals.update(n.names)
        self.declared = self.globals | self.nonlocals
        body = _normalize_returns(fdef.body)
        body = _lower_jumps(body, self.counter)
        body = _tail_returns_to_assignments(body)
        self.locals = (self.params | _bindings(body)) - self.declared
        # variables nested functions and lambdas read may be read at any later time: always live
        self.captured = set()
        for n in _walk(body):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.GeneratorExp)):
                self.captured |= _reads(n)
        _Liveness().block(body, set())
        self.pending, self.all_state = [set()], set()
        body = self.block(body)
        self.all_state |= self.pending[-1]
        inits = [_assign(n, _call("Undefined", _const(n))) for n in sorted(self.pending.pop() - self.params)]
        fdef.body = [_locate(i, fdef.lineno) for i in inits] + body
        _CheckedLoads(self.all_state - self.params).visit_body(fdef)
        return fdef

    # -- statements --

    def block(self, stmts):
        out = []
        for s in stmts:
            if isinstance(s, ast.If):
                out.extend(self.if_(s))
            elif isinstance(s, ast.While):
                out.extend(self.while_(s))
            elif isinstance(s, (ast.For, ast.AsyncFor)):
                out.extend(self.for_(s))
            elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)):
                out.append(_Function(self.filename, self.counter).convert(s))
            elif isinstance(s, ast.ClassDef):
                out.append(s)
            else:
                for field in ("body", "orelse", "finalbody"):
                    if isinstance(getattr(s, field, None), list):
                        setattr(s, field, self.block(getattr(s, field)))
                for handler in getattr(s, "handlers", []):
                    handler.body = self.block(handler.body)
                    if handler.type:
                        handler.type = self.exprs.visit(handler.type)
                for case in getattr(s, "cases", []):
                    case.body = self.block(case.body)
                for field in ("value", "targets", "target", "items", "test", "msg", "exc", "cause", "subject"):
                    value = getattr(s, field, None)
                    if isinstance(value, ast.AST):
                        setattr(s, field, self.exprs.visit(value))
                    elif isinstance(value, list):
                        setattr(s, field, [self.exprs.visit(v) for v in value])
                out.append(s)
        return out

    def _where(self, node):
        return f"{self.filename}:{node.lineno}"

    def _carried(self, names):
        return sorted(names & self.locals)

    def _function(self, prefix, params, body, returns, lineno):
        """def <prefix>_N(*params): <converted body>; return (*returns,)  (returns=None: body returns)"""
        name = f"_ag_{prefix}_{next(self.counter)}"
        self.pending.append(set())
        stmts = self.block(body)
        self.all_state |= self.pending[-1]
        inits = [_assign(n, _call("Undefined", _const(n))) for n in sorted(self.pending.pop() - set(params))]
        used = {n.id for s in stmts for n in ast.walk(s) if isinstance(n, ast.Name)}
        decls = []
        for kind, names in ((ast.Global, self.globals), (ast.Nonlocal, self.nonlocals)):
            if names & used:
                decls.append(kind(names=sorted(names & used)))
        tail = [ast.Return(value=_tuple(returns))] if returns is not None else []
        fn = _def(name, params, decls + inits + stmts + tail or [ast.Pass()])
        fn._ag_generated = True
        return name, _locate(fn, lineno)

    def _python_test(self, node, test, construct, suggestion):
        what = f"{_why_python(node)} inside {construct}"
        return _call("py_test", test, _const(self._where(node)), _const(what), _const(suggestion))

    def if_(self, s):
        test = self.exprs.visit(s.test)
        if _has(s, (ast.Return, ast.Raise, ast.Break, ast.Continue) + _NOT_IN_FUNCTION):
            why = _why_python(s)
            s.test = self._python_test(s, test, "an if", _IF_SUGGESTION.get(why, _IF_SUGGESTION["'return'"]))
            s.body, s.orelse = self.block(s.body), self.block(s.orelse)
            return [s]
        modified = _bindings(s.body + s.orelse)
        outs = self._carried(modified & (s._ag_out | self.captured))
        ins = outs + self._carried((modified & (s._ag_in | self.captured)) - set(outs))
        self.pending[-1].update(ins)
        both = _definite(s.body) & _definite(s.orelse)
        maybe_undefined = tuple(n for n in outs if n not in both)
        t_name, t_fn = self._function("if_true", ins, s.body, outs, s.lineno)
        f_name, f_fn = self._function("if_false", ins, s.orelse, outs, s.lineno)
        call = _call("if_stmt", test, _name(t_name), _name(f_name), _tuple(ins), _const(tuple(ins)),
                     _const(len(outs)), _const(self._where(s)), _const(maybe_undefined))
        stmt = ast.Assign(targets=[_tuple(outs, True)], value=call) if outs else ast.Expr(value=call)
        return [t_fn, f_fn, _locate(ast.copy_location(stmt, s), s.lineno)]

    def _loop_state(self, s, extra_bindings=frozenset()):
        modified = _bindings(s.body) | set(extra_bindings)
        state = self._carried(modified & (s._ag_head | s._ag_out | self.captured))
        self.pending[-1].update(state)
        return state

    def while_(self, s):
        if not s._ag_functional:
            s.test = self._python_test(s, self.exprs.visit(s.test), "a while loop", _LOOP_SUGGESTION)
            s.body, s.orelse = self.block(s.body), self.block(s.orelse)
            return [s]
        state = self._loop_state(s)
        c_name, c_fn = self._function("while_test", state, [ast.Return(value=s.test)], None, s.lineno)
        b_name, b_fn = self._function("while_body", state, s.body, state, s.lineno)
        call = _call("while_stmt", _name(c_name), _name(b_name), _tuple(state), _const(tuple(state)),
                     _const(self._where(s)))
        stmt = ast.Assign(targets=[_tuple(state, True)], value=call) if state else ast.Expr(value=call)
        return [c_fn, b_fn, _locate(ast.copy_location(stmt, s), s.lineno)] + self.block(s.orelse)

    def for_(self, s):
        it = s.iter
        is_range = (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range"
                    and 1 <= len(it.args) <= 3 and not it.keywords
                    and not any(isinstance(a, ast.Starred) for a in it.args))
        args = [self.exprs.visit(a) for a in it.args] if is_range else None
        if not s._ag_functional:
            if is_range:
                s.iter = _call("py_range", _name("range"), ast.Tuple(elts=args, ctx=ast.Load()),
                               _const(self._where(s)), _const(f"{_why_python(s)} inside a for loop"),
                               _const(_LOOP_SUGGESTION))
            else:
                s.iter = self.exprs.visit(s.iter)
            s.body, s.orelse = self.block(s.body), self.block(s.orelse)
            return [s]
        state = self._loop_state(s, _stored(s.target))
        item = f"_ag_item_{next(self.counter)}"
        body = [_locate(ast.Assign(targets=[s.target], value=_name(item)), s.lineno)] + s.body
        b_name, b_fn = self._function("for_body", [item] + state, body, state, s.lineno)
        out = [b_fn]
        extra = _const(None)
        if hasattr(s, "_ag_extra"):
            e_name, e_fn = self._function("for_test", state, [ast.Return(value=s._ag_extra)], None, s.lineno)
            out.append(e_fn)
            extra = _name(e_name)
        where = _const(self._where(s))
        if is_range:
            call = _call("for_range", _name("range"), ast.Tuple(elts=args, ctx=ast.Load()), extra, _name(b_name),
                         _tuple(state), _const(tuple(state)), where)
        else:
            call = _call("for_stmt", self.exprs.visit(s.iter), extra, _name(b_name), _tuple(state),
                         _const(tuple(state)), where)
        stmt = ast.Assign(targets=[_tuple(state, True)], value=call) if state else ast.Expr(value=call)
        return out + [_locate(ast.copy_location(stmt, s), s.lineno)] + self.block(s.orelse)
