"""The one check every entry point runs before using definitions: `sopflow validate`, serve,
deploy and the runner refuse, with the same message, a definition that fails it.

Besides the loader's own checks it passes what only the running service knows: the service
actions registered (generic + each SOP folder's actions.py) and the roster in use.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from adapters.office import OfficeFileError, load_office, office_file
from adapters.roster import DEMO_ROSTER, RosterError, load_roster
from adapters.service_actions import ActionPluginError, action_registry
from adapters.settings import Settings
from process_definitions.discovery import DEFINITION_FILENAME, definition_files
from process_definitions.loader import (
    DefinitionError,
    DefinitionErrors,
    LoadedDefinition,
    RosterLanes,
    load_definition,
)


def roster_lanes(settings: Settings) -> RosterLanes:
    """Lanes with at least one operator in the roster in use."""
    path = settings.roster_file or DEMO_ROSTER
    try:
        roster = load_roster(settings.roster_file)
    except RosterError as error:
        raise DefinitionErrors([DefinitionError(str(path), 1, 1, None, str(error))]) from None
    return RosterLanes(str(path), frozenset(lane for lane in roster.root if roster.nips(lane)))


def load_checked_definitions(
    settings: Settings, paths: Sequence[Path] | None = None
) -> list[LoadedDefinition]:
    """Every definition of `settings.definitions_dir` (or `paths`), fully checked; raises
    DefinitionErrors (str() is every error, one per line) if any fails."""
    folder = settings.definitions_dir
    files = list(paths) if paths is not None else definition_files(folder)
    if not files:
        raise DefinitionErrors(
            [
                DefinitionError(
                    str(folder),
                    1,
                    1,
                    None,
                    f"no definition: expected <sop folder>/{DEFINITION_FILENAME} here",
                    "set SOPFLOW_DEFINITIONS_DIR to the folder holding one folder per SOP",
                )
            ]
        )
    try:
        actions = action_registry(folder).specs()
    except ActionPluginError as error:
        raise DefinitionErrors([DefinitionError(str(folder), 1, 1, None, str(error))]) from None
    roster = roster_lanes(settings)
    loaded: list[LoadedDefinition] = []
    errors: list[DefinitionError] = []
    try:
        load_office(settings)  # every message names the office's complaint channel
    except OfficeFileError as error:
        errors.append(DefinitionError(str(office_file(settings)), 1, 1, None, str(error)))
    for path in files:
        try:
            loaded.append(load_definition(path, actions=actions, roster=roster))
        except DefinitionErrors as failed:
            errors.extend(failed.errors)
    errors.extend(_duplicate_ids(loaded))
    if errors:
        raise DefinitionErrors(errors)
    return loaded


def _duplicate_ids(loaded: list[LoadedDefinition]) -> list[DefinitionError]:
    first: dict[str, str] = {}
    errors: list[DefinitionError] = []
    for item in loaded:
        definition_id = item.definition.id
        if definition_id in first:
            errors.append(
                DefinitionError(
                    item.source,
                    1,
                    1,
                    None,
                    f"definition id `{definition_id}` is also used by {first[definition_id]}",
                    "give every SOP its own `id`",
                )
            )
        first.setdefault(definition_id, item.source)
    return errors
