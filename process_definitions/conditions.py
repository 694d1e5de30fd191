"""Gateway conditions: a tiny, safe expression language compiled once at load time.

Syntax is a subset of Python expressions: names, string/number/boolean literals, lists and
tuples, comparisons (`==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `not in`), `and`, `or`, `not`.
Anything else (calls, attributes, subscripts, lambdas, comprehensions…) is refused when the
definition loads. Evaluation goes through simpleeval with no functions; never `eval`/`exec`.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

from simpleeval import EvalWithCompoundTypes

_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.List,
    ast.Tuple,
)

_REFUSED_HINTS: dict[type[ast.AST], str] = {
    ast.Call: "function calls are not allowed in conditions",
    ast.Attribute: "attribute access (`a.b`) is not allowed in conditions",
    ast.Subscript: "indexing (`a[0]`) is not allowed in conditions",
    ast.Lambda: "lambdas are not allowed in conditions",
    ast.NamedExpr: "assignments are not allowed in conditions",
}


class ConditionError(ValueError):
    """A condition that does not parse or uses a refused construct."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Condition:
    source: str
    tree: ast.expr
    names: frozenset[str] = field(default_factory=frozenset)
    comparisons: tuple[tuple[str, object], ...] = ()  # (name, literal) pairs it compares

    def evaluate(self, variables: Mapping[str, object]) -> bool:
        missing = self.names - variables.keys()
        if missing:
            raise ConditionError(f"condition `{self.source}` needs {sorted(missing)}")
        evaluator = EvalWithCompoundTypes(names=dict(variables), functions={})
        return bool(evaluator.eval(self.source, previously_parsed=self.tree))


def compile_condition(source: str) -> Condition:
    """Parse and check a condition; raise ConditionError naming what is wrong."""
    try:
        expression = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        raise ConditionError(
            f"condition `{source}` does not parse: {error.msg}",
            "write e.g. `keputusan == 'tidak_ditemukan'`",
        ) from None
    names: set[str] = set()
    for node in ast.walk(expression):
        if isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise ConditionError(f"name `{node.id}` is not allowed in conditions")
            names.add(node.id)
        elif isinstance(node, ast.Constant) and not isinstance(
            node.value, str | int | float | bool | type(None)
        ):
            raise ConditionError(f"literal {node.value!r} is not allowed in conditions")
        elif not isinstance(node, _ALLOWED):
            hint = _REFUSED_HINTS.get(
                type(node), "use only names, literals, comparisons, `and`, `or`, `not`"
            )
            raise ConditionError(
                f"condition `{source}` uses a refused construct ({type(node).__name__})", hint
            )
    return Condition(
        source=source,
        tree=expression.body,
        names=frozenset(names),
        comparisons=tuple(_comparisons(expression)),
    )


def _literals(node: ast.expr) -> list[object] | None:
    if isinstance(node, ast.Constant):
        return [node.value]
    if isinstance(node, ast.List | ast.Tuple) and all(
        isinstance(e, ast.Constant) for e in node.elts
    ):
        return [e.value for e in node.elts if isinstance(e, ast.Constant)]
    return None


def _comparisons(expression: ast.AST) -> list[tuple[str, object]]:
    """`keputusan == 'x'`, `'x' != keputusan`, `keputusan in ['x', 'y']` -> (name, literal)."""
    found: list[tuple[str, object]] = []
    for node in ast.walk(expression):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for left, right in itertools.pairwise(operands):
            for name_node, other in ((left, right), (right, left)):
                literals = _literals(other)
                if isinstance(name_node, ast.Name) and literals is not None:
                    found.extend((name_node.id, value) for value in literals)
    return found
