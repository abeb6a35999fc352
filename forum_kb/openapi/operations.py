"""Builders for operations, parameters and responses of the /api/v1 description.

``operation`` adds the error responses every endpoint of a kind can give, so each path
group lists only what is particular to it:

- 400 always: a NUL character anywhere, a body that is not a JSON object, a bad query value;
- 401 when the endpoint reads the bearer token (a malformed, expired or revoked one is refused);
- 403 when it needs a role above member;
- 404 when the path names an object;
- 422 when it reads a JSON body.
"""

from __future__ import annotations

from typing import Any, Literal

from forum_kb.openapi.schemas import MAX_ID, MAX_PER_PAGE, Schema, integer, page_of, ref, string

Auth = Literal["none", "optional", "required"]
Operation = dict[str, Any]
Paths = dict[str, dict[str, Operation]]

ERROR_DESCRIPTIONS = {
    "400": "Malformed request: a NUL character, a body that is not a JSON object, or a bad"
    " query-string value.",
    "401": "No bearer token, or a malformed, expired or revoked one.",
    "403": "The token's user may not do this.",
    "404": "No such object, or not visible to the caller.",
    "409": "Conflicts with the object's current state.",
    "422": "Invalid values; ``error.fields`` names them.",
    "429": "Too many requests; see the Retry-After header.",
}
ERROR_NAMES = {
    "400": "BadRequest",
    "401": "Unauthorized",
    "403": "Forbidden",
    "404": "NotFound",
    "409": "Conflict",
    "422": "ValidationFailed",
    "429": "TooManyRequests",
}
BEARER = "bearerAuth"


def error_responses() -> dict[str, Any]:
    """``components/responses``: one per error status, all with the Error body."""
    return {
        ERROR_NAMES[status]: {
            "description": description,
            "content": {"application/json": {"schema": ref("Error")}},
        }
        for status, description in ERROR_DESCRIPTIONS.items()
    }


def json_response(schema: Schema, description: str = "OK", **headers: str) -> dict[str, Any]:
    """A JSON response; ``headers`` maps header names to their descriptions."""
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    if headers:
        response["headers"] = {
            name.replace("_", "-"): {"description": text, "schema": string()}
            for name, text in headers.items()
        }
    return response


def no_content(description: str = "Done.") -> dict[str, Any]:
    return {"description": description}


def path_id(name: str, what: str) -> dict[str, Any]:
    """An integer id in the path (32-bit: larger ones are 404s)."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"The {what}'s id.",
        "schema": integer(minimum=1, maximum=MAX_ID),
    }


def path_text(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": string(min_length=1),
    }


def query(name: str, schema: Schema, description: str, *, required: bool = False) -> Any:
    param: dict[str, Any] = {
        "name": name,
        "in": "query",
        "description": description,
        "schema": schema,
    }
    if required:
        param["required"] = True
    return param


def paging(default_per_page: int = 20, max_page: int = 1_000_000) -> list[dict[str, Any]]:
    """``?page=&per_page=`` of API.md."""
    return [
        query("page", integer(minimum=1, maximum=max_page), "Page number, from 1."),
        query(
            "per_page",
            integer(minimum=1, maximum=MAX_PER_PAGE),
            f"Items per page (default {default_per_page}).",
        ),
    ]


def page_response(item: str, description: str = "One page.") -> dict[str, Any]:
    return json_response(page_of(ref(item)), description)


def request_body(
    properties: dict[str, Schema], *, required: tuple[str, ...] = (), optional: bool = False
) -> dict[str, Any]:
    """A JSON object body; ``optional`` when it may be left out entirely."""
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return {
        "required": not optional,
        "content": {"application/json": {"schema": schema}},
    }


def operation(
    operation_id: str,
    summary: str,
    *,
    tag: str,
    responses: dict[str, Any],
    auth: Auth = "none",
    role: str | None = None,
    parameters: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    errors: tuple[str, ...] = (),
    description: str | None = None,
) -> Operation:
    """One operation with its implied error responses (see the module docstring)."""
    parameters = parameters or []
    codes = {"400", *errors}
    if auth != "none":
        codes.add("401")
    if role is not None:
        codes.add("403")
    if any(p["in"] == "path" for p in parameters):
        codes.add("404")
    if body is not None:
        codes.add("422")
    op: Operation = {
        "operationId": operation_id,
        "summary": summary,
        "tags": [tag],
        "responses": dict(responses)
        | {code: {"$ref": f"#/components/responses/{ERROR_NAMES[code]}"} for code in sorted(codes)},
    }
    if description or role:
        who = f"Needs the {role} role (or higher)." if role else ""
        op["description"] = " ".join(part for part in (description, who) if part)
    if parameters:
        op["parameters"] = parameters
    if body is not None:
        op["requestBody"] = body
    op["security"] = {
        "none": [],
        "optional": [{}, {BEARER: []}],
        "required": [{BEARER: []}],
    }[auth]
    return op
