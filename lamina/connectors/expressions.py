"""A small, safe evaluator for arithmetic expressions such as ``"exp(-d/100)"``.

The expression is parsed with :mod:`ast` and every node is checked against a whitelist
(numbers, the declared variables, a few numpy functions and constants, arithmetic,
comparison and boolean operators). It is then evaluated by walking the tree with
numpy; Python's ``eval`` is never used.
"""
from __future__ import annotations

import ast
import logging
import operator
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from lamina.errors import InvalidParameterValueError, valid_names_hint

logger = logging.getLogger(__name__)

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "exp": np.exp, "sqrt": np.sqrt, "log": np.log, "log10": np.log10, "sin": np.sin,
    "cos": np.cos, "tan": np.tan, "arctan": np.arctan, "abs": np.abs, "minimum": np.minimum,
    "maximum": np.maximum, "where": np.where, "floor": np.floor, "ceil": np.ceil,
    "clip": np.clip, "tanh": np.tanh,
}
CONSTANTS: dict[str, float] = {"pi": float(np.pi), "e": float(np.e)}

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow, ast.Mod: operator.mod,
    ast.FloorDiv: operator.floordiv, ast.BitAnd: np.logical_and, ast.BitOr: np.logical_or,
}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: np.logical_not,
          ast.Invert: np.logical_not}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
            ast.GtE: operator.ge, ast.Eq: operator.eq, ast.NotEq: operator.ne}
_BOOL: dict[type, Callable[..., Any]] = {ast.And: np.logical_and, ast.Or: np.logical_or}


class SafeExpression:
    """A whitelisted arithmetic expression of named array variables.

    Parameters
    ----------
    expression : str — e.g. ``"0.5*(d<10)"`` or ``"exp(-d/100)"``
    variables : iterable of str — names the expression may use (e.g. ``("d",)``)
    argument : str — the user-facing argument name, for error messages

    Raises
    ------
    InvalidParameterValueError — syntax error, unknown name or disallowed construct
    """

    def __init__(self, expression: str, variables: Iterable[str] = ("d",),
                 argument: str = "expression") -> None:
        if not isinstance(expression, str):
            raise InvalidParameterValueError(
                f"{argument}={expression!r} is invalid; expected a string expression")
        self.expression = expression
        self.variables = tuple(variables)
        self.argument = argument
        try:
            tree = ast.parse(expression.strip(), mode="eval")
        except SyntaxError as exc:
            raise InvalidParameterValueError(
                f"{argument}={expression!r} is not a valid expression: {exc.msg}") from None
        self._tree = tree.body
        self._check(self._tree)

    def _bad(self, what: str) -> InvalidParameterValueError:
        return InvalidParameterValueError(f"{self.argument}={self.expression!r}: {what}")

    def _check(self, node: ast.AST) -> None:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise self._bad(f"constant {node.value!r} is not allowed; only numbers")
        elif isinstance(node, ast.Name):
            if node.id not in self.variables and node.id not in CONSTANTS:
                valid = list(self.variables) + list(CONSTANTS)
                raise self._bad(
                    f"unknown name {node.id!r}; allowed names are {', '.join(valid)} and the "
                    f"functions {', '.join(sorted(FUNCTIONS))}."
                    + valid_names_hint(node.id, valid + list(FUNCTIONS)))
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                name = getattr(node.func, "id", ast.dump(node.func))
                raise self._bad(
                    f"unknown function {name!r}; allowed functions are "
                    f"{', '.join(sorted(FUNCTIONS))}." + valid_names_hint(str(name), FUNCTIONS))
            if node.keywords:
                raise self._bad("keyword arguments are not allowed in function calls")
            for arg in node.args:
                self._check(arg)
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            self._check(node.left)
            self._check(node.right)
        elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            self._check(node.operand)
        elif isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
            self._check(node.left)
            for comp in node.comparators:
                self._check(comp)
        elif isinstance(node, ast.BoolOp) and type(node.op) in _BOOL:
            for value in node.values:
                self._check(value)
        else:
            raise self._bad(f"construct {type(node).__name__} is not allowed; use numbers, "
                            f"names, + - * / ** %, comparisons, & | and the allowed functions")

    def _eval(self, node: ast.AST, env: dict[str, Any]) -> Any:
        if isinstance(node, ast.Constant):
            # numpy floats: overflow gives inf, never hangs (`_check` allowed numbers only)
            return np.float64(node.value)  # type: ignore[arg-type]
        if isinstance(node, ast.Name):
            return env[node.id] if node.id in env else CONSTANTS[node.id]
        if isinstance(node, ast.Call):
            func = FUNCTIONS[node.func.id]  # type: ignore[attr-defined]
            return func(*(self._eval(a, env) for a in node.args))
        if isinstance(node, ast.BinOp):
            return _BINARY[type(node.op)](self._eval(node.left, env), self._eval(node.right, env))
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)](self._eval(node.operand, env))
        if isinstance(node, ast.Compare):
            left = self._eval(node.left, env)
            result: Any = True
            for op, comp in zip(node.ops, node.comparators):
                right = self._eval(comp, env)
                result = np.logical_and(result, _COMPARE[type(op)](left, right))
                left = right
            return result
        if isinstance(node, ast.BoolOp):
            values = [self._eval(v, env) for v in node.values]
            result = values[0]
            for value in values[1:]:
                result = _BOOL[type(node.op)](result, value)
            return result
        raise self._bad(f"cannot evaluate {type(node).__name__}")  # pragma: no cover

    def __call__(self, **values: Any) -> np.ndarray:
        """Evaluate with the given variable values; returns a float array."""
        missing = [v for v in self.variables if v not in values]
        if missing:
            raise InvalidParameterValueError(
                f"{self.argument}={self.expression!r}: no value for {', '.join(missing)}")
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            result = self._eval(self._tree, values)
        return np.asarray(result, dtype=float)

    def __repr__(self) -> str:
        return repr(self.expression)
