"""The registry: which demos exist, in lecture order, and their metadata read without importing them.

A demo is a module ``aigc_resources/demos/<name>.py`` listed in :data:`DEMO_MODULES`. Its
metadata is the literal ``DEMO = Demo(...)`` at the top of the file; :func:`all_demos` reads
it with :mod:`ast`, so neither ``aigc-resources demo list`` nor the site build imports torch.
:func:`load_module` imports the module itself when a demo is run.
"""

from __future__ import annotations

import ast
import difflib
import functools
import importlib
from pathlib import Path
from types import ModuleType

from ..errors import UserError
from .spec import Artifact, Demo

#: Every demo module, in the order the site lists them (the order of the lecture series).
#: To add a demo, write ``aigc_resources/demos/<name>.py`` (see the package docstring) and
#: append its name here.
DEMO_MODULES: tuple[str, ...] = (
    "ngram",
    "lstm",
    "transformer_parts",
    "beam_search",
    "resume_seq2seq",
    "metrics",
    "gan_2d",
    "diffusion_2d",
    "vae_digits",
    "diffusion_digits",
    "gmm_em",
    "hmm",
    "bayes",
    "multitask",
    "reptile_sine",
)

DEMOS_DIR = Path(__file__).resolve().parent

#: Constructors allowed inside the literal ``DEMO = Demo(...)`` declaration.
_CONSTRUCTORS = {"Demo": Demo, "Artifact": Artifact}


class UnknownDemo(UserError):
    """No demo has that name (exit code 3)."""


class DemoDeclarationError(Exception):
    """A demo module's ``DEMO = Demo(...)`` is missing or not literal: a bug in the module."""


def source_path(name: str) -> Path:
    """The demo module's source file (the site includes it on the demo's page)."""
    return DEMOS_DIR / f"{name}.py"


def _literal(node: ast.expr, where: str) -> object:
    """Evaluate a literal expression, also allowing calls to :class:`Demo` and :class:`Artifact`."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CONSTRUCTORS:
        args = [_literal(arg, where) for arg in node.args]
        kwargs = {kw.arg: _literal(kw.value, where) for kw in node.keywords if kw.arg is not None}
        return _CONSTRUCTORS[node.func.id](*args, **kwargs)
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(_literal(element, where) for element in node.elts)
    try:
        return ast.literal_eval(node)
    except ValueError as exc:
        raise DemoDeclarationError(
            f"{where}:{node.lineno}: DEMO = Demo(...) may only hold literals and Artifact(...)") from exc


def read_declaration(path: Path, module: str) -> Demo:
    """Read the module-level ``DEMO = Demo(...)`` of one demo file without importing it."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for statement in tree.body:
        if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name) and statement.targets[0].id == "DEMO"):
            demo = _literal(statement.value, str(path))
            if not isinstance(demo, Demo):
                raise DemoDeclarationError(f"{path}: DEMO must be a Demo(...) call")
            if demo.name != path.stem:
                raise DemoDeclarationError(f"{path}: DEMO.name {demo.name!r} must equal the file stem")
            return Demo(**{**demo.__dict__, "module": module})
    raise DemoDeclarationError(f"{path}: no module-level DEMO = Demo(...)")


@functools.cache
def all_demos() -> tuple[Demo, ...]:
    """Metadata of every registered demo, in :data:`DEMO_MODULES` order."""
    return tuple(read_declaration(source_path(name), f"{__package__}.{name}") for name in DEMO_MODULES)


def get_demo(name: str) -> Demo:
    """The demo called ``name``; :class:`UnknownDemo` (with a suggestion) when there is none."""
    for demo in all_demos():
        if demo.name == name:
            return demo
    close = difflib.get_close_matches(name.lower().replace("-", "_"), DEMO_MODULES, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise UnknownDemo(f"no demo named {name!r}{hint}; `aigc-resources demo list` shows them all")


def demos_for_topic(topic: str) -> tuple[Demo, ...]:
    """The demos that teach a taxonomy topic (concept pages link these)."""
    return tuple(demo for demo in all_demos() if topic in demo.topics)


def load_module(name: str) -> ModuleType:
    """Import a demo's module (this imports torch and the other demo dependencies)."""
    return importlib.import_module(get_demo(name).module)
