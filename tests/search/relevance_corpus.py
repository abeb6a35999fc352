"""A small support forum and what its readers search for: the relevance test set.

About 120 documents on overlapping topics (passwords, 2FA, billing, invoices, exports, API
tokens, webhooks, SSO, notifications, the mobile app, integrations, the account), with near
duplicates and distractors that share words, and 40 queries, each with the documents that
should come first (``best``) and others that are a fair answer too (``good``). ``build()``
makes it all through the real services, so the real sources and indexing code produce the
documents; ``evaluate()`` runs the queries through ``forum_kb.search.services.search``.

Used by tests/search/test_relevance.py (floors) and bench/relevance.py (figures and misses).
Keys: a thread is ``"<key>"``, its n-th answer ``"<key>/<n>"`` (from 1), an article ``"kb:<key>"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from werkzeug.security import generate_password_hash

from forum_kb.accounts.models import Role, User
from forum_kb.community import services as community
from forum_kb.extensions import db
from forum_kb.kb import services as kb
from forum_kb.search import services as search


@dataclass(frozen=True)
class Answer:
    body: str
    accepted: bool = False
    votes: int = 0


@dataclass(frozen=True)
class Question:
    key: str
    category: str
    title: str
    body: str
    tags: tuple[str, ...] = ()
    kind: str = "question"
    answers: tuple[Answer, ...] = ()
    votes: int = 0


@dataclass(frozen=True)
class Article:
    key: str
    section: str
    title: str
    body: str
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Judgement:
    query: str
    best: tuple[str, ...]
    good: tuple[str, ...] = ()

    def grade(self, key: str) -> int:
        return 2 if key in self.best else 1 if key in self.good else 0


CATEGORIES = {
    "account": "Account and security",
    "billing": "Billing and invoices",
    "developers": "API and webhooks",
    "apps": "Apps and notifications",
    "integrations": "Integrations",
}
SECTIONS = {
    "account": "Your account",
    "billing": "Billing",
    "developers": "Developers",
    "apps": "Apps and notifications",
    "integrations": "Integrations",
}

# fmt: off
ARTICLES: tuple[Article, ...] = (
    Article("reset-password", "account", "Reset a forgotten password", """
If you cannot remember your password, choose **Forgot password?** on the sign-in page and
enter the email address of your account. We send a reset link that works once and expires
after one hour.

## The reset email does not arrive

- Look in your spam or junk folder and in any quarantine your company uses.
- Ask your IT team to allow mail from no-reply@example.com.
- If you signed up with Google or Microsoft you have no password yet: use that button
  instead, or set a password from the reset link.
""", ("password", "sign-in")),
    Article("change-password", "account", "Change your password", """
Open **Profile → Security → Password**, type your current password and the new one twice.
Passwords need at least 12 characters; we refuse passwords that appear in known breaches.
Changing your password signs you out on every other device. If you forgot the current
password, reset it from the sign-in page instead.
""", ("password",)),
    Article("2fa-setup", "account", "Turn on two-factor authentication (2FA)", """
Two-factor authentication asks for a six-digit code from an authenticator app after your
password. Open **Profile → Security → Two-factor authentication**, scan the QR code with an
app such as Google Authenticator, 1Password or Authy, and type the code it shows.

Then save your **recovery codes** somewhere safe: each one signs you in once if you lose
your phone. Workspace owners can also require two-factor authentication for every member
under **Settings → Security**.
""", ("2fa", "security")),
    Article("2fa-recovery", "account",
            "Sign in with a recovery code when you lose your 2FA device", """
Lost or replaced your phone? On the code screen choose **Use a recovery code** and type one of
the ten recovery codes you saved when you turned on two-factor authentication. Each code
works once. Once you are in, set up the authenticator app on your new phone and print a new
set of recovery codes.

Without recovery codes, contact support: we verify your identity before we remove two-factor
authentication, which takes up to three business days.
""", ("2fa", "security")),
    Article("plans", "billing", "Change or cancel your subscription", """
Owners manage the plan under **Billing → Plan**. Upgrading takes effect at once and you pay a
prorated amount for the rest of the billing period. Downgrading takes effect at the next
renewal.

To cancel, choose **Cancel subscription**. You keep the paid features until the end of the
period you paid for; we do not refund partial months. Your data stays available on the
free plan.
""", ("subscription", "plans")),
    Article("payment-method", "billing", "Update your credit card or payment method", """
