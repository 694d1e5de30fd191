"""YAML -> ProcessDefinition -> graph checks, with errors that point at file:line:col.

Every error names the file, the line and column, the step and, where one fits, a did-you-mean
hint. All errors of a file are collected, not just the first.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from process_definitions import model as m
from process_definitions.actions import ActionSpec
from process_definitions.conditions import Condition, ConditionError, compile_condition
from process_definitions.graph import ancestors, edges, reachable_from, reverse
from process_definitions.message_variables import PLAIN_STANDARD_VARIABLES, STANDARD_VARIABLES
from process_definitions.survey_checks import survey_problems
from process_definitions.template_check import TemplateProblem, template_problems

TEMPLATES_DIRNAME = "templates"
CHANNEL_TEMPLATE_FILES = {"email": ("email.subject.j2", "email.txt.j2", "email.html.j2")}
RECIPIENT_FIELD_TYPES = {"email": "email", "whatsapp": "phone"}
PLAIN_KINDS = {"text", "textarea", "phone", "email", "input:text", "input:operator"}
CANDIDATE_KEY = re.compile(r"K[1-9][0-9]*")  # keys of `options_from` candidates

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class DefinitionError:
    file: str
    line: int
    column: int
    step: str | None
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: "
        step = f"step `{self.step}`: " if self.step else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}{step}{self.message}{hint}"


class DefinitionErrors(Exception):
    """Raised with every error found in one definition file."""

    def __init__(self, errors: Sequence[DefinitionError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class LoadedDefinition:
    definition: m.ProcessDefinition
    source: str
    content_hash: str
    conditions: dict[tuple[str, int], Condition] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    actions: dict[str, ActionSpec] = field(default_factory=dict)  # specs of the actions it uses

    def condition(self, gateway_id: str, branch: int) -> Condition:
        return self.conditions[(gateway_id, branch)]


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


@dataclass(frozen=True)
class RosterLanes:
    """Operator lanes that have at least one operator, in the roster file `source`."""

    source: str
    lanes: frozenset[str]


def load_definition(
    path: Path | str,
    *,
    templates_dir: Path | None = None,
    actions: Mapping[str, ActionSpec] | None = None,
    roster: RosterLanes | None = None,
) -> LoadedDefinition:
    """Load and check one definition file.

    `actions` (the registry's specs) checks service steps; without it action names, parameters
    and outputs are taken on trust. `roster` checks that every operator lane has operators.
    `sopflow validate`, serve, deploy and the runner pass both (adapters/definition_check.py).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionErrors(
            [DefinitionError(str(path), 1, 1, None, f"cannot read file: {error}")]
        ) from None
    return load_definition_text(
        text,
        source=str(path),
        templates_dir=templates_dir or path.parent / TEMPLATES_DIRNAME,
        actions=actions,
        roster=roster,
    )


def load_definition_text(
    text: str,
    *,
    source: str = "<definition>",
    templates_dir: Path | None = None,
    actions: Mapping[str, ActionSpec] | None = None,
    roster: RosterLanes | None = None,
) -> LoadedDefinition:
    positions, errors, raw = _parse_yaml(text, source)
    if raw is None:
        raise DefinitionErrors(errors)
    located = _Locator(source, positions, raw)
    try:
        definition = m.ProcessDefinition.model_validate(raw)
    except ValidationError as error:
        errors.extend(located.pydantic_error(item) for item in error.errors())
        raise DefinitionErrors(errors) from None
    if errors:
        raise DefinitionErrors(errors)
    checker = _GraphChecker(definition, located, templates_dir, actions, roster)
    checker.run()
    if checker.errors:
        raise DefinitionErrors(checker.errors)
    return LoadedDefinition(
        definition=definition,
        source=source,
        content_hash=content_hash(definition, checker.templates),
        conditions=checker.conditions,
        templates=checker.templates,
        actions=checker.used_actions(),
    )


def content_hash(definition: m.ProcessDefinition, templates: dict[str, str]) -> str:
    """SHA-256 of the canonical JSON of the definition and the templates it uses."""
    return canonical_hash(definition.model_dump(mode="json"), templates)


def canonical_hash(definition: Any, templates: Any) -> str:
    """SHA-256 of the canonical JSON of a dumped definition and its templates."""
    canonical = json.dumps(
        {"definition": definition, "templates": templates},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- YAML with positions --------------------------------------------------------------------


def _parse_yaml(
    text: str, source: str
) -> tuple[dict[Loc, tuple[int, int]], list[DefinitionError], Any]:
    """Compose the YAML keeping each node's position; report duplicate keys."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = error.problem or "invalid YAML"
        return {}, [DefinitionError(source, line, column, None, f"YAML syntax: {problem}")], None
    if not isinstance(node, yaml.MappingNode):
        return (
            {},
            [DefinitionError(source, 1, 1, None, "a definition must be a YAML mapping")],
            None,
        )
    positions: dict[Loc, tuple[int, int]] = {}
    errors: list[DefinitionError] = []
    _walk(node, (), positions, errors, source)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:  # constructor errors (e.g. bad dates)
        return {}, [DefinitionError(source, 1, 1, None, f"YAML: {error}")], None
    return positions, errors, raw


def _walk(
    node: yaml.Node,
    loc: Loc,
    positions: dict[Loc, tuple[int, int]],
    errors: list[DefinitionError],
    source: str,
) -> None:
    positions[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                errors.append(
                    DefinitionError(
                        source, line, column, None, f"duplicate key `{key}`", "remove one of them"
                    )
                )
            seen.add(key)
            positions[(*loc, f"key:{key}")] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            _walk(value_node, (*loc, key), positions, errors, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*loc, index), positions, errors, source)


def _subclasses(cls: type[m.Spec]) -> list[type[m.Spec]]:
    found: list[type[m.Spec]] = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


_ALL_KEYS = sorted({name for cls in _subclasses(m.Spec) for name in cls.model_fields})


class _Locator:
    """Turns a location inside the definition into (line, column, step id)."""

    def __init__(self, source: str, positions: dict[Loc, tuple[int, int]], raw: Any) -> None:
        self.source = source
        self.positions = positions
        self.raw = raw

    def error(self, loc: Loc, message: str, hint: str | None = None) -> DefinitionError:
        line, column = self.position(loc)
        return DefinitionError(self.source, line, column, self.step_id(loc), message, hint)

    def position(self, loc: Loc) -> tuple[int, int]:
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.positions:
                return self.positions[loc[:end]]
        return (1, 1)

    def step_id(self, loc: Loc) -> str | None:
        if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
            steps = self.raw.get("steps") if isinstance(self.raw, dict) else None
            if isinstance(steps, list) and loc[1] < len(steps) and isinstance(steps[loc[1]], dict):
                step_id = steps[loc[1]].get("id")
                return str(step_id) if step_id is not None else None
        return None

    def data_loc(self, loc: Sequence[str | int]) -> Loc:
        """Drop pydantic's union-tag elements, which are not keys in the YAML."""
        kept: list[str | int] = []
        for element in loc:
            if (*kept, element) in self.positions:
                kept.append(element)
        return tuple(kept)

    def pydantic_error(self, item: Any) -> DefinitionError:
        loc = self.data_loc(item["loc"])
        kind = item["type"]
        value = item.get("input")
        if kind == "union_tag_invalid":
            tag = str(item["ctx"]["discriminator"]).strip("'\"")
            choices: tuple[str, ...] = m.STEP_KINDS if tag == "kind" else m.FIELD_TYPES
            if len(loc) >= 4 and loc[2] == "inputs":
                choices = m.INPUT_TYPES
            found = value.get(tag) if isinstance(value, dict) else None
            return self.error(
                (*loc, tag),
                f"unknown {tag} `{found}`",
                did_you_mean(str(found), choices) or f"use one of: {', '.join(choices)}",
            )
        if kind == "union_tag_not_found":
            tag = str(item["ctx"]["discriminator"]).strip("'\"")
            return self.error(loc, f"missing `{tag}`", f"every entry here needs a `{tag}`")
        if kind == "extra_forbidden":
            key = str(item["loc"][-1])
            return self.error(
                (*loc[:-1], f"key:{key}"), f"unknown key `{key}`", did_you_mean(key, _ALL_KEYS)
            )
        if kind == "missing":
            return self.error(
                loc[:-1] if loc and loc[-1] == item["loc"][-1] else loc,
                f"missing required key `{item['loc'][-1]}`",
            )
        message = str(item["msg"]).removeprefix("Value error, ")
        message, _, hint = message.partition("; ")
        name = ".".join(str(part) for part in item["loc"] if not isinstance(part, int))
        return self.error(loc, f"`{name.split('.')[-1]}`: {message}", hint or None)


# --- graph checks ---------------------------------------------------------------------------


class _GraphChecker:
    def __init__(
        self,
        definition: m.ProcessDefinition,
        locator: _Locator,
        templates_dir: Path | None,
        actions: Mapping[str, ActionSpec] | None = None,
        roster: RosterLanes | None = None,
    ) -> None:
        self.definition = definition
        self.locator = locator
        self.templates_dir = templates_dir
        self.actions = actions
        self.roster = roster
        self.choices: dict[str, tuple[set[str], bool]] = {}  # choice -> (values, keyed options)
        self.opaque: set[str] = set()  # service steps whose outputs are unknown (no catalogue)
        self.trusting = False  # the step being checked follows an opaque one
        self.errors: list[DefinitionError] = []
        self.conditions: dict[tuple[str, int], Condition] = {}
        self.templates: dict[str, str] = {}
        self.index = {step.id: i for i, step in enumerate(definition.steps)}
        self.graph = edges(definition.steps)

    def error(self, loc: Loc, message: str, hint: str | None = None) -> None:
        self.errors.append(self.locator.error(loc, message, hint))

    def at(self, step_no: int, *rest: str | int) -> Loc:
        return ("steps", step_no, *rest)

    def used_actions(self) -> dict[str, ActionSpec]:
        if self.actions is None:
            return {}
        used = {s.action for s in self.definition.steps if isinstance(s, m.ServiceStep)}
        return {name: self.actions[name] for name in sorted(used) if name in self.actions}

    def run(self) -> None:
        self._unique_step_ids()
        self._lanes()
        self._roster()
        self._targets()
        if self.errors:
            return  # reachability is meaningless with dangling references
        self._reachability()
        self._variables_and_steps()
        self._survey()

    def _survey(self) -> None:
        for problem in survey_problems(self.definition):
            message, _, hint = problem.partition("; ")
            self.error(("survey", "offer_at"), message, hint or None)

    def _unique_step_ids(self) -> None:
        seen: dict[str, int] = {}
        for i, step in enumerate(self.definition.steps):
            if step.id in seen:
                self.error(
                    self.at(i, "id"),
                    f"duplicate step id `{step.id}` (first used by step #{seen[step.id] + 1})",
                    "give every step its own id",
                )
            seen.setdefault(step.id, i)

    def _lanes(self) -> None:
        lanes = self.definition.lanes
        for i, step in enumerate(self.definition.steps):
            if step.lane not in lanes:
                self.error(
                    self.at(i, "lane"),
                    f"unknown lane `{step.lane}`",
                    did_you_mean(step.lane, lanes) or f"lanes are: {', '.join(lanes)}",
                )
            elif isinstance(step, m.UserTaskStep) and lanes[step.lane].kind != "operator":
                self.error(
                    self.at(i, "lane"),
                    f"user_task in lane `{step.lane}`, which is not an operator lane",
                    "user tasks are done by operators: use a lane of kind `operator`",
                )

    def _roster(self) -> None:
        if self.roster is None:
            return
        for lane_id, lane in self.definition.lanes.items():
            if lane.kind == "operator" and lane_id not in self.roster.lanes:
                self.error(
                    ("lanes", lane_id),
                    f"operator lane `{lane_id}` has no operator in the roster {self.roster.source}",
                    f"add `{lane_id}:` with at least one `{{nip: ..., name: ...}}` to the roster"
                    " (SOPFLOW_ROSTER_FILE)",
                )

    def _targets(self) -> None:
        ids = self.graph.keys()
        for i, step in enumerate(self.definition.steps):
            references: list[tuple[Loc, str]] = []
            if isinstance(step, m.GatewayStep):
                references += [
                    (self.at(i, "branches", j, "to"), b.to) for j, b in enumerate(step.branches)
                ]
                if step.default is None:
                    self.error(
                        self.at(i, "kind"),
                        "gateway has no default branch",
                        "add `default: <step id>`, taken when no condition holds",
                    )
                else:
                    references.append((self.at(i, "default"), step.default))
            elif not isinstance(step, m.EndStep):
                references.append((self.at(i, "next"), step.next))
            for loc, target in references:
                if target == step.id:
                    self.error(loc, f"step goes to itself (`{target}`)", "point to the next step")
                elif target not in ids:
                    self.error(
                        loc,
                        f"goes to `{target}`: no such step",
                        did_you_mean(target, ids) or "name an existing step id",
                    )

    def _reachability(self) -> None:
        steps = self.definition.steps
        start = steps[0]
        if isinstance(start, m.EndStep | m.GatewayStep):
            self.error(self.at(0, "kind"), f"the first step cannot be a {start.kind}")
        ends = {s.id for s in steps if isinstance(s, m.EndStep)}
        if not ends:
            self.error(("steps",), "no `end` step", "add a step with `kind: end`")
            return
        reachable = reachable_from(start.id, self.graph)
        reaches_end: set[str] = set()
        for end in ends:
            reaches_end |= reachable_from(end, reverse(self.graph))
        for i, step in enumerate(steps):
            if step.id not in reachable:
                self.error(
                    self.at(i, "id"),
                    f"unreachable: no path leads here from the first step `{start.id}`",
                    "reference it from another step's `next`, or remove it",
                )
            elif step.id not in reaches_end:
                self.error(
                    self.at(i, "id"),
                    "no way from this step to an `end` step",
                    "make every path finish at a step with `kind: end`",
                )

    def _variables_and_steps(self) -> None:
        produced: dict[str, tuple[str, str]] = {}  # variable -> (step id, variable kind)
        for i, step in enumerate(self.definition.steps):
            for j, variable, kind in self._produces(step):
                if variable in produced:
                    self.error(
                        self.at(i, *j),
                        f"`{variable}` is already defined by step `{produced[variable][0]}`",
                        "field, input and output names must be unique in a definition",
                    )
                produced.setdefault(variable, (step.id, kind))
        for i, step in enumerate(self.definition.steps):
            upstream = ancestors(step.id, self.graph)
            available = {v: info for v, info in produced.items() if info[0] in upstream}
            self.trusting = bool(upstream & self.opaque)
            if isinstance(step, m.GatewayStep):
                self._gateway(i, step, available)
            elif isinstance(step, m.ServiceStep):
                self._service(i, step, available)
            elif isinstance(step, m.UserTaskStep):
                self._user_task(i, step, available)
            elif isinstance(step, m.NotifyStep):
                self._notify(i, step, available)

    def _produces(self, step: m.StepDefinition) -> Iterable[tuple[Loc, str, str]]:
        if isinstance(step, m.FormStep):
            for j, form_field in enumerate(step.fields):
                if isinstance(form_field, m.ChoiceField):
                    self.choices[form_field.id] = ({o.value for o in form_field.options}, False)
                yield ("fields", j, "id"), form_field.id, form_field.type
        elif isinstance(step, m.UserTaskStep):
            for j, task_input in enumerate(step.inputs):
                if isinstance(task_input, m.ChoiceInput):
                    values = {o.value for o in task_input.options}
                    self.choices[task_input.id] = (values, task_input.options_from is not None)
                yield ("inputs", j, "id"), task_input.id, f"input:{task_input.type}"
        elif isinstance(step, m.ServiceStep):
            if self.actions is None:
                self.opaque.add(step.id)
            elif step.action in self.actions:
                for output in self.actions[step.action].produces:
                    yield ("action",), output, "output"

    def _unknown(self, name: str, available: Mapping[str, Any]) -> bool:
        """Is `name` produced by no earlier step (and can we tell)?"""
        return name not in available and not self.trusting

    def _gateway(self, i: int, step: m.GatewayStep, available: dict[str, Any]) -> None:
        for j, branch in enumerate(step.branches):
            loc = self.at(i, "branches", j, "when")
            try:
                condition = compile_condition(branch.when)
            except ConditionError as error:
                self.error(loc, str(error), error.hint)
                continue
            for name in sorted(n for n in condition.names if self._unknown(n, available)):
                self.error(
                    loc,
                    f"condition names `{name}`, which no step before this gateway produces",
                    did_you_mean(name, available) or f"available: {', '.join(sorted(available))}",
                )
            for name, literal in condition.comparisons:
                self._literal(loc, name, literal)
            self.conditions[(step.id, j)] = condition

    def _literal(self, loc: Loc, name: str, literal: object) -> None:
        """A literal compared with a choice must be one of its values (or a candidate key)."""
        if name not in self.choices or not isinstance(literal, str):
            return
        values, keyed = self.choices[name]
        if literal in values or (keyed and CANDIDATE_KEY.fullmatch(literal)):
            return
        shown = ", ".join(f"`{v}`" for v in sorted(values))
        keys = " or a candidate key (`K1`, `K2`, ...)" if keyed else ""
        self.error(
            loc,
            f"`{name}` is compared with '{literal}', which is not one of its values",
            did_you_mean(literal, values) or f"values of `{name}`: {shown}{keys}",
        )

    def _service(self, i: int, step: m.ServiceStep, available: dict[str, Any]) -> None:
        if self.actions is None:
            return
        spec = self.actions.get(step.action)
        if spec is None:
            self.error(
                self.at(i, "action"),
                f"unknown service action `{step.action}`",
                did_you_mean(step.action, self.actions)
                or f"known actions: {', '.join(sorted(self.actions))}",
            )
            return
        allowed = spec.required_params | spec.optional_params
        for param in sorted(spec.required_params - step.params.keys()):
            self.error(self.at(i, "params"), f"action `{step.action}` needs parameter `{param}`")
        for param, variable in step.params.items():
            if param not in allowed:
                self.error(
                    self.at(i, "params", param),
                    f"action `{step.action}` has no parameter `{param}`",
                    did_you_mean(param, allowed) or f"parameters: {', '.join(sorted(allowed))}",
                )
            elif self._unknown(variable, available):
                self.error(
                    self.at(i, "params", param),
                    f"parameter `{param}` reads `{variable}`, which no earlier step produces",
                    did_you_mean(variable, available)
                    or "name a form field, an operator input or an earlier action's output",
                )

    def _user_task(self, i: int, step: m.UserTaskStep, available: dict[str, Any]) -> None:
        self._preview(i, step)
        choices = {t.id: t for t in step.inputs if isinstance(t, m.ChoiceInput)}
        for j, task_input in enumerate(step.inputs):
            if isinstance(task_input, m.TextInput) and task_input.manual_match:
                match = task_input.manual_match
                choice = choices.get(match.choice)
                if choice is None or not choice.options_from:
                    self.error(
                        (*self.at(i, "inputs", j), "manual_match"),
                        f"manual_match names `{match.choice}`: no choice with `options_from` here",
                        did_you_mean(match.choice, choices),
                    )
                elif match.option not in {o.value for o in choice.options}:
                    self.error(
                        (*self.at(i, "inputs", j), "manual_match"),
                        f"choice `{match.choice}` has no option `{match.option}`",
                        did_you_mean(match.option, {o.value: o for o in choice.options}),
                    )
            if not isinstance(task_input, m.ChoiceInput):
                continue
            loc = self.at(i, "inputs", j)
            if not task_input.options and task_input.options_from is None:
                self.error(loc, f"choice `{task_input.id}` has no options", "add `options`")
            if task_input.options_from and self._unknown(task_input.options_from, available):
                self.error(
                    (*loc, "options_from"),
                    f"options come from `{task_input.options_from}`, "
                    "which no earlier step produces",
                    did_you_mean(task_input.options_from, available),
                )

    def _preview(self, i: int, step: m.UserTaskStep) -> None:
        if step.preview is None:
            return
        steps = {s.id: s for s in self.definition.steps}
        target = steps.get(step.preview.step)
        if not isinstance(target, m.NotifyStep):
            notify = {s.id: s for s in steps.values() if isinstance(s, m.NotifyStep)}
            self.error(
                (*self.at(i, "preview"), "step"),
                f"preview shows `{step.preview.step}`, which is not a notify step",
                did_you_mean(step.preview.step, notify),
            )
            return
        for name in step.preview.show:
            if name not in target.context:
                self.error(
                    (*self.at(i, "preview"), "show"),
                    f"preview shows `{name}`, which step `{target.id}` has no context for",
                    did_you_mean(name, target.context),
                )

    def _notify(self, i: int, step: m.NotifyStep, available: dict[str, Any]) -> None:
        for channel in step.channels:
            field_id = step.recipients.get(channel)
            if field_id is None:
                self.error(
                    self.at(i, "recipients"),
                    f"channel `{channel}` has no recipient",
                    f"add `{channel}: <form field id>` under `recipients`",
                )
                continue
            wanted = RECIPIENT_FIELD_TYPES.get(channel)
            found = available.get(field_id)
            if found is None:
                self.error(
                    self.at(i, "recipients", channel),
                    f"recipient field `{field_id}` is not a field of an earlier form",
                    did_you_mean(field_id, available),
                )
            elif wanted and found[1] != wanted:
                self.error(
                    self.at(i, "recipients", channel),
                    f"`{channel}` goes to `{field_id}`, a field of type `{found[1]}`",
                    f"point it at a field of type `{wanted}`",
                )
        for name, path in step.context.items():
            root = path.split(".")[0]
            if self._unknown(root, available):
                self.error(
                    self.at(i, "context", name),
                    f"template variable `{name}` reads `{root}`, which no earlier step produces",
                    did_you_mean(root, available),
                )
            elif name in STANDARD_VARIABLES:
                self.error(
                    self.at(i, "context", name),
                    f"template variable `{name}` is a standard variable every message gets",
                    "give this one another name",
                )
        self._templates(i, step, self._plain_variables(step, available))

    @staticmethod
    def _plain_variables(step: m.NotifyStep, available: Mapping[str, Any]) -> dict[str, str]:
        """Template variables holding plain text: standard texts and context names mapped
        straight to a text-like field or input."""
        plain = {name: "a standard text variable" for name in PLAIN_STANDARD_VARIABLES}
        for name, path in step.context.items():
            kind = available[path][1] if path in available else None
            if kind in PLAIN_KINDS:
                plain[name] = f"the {kind.removeprefix('input:')} `{path}`"
        return plain

    def _templates(self, i: int, step: m.NotifyStep, plain: Mapping[str, str]) -> None:
        if self.templates_dir is None:
            return
        folder = self.templates_dir / step.template
        if not folder.is_dir():
            existing = (
                [p.name for p in self.templates_dir.iterdir() if p.is_dir()]
                if self.templates_dir.is_dir()
                else []
            )
            self.error(
                self.at(i, "template"),
                f"unknown template `{step.template}` (no folder {folder})",
                did_you_mean(step.template, existing),
            )
            return
        declared = {*STANDARD_VARIABLES, *step.context}
        context_loc = self.at(i, "context") if step.context else self.at(i, "template")
        for channel in step.channels:
            for name in CHANNEL_TEMPLATE_FILES.get(channel, (f"{channel}.txt.j2",)):
                path = folder / name
                if not path.is_file():
                    self.error(
                        self.at(i, "template"),
                        f"template `{step.template}` has no `{name}` for channel `{channel}`",
                        f"create {path}",
                    )
                    continue
                text = path.read_text(encoding="utf-8")
                self.templates[f"{step.template}/{name}"] = text
                for problem in template_problems(text, declared, plain):
                    self._template_problem(i, context_loc, f"{step.template}/{name}", problem)

    def _template_problem(self, i: int, loc: Loc, name: str, problem: TemplateProblem) -> None:
        if problem.variable is None:
            self.error(self.at(i, "template"), f"template {name}: {problem.message}", problem.hint)
            return
        self.error(
            loc,
            f"template {name} uses `{problem.variable}`, which neither `context` nor the "
            "standard variables give",
            did_you_mean(problem.variable, self._declared_for(i))
            or f"add `{problem.variable}: <field or output path>` under `context`",
        )

    def _declared_for(self, i: int) -> list[str]:
        step = self.definition.steps[i]
        context = step.context if isinstance(step, m.NotifyStep) else {}
        return [*STANDARD_VARIABLES, *context]


def check_loaded(
    definition: m.ProcessDefinition, source: str, raw: Any
) -> dict[tuple[str, int], Condition]:
    """Re-check a definition rebuilt from a snapshot (actions taken on trust); its conditions."""
    checker = _GraphChecker(definition, _Locator(source, {}, raw), None)
    checker.run()
    if checker.errors:
        raise DefinitionErrors(checker.errors)
    return checker.conditions


# Snapshots pinned to cases live in process_definitions/snapshots.py; these two names stay
# importable from here for older callers.
def to_snapshot(loaded: LoadedDefinition) -> dict[str, Any]:
    from process_definitions import snapshots

    return snapshots.to_snapshot(loaded)


def from_snapshot(snapshot: dict[str, Any]) -> LoadedDefinition:
    from process_definitions import snapshots

    return snapshots.from_snapshot(snapshot)
