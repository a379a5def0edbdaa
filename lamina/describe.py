"""Human-readable descriptions of populations, projections and assemblies.

`render(template, engine, context)`: with ``template=None`` returns the context dict; else
fills a template — one of the built-in names below (always ``$name`` placeholders) or a
path to a text file — using `string.Template` (engine 'default') or Jinja2 (engine
'jinja2', for template files, if jinja2 is installed).
"""
from __future__ import annotations

import os
import string
from typing import Any

from lamina.errors import InvalidParameterValueError

TEMPLATES = {
    "population_default.txt": (
        "Population \"$label\"\n"
        "    Structure   : $structure\n"
        "    Local cells : $size_local\n"
        "    Cell type   : $celltype\n"
        "    ID range    : $first_id-$last_id\n"
        "    Parameters  : $parameters\n"
        "    Backend     : $backend\n"
        "    Integration : $integration\n"),
    "populationview_default.txt": (
        "PopulationView \"$label\"\n"
        "    parent : \"$parent\"\n"
        "    size   : $size\n"
        "    mask   : $mask\n"
        "    \n"),
    "projection_default.txt": (
        "Projection \"$label\" from \"$pre\" to \"$post\"\n"
        "    Connector      : $connector\n"
        "    Synapse type   : $synapse_type\n"
        "    Receptor type  : $receptor_type\n"
        "    Connections    : $size\n"
        "    Backend        : $backend\n"),
    "structure_default.txt": "Structure '$name' with the following parameters: $parameters",
    "assembly_default.txt": (
        "Assembly \"$label\" of $size cells\n"
        "    Populations : $populations\n"),
}


def render(template: str | None, engine: str, context: dict[str, Any]) -> Any:
    """Fill `template` with `context` (or return `context` when `template` is None)."""
    if template is None:
        return context
    if template in TEMPLATES:
        text = TEMPLATES[template]
    elif os.path.exists(template):
        with open(template) as fh:
            text = fh.read()
    else:
        raise InvalidParameterValueError(
            f"template={template!r}: not a built-in template ({', '.join(TEMPLATES)}) nor a file")
    if engine in ("default", "string") or template in TEMPLATES:
        return string.Template(text).safe_substitute({k: _fmt(v) for k, v in context.items()})
    if engine == "jinja2":
        try:
            import jinja2
        except ImportError as err:
            raise InvalidParameterValueError("engine='jinja2' needs jinja2: pip install jinja2") from err
        return jinja2.Template(text).render(**context)
    raise InvalidParameterValueError(f"engine={engine!r}: expected 'default' or 'jinja2'")


def _fmt(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v!r}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)
