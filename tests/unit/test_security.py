from __future__ import annotations

import pytest

from forum_kb.security import is_safe_redirect, safe_next


@pytest.mark.parametrize(
    "target",
    ["/", "/u/alice", "/search/?q=a%20b", "/c/billing#top", "/login?next=/x"],
)
def test_is_safe_redirect_accepts_same_site_paths(target):
    assert is_safe_redirect(target)


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/\r\nLocation: https://evil.example",
        "http:/evil.example",
    ],
)
def test_is_safe_redirect_rejects_other_sites(target):
    assert not is_safe_redirect(target)


def test_safe_next_falls_back_to_default():
    assert safe_next("https://evil.example/", "/home") == "/home"
    assert safe_next("/u/bob", "/home") == "/u/bob"
