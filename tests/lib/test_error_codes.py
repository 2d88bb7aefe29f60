"""Every error code the code base raises has the ``<app>.<reason>`` shape,
where ``<app>`` is the label of an app (``api`` for the API layer's own
errors: bad JSON, no such route). An app may raise a lower app's code for
that app's object (``org.centre_not_found`` from a queue endpoint)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.apps import apps

import yichuang
from yichuang.lib import errors

SRC = Path(yichuang.__file__).parent
SHAPE = re.compile(r"^[a-z]+\.[a-z0-9_]+$")
RAISERS = {
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.DomainError)
} | {"error_response"}


def _codes():
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in RAISERS and isinstance(first, ast.Constant | ast.JoinedStr):
                text = (
                    first.value
                    if isinstance(first, ast.Constant)
                    else "".join(
                        v.value if isinstance(v, ast.Constant) else "x" for v in first.values
                    )
                )
                yield path.relative_to(SRC), node.lineno, text


def test_every_error_code_names_its_app():
    labels = {config.label for config in apps.get_app_configs()} | {"api"}
    found = list(_codes())
    assert len(found) > 150  # the scan sees the code base's errors
    bad = [
        f"{path}:{line} {code}"
        for path, line, code in found
        if not SHAPE.match(code) or code.split(".")[0] not in labels
    ]
    assert bad == []
