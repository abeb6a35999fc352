"""An authorization matrix over every route of the URL map: each role, with owned, not owned,
invisible and missing objects. The expectations live in ``routes.py``; a rule missing there
fails ``test_every_route_is_classified``, so no new route slips through unreviewed."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.security.matrix import RowCheck, rules_by_key
from tests.security.routes import API, PAGES
from tests.security.world import ROLES, World, sign_in

Worlds = tuple[Flask, World]


@pytest.fixture(scope="module")
def clients(world_app: Worlds) -> dict[str, FlaskClient]:
    app, _ = world_app
    return {role: sign_in(app, role) for role in ROLES}


def test_every_route_is_classified(world_app: Worlds) -> None:
    app, _ = world_app
    keys = rules_by_key(app)
    unclassified = sorted(set(keys) - set(PAGES) - set(API))
    stale = sorted((set(PAGES) | set(API)) - set(keys))
    assert unclassified == [], "add these routes to tests/security/routes.py"
    assert stale == [], "these routes no longer exist"
    api_keys = {key for key, rule in keys.items() if rule.rule.startswith("/api/")}
    assert api_keys == set(API), "API rules belong in API, page rules in PAGES"


def test_every_row_has_a_cell_per_role() -> None:
    for table in (PAGES, API):
        for key, row in table.items():
            for variant, cells in row.items():
                assert len(cells.split()) == len(ROLES), (key, variant)
                assert set(cells.split()) <= {"-", "N", "L"} | {str(n) for n in range(200, 600)}


@pytest.mark.parametrize("key", sorted(PAGES))
def test_page_route_answers_each_role_as_classified(
    world_app: Worlds, clients: dict[str, FlaskClient], key: str
) -> None:
    app, world = world_app

    def send(role: str, method: str, url: str, data: Any) -> TestResponse:
        client = clients[role]
        with client.session_transaction() as session:
            session.pop("_flashes", None)  # a message left by an earlier request
        if method == "GET":
            return client.get(url)
        return client.open(url, method=method, data=data)

    check = RowCheck(app, world, key, rules_by_key(app)[key], send, is_api=False)
    assert check.run(PAGES[key]) == []
