"""Sphinx directives that list what lamina holds, read from the code at build time so the
pages cannot fall out of date.

``.. lamina-models::`` — one ``autoclass`` (with its equations) per standard cell type;
``.. lamina-compat-modules::`` — the table of ``pyNN`` modules `lamina.compat` provides.
"""
from __future__ import annotations

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective


class _Generated(SphinxDirective):
    def lines(self) -> list[str]:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        container = nodes.container()
        self.state.nested_parse(StringList(self.lines(), source="lamina_docs"),
                                self.content_offset, container)
        return container.children


class ModelsDirective(_Generated):
    """Every standard cell type, with its docstring."""

    def lines(self) -> list[str]:
        from lamina.models import CELL_TYPES
        out: list[str] = []
        for name in sorted(CELL_TYPES):
            cls = CELL_TYPES[name]
            out += [f".. autoclass:: {cls.__module__}.{cls.__name__}", "   :no-members:",
                    "   :no-index:", ""]
            out += _parameter_table(cls)
        return out


def _parameter_table(cls: type) -> list[str]:
    """A list-table of a model's parameters: name, default, unit, meaning."""
    params = getattr(cls, "parameters", ())
    if not params:
        return []
    out = ["   .. list-table::", "      :header-rows: 1", "      :widths: 20 15 10 55", "",
           "      * - parameter", "        - default", "        - unit", "        - meaning"]
    for p in params:
        default = "(per cell)" if isinstance(p.default, (list, tuple)) else repr(p.default)
        out += [f"      * - ``{p.name}``", f"        - ``{default}``",
                f"        - {p.unit or '—'}", f"        - {p.doc or ''}"]
    return out + [""]


class CompatModulesDirective(_Generated):
    """The ``pyNN.*`` modules and what they resolve to."""

    def lines(self) -> list[str]:
        from lamina import compat
        out = [".. list-table::", "   :header-rows: 1", "", "   * - PyNN module",
               "     - lamina module"]
        for name, target in sorted(compat.MODULES.items()):
            out += [f"   * - ``{name}``", f"     - ``{target}``"]
        for sim, backend in sorted(compat.SIMULATORS.items()):
            out += [f"   * - ``pyNN.{sim}``",
                    f"     - ``{compat.NAMESPACES.get(backend, backend)}`` (backend {backend!r})"]
        return out + [""]


def setup(app):  # noqa: D401 - Sphinx's hook
    app.add_directive("lamina-models", ModelsDirective)
    app.add_directive("lamina-compat-modules", CompatModulesDirective)
    return {"version": "1", "parallel_read_safe": True}
