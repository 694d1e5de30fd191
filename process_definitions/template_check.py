"""What a message template needs: the variables it reads that nobody gives, unknown filters,
syntax errors. Parsed with Jinja2's own parser (`meta.find_undeclared_variables`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from jinja2 import Environment, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import TemplateAssertionError

from process_definitions.message_variables import MESSAGE_FILTERS


@dataclass(frozen=True)
class TemplateProblem:
    message: str
    variable: str | None = None  # set when a variable is missing
    hint: str | None = None


def _environment() -> Environment:
    env = Environment(autoescape=False)  # noqa: S701  (parsed only, never rendered here)
    for name in MESSAGE_FILTERS:
        env.filters[name] = str
    return env


def template_problems(
    text: str, declared: Iterable[str], plain: Mapping[str, str] | None = None
) -> list[TemplateProblem]:
    """Problems of one template. `plain` names variables holding plain text (name -> what it
    is, e.g. `a text field`): reading an attribute of one (`{{ nama.depan }}`) is a problem."""
    env = _environment()
    try:
        tree = env.parse(text)
        env.compile(text)  # unknown filters and tests fail here
    except TemplateAssertionError as error:
        return [TemplateProblem(f"line {error.lineno}: {error.message}", None, _filters_hint())]
    except TemplateSyntaxError as error:
        return [TemplateProblem(f"line {error.lineno}: syntax: {error.message}")]
    missing = sorted(meta.find_undeclared_variables(tree) - set(declared))
    problems = [TemplateProblem(f"uses `{name}`", name) for name in missing]
    for name, attribute in _attributes(tree):
        if plain and name in plain:
            problems.append(
                TemplateProblem(
                    f"reads `{name}.{attribute}`, but `{name}` is {plain[name]}",
                    None,
                    f"use `{{{{ {name} }}}}` itself, or map `{name}` to a path with that part",
                )
            )
    return problems


def _attributes(tree: nodes.Template) -> list[tuple[str, str]]:
    """`{{ a.b }}` -> ("a", "b"); method calls (`{{ a.upper() }}`) are not attribute reads."""
    called = {id(call.node) for call in tree.find_all(nodes.Call)}
    loop_names: set[str] = set()
    for loop in tree.find_all(nodes.For):
        targets = [loop.target, *loop.target.find_all(nodes.Name)]
        loop_names |= {t.name for t in targets if isinstance(t, nodes.Name)}
    return sorted(
        {
            (node.node.name, node.attr)
            for node in tree.find_all(nodes.Getattr)
            if isinstance(node.node, nodes.Name)
            and id(node) not in called
            and node.node.name not in loop_names
        }
    )


def _filters_hint() -> str:
    return f"filters besides Jinja2's own: {', '.join(MESSAGE_FILTERS)}"
