"""What a message template needs: the variables it reads that nobody gives, unknown filters,
syntax errors. Parsed with Jinja2's own parser (`meta.find_undeclared_variables`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from jinja2 import Environment, TemplateSyntaxError, meta
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


def template_problems(text: str, declared: Iterable[str]) -> list[TemplateProblem]:
    env = _environment()
    try:
        tree = env.parse(text)
        env.compile(text)  # unknown filters and tests fail here
    except TemplateAssertionError as error:
        return [TemplateProblem(f"line {error.lineno}: {error.message}", None, _filters_hint())]
    except TemplateSyntaxError as error:
        return [TemplateProblem(f"line {error.lineno}: syntax: {error.message}")]
    missing = sorted(meta.find_undeclared_variables(tree) - set(declared))
    return [TemplateProblem(f"uses `{name}`", name) for name in missing]


def _filters_hint() -> str:
    return f"filters besides Jinja2's own: {', '.join(MESSAGE_FILTERS)}"
