"""Imports go one way (STYLE 4.1):
escalation -> moderation -> {community, kb} -> {notifications, search} -> accounts -> core.

notifications is shared infrastructure that every feature may use to tell people things.
search sits above accounts: its pages and API need the signed-in user, token users and the
staff guard (accounts never imports search)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "forum_kb"
LAYERS = {
    "importer": 6,  # writes into community, kb and accounts; nothing imports it
    "backup": 6,  # reads every model through db.metadata; nothing imports it
    "insights": 6,  # the staff dashboard reads every feature; nothing imports it
    "escalation": 5,
    "moderation": 4,
    "community": 3,
    "kb": 3,
    "notifications": 2,
    "search": 2,
    "accounts": 1,
}
CORE = {
    "extensions",
    "db",
    "errors",
    "markup",
    "config",
    "security",
    "mail",
    "api",
    "forms",
    "text",
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        module = node.module if isinstance(node, ast.ImportFrom) else None
        if module == "forum_kb":
            # "from forum_kb import ordering" imports forum_kb.ordering, not the factory.
            found.update(f"forum_kb.{alias.name}" for alias in node.names)  # type: ignore[attr-defined]
        elif module and module.startswith("forum_kb"):
            found.add(module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("forum_kb"))
    return found


def _layer_of(module: str) -> tuple[str, int] | None:
    parts = module.split(".")
    if len(parts) < 2:
        return ("forum_kb", 99)  # the app factory: only wsgi and tests import it
    top = parts[1]
    if top in LAYERS:
        return top, LAYERS[top]
    if top in CORE:
        return top, 0
    return None


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_imports_follow_the_layers(path):
    own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    if own in {"__init__", "demo"}:
        return  # the composition root and the demo loader may use every feature
    own_layer = LAYERS.get(own, 0)
    for module in _imports(path):
        target = _layer_of(module)
        if target is None or target[0] == own:
            continue
        name, layer = target
        assert layer < own_layer or (layer == 0 and own_layer == 0 and name != "forum_kb"), (
            f"{path.relative_to(PACKAGE)} imports {module}"
        )


def test_only_search_index_imports_whoosh():
    for path in PACKAGE.rglob("*.py"):
        if path.relative_to(PACKAGE).as_posix() == "search/index.py":
            continue
        assert "whoosh" not in {m.split(".")[0] for m in _raw_imports(path)}, path


def test_only_markup_imports_bleach_and_markdown():
    for path in PACKAGE.rglob("*.py"):
        if path.name == "markup.py":
            continue
        assert not {"bleach", "markdown"} & {m.split(".")[0] for m in _raw_imports(path)}, path


def _raw_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found
