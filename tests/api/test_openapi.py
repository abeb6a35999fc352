"""The OpenAPI document: served as built, cached, well-formed, and describing exactly the
/api/v1 routes of the app (so the two cannot drift apart)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from forum_kb.api import API_PREFIX
from forum_kb.openapi import build_spec
from forum_kb.openapi.paths import PATH_GROUPS

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
# Flask's "<int:thread_id>" and "<key>" are OpenAPI's "{thread_id}" and "{key}".
_FLASK_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _routes(app: Flask) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        path = _FLASK_PARAMETER.sub(r"{\1}", rule.rule.removeprefix(API_PREFIX))
        found |= {(method.lower(), path) for method in rule.methods or ()}
    return {(method, path) for method, path in found if method in HTTP_METHODS}


def _documented(spec: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, operations in spec["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    }


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_api_route_is_documented(app: Flask) -> None:
    missing = _routes(app) - _documented(build_spec())
    assert not missing, f"add these to forum_kb/openapi/paths.py: {sorted(missing)}"


def test_every_documented_operation_is_a_route(app: Flask) -> None:
    extra = _documented(build_spec()) - _routes(app)
    assert not extra, f"documented but not routed: {sorted(extra)}"


def test_path_parameters_are_declared_as_in_the_path() -> None:
    for method, path, operation in _operations(build_spec()):
        in_path = set(re.findall(r"{([^}]+)}", path))
        declared = {p["name"] for p in operation.get("parameters", ()) if p["in"] == "path"}
        assert declared == in_path, f"{method.upper()} {path}"


def test_operations_have_unique_ids_security_and_a_success_response() -> None:
    spec = build_spec()
    ids = [operation["operationId"] for _, _, operation in _operations(spec)]
    assert len(ids) == len(set(ids))
    for method, path, operation in _operations(spec):
        assert "security" in operation, f"{method.upper()} {path}"
        assert any(code.startswith("2") for code in operation["responses"]), path
        assert "500" not in operation["responses"], "a 500 is a bug, never part of the contract"


def test_every_reference_resolves() -> None:
    spec = build_spec()
    for ref in set(_refs(spec)):
        node: Any = spec
        for part in ref.removeprefix("#/").split("/"):
            assert part in node, ref
            node = node[part]


def test_lists_are_paginated_as_api_md_says() -> None:
    spec = build_spec()
    page_parameters = {"page", "per_page"}
    for method, path, operation in _operations(spec):
        schema = operation["responses"].get("200", {}).get("content", {})
        body = schema.get("application/json", {}).get("schema", {})
        if set(body.get("required", ())) >= {"items", "page", "per_page", "total"}:
            names = {p["name"] for p in operation.get("parameters", ())}
            assert page_parameters <= names, f"{method.upper()} {path}"
            per_page = next(p for p in operation["parameters"] if p["name"] == "per_page")
            assert per_page["schema"]["maximum"] == 100


def test_path_groups_do_not_describe_an_operation_twice() -> None:
    seen: set[tuple[str, str]] = set()
    for group in PATH_GROUPS:
        for path, operations in group().items():
            for method in operations:
                assert (method, path) not in seen, f"{method.upper()} {path}"
                seen.add((method, path))


def test_the_document_is_served_as_built_and_public(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == build_spec()
    assert response.get_json()["openapi"].startswith("3.1")


def test_the_document_is_cacheable_and_revalidates_with_its_etag(client: FlaskClient) -> None:
    first = client.get("/api/v1/openapi.json")
    assert first.cache_control.public
    assert first.cache_control.max_age == 3600
    etag = first.headers["ETag"]
    again = client.get("/api/v1/openapi.json", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_build_spec_returns_a_copy_callers_may_change() -> None:
    spec = build_spec()
    spec["paths"].clear()
    assert build_spec()["paths"]
