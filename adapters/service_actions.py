"""The registry of service actions in use: generic ones plus each SOP folder's `actions.py`.

A SOP folder is a plugin: its `actions.py` defines `register(registry)`. Folders inside this
repository's `process_definitions/` import under their package name; a definitions folder
elsewhere imports each SOP folder as a package of its own (`_sopflow_sop_<folder>_<hash>`).
"""

from __future__ import annotations

import hashlib
import importlib
import sys
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import process_definitions
from adapters.sdp import search_action
from process_definitions.actions import ActionRegistry
from process_definitions.discovery import definition_files

PLUGIN_MODULE = "actions"
_PACKAGE_DIR = Path(process_definitions.__file__).resolve().parent


class ActionPluginError(ValueError):
    """A SOP folder's actions.py cannot be imported or has no `register(registry)`."""


def build_registry(definitions_dir: Path) -> ActionRegistry:
    registry = ActionRegistry()
    search_action.register(registry)
    for definition in definition_files(definitions_dir):
        folder = definition.parent
        if (folder / f"{PLUGIN_MODULE}.py").is_file():
            module = _import_plugin(folder)
            register = getattr(module, "register", None)
            if not callable(register):
                raise ActionPluginError(f"{folder / 'actions.py'}: no `register(registry)`")
            register(registry)
    return registry


@lru_cache(maxsize=8)
def action_registry(definitions_dir: Path) -> ActionRegistry:
    """The registry for a definitions folder, built once per process."""
    return build_registry(definitions_dir.resolve())


def _import_plugin(folder: Path) -> ModuleType:
    folder = folder.resolve()
    if folder.parent == _PACKAGE_DIR:
        package = f"process_definitions.{folder.name}"
    else:
        digest = hashlib.sha256(str(folder).encode()).hexdigest()[:12]
        package = f"_sopflow_sop_{folder.name}_{digest}"
        if package not in sys.modules:
            module = ModuleType(package)
            module.__path__ = [str(folder)]
            sys.modules[package] = module
    try:
        return importlib.import_module(f"{package}.{PLUGIN_MODULE}")
    except Exception as error:  # a plugin's own import error: say which file
        raise ActionPluginError(
            f"{folder / 'actions.py'}: cannot import ({type(error).__name__}: {error})"
        ) from error
