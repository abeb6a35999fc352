"""With RATELIMIT_STORAGE_URI on Redis, every worker shares one sign-in budget."""

from __future__ import annotations

import os
import socket
import uuid

import pytest

from tests.factories import make_user

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def _redis_up() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_uri() -> str:
    if not _redis_up():
        if os.environ.get("CI"):
            pytest.fail("Redis must run on 127.0.0.1:6379 in CI (.ci/run starts it).")
        pytest.skip(reason="no Redis on 127.0.0.1:6379 (CI starts one)")
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/15"


def test_a_new_worker_sees_earlier_failures_through_redis(make_app, redis_uri):
    import redis

    prefix = f"fkb-test-{uuid.uuid4().hex[:8]}"  # runs never see each other's counters
    config = {
        "RATELIMIT_STORAGE_URI": redis_uri,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_LOGIN_PER_ACCOUNT": "2 per minute",
    }
    worker_a = make_app(**config)
    with worker_a.app_context():
        make_user("bob")
    bad = {"login": "bob", "password": "wrong password"}
    assert worker_a.test_client().post("/login", data=bad).status_code == 200
    assert worker_a.test_client().post("/login", data=bad).status_code == 200
    # A worker started afterwards (in-memory storage would start empty) refuses the third try.
    worker_b = make_app(**config)
    assert worker_b.test_client().post("/login", data=bad).status_code == 429
    client = redis.Redis.from_url(redis_uri)
    try:
        keys = client.keys(f"*{prefix}*")
        assert keys, "the counters live in Redis"
        client.delete(*keys)
    finally:
        client.close()
