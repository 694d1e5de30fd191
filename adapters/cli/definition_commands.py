"""`sopflow validate` and `sopflow diagram`: administrators' tools for process definitions."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from adapters.definition_check import load_checked_definitions
from adapters.settings import get_settings
from process_definitions.diagram_bpmn import to_bpmn
from process_definitions.diagram_mermaid import to_mermaid
from process_definitions.discovery import definition_files
from process_definitions.graph import budget_per_sop_step, budget_to_ends
from process_definitions.loader import DefinitionErrors, LoadedDefinition, load_definition
from process_definitions.units import format_duration


class DiagramFormat(StrEnum):
    bpmn = "bpmn"
    mermaid = "mermaid"


def summary(loaded: LoadedDefinition) -> list[str]:
    definition = loaded.definition
    lines = [
        f"{loaded.source}: OK",
        f"  id {definition.id}, version {definition.version}, hash {loaded.content_hash}",
    ]
    for number, budget in budget_per_sop_step(definition).items():
        steps = [s.id for s in definition.steps if s.sop_step == number]
        lines.append(
            f"  SOP step {number}: {len(steps)} step(s), budget {format_duration(budget)}"
            f" ({', '.join(steps)})"
        )
    ends = budget_to_ends(definition)
    total = max(ends.values(), default=None)
    per_end = ", ".join(f"{end} {format_duration(b)}" for end, b in ends.items())
    lines.append(f"  total budget: {format_duration(total) if total else '-'} ({per_end})")
    return lines


def validate(
    paths: list[Path] | None = typer.Argument(
        None, help="Definition files (default: every <sop>/process.yaml of the definitions folder)."
    ),
) -> None:
    """Check definitions as serve, deploy and the runner do (actions registered, roster in use);
    print a summary per file, or every error as file:line:col with a hint."""
    settings = get_settings()
    files = paths or definition_files(settings.definitions_dir)
    failed = False
    for path in files or [settings.definitions_dir]:
        try:
            (loaded,) = load_checked_definitions(settings, [path] if files else [])
        except DefinitionErrors as errors:
            failed = True
            typer.echo(str(errors))
            continue
        typer.echo("\n".join(summary(loaded)))
    if not failed and len(files) > 1:
        try:
            load_checked_definitions(settings, files)  # across files: one id per SOP
        except DefinitionErrors as errors:
            failed = True
            typer.echo(str(errors))
    raise typer.Exit(1 if failed else 0)


def diagram(
    path: Path = typer.Argument(..., help="A process definition YAML file."),
    format: DiagramFormat = typer.Option(DiagramFormat.bpmn, "--format", "-f"),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write here, not stdout."),
) -> None:
    """Draw a definition as BPMN 2.0 XML (with layout) or a Mermaid flowchart."""
    try:
        loaded = load_definition(path)
    except DefinitionErrors as errors:
        for error in errors.errors:
            typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    render = to_bpmn if format is DiagramFormat.bpmn else to_mermaid
    text = render(loaded.definition)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)
