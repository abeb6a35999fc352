"""Default configuration. Every key is documented; override in ``instance/config.py``
or with ``FORUM_KB_<KEY>`` environment variables (values are parsed as JSON when they can be)."""

from __future__ import annotations

from datetime import timedelta


class DefaultConfig:
    # --- Core -------------------------------------------------------------------------------
    #: Session signing key. When unset, one is generated once into ``instance/secret_key``.
    SECRET_KEY: str | None = None
    #: Database URL. ``None`` means ``sqlite:///<instance>/forum_kb.db``.
    SQLALCHEMY_DATABASE_URI: str | None = None
    #: Largest request body accepted, in bytes; larger requests get 413.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    #: Largest non-file form field, in bytes (Werkzeug's limit).
    MAX_FORM_MEMORY_SIZE = 512 * 1024
    #: Number of trusted reverse proxies in front of the app (X-Forwarded-For hops). 0 = none.
    PROXY_FIX_X_FOR = 0
    #: Public name of the site, shown in the header and in emails.
    SITE_NAME = "forum_kb"
    #: Absolute base URL of the site, for links in emails (no trailing slash).
    SITE_URL = "http://127.0.0.1:5000"

    # --- Sessions and cookies ---------------------------------------------------------------
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    #: Set to True when served over HTTPS; also turns on HSTS and secure remember cookies.
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False

    # --- Forms ------------------------------------------------------------------------------
    WTF_CSRF_ENABLED = True
    #: CSRF tokens live as long as the session.
    WTF_CSRF_TIME_LIMIT: int | None = None

    # --- Accounts ---------------------------------------------------------------------------
    #: Minimum password length for new and changed passwords.
    ACCOUNTS_PASSWORD_MIN_LENGTH = 10
    #: werkzeug password hash method (a slow hash). Tests use a cheaper scrypt cost.
    ACCOUNTS_PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - an algorithm name
    #: How long an emailed password-reset link stays valid.
    ACCOUNTS_RESET_TOKEN_LIFETIME = timedelta(hours=1)
    #: How long an API token stays valid after it is issued.
    ACCOUNTS_API_TOKEN_LIFETIME = timedelta(days=90)
    #: Users per page on the admin user list.
    ACCOUNTS_ADMIN_PER_PAGE = 50

    # --- Rate limits (Flask-Limiter) --------------------------------------------------------
    RATELIMIT_ENABLED = True
    #: ``memory://`` (one process) or ``redis://127.0.0.1:6379/0`` (shared by all workers).
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    #: Login and token attempts from one IP address (every attempt counts).
    RATELIMIT_LOGIN_PER_IP = "30 per minute;300 per hour"
    #: Failed login attempts against one account, whatever the IP.
    RATELIMIT_LOGIN_PER_ACCOUNT = "5 per minute;30 per hour"
    #: Registrations and password-reset requests from one IP address.
    RATELIMIT_SIGNUP_PER_IP = "10 per hour"
    #: Searches (the search page and ``GET /api/v1/search``) from one IP address; generous for
    #: people, a ceiling for scrapers and runaway clients.
    RATELIMIT_SEARCH = "120 per minute;2000 per hour"

    # --- Community --------------------------------------------------------------------------
    COMMUNITY_THREADS_PER_PAGE = 20
    #: Answers per page on a thread page (the opening post shows on every page).
    COMMUNITY_POSTS_PER_PAGE = 20
    COMMUNITY_TITLE_MIN_LENGTH = 10
    COMMUNITY_TITLE_MAX_LENGTH = 200
    COMMUNITY_BODY_MIN_LENGTH = 10
    COMMUNITY_BODY_MAX_LENGTH = 50_000
    COMMUNITY_MAX_TAGS = 5
    #: Below this reputation an account is "new": limited links and posts per day.
    COMMUNITY_TRUSTED_REPUTATION = 10
    COMMUNITY_NEW_USER_MAX_LINKS = 2
    COMMUNITY_NEW_USER_POSTS_PER_DAY = 10
    #: Reputation for an up-vote received, a down-vote received and an accepted answer.
    REPUTATION_UPVOTE = 10
    REPUTATION_DOWNVOTE = -2
    REPUTATION_ACCEPTED = 15
    #: Threads, replies and edits per signed-in user (Flask-Limiter syntax).
    RATELIMIT_POSTING = "6 per minute;100 per hour"

    # --- Moderation ---------------------------------------------------------------------------
    #: A post flagged by this many distinct members, each with at least the reputation below,
    #: is hidden at once until a moderator reviews it.
    MODERATION_AUTO_HIDE_FLAGS = 3
    MODERATION_FLAGGER_MIN_REPUTATION = 5
    #: In pre-moderated categories, accounts with fewer approved posts than this wait in the
    #: review queue.
    MODERATION_PREMODERATE_POSTS = 3
    #: Reputation earned when a post of yours becomes a published KB article.
    REPUTATION_PROMOTED = 25
    #: Flags per member per day (Flask-Limiter syntax), against flag-bombing.
    RATELIMIT_FLAGS = "20 per day"
    MODERATION_QUEUE_PER_PAGE = 20
    MODERATION_LOG_PER_PAGE = 50

    # --- Escalation ---------------------------------------------------------------------------
    #: The asker's "Ask staff" button appears once an unsolved question has waited this long.
    ESCALATION_ASK_STAFF_AFTER_HOURS = 24
    ESCALATION_QUEUE_PER_PAGE = 25
    #: Webhook retries: wait base * 2^(attempt-1) seconds (capped), give up after N attempts.
    WEBHOOK_RETRY_BASE_SECONDS = 30
    WEBHOOK_RETRY_MAX_SECONDS = 6 * 3600
    WEBHOOK_MAX_ATTEMPTS = 8
    WEBHOOK_TIMEOUT = 10

    # --- Knowledge base -----------------------------------------------------------------------
    #: A new article's review-by date is this many days after it is first published.
    KB_REVIEW_INTERVAL_DAYS = 180
    #: `flask kb remind` emails an owner about the same stale article at most this often.
    KB_REMIND_EVERY_DAYS = 7
    #: An article with at least this many answers and a lower helpful ratio counts as poor.
    KB_POOR_FEEDBACK_MIN_VOTES = 5
    KB_POOR_FEEDBACK_RATIO = 0.5
    KB_ARTICLES_PER_PAGE = 20

    # --- Mail (password resets, notifications) ----------------------------------------------
    #: SMTP host. ``None`` writes mail to the log instead of sending it (development).
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "forum_kb <no-reply@localhost>"
    MAIL_TIMEOUT = 10

    # --- Security headers -------------------------------------------------------------------
    #: Content-Security-Policy sent with every response. No inline script or style anywhere.
    CONTENT_SECURITY_POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    )

    # --- Search -----------------------------------------------------------------------------
    #: Whoosh index folder. ``""`` means ``<instance>/search-index``; ``None`` keeps it in memory.
    SEARCH_INDEX_DIR: str | None = ""
    #: Who applies queued changes to the index: ``"thread"`` (a background thread in each
    #: server process; a lock file lets one write at a time), ``"inline"`` (right after each
    #: commit, in the request: tests) or ``"off"`` (a separate ``flask search indexer``).
    SEARCH_INDEXER = "thread"
    #: How often (seconds) an idle indexer looks for changes made by other processes.
    SEARCH_POLL_INTERVAL = 0.25
    SEARCH_PER_PAGE = 20
