"""SONATA circuit and simulation configuration files (JSON): manifest substitution and
path resolution.

``$NAME`` and ``${NAME}`` in string values are replaced by the manifest's entries (which may
refer to each other); ``${configdir}`` is the directory of the config file. Relative paths
that remain are taken relative to the config file's directory (the SONATA rule).
"""
from __future__ import annotations

import json
import os
import re
from typing import Any

from lamina.errors import FileFormatError

_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
#: keys whose string values are file or directory names
PATH_KEYS = {"nodes_file", "node_types_file", "edges_file", "edge_types_file", "input_file",
             "output_dir", "log_file", "node_sets_file", "network", "morphologies_dir",
             "synaptic_models_dir", "point_neuron_models_dir", "mechanisms_dir",
             "biophysical_neuron_models_dir", "templates_dir", "templates"}


def load_config(path: str) -> dict[str, Any]:
    """Read a SONATA config file, substitute the manifest and resolve paths."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileFormatError(f"{path}: no such SONATA config file")
    with open(path) as fh:
        try:
            config = json.load(fh)
        except json.JSONDecodeError as err:
            raise FileFormatError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(config, dict):
        raise FileFormatError(f"{path}: expected a JSON object at the top level")
    config_dir = os.path.dirname(os.path.abspath(path))
    manifest = {"configdir": config_dir}
    raw = config.get("manifest", {})
    if not isinstance(raw, dict):
        raise FileFormatError(f"{path}: 'manifest' must be an object of \"$NAME\": \"value\"")
    for key, value in raw.items():
        manifest[key.lstrip("$").strip("{}")] = str(value)
    for _ in range(len(manifest)):          # entries may refer to each other
        manifest = {k: _substitute(v, manifest, path) for k, v in manifest.items()}
    out = _walk(config, manifest, config_dir, path, None)
    out["_config_file"] = os.path.abspath(path)
    out["_config_dir"] = config_dir
    return out


def _substitute(text: str, manifest: dict[str, str], path: str) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in manifest:
            raise FileFormatError(f"{path}: ${name} is used but not defined in 'manifest'")
        return manifest[name]
    return _VARIABLE.sub(replace, text)


def _walk(obj: Any, manifest: dict[str, str], config_dir: str, path: str, key: str | None) -> Any:
    if isinstance(obj, dict):
        return {k: (v if k == "manifest" else _walk(v, manifest, config_dir, path, k))
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [_walk(v, manifest, config_dir, path, key) for v in obj]
    if isinstance(obj, str):
        value = _substitute(obj, manifest, path) if "$" in obj else obj
        if key in PATH_KEYS and not os.path.isabs(value):
            value = os.path.normpath(os.path.join(config_dir, value))
        return value
    return obj


def section(config: dict[str, Any], name: str, kind: type, default: Any = None) -> Any:
    """``config[name]`` checked to be of `kind` (or `default` when absent)."""
    if name not in config:
        if default is None:
            raise FileFormatError(f"{config['_config_file']}: section {name!r} is missing")
        return default
    value = config[name]
    if not isinstance(value, kind):
        names: dict[type, str] = {dict: "object", list: "array"}
        expected = names.get(kind, kind.__name__)
        raise FileFormatError(f"{config['_config_file']}: {name!r} must be a JSON {expected}")
    return value
