"""``GET /api/v1/insights``: staff-only, the dashboard's figures and tables as JSON, and clear
errors for bad dates (never a 500)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forum_kb.insights import queries
from forum_kb.insights.queries import MAX_DAYS, clamp_period
from tests.factories import PASSWORD
from tests.insights.site import GAP, USERNAMES, Site, build_site

URL = "/api/v1/insights"


@pytest.fixture
def site(app: Flask) -> Site:
    with app.app_context():
        return build_site()


def token_headers(client: FlaskClient, role: str) -> dict[str, str]:
    if role == "anonymous":
        return {}
    response = client.post(
        "/api/v1/tokens", json={"username": USERNAMES[role], "password": PASSWORD}
    )
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.fixture
def staff(client: FlaskClient, site: Site) -> dict[str, str]:
    return token_headers(client, "staff")


def get(client: FlaskClient, headers: dict[str, str], **args: str) -> Any:
    return client.get(URL, headers=headers, query_string=args)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    error: dict[str, Any] = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return error


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("member", 403), ("moderator", 403), ("staff", 200), ("admin", 200)],
)
def test_insights_api_is_for_staff_and_admins(
    client: FlaskClient, site: Site, role: str, status: int
) -> None:
    response = get(client, token_headers(client, role))
    assert response.status_code == status
    if status == 401:
        assert_error(response, 401, "unauthorized")
    elif status == 403:
        assert_error(response, 403, "forbidden")


def test_session_cookie_is_not_enough(client: FlaskClient, site: Site) -> None:
    client.post("/login", data={"login": "sam", "password": PASSWORD})
    assert_error(client.get(URL), 401, "unauthorized")


def test_insights_api_shape(app: Flask, client: FlaskClient, staff: dict[str, str]) -> None:
    response = get(client, staff)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert set(body) == {"from", "to", "days", "figures", "tables"}
    with app.app_context():
        period = clamp_period(None, None)
        report = queries.dashboard(period)
    assert (body["from"], body["to"], body["days"]) == (
        period.first.isoformat(), period.last.isoformat(), 30,
    )  # fmt: skip
    assert set(body["figures"]) == set(report.figures)
    for name, figure in body["figures"].items():
        assert set(figure) == {"label", "value", "unit", "definition"}
        assert figure["label"] and figure["definition"]
        assert figure["value"] == report.figures[name].value
    assert set(body["tables"]) == set(queries.table_names()) - {"figures"}
    for name, table in body["tables"].items():
        assert set(table) == {"title", "definition", "columns", "rows"}
        assert table["columns"] == list(report.tables[name].columns)
        assert all(set(row) == set(table["columns"]) for row in table["rows"])
    assert len(body["tables"]["daily"]["rows"]) == 30
    assert body["figures"]["questions"]["value"] == 3
    gaps = body["tables"]["zero_result_searches"]["rows"]
    assert {k: gaps[0][k] for k in ("query", "searches")} == {"query": GAP, "searches": 2}
    assert body["figures"]["escalated_share"] == {
        "label": "Escalated",
        "value": round(1 / 3, 4),
        "unit": "%",
        "definition": report.figures["escalated_share"].definition,
    }


def test_insights_api_uses_the_range_asked_for(client: FlaskClient, staff: dict[str, str]) -> None:
    body = get(client, staff, **{"from": "2025-03-03", "to": "2025-03-09"}).get_json()
    assert (body["from"], body["to"], body["days"]) == ("2025-03-03", "2025-03-09", 7)
    assert [row["day"] for row in body["tables"]["daily"]["rows"]][::6] == [
        "2025-03-03", "2025-03-09",
    ]  # fmt: skip
    assert body["figures"]["questions"]["value"] == 0


def test_insights_api_caps_long_ranges(client: FlaskClient, staff: dict[str, str]) -> None:
    body = get(client, staff, **{"from": "2000-01-01", "to": "2024-12-31"}).get_json()
    assert body["to"] == "2024-12-31" and body["days"] == MAX_DAYS
    assert len(body["tables"]["daily"]["rows"]) == MAX_DAYS


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2025-02-30"}, "to"),
        ({"from": "2025-03-09", "to": "2025-03-01"}, "to"),
        ({"from": "1900-01-01"}, "from"),
        ({"to": "9999-12-31"}, "to"),
        ({"from": "0001-01-01", "to": "0001-01-01"}, "from"),
    ],
)
def test_insights_api_refuses_bad_dates(
    client: FlaskClient, staff: dict[str, str], args: dict[str, str], field: str
) -> None:
    error = assert_error(get(client, staff, **args), 422, "validation_failed")
    assert list(error["fields"]) == [field] or field in error["fields"]
    assert all(messages for messages in error["fields"].values())


def test_insights_api_checks_the_role_before_the_dates(client: FlaskClient, site: Site) -> None:
    member = token_headers(client, "member")
    assert_error(get(client, member, **{"from": "junk"}), 403, "forbidden")
    assert_error(get(client, {}, **{"from": "junk"}), 401, "unauthorized")