Owners change the card under **Billing → Payment method → Replace card**. We make a small
authorization hold to check the new card; it disappears within a few days. Cards that need
3-D Secure ask your bank's app to confirm. You can also pay by bank transfer on yearly plans.
""", ("payment", "credit-card")),
    Article("invoices", "billing", "Download invoices and receipts", """
Every payment produces an invoice. Owners and billing managers find them under
**Billing → Invoices**, filter by date and download each one as a PDF, or choose
**Download all** for a ZIP file. Add billing contacts to get every invoice by email as well.
""", ("invoices",)),
    Article("vat", "billing", "Add a VAT number or tax ID to your invoices", """
Enter your company's VAT number (or other tax ID) and legal address under
**Billing → Company details**. Invoices issued afterwards show them, and EU customers with a
valid VAT number are not charged VAT (reverse charge). Support can reissue earlier invoices
with the new details.
""", ("invoices", "tax")),
    Article("export", "integrations", "Export your workspace data", """
Admins export everything under **Settings → Data → Export**: projects, tasks, comments and
members as CSV files, or the whole workspace as one JSON file. Large exports run in the
background and we email a download link when the file is ready. Attachments are listed as
links rather than included. You can also start exports from the API.
""", ("export", "csv")),
    Article("api-tokens", "developers", "Create and revoke API tokens", """
Create a personal API token under **Profile → API tokens → New token**. Give it a name, choose
its scopes (read, or read and write) and, optionally, an expiry date. The token is shown once:
copy it to your secrets store.

Send it in the `Authorization: Bearer <token>` header. Revoke a token at any time from the
same page; requests with it fail at once with 401.
""", ("api", "tokens")),
    Article("rate-limits", "developers", "API rate limits", """
Each token can make 100 requests per minute. Above that the API answers **429 Too Many
Requests** with a `Retry-After` header saying how many seconds to wait. Spread requests out,
cache what you read and use webhooks instead of polling.
""", ("api",)),
    Article("webhooks", "developers", "Set up webhooks", """
Webhooks send an HTTPS POST to your endpoint when something happens: a task is created, a
comment is added, a member joins. Add an endpoint under **Settings → Webhooks**, pick the
events and save. Failed deliveries are retried with exponential backoff for up to a day; after
several days of failures the endpoint is disabled. The delivery log shows every attempt.
""", ("webhooks",)),
    Article("webhook-signatures", "developers", "Verify webhook signatures", """
Every delivery carries an `X-Signature` header: the HMAC-SHA256 of the raw request body,
keyed with the endpoint's signing secret. Compute it over the exact bytes you received,
before any JSON parsing, and compare in constant time. The signing secret is not your API
token; find it on the endpoint's page.
""", ("webhooks", "security")),
    Article("sso-saml", "account", "Configure SAML single sign-on (SSO)", """
On the Enterprise plan, owners connect an identity provider such as Okta, Azure AD or
Google Workspace under **Settings → Security → Single sign-on**. Copy our ACS URL and entity ID
into the identity provider, then paste its metadata URL here. Turn on just-in-time
provisioning to create accounts at first sign-in. Owners can always sign in with their
password, so a broken configuration never locks you out.
""", ("sso", "saml", "security")),
    Article("notifications", "apps", "Choose which email notifications you get", """
Under **Profile → Notifications** choose, for each kind of event (mentions, replies, assigned
tasks), whether you get an email straight away, a daily digest or nothing. Unwatch a thread to
stop hearing about it. Every notification email has an unsubscribe link for its kind.
""", ("notifications", "email")),
    Article("mobile-app", "apps", "Install the mobile app and sign in", """
Get the app from the App Store or Google Play. Sign in with your email and password, or tap
**Sign in with SSO** and enter your workspace's domain if your company uses single sign-on.
The app keeps recently opened items available offline.
""", ("mobile",)),
    Article("push", "apps", "Push notifications on iOS and Android", """
Allow notifications when the app asks, or later in the phone's settings. On Android, battery
optimisation can stop the app from receiving push notifications: set the app's battery usage
to **Unrestricted**. On iOS, check that Focus modes do not silence the app.
""", ("mobile", "notifications")),
    Article("slack", "integrations", "Connect Slack", """
Under **Integrations → Slack → Connect**, sign in to Slack and pick a channel. New tasks and
comments in the projects you choose are posted there. Private channels need the bot invited.
If you rename or archive the channel, reconnect it.
""", ("slack", "integrations")),
    Article("delete-account", "account", "Delete your account", """
