"""A corpus of XSS payloads goes through every place user text is shown; none survives.

Pages are parsed with a real HTML parser and every element and attribute is checked, so an
escaped payload (shown as text) passes and an executable one fails.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from forum_kb.accounts.models import Role
from forum_kb.community import services
from forum_kb.community.services import NewThread
from forum_kb.extensions import db
from tests.factories import make_user

PAYLOADS = [
    "<script>alert('x1')</script>",
    '<img src=x onerror="alert(2)">',
    "<svg/onload=alert(3)>",
    '<a href="javascript:alert(4)">click</a>',
    "[md link](javascript:alert(5))",
    "[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==)",
    '<iframe src="https://evil.example/7"></iframe>',
    '<div style="background:url(javascript:alert(8))">x</div>',
    "<scr<script>ipt>alert(9)</scr</script>ipt>",
    '"><script>alert(10)</script>',
    '<object data="javascript:alert(11)"></object>',
    '<a href="  JaVaScRiPt:alert(12)">x</a>',
    "![img](javascript:alert(13))",
    '<details open ontoggle="alert(14)">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(15)>",
    "`<b>inline code</b>` and <b onmouseover=alert(16)>bold</b>",
]
COMBINED = "\n\n".join(f"Case {n}: {p}" for n, p in enumerate(PAYLOADS))
FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "style",
    "base",
    "details",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster"}


class _Auditor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_main = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower().replace("\t", "").replace("\n", "")
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
            if name in URL_ATTRIBUTES and value.startswith(("javascript:", "data:", "vbscript:")):
                self.problems.append(f"<{tag} {name}={value[:30]}>")


def audit(html: str) -> list[str]:
    auditor = _Auditor()
    auditor.feed(html)
    return auditor.problems


@pytest.fixture
def hostile(make_app):
    """A site where every user-controlled text field holds the payloads."""
    app = make_app(RATELIMIT_POSTING="1000 per minute", COMMUNITY_NEW_USER_MAX_LINKS=100)
    with app.app_context():
        admin = make_user("root1", role=Role.ADMIN)
        evil = make_user(
            "mallory",
            display_name="<script>alert('dn')</script>",
            bio=COMBINED,
            reputation=100,
        )
        make_user("victim", reputation=100)
        category = services.create_category(
            admin, "<img src=x onerror=alert('cat')> Category", "evil-cat", COMBINED[:900]
        )
        thread = services.create_thread(
            evil,
            NewThread(
                category_id=category.id,
                kind="question",
                title="<script>alert('title')</script> how do I?",
                body="Hey @victim " + COMBINED,
                tags=["safe-tag"],
            ),
        )
        reply = services.reply_to_thread(evil, thread, "@victim again " + COMBINED[::-1])
        services.edit_post(
            evil, reply, reply.body_source + "\n\n<script>alert('edit')</script>",
            reason="<img src=x onerror=alert('reason')>",
        )  # fmt: skip
        ids = {"thread": thread.id, "post": reply.id, "category": category.slug}
        db.session.remove()
    return app, ids


def pages(ids: dict) -> list[str]:
    return [
        "/",
        f"/c/{ids['category']}",
        f"/t/{ids['thread']}",
        f"/posts/{ids['post']}/revisions",
        "/u/mallory",
        "/tags",
        "/tags/safe-tag",
        "/search/?q=" + "%3Cscript%3Ealert(1)%3C/script%3E",
    ]


def test_no_payload_survives_on_any_page(hostile):
    app, ids = hostile
    client = app.test_client()
    # The mentioned victim reads their notifications too.
    client.post("/login", data={"login": "victim", "password": "correct horse battery"})
    for path in [*pages(ids), "/notifications/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert audit(response.get_data(as_text=True)) == [], path


def test_payload_text_is_still_shown_escaped(hostile):
    app, ids = hostile
    page = app.test_client().get(f"/t/{ids['thread']}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; how do I?" in page


def test_no_payload_survives_in_api_html(hostile):
    app, ids = hostile
    data = app.test_client().get(f"/api/v1/threads/{ids['thread']}").get_json()
    for post in data["posts"]:
        assert audit(post["body_html"]) == []


def test_auditor_catches_live_payloads():
    # The check itself must be able to fail.
    assert audit("<p><img src=x onerror=alert(1)></p>") == ["<img onerror=...>"]
    assert audit('<a href=" javascript:alert(1)">x</a>')
    assert audit("<script>x</script>") == ["<script>"]
