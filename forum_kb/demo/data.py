"""What the demo community holds. Later features add their content here."""

from __future__ import annotations

from forum_kb.accounts.models import Role

# (username, role, password, display name, bio). Passwords are printed by `make run`.
USERS: list[tuple[str, Role, str, str, str]] = [
    ("admin", Role.ADMIN, "admin-demo-pass", "Ada Admin", "Runs the forum."),
    ("sam.staff", Role.STAFF, "staff-demo-pass", "Sam Rivera", "Support engineer, EMEA."),
    ("mia.mod", Role.MODERATOR, "moderator-demo-pass", "Mia Chen", "Community moderator."),
    ("alice", Role.MEMBER, "member-demo-pass", "Alice Jones", "Runs a small bakery's IT."),
    ("bob", Role.MEMBER, "member-demo-pass", "Bob Okafor", "Home-lab tinkerer."),
]

# (name, slug, description)
CATEGORIES: list[tuple[str, str, str]] = [
    (
        "Getting started",
        "getting-started",
        "Installing, signing in and first steps. New here? Start with this one.",
    ),
    (
        "Billing and accounts",
        "billing",
        "Plans, invoices, payment methods and managing your organisation's seats.",
    ),
    (
        "Integrations",
        "integrations",
        "Connecting to email, chat, calendars and the API.",
    ),
    (
        "Troubleshooting",
        "troubleshooting",
        "Something not working? Describe what you did, what you expected and what happened.",
    ),
    (
        "Show and tell",
        "show-and-tell",
        "How-tos and success stories from the community.",
    ),
]