Open **Profile → Account → Delete account** and confirm with your password. We delete your
profile and personal data within 30 days; your comments in shared workspaces stay, credited
to a deleted user. Workspace owners must transfer ownership or delete the workspace first.
""", ("account", "privacy")),
)

QUESTIONS: tuple[Question, ...] = (
    # --- passwords ---
    Question("pw-reset-email", "account", "Password reset email never arrives",
             "I clicked Forgot password three times and no reset email shows up. We use "
             "Outlook at work. How long should it take?", ("password", "email"), answers=(
        Answer("Company mail filters often quarantine automated mail. Check the junk folder "
               "and your quarantine, and ask IT to allow no-reply@example.com; the reset "
               "link then arrives within a minute.", accepted=True, votes=4),
        Answer("Same problem here, following this thread."),
    ), votes=2),
    Question("pw-current-wrong", "account", "Change password says my current password is wrong",
             "When I try to change my password it says the current password is incorrect, "
             "but it is the one I use to sign in.", ("password",), answers=(
        Answer("Did you sign up with Google? Then your account has no password of its own; "
               "use the reset link to set one first.", votes=3),
        Answer("Try signing out and in again, and check caps lock."),
    )),
    Question("pw-manager", "account", "Password manager does not autofill the sign-in page",
             "1Password no longer fills in my email and password on the sign-in page since "
             "the redesign.", ("password",), kind="discussion", answers=(
        Answer("Edit the saved login in your password manager and set the website to the new "
               "sign-in address; autofill works again."),
    )),
    Question("pw-requirements", "account", "What are the password requirements?",
             "My new password keeps being rejected. What length and characters are needed?",
             ("password",), answers=(
        Answer("At least 12 characters, nothing else required, but passwords found in known "
               "data breaches are refused. A passphrase of four words works.", accepted=True,
               votes=2),
    )),
    # --- two-factor authentication ---
    Question("2fa-lost-phone", "account", "Lost my phone, locked out by two-factor",
             "My phone was stolen and with it the authenticator app. Now I cannot sign in "
             "because it asks for the 2FA code.", ("2fa",), answers=(
        Answer("Choose Use a recovery code on the code screen and enter one of the recovery "
               "codes you saved when you turned on 2FA. Then set up the new phone.",
               accepted=True, votes=5),
        Answer("Happened to me too. Support removed 2FA after checking my ID; took two days."),
    ), votes=3),
    Question("2fa-codes-invalid", "account", "Authenticator codes are always rejected",
             "Every six-digit code from Google Authenticator is rejected as invalid, even "
             "fresh ones.", ("2fa",), answers=(
        Answer("The codes depend on your phone's clock. Turn on automatic date and time, and "
               "in Google Authenticator use Time correction for codes.", accepted=True,
               votes=3),
        Answer("Make sure you scan the code for the right account."),
    )),
    Question("2fa-require", "account", "Can owners require 2FA for every member?",
             "We need everyone in our workspace to use two-factor authentication for an "
             "audit.", ("2fa", "security"), answers=(
        Answer("Yes: Settings, Security, Require two-factor authentication. Members without "
               "2FA are asked to set it up at their next sign-in.", votes=3),
    )),
    Question("2fa-sms", "account", "Feature request: SMS codes as a second factor",
             "Not everyone has a smartphone for an authenticator app. Please add text "
             "message codes.", ("2fa",), kind="discussion", answers=(
        Answer("SMS codes are weak because of SIM swapping; hardware security keys would be "
               "better."),
        Answer("Agreed, we would use SMS too."),
    )),
    # --- billing ---
    Question("bill-charged-twice", "billing", "Charged twice for the same month",
             "My bank statement shows two charges for this month's subscription. Why?",
             ("billing",), answers=(
        Answer("One of them is probably the authorization hold from when you replaced your "
               "card; it disappears within a few days. If both are final, send both invoice "
               "numbers to billing.", accepted=True, votes=4),
        Answer("Same here this month."),
    )),
    Question("bill-cancel", "billing", "How do I cancel our subscription?",
             "We are moving to another tool. Where do I stop the subscription, and do we get "
             "money back?", ("billing", "subscription"), answers=(
        Answer("Billing, Plan, Cancel subscription. You keep the paid features until the end "
               "of the period; partial months are not refunded.", accepted=True, votes=2),
    )),
    Question("bill-proration", "billing", "How is the prorated charge calculated when upgrading?",
             "We upgraded in the middle of the month and were charged an odd amount.",
             ("billing",), answers=(
        Answer("You pay the price difference for the days left in the current period; the "
               "invoice lists each line.", votes=1),
    )),
    Question("bill-card-declined", "billing", "Card declined when the subscription renews",
             "The renewal failed with card declined, but the card works elsewhere.",
             ("billing", "payment"), answers=(
        Answer("Banks often block foreign recurring payments. Call your bank to allow it, or "
               "replace the card under Payment method and confirm 3-D Secure.",
               accepted=True, votes=2),
        Answer("Try another card."),
    )),
    # --- invoices ---
    Question("inv-vat", "billing", "How to add our VAT number to invoices?",
             "Our accountant needs our VAT number on every invoice.", ("invoices", "tax"),
             answers=(
        Answer("Billing, Company details, Tax ID. New invoices show it; support reissues old "
               "invoices if you ask.", accepted=True, votes=3),
    )),
    Question("inv-address", "billing", "Invoice shows the wrong company address",
             "We moved offices and the invoice still has the old address.", ("invoices",),
             answers=(
        Answer("Update the legal address under Billing, Company details. Past invoices need a "
               "reissue request."),
    )),
    Question("inv-accounting", "billing", "Send every invoice to your accounting inbox",
             "How-to: add your accounting team's address as a billing contact under Billing, "
             "Contacts, and each invoice PDF is emailed to them automatically.",
             ("invoices", "email"), kind="howto"),
    Question("inv-last-year", "billing", "Where can I download last year's invoices?",
             "I need all invoices from last year for our tax return.", ("invoices",), answers=(
        Answer("Billing, Invoices: set the date filter to last year and choose Download all "
               "for a ZIP of the PDFs.", accepted=True, votes=2),
    )),
    # --- exports ---
    Question("exp-csv-excel", "integrations", "CSV export shows garbled characters in Excel",
             "Names with accents like José come out as JosÃ© when I open the exported CSV file "
             "in Excel.", ("export", "csv"), answers=(
        Answer("The CSV is UTF-8 and Excel assumes another encoding. Import it with Data, From "
               "Text/CSV and pick UTF-8, or choose Excel-friendly CSV in the export dialog.",
               accepted=True, votes=4),
        Answer("Open it in Google Sheets instead."),
    )),
    Question("exp-timeout", "integrations", "Full export times out on a large workspace",
             "Exporting our whole workspace spins for a long time and then fails.",
             ("export",), answers=(
        Answer("Export one project at a time, or start the export from the API; it runs in "
               "the background and emails a link.", votes=2),
    )),
    Question("exp-s3", "integrations", "Schedule a weekly export to S3",
             "How-to: a nightly cron job calls the exports endpoint with an API token, waits "
             "for the file and uploads it to an S3 bucket.", ("export", "api"), kind="howto"),
    Question("exp-attachments", "integrations", "Does the JSON export include attachments?",
             "I exported the workspace as JSON; where are the files people uploaded?",
             ("export",), answers=(
        Answer("Attachments are listed as links in the JSON; download them separately while "
               "you are signed in.", accepted=True, votes=1),
    )),
    # --- API ---
    Question("api-401", "developers", "API returns 401 Unauthorized with a new token",
             "I created a token a minute ago and every request gets 401 Unauthorized.",
             ("api", "tokens"), answers=(
        Answer("Send the token in the Authorization header as Bearer followed by the token, "
               "not as a query parameter.", accepted=True, votes=5),
        Answer("Check that you copied the whole token."),
    ), votes=2),
    Question("api-expire", "developers", "Do API tokens expire?",
             "Our integration stopped working after three months. Do tokens have a lifetime?",
             ("api", "tokens"), answers=(
        Answer("Tokens expire only on the date you chose, but admins can set a maximum "
               "lifetime of 90 days for the workspace.", accepted=True, votes=2),
    )),
    Question("api-429", "developers", "Getting 429 Too Many Requests from the API",
             "Our sync script fails with 429 after a few seconds.", ("api",), answers=(
        Answer("You are over the rate limit of 100 requests per minute; wait as long as the "
               "Retry-After header says.", votes=2),
    )),
    Question("api-readonly", "developers", "Can I create a read-only API token?",
             "I want to give a reporting tool access without letting it change anything.",
             ("api", "tokens"), answers=(
        Answer("Yes, choose only the read scope when you create the token.", accepted=True),
    )),
    # --- webhooks ---
    Question("wh-signature", "developers", "Webhook signature verification always fails",
             "I compute the HMAC of the payload with my secret but it never matches the "
             "X-Signature header.", ("webhooks",), answers=(
        Answer("Compute the HMAC over the raw body before your framework parses the JSON, and "
               "use the endpoint's signing secret, not your API token.", accepted=True,
               votes=4),
    )),
    Question("wh-stopped", "developers", "Webhooks stopped arriving",
             "Our endpoint was down over the weekend and now we get no deliveries at all.",
             ("webhooks",), answers=(
        Answer("After days of failed deliveries the endpoint is disabled. Enable it again "
               "under Settings, Webhooks and check the delivery log.", votes=2),
    )),
    Question("wh-local", "developers", "Test webhooks on your laptop with a tunnel",
             "How-to: run a tunnel such as ngrok to get a public HTTPS address for your local "
             "server, add it as a webhook endpoint and watch deliveries arrive.",
             ("webhooks",), kind="howto"),
    Question("wh-retries", "developers", "How often are failed webhook deliveries retried?",
             "If our server returns an error, will the event be sent again?", ("webhooks",),
             answers=(
        Answer("Yes, with exponential backoff, eight attempts over about a day.",
               accepted=True),
    )),
    # --- single sign-on ---
    Question("sso-loop", "account", "Redirect loop after enabling SAML SSO with Okta",
             "Since we turned on single sign-on, signing in bounces between Okta and the app "
             "forever.", ("sso", "saml"), answers=(
        Answer("The ACS URL in Okta must match ours exactly, with the trailing slash. Also "
               "check the identity provider's clock: assertions older than five minutes are "
               "refused.", accepted=True, votes=3),
    )),
    Question("sso-jit", "account", "New users are not created when they sign in with SSO",
             "People who were not invited get an error after the identity provider sends them "
             "back.", ("sso",), answers=(
        Answer("Turn on just-in-time provisioning in the single sign-on settings, or invite "
               "them first.", votes=2),
    )),
    Question("sso-azure", "account", "Single sign-on with Azure AD (Entra ID)",
             "How-to: create an enterprise application in Azure AD, paste our ACS URL and "
             "entity ID, then copy the federation metadata URL into the SSO settings.",
             ("sso", "saml"), kind="howto"),
    Question("sso-lockout", "account", "Locked out after a broken SSO setup",
             "We misconfigured SAML and now nobody can sign in. How do we get back in?",
             ("sso",), answers=(
        Answer("Owners can still sign in with their password; fix the configuration from "
               "there.", accepted=True, votes=2),
    )),
    # --- notifications and the mobile app ---
    Question("notif-digest", "apps", "Too many notification emails, is there a digest?",
             "I get an email for every comment. Can I get one summary a day instead?",
             ("notifications", "email"), answers=(
        Answer("Profile, Notifications: choose Daily digest for replies and mentions.",
               accepted=True, votes=3),
    )),
    Question("notif-android", "apps", "Push notifications not arriving on Android",
             "The app on my Pixel shows nothing until I open it.", ("mobile", "notifications"),
             answers=(
        Answer("Battery optimisation stops the app in the background. Set its battery usage "
               "to Unrestricted.", accepted=True, votes=3),
    )),
    Question("notif-thread", "apps", "Stop notifications for one busy thread",
             "One thread sends me dozens of replies a day.", ("notifications",), answers=(
        Answer("Use Unwatch at the top of the thread.", accepted=True),
    )),
    Question("mob-crash", "apps", "iOS app crashes on launch after the update",
             "Since yesterday's update the iPhone app closes right after the splash screen.",
             ("mobile", "ios"), answers=(
        Answer("Delete the app and install it again; a fixed version is rolling out.",
               accepted=True, votes=3),
        Answer("Same on my iPad."),
    )),
    Question("mob-offline", "apps", "Does the mobile app work offline?",
             "I often work on trains without a connection.", ("mobile",), answers=(
        Answer("Recently opened items can be read offline, but not edited."),
    )),
    # --- integrations ---
    Question("int-slack-stopped", "integrations", "Slack messages stopped after renaming a channel",
             "We renamed our private channel and the integration posts nothing now.",
             ("slack", "integrations"), answers=(
        Answer("Reconnect the channel under Integrations, Slack; invite the bot again to the "
               "private channel.", accepted=True, votes=2),
    )),
    Question("int-gcal", "integrations", "Google Calendar sync creates duplicate events",
             "Every due date shows up two or three times in my calendar.",
             ("integrations", "calendar"), answers=(
        Answer("You probably connected the calendar twice; disconnect it and connect once.",
               votes=1),
    )),
    Question("int-zapier", "integrations", "Create tasks from form responses with Zapier",
             "How-to: a Zap with the Google Forms trigger and our Create task action turns "
             "every form response into a task.", ("integrations", "zapier"), kind="howto"),
    Question("int-jira", "integrations", "Jira integration does not map custom fields",
             "Only the summary and description come across from Jira.",
             ("integrations", "jira"), answers=(
        Answer("Custom fields need a mapping in the integration settings; only text and "
               "select fields are supported."),
    )),
    # --- the account ---
    Question("acc-email", "account", "How do I change the email address of my account?",
             "I am changing jobs and want to keep my account with a new email address.",
             ("account", "email"), answers=(
        Answer("Profile, Email: enter the new address and click the confirmation link we "
               "send to it.", accepted=True, votes=2),
    )),
    Question("acc-delete", "account", "Delete my account and all my data",
             "I want everything about me removed.", ("account", "privacy"), answers=(
        Answer("There is a Delete account button in your profile; owners must hand over the "
               "workspace first.", votes=1),
    )),
    Question("acc-owner", "account", "Transfer workspace ownership to a colleague",
             "I am leaving the company; how does someone else become the owner?",
             ("account",), answers=(
        Answer("Settings, Members, choose the colleague and Make owner. You stay an admin "
               "until you leave.", accepted=True, votes=2),
    )),
    # --- distractors: other questions that share the words people search with ---
    Question("pw-admin-reset", "account", "Admin: can I reset a member's password?",
             "A colleague forgot her password and is on holiday. Can an admin reset it for "
             "her?", ("password",), answers=(
        Answer("Admins cannot see or set passwords. Send her the Forgot password link, or "
               "sign her out everywhere from Members."),
    )),
    Question("pw-locked", "account", "Account locked after too many sign-in attempts",
             "I typed the wrong password too many times and now I am locked out.",
             ("password", "sign-in"), answers=(
        Answer("The lock lifts after 15 minutes, or at once when you reset your password.",
               accepted=True, votes=1),
    )),
    Question("api-vault", "developers", "Keep API tokens in your password manager",
             "How-to: store each API token as a secure note in the team password manager "
             "instead of in scripts, and rotate the tokens when someone leaves.",
             ("api", "tokens"), kind="howto"),
    Question("wh-invoice-paid", "developers", "Webhook when an invoice is paid?",
             "Is there a webhook event for paid invoices, so our accounting system updates "
             "itself?", ("webhooks", "invoices"), answers=(
        Answer("Not yet: billing events are not sent as webhooks. Poll the invoices endpoint "
               "once a day."),
    )),
    Question("sso-2fa", "account", "Do members need 2FA when single sign-on is on?",
             "We enabled SSO. Should people still set up two-factor authentication?",
             ("sso", "2fa"), answers=(
        Answer("With single sign-on your identity provider handles the second factor; our 2FA "
               "settings apply only to password sign-in.", accepted=True, votes=2),
    )),
    Question("inv-quickbooks", "integrations", "Export invoices to QuickBooks",
             "Can our invoices go to QuickBooks automatically?", ("invoices", "integrations"),
             answers=(
        Answer("There is no direct integration: download the invoices as CSV under Billing and "
               "import that file."),
    )),
    Question("notif-slack", "apps", "Notifications in Slack instead of email?",
             "We moved all notifications to Slack and turned email notifications off. Anyone "
             "else doing this?", ("notifications", "slack"), kind="discussion", answers=(
        Answer("We did the same, with a daily email digest as a backup."),
    )),
    Question("mob-signout", "apps", "The mobile app signs me out every day",
             "The Android app asks for my password and the 2FA code again every morning.",
             ("mobile",), answers=(
        Answer("Your workspace's session length is one day; an owner can make it longer.",
               votes=1),
    )),
)

JUDGEMENTS: tuple[Judgement, ...] = (
    # The official answer first for broad questions; the thread (or its solution) first for a
    # specific problem, with the article as a fair second. The last twelve are phrased the way
    # people type, with words the documents do not all use.
    Judgement("forgot password", ("kb:reset-password",), ("pw-reset-email", "pw-reset-email/1")),
    Judgement("password reset email not arriving",
              ("pw-reset-email", "pw-reset-email/1", "kb:reset-password")),
    Judgement("change password", ("kb:change-password",), ("pw-current-wrong",)),
    Judgement("current password incorrect", ("pw-current-wrong", "pw-current-wrong/1"),
              ("kb:change-password",)),
    Judgement("set up two-factor authentication", ("kb:2fa-setup",)),
    Judgement("lost phone 2fa", ("2fa-lost-phone", "2fa-lost-phone/1", "kb:2fa-recovery")),
    Judgement("recovery codes", ("kb:2fa-recovery",), ("2fa-lost-phone/1", "kb:2fa-setup")),
    Judgement("authenticator code invalid", ("2fa-codes-invalid", "2fa-codes-invalid/1")),
    Judgement("require 2fa for all members", ("2fa-require", "2fa-require/1"),
              ("kb:2fa-setup",)),
    Judgement("cancel subscription", ("kb:plans",), ("bill-cancel", "bill-cancel/1")),
    Judgement("card declined", ("bill-card-declined", "bill-card-declined/1"),
              ("kb:payment-method",)),
    Judgement("update credit card", ("kb:payment-method",)),
    Judgement("download invoices", ("kb:invoices",), ("inv-last-year", "inv-last-year/1")),
    Judgement("vat number on invoice", ("kb:vat", "inv-vat", "inv-vat/1")),
    Judgement("export data to csv", ("kb:export",), ("exp-csv-excel",)),
    Judgement("csv excel garbled characters", ("exp-csv-excel", "exp-csv-excel/1")),
    Judgement("export times out", ("exp-timeout", "exp-timeout/1"), ("kb:export",)),
    Judgement("api token", ("kb:api-tokens",), ("api-expire", "api-readonly")),
    Judgement("401 unauthorized", ("api-401", "api-401/1"), ("kb:api-tokens",)),
    Judgement("too many requests 429", ("kb:rate-limits", "api-429", "api-429/1")),
    Judgement("verify webhook signature", ("kb:webhook-signatures", "wh-signature",
                                           "wh-signature/1")),
    Judgement("webhooks not arriving", ("wh-stopped", "wh-stopped/1"),
              ("kb:webhooks", "wh-retries")),
    Judgement("saml okta", ("kb:sso-saml", "sso-loop"), ("sso-loop/1",)),
    Judgement("sso redirect loop", ("sso-loop", "sso-loop/1")),
    Judgement("azure ad single sign-on", ("sso-azure",), ("kb:sso-saml",)),
    Judgement("android push notifications", ("notif-android", "notif-android/1", "kb:push")),
    Judgement("slack integration", ("kb:slack",), ("int-slack-stopped",)),
    Judgement("calendar duplicate events", ("int-gcal", "int-gcal/1")),
    Judgement("delete account", ("kb:delete-account",), ("acc-delete", "acc-delete/1")),
    # Typed the way people ask:
    Judgement("can't log in after getting a new phone",
              ("2fa-lost-phone", "2fa-lost-phone/1", "kb:2fa-recovery")),
    Judgement("money back after cancelling", ("bill-cancel", "bill-cancel/1", "kb:plans")),
    Judgement("excel shows weird symbols", ("exp-csv-excel", "exp-csv-excel/1")),
    Judgement("bearer token header", ("api-401/1", "kb:api-tokens"), ("api-401",)),
    Judgement("hmac does not match", ("wh-signature", "wh-signature/1",
                                      "kb:webhook-signatures")),
    Judgement("reset link expired", ("kb:reset-password",), ("pw-reset-email/1",)),
    Judgement("invoices with our company tax id", ("kb:vat", "inv-vat", "inv-vat/1")),
    Judgement("notifications on my phone are not showing",
              ("notif-android", "notif-android/1", "kb:push")),
    Judgement("sign in with sso on the mobile app", ("kb:mobile-app",), ("kb:sso-saml",)),
    Judgement("stop getting emails for every comment",
              ("notif-digest", "notif-digest/1", "kb:notifications"), ("notif-thread/1",)),
    Judgement("owner is leaving the company", ("acc-owner", "acc-owner/1"),
              ("kb:delete-account",)),
)
# fmt: on


# --- building it through the services -----------------------------------------------------------

_HASH = generate_password_hash("relevance corpus", method="scrypt:1024:8:1")


def _user(name: str, role: Role = Role.MEMBER) -> User:
    user = User(
        username=name, username_key=name, email=f"{name}@example.com",
        email_key=f"{name}@example.com", password_hash=_HASH, role=role,
        reputation=100,  # past the new-account posting limits
    )  # fmt: skip
    db.session.add(user)
    db.session.commit()
    return user


def build() -> dict[str, str]:
    """Create the corpus through the community and kb services (call inside an app context
    with an empty database); returns each key's search document id."""
    admin = _user("relevance-admin", Role.ADMIN)
    askers = [_user(f"asker{n}") for n in range(4)]
    helpers = [_user(f"helper{n}") for n in range(4)]
    voters = [_user(f"voter{n}") for n in range(6)]
    categories = {
        key: community.create_category(admin, name, description=name)
        for key, name in CATEGORIES.items()
    }
    sections = {
        key: kb.create_section(admin, name, description=name) for key, name in SECTIONS.items()
    }
    doc_ids: dict[str, str] = {}
    for article in ARTICLES:
        draft = kb.ArticleDraft(
            section_id=sections[article.section].id,
            title=article.title,
            body=article.body.strip(),
            labels=article.labels,
        )
        made = kb.publish_article(admin, kb.create_article(admin, draft))
        doc_ids[f"kb:{article.key}"] = f"article:{made.id}"
    for n, question in enumerate(QUESTIONS):
        asker = askers[n % len(askers)]
        thread = community.create_thread(
            asker,
            community.NewThread(
                categories[question.category].id, question.kind, question.title,
                question.body, question.tags,
            ),
        )  # fmt: skip
        opening = community.opening_post(thread)
        doc_ids[question.key] = f"thread:{thread.id}"
        for voter in voters[: question.votes]:
            community.vote(voter, opening, 1)
        for i, answer in enumerate(question.answers, start=1):
            post = community.reply_to_thread(helpers[(n + i) % len(helpers)], thread, answer.body)
            doc_ids[f"{question.key}/{i}"] = f"post:{post.id}"
            for voter in voters[: answer.votes]:
                community.vote(voter, post, 1)
            if answer.accepted:
                community.accept_answer(asker, thread, post)
    search.drain()
    return doc_ids


