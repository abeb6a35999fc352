"""Account journeys in a real browser: sign up, sign out, sign in, profile, and form errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser

USERNAME = "ada_lovelace"
EMAIL = "ada@example.com"
PASSWORD = "analytical engine notes"


def account_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Account")


def fill_registration(page: Page, username: str, email: str, password: str) -> None:
    """Open the sign-up form from the header's Join link and submit it."""
    page.goto("/")
    account_nav(page).get_by_role("link", name="Join").click()
    expect(page).to_have_url(re.compile(r"/register$"))
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat password", exact=True).fill(password)
    page.get_by_role("button", name="Create account").click()


def sign_in(page: Page, login: str, password: str) -> None:
    account_nav(page).get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    page.get_by_label("Username or email", exact=True).fill(login)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    account_nav(page).get_by_role("button", name="Sign out").click()
    expect(account_nav(page).get_by_role("link", name="Sign in")).to_be_visible()


def test_register_sign_out_sign_in_and_view_profile(page: Page, artifacts_dir: Path) -> None:
    fill_registration(page, USERNAME, EMAIL, PASSWORD)
    expect(page.get_by_text(f"Welcome, {USERNAME}! Your account is ready.")).to_be_visible()
    user_link = account_nav(page).get_by_role("link", name=USERNAME)
    expect(user_link).to_be_visible()

    sign_out(page)
    expect(page.get_by_text("Signed out on every device.")).to_be_visible()
    expect(user_link).to_have_count(0)

    sign_in(page, USERNAME, PASSWORD)
    expect(page.get_by_text(f"Signed in as {USERNAME}.")).to_be_visible()

    user_link.click()
    expect(page).to_have_url(re.compile(rf"/u/{USERNAME}$"))
    expect(page.get_by_role("heading", name=USERNAME, level=1)).to_be_visible()
    expect(page.get_by_text(f"@{USERNAME}")).to_be_visible()
    expect(page.get_by_role("term").filter(has_text="Joined")).to_be_visible()
    page.screenshot(path=artifacts_dir / "profile.png", full_page=True)


def test_wrong_password_keeps_the_sign_in_form_with_an_accessible_error(page: Page) -> None:
    fill_registration(page, USERNAME, EMAIL, PASSWORD)
    sign_out(page)

    sign_in(page, USERNAME, "not the right password")

    expect(page).to_have_url(re.compile(r"/login(\?.*)?$"))
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Please fix the problems below.")
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description("Wrong username or password.")
    expect(account_nav(page).get_by_role("link", name=USERNAME)).to_have_count(0)


def test_short_password_is_rejected_next_to_the_field(page: Page) -> None:
    fill_registration(page, USERNAME, EMAIL, "too short")

    expect(page).to_have_url(re.compile(r"/register$"))
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description("Use at least 10 characters.")
    expect(page.get_by_label("Username", exact=True)).to_have_value(USERNAME)
    expect(account_nav(page).get_by_role("link", name="Sign in")).to_be_visible()

    response = page.goto(f"/u/{USERNAME}")
    assert response is not None
    assert response.status == 404, "a rejected sign-up must not create the account"
