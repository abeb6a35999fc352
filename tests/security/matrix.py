"""Runs one row of the authorization table (``routes.py``) against the security world."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from forum_kb.errors import _HTTP_CODES
from tests.security.routes import API_DATA, PAGE_DATA, url_values
from tests.security.world import ROLES, SECRETS, World, diff, snapshot

#: Columns a request may change without changing state (a token's "last used").
SNAPSHOT_IGNORE = {"api_tokens": {"last_used_at"}}
Sender = Callable[[str, str, str, Any], TestResponse]


def rules_by_key(app: Flask) -> dict[str, Rule]:
    """Every rule of the URL map as ``"METHOD endpoint"``."""
    keys: dict[str, Rule] = {}
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            keys[f"{method} {rule.endpoint}"] = rule
    return keys


def build_url(app: Flask, world: World, rule: Rule, variant: str) -> str:
    name, _, query = variant.partition("?")
    values = url_values(world, rule.endpoint, set(rule.arguments), name)
    with app.test_request_context():
        path = rule.build(values, append_unknown=False)
    assert path is not None
    url = path[1]
    return url + ("?" + query.format(**world.values()) if query else "")


def fill(template: Any, world: World) -> Any:
    """Form or JSON data with ``{name}`` placeholders taken from the world."""
    values = world.values()
    if isinstance(template, dict):
        return {key: fill(value, world) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, world) for value in template]
    if isinstance(template, str):
        whole = re.fullmatch(r"\{(\w+)\}", template)
        return values[whole.group(1)] if whole else template.format(**values)
    return template


def leaks(role: str, response: TestResponse) -> list[str]:
    """The world's secrets (``world.SECRETS``) in a response the role should not see them in."""
    rank = ROLES.index(role)
    body = response.get_data(as_text=True).lower()
    return [
        secret
        for secret, weakest in SECRETS.items()
        if rank < ROLES.index(weakest) and secret in body
    ]


def is_missing(variant: str) -> bool:
    return variant.split("?", 1)[0] == "missing"


def outcome(response: TestResponse) -> str:
    """The table's name for a response: its status, or ``L`` for a redirect to sign in."""
    if response.status_code == 302 and (response.location or "").startswith("/login"):
        return "L"
    return str(response.status_code)


_VOLATILE = [
    (re.compile(r'value="[\w.-]{40,}"'), 'value="<token>"'),  # CSRF tokens
    (re.compile(r'\?next=[^"]*"'), '?next=<url>"'),
]


def fingerprint(response: TestResponse, url: str) -> str:
    """What a visitor can tell a response by: its status and body, minus what differs on
    every request anyway (the URL itself in "sign in" links, CSRF tokens)."""
    body = response.get_data(as_text=True).replace(url, "<url>")
    for pattern, replacement in _VOLATILE:
        body = pattern.sub(replacement, body)
    return f"{response.status_code} {body}"


def api_error_problem(response: TestResponse) -> str | None:
    """The uniform error body of API.md, with the code of its status."""
    data = response.get_json(silent=True)
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return f"error body is not {{'error': {{code, message}}}}: {data!r}"
    if error.get("code") != _HTTP_CODES.get(response.status_code):
        return f"error code {error.get('code')!r} for status {response.status_code}"
    if response.status_code == 401 and "Bearer" not in response.headers.get("WWW-Authenticate", ""):
        return "401 without a WWW-Authenticate: Bearer header"
    return None


@dataclass
class RowCheck:
    """Checks every cell of one table row and collects the problems."""

    app: Flask
    world: World
    key: str
    rule: Rule
    send: Sender
    is_api: bool
    problems: list[str] = field(default_factory=list)

    @property
    def method(self) -> str:
        return self.key.split(" ", 1)[0]

    def data(self) -> Any:
        tables: dict[str, Any] = API_DATA if self.is_api else PAGE_DATA
        return fill(tables.get(self.rule.endpoint, {}), self.world)

    def run(self, row: dict[str, str]) -> list[str]:
        references: dict[str, str] = {}  # the missing object's answer, per role
        state = self._snapshot()
        # The missing object first: the invisible ones are compared with its answers.
        for variant, cells in sorted(row.items(), key=lambda item: not is_missing(item[0])):
            url = build_url(self.app, self.world, self.rule, variant)
            for role, cell in zip(ROLES, cells.split(), strict=True):
                if cell == "-":
                    continue
                response = self.send(role, self.method, url, self.data())
                if is_missing(variant):
                    references[role] = fingerprint(response, url)
                state = self._check_cell(variant, role, cell, response, url, references, state)
                response.close()  # static files are streamed from an open file
        return self.problems

    def _snapshot(self) -> dict[str, Any] | None:
        if self.method == "GET":
            return None  # reads are checked by test_safe_methods
        with self.app.app_context():
            return snapshot(SNAPSHOT_IGNORE)

    def _check_cell(
        self,
        variant: str,
        role: str,
        cell: str,
        response: TestResponse,
        url: str,
        references: dict[str, str],
        before: dict[str, Any] | None,
    ) -> dict[str, Any] | None:
        where = f"{self.key} [{variant or 'default'}] as {role}: {url}"
        got = outcome(response)
        if cell == "N":
            reference = references.get(role)
            if reference is None:
                self.problems.append(f"{where}: 'N' needs a 'missing' variant in the row")
            elif fingerprint(response, url) != reference or response.status_code < 400:
                difference = first_difference(fingerprint(response, url), reference)
                self.problems.append(
                    f"{where}: answered {got}, not exactly like a missing object "
                    f"({reference.split(' ', 1)[0]}): {difference}"
                )
        elif got != cell:
            self.problems.append(f"{where}: expected {cell}, got {got}")
        leaked = leaks(role, response)
        if leaked:
            self.problems.append(f"{where}: shows {', '.join(leaked)}")
        if self.is_api and response.status_code >= 400:
            problem = api_error_problem(response)
            if problem:
                self.problems.append(f"{where}: {problem}")
        if before is None:
            return None
        after = self._snapshot()
        assert after is not None
        changed = diff(before, after)
        if changed:
            self.problems.append(f"{where}: a refused request changed {', '.join(changed)}")
        return after


def first_difference(got: str, reference: str) -> str:
    """The first line that differs between two fingerprints, for failure messages."""
    for mine, theirs in zip(got.splitlines(), reference.splitlines(), strict=False):
        if mine != theirs:
            return f"{mine.strip()[:120]!r} instead of {theirs.strip()[:120]!r}"
    return "(the bodies differ in length)"