# --- measuring ----------------------------------------------------------------------------------

CUTOFF = 10


@dataclass
class Outcome:
    judgement: Judgement
    ranked: list[str]  # corpus keys of the top CUTOFF results ("?" for unknown documents)

    @property
    def rank(self) -> int | None:
        """1-based rank of the first relevant result within the cutoff."""
        for position, key in enumerate(self.ranked, start=1):
            if self.judgement.grade(key):
                return position
        return None

    @property
    def ndcg(self) -> float:
        gains = [self.judgement.grade(key) for key in self.ranked]
        ideal = sorted(
            [2] * len(self.judgement.best) + [1] * len(self.judgement.good), reverse=True
        )[:CUTOFF]
        return _dcg(gains) / _dcg(ideal)


def _dcg(gains: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def _mean(self, value: Callable[[Outcome], float]) -> float:
        return sum(value(o) for o in self.outcomes) / len(self.outcomes)

    @property
    def mrr(self) -> float:
        return self._mean(lambda o: 1 / o.rank if o.rank else 0.0)

    @property
    def hit_at_1(self) -> float:
        return self._mean(lambda o: 1.0 if o.rank == 1 else 0.0)

    @property
    def hit_at_10(self) -> float:
        return self._mean(lambda o: 1.0 if o.rank else 0.0)

    @property
    def best_first(self) -> float:
        """Share of queries whose first result is one of the ``best`` documents."""
        return self._mean(lambda o: 1.0 if o.ranked[:1] and o.judgement.grade(o.ranked[0]) == 2
                          else 0.0)  # fmt: skip

    @property
    def ndcg(self) -> float:
        return self._mean(lambda o: o.ndcg)

    def summary(self) -> str:
        return (
            f"MRR@10 {self.mrr:.3f}  hit@1 {self.hit_at_1:.3f}  hit@10 {self.hit_at_10:.3f}  "
            f"best@1 {self.best_first:.3f}  nDCG@10 {self.ndcg:.3f}  "
            f"({len(self.outcomes)} queries)"
        )


def evaluate(doc_ids: dict[str, str]) -> Report:
    """Run every judged query through the search service (page 1, relevance order)."""
    keys = {doc_id: key for key, doc_id in doc_ids.items()}
    report = Report()
    for judgement in JUDGEMENTS:
        page = search.search(search.SearchQuery(q=judgement.query, per_page=CUTOFF))
        ranked = [keys.get(hit.doc_id, "?") for hit in page.items]
        report.outcomes.append(Outcome(judgement, ranked))
    return report
