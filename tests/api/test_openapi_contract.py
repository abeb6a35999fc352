"""The API keeps its published contract: schemathesis generates requests from
/api/v1/openapi.json and sends them to the app in-process (WSGI, no server).

Every response must be a documented status (never a 500), of a documented content type, with
a body that matches the documented schema. An admin runs every operation; anonymous callers
run the reads. Ids in paths and references in bodies are drawn now and then from rows seeded
beforehand, so the happy paths (200/201 bodies) are checked, not only 404s and 422s.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from forum_kb.openapi import build_spec
from tests.api.conftest import Contract

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: Fuzzing examples per operation and caller; the coverage phase adds its boundary cases.
MAX_EXAMPLES = 10
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # One app and one seeded database serve every example of a run, on purpose: examples
    # then also meet what earlier ones created, edited and deleted.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
CONFIG = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})
#: Body members that name other objects, by the seeded values that may stand in for them.
BODY_REFERENCES = {
    "category": "category",
    "section": "section",
    "kb_category": "section",
    "post_id": "post_id",
    "into": "thread_id",
    "duplicate_of_thread": "thread_id",
    "user": "username",
}


#: The rows of the module's database, for the generation hooks below.
SEEDED: dict[str, list[object]] = {}
#: Hypothesis seeds the global random module alike for every example, and Whoosh names
#: index segments with it: without a reseed two commits would write the same segment.
_reseeds = itertools.count()


@pytest.fixture(scope="module", autouse=True)
def _seeded_values(contract: Contract) -> Iterator[None]:
    SEEDED.update(contract.seed.values)
    yield
    SEEDED.clear()


def _headers(case: schemathesis.Case, contract: Contract) -> dict[str, str]:
    """The admin's token; revoking "the current token" gets a token of its own."""
    token = contract.admin_token
    if case.operation.method.upper() == "DELETE" and case.operation.path == "/tokens/current":
        token = contract.fresh_admin_token()
    return {"Authorization": f"Bearer {token}"}


def _seeded(values: Any, names: dict[str, str]) -> Any:
    """``values`` as generated, or with the members that name objects drawn from the seed."""
    if not isinstance(values, dict):
        return st.just(values)
    known = {key: names[key] for key in values if names.get(key) in SEEDED}
    if not known:
        return st.just(values)
    drawn = st.fixed_dictionaries(
        {key: st.sampled_from(SEEDED[name]) for key, name in known.items()}
    )
    return st.one_of(st.just(values), drawn.map(lambda found: values | found))


# The document as served is build_spec() (tests/api/test_openapi.py); loading it here, at
# import, lets schemathesis make one test per operation.
schema = schemathesis.openapi.from_dict(build_spec(), config=CONFIG)


@schema.hook("flatmap_path_parameters")
def _seeded_path(context: Any, path_parameters: dict[str, Any]) -> Any:
    return _seeded(path_parameters, {name: name for name in path_parameters or ()})


@schema.hook("flatmap_body")
def _seeded_body(context: Any, body: Any) -> Any:
    return _seeded(body, BODY_REFERENCES)


@schema.parametrize()
@SETTINGS
def test_operation_keeps_the_contract_for_an_admin(
    case: schemathesis.Case, contract: Contract
) -> None:
    random.seed(next(_reseeds))
    response = case.call(app=contract.app, headers=_headers(case, contract))
    case.validate_response(response, checks=CHECKS)


@schema.include(method="GET").parametrize()
@SETTINGS
def test_read_keeps_the_contract_for_anonymous_callers(
    case: schemathesis.Case, contract: Contract
) -> None:
    random.seed(next(_reseeds))
    response = case.call(app=contract.app)
    case.validate_response(response, checks=CHECKS)
