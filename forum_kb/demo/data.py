"""What the demo community holds. Later features add their content here.

The threads are the support forum of "Shiftwise", a fictional team scheduling and helpdesk app;
the knowledge-base articles are its official help centre.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import TypeAlias

from forum_kb.accounts.models import Role
from forum_kb.kb.models import ArticleStatus

# (username, role, password, display name, bio). Passwords are printed by `make run`.
USERS: list[tuple[str, Role, str, str, str]] = [
    ("admin", Role.ADMIN, "admin-demo-pass", "Ada Admin", "Runs the forum."),
    ("sam.staff", Role.STAFF, "staff-demo-pass", "Sam Rivera", "Support engineer, EMEA."),
    ("mia.mod", Role.MODERATOR, "moderator-demo-pass", "Mia Chen", "Community moderator."),
    ("alice", Role.MEMBER, "member-demo-pass", "Alice Jones", "Runs a small bakery's IT."),
    ("bob", Role.MEMBER, "member-demo-pass", "Bob Okafor", "Home-lab tinkerer."),
]

# More members who write threads and answers (username, display name, bio). Their passwords
# are random and not printed: nobody needs to sign in as them.
MEMBERS: list[tuple[str, str, str]] = [
    ("dev.priya", "Priya Natarajan", "Backend developer; builds our Shiftwise integrations."),
    ("tomasz", "Tomasz Wójcik", "Operations lead at a logistics firm, 140 people on rotas."),
    ("lena.k", "Lena Krüger", "Runs a physiotherapy clinic. Not a techie, learning fast."),
    ("marcus", "Marcus Bell", "IT admin for a chain of eleven gyms."),
    ("yuki", "Yuki Tanaka", "Helpdesk team lead. Night-shift veteran."),
    ("raj.p", "Raj Patel", "Just signed up."),
    # Signed up to post spam; the moderators deal with him (MODERATION below).
    ("spammy", "Best Deals 4U", ""),
]

# Reputation the members bring along (as if earned before the demo's first day), so that the
# new-account limits (COMMUNITY_TRUSTED_REPUTATION) apply only to raj.p, who really is new.
STARTING_REPUTATION: dict[str, int] = {
    "alice": 40,
    "bob": 120,
    "dev.priya": 210,
    "tomasz": 60,
    "lena.k": 15,
    "marcus": 85,
    "yuki": 150,
}

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


_BLOCK_START = re.compile(r"^(?:[-*+]\s|\d+[.)]\s|#|>|\||```|~~~)")


def _md(text: str) -> str:
    """Dedent, and join the lines of each paragraph and list item.

    Posts render single newlines as line breaks (nl2br), so prose that is wrapped here only to
    fit the source's line length is unwrapped; code blocks, headings and tables are kept as is.
    """
    out: list[str] = []
    in_code = False
    for line in textwrap.dedent(text).strip().split("\n"):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_code = not in_code
            out.append(line)
        elif in_code or not stripped or not out or _BLOCK_START.match(stripped):
            out.append(line)
        elif out[-1].strip() and not out[-1].lstrip().startswith(("#", "|", "```", "~~~")):
            out[-1] += " " + stripped
        else:
            out.append(line)
    return "\n".join(out)


@dataclass(frozen=True)
class DemoReply:
    author: str
    #: Hours after the thread was started.
    hours: float
    body: str
    up: tuple[str, ...] = ()
    down: tuple[str, ...] = ()
    #: The asker accepts this answer.
    accepted: bool = False


@dataclass(frozen=True)
class DemoThread:
    category: str  # slug
    kind: str
    author: str
    days_ago: float
    title: str
    tags: tuple[str, ...]
    body: str
    up: tuple[str, ...] = ()
    replies: tuple[DemoReply, ...] = ()
    #: Appended to the opening post by an edit after the last reply (kept as revision 2).
    update: str = ""


R = DemoReply

THREADS: list[DemoThread] = [
    # --- Getting started -------------------------------------------------------------------
    DemoThread(
        "getting-started",
        "discussion",
        "mia.mod",
        35,
        "Welcome! Introduce yourself and tell us how your team uses Shiftwise",
        ("introductions", "community"),
        _md("""
            Hi everyone, I'm Mia and I help look after this forum.

            This is the place to say hello. Tell us a little about:

            - what your team does and how many people you schedule,
            - which parts of Shiftwise you use (rotas, on-call, the helpdesk inbox...),
            - one thing you wish it did better.

            Before posting a question, please search first: a lot of answers are already
            in the [help centre](https://help.shiftwise.example). And be kind, everybody
            started somewhere.
        """),
        up=("alice", "bob", "tomasz", "yuki", "lena.k"),
        replies=(
            R(
                "alice",
                3,
                _md("""
                Hello! I run IT for a family bakery with three shops, so about 30 people on
                early and late shifts. We moved off a shared Excel file in spring. Wish list:
                a way to print the week's rota on one A4 page for the kitchen wall.
            """),
                up=("mia.mod", "lena.k"),
            ),
            R(
                "bob",
                7,
                _md("""
                Hey all, Bob here. I don't have a team, I have a home lab and a volunteer
                fire brigade that needed an on-call rota :) Mostly here for the API.
            """),
                up=("mia.mod", "dev.priya"),
            ),
            R(
                "tomasz",
                26,
                _md("""
                Tomasz, operations at a logistics company in Poznań. 140 people over three
                warehouses, 24/7. We use rotas, shift swaps and time-off requests every day.
                My wish: better reporting on overtime per location.
            """),
                up=("mia.mod", "marcus"),
            ),
            R(
                "lena.k",
                50,
                _md("""
                Hi, I'm Lena. I manage a physiotherapy clinic with 9 therapists and 2
                receptionists. Until last month our rota was on paper! Still learning,
                so expect questions from me.
            """),
                up=("mia.mod", "alice", "yuki"),
            ),
            R(
                "yuki",
                75,
                _md("""
                Yuki, I lead a 12-person helpdesk that covers three time zones. We use the
                ticket inbox with SLAs plus the on-call rotation for the night. Happy to help
                with anything helpdesk-related.
            """),
                up=("mia.mod",),
            ),
            R(
                "dev.priya",
                120,
                _md("""
                Priya, backend developer. I connect Shiftwise to our payroll system through
                the API and webhooks. Wish: webhooks for time-off approvals.
            """),
                up=("bob", "mia.mod"),
            ),
        ),
    ),
    DemoThread(
        "getting-started",
        "question",
        "lena.k",
        30,
        "How do I import my staff list from a spreadsheet?",
        ("csv-import", "onboarding"),
        _md("""
            I have our staff in an Excel sheet (name, email, phone, role). Is there a way to
            import them all at once instead of inviting them one by one?

            I found **People → Invite**, but it only takes one email at a time.
        """),
        up=("alice",),
        replies=(
            R(
                "sam.staff",
                2,
                _md("""
                Yes! Go to **People → Import** (it's in the `⋯` menu next to *Invite*).
                Save your sheet as CSV first. The columns Shiftwise understands are:

                ```text
                first_name,last_name,email,phone,role,team,location
                Lena,Krüger,lena@example.com,+49 30 1234567,manager,Front desk,Main clinic
                Jonas,Meyer,jonas@example.com,,staff,Therapists,Main clinic
                ```

                - `email` is the only required column.
                - `role` is one of `staff`, `scheduler`, `manager`.
                - Unknown teams and locations are created for you.

                You'll see a preview before anything is saved, and nobody gets an invitation
                email until you click **Send invites** on the last step.
            """),
                up=("lena.k", "alice", "tomasz", "yuki"),
                accepted=True,
            ),
            R(
                "tomasz",
                5,
                _md("""
                One tip from experience: if you save the CSV from Excel on Windows, pick
                **CSV UTF-8** in the *Save as type* list. Plain "CSV" uses the old Windows
                encoding and names like *Wójcik* come out garbled.
            """),
                up=("lena.k", "sam.staff", "marcus"),
            ),
            R(
                "lena.k",
                20,
                _md("""
                That worked, thank you both! 11 people imported in two minutes. The UTF-8 tip
                saved me, we have a *Müller* and a *Jürgens*.
            """),
            ),
        ),
    ),
    DemoThread(
        "getting-started",
        "question",
        "raj.p",
        0.3,
        "Can employees see each other's phone numbers?",
        ("privacy", "permissions"),
        _md("""
            We're about to invite our staff. Some of them don't want their mobile number
            visible to everyone. Who can see the phone number on a profile, and can I hide it?
        """),
    ),
    DemoThread(
        "getting-started",
        "question",
        "marcus",
        22,
        "What's the difference between open shifts and shift swaps?",
        ("shifts", "schedules"),
        _md("""
            The docs mention both *open shifts* and *shift swaps*. They sound like the same
            thing to me. When would I use which? We have 11 gyms and the front-desk staff
            constantly trade shifts over WhatsApp, which I'd like to stop.
        """),
        up=("alice", "tomasz"),
        replies=(
            R(
                "mia.mod",
                1.5,
                _md("""
                They solve different problems:

                | | Open shift | Shift swap |
                |---|---|---|
                | Who starts it | a scheduler | an employee |
                | Has an owner yet? | no | yes, the person who wants out |
                | Who can take it | anyone eligible in the team | a colleague the owner picks |
                | Needs approval | optional | optional, per team |

                For your WhatsApp problem it's **shift swaps**: turn them on in
                **Settings → Scheduling → Swaps**, and choose whether a manager must approve.
                Staff then offer a shift from the app and everyone sees the result in the rota.
            """),
                up=("marcus", "alice", "tomasz", "yuki", "lena.k"),
                accepted=True,
            ),
            R(
                "alice",
                4,
                _md("""
                We use open shifts for sick cover: the manager posts the shift, the first
                person to claim it gets it. Works well with push notifications on.
            """),
                up=("marcus",),
            ),
        ),
    ),
    DemoThread(
        "getting-started",
        "question",
        "bob",
        12,
        "Is there a dark mode for the web app?",
        ("ui", "feature-request"),
        _md("""
            The mobile app follows the system dark mode, but the web app is blinding at 3 a.m.
            on call. Is there a setting I'm missing?
        """),
        up=("yuki", "dev.priya", "marcus"),
        replies=(
            R(
                "sam.staff",
                6,
                _md("""
                Not yet, sorry. It's on the roadmap for the web app redesign later this year.
                I've added your vote to the feature request.

                Until then, some people use their browser's forced dark mode (in Chrome:
                `chrome://flags/#enable-force-dark`). The schedule grid looks fine with it;
                the colour-coded shift labels get a bit muddy.
            """),
                up=("bob",),
            ),
            R(
                "yuki",
                9,
                _md("""
                +1, our night team would love this. The forced dark mode flag works for us
                too, just turn off "inversion of images".
            """),
                up=("bob",),
            ),
        ),
    ),
    DemoThread(
        "getting-started",
        "question",
        "alice",
        3,
        "Setting a default shift length for a new location",
        ("locations", "schedules"),
        _md("""
            We're opening a fourth shop with different opening hours (7:00-15:00). Every new
            shift I draw there defaults to 8:00-16:00, like the other shops. Can I set a
            default per location?
        """),
        replies=(
            R(
                "yuki",
                5,
                _md("""
                Default length is per *shift template*, not per location. What we do:

                1. **Schedules → Templates → New template**, e.g. "Shop 4 early" 07:00-15:00.
                2. Tick *Only offer at:* and choose the new location.
                3. When you draw a shift there, pick the template from the drop-down.

                The plain "draw a shift" default is workspace-wide, as far as I know.
            """),
                up=("alice",),
            ),
        ),
    ),
    DemoThread(
        "getting-started",
        "question",
        "lena.k",
        # Unanswered: the escalation sweep hands it to staff after the policy's 48 hours.
        2.25,
        "Can I copy last week's rota into next week?",
        ("rota", "templates"),
        _md("""
            Every Monday I rebuild next week's rota by hand, and it is nearly always the same
            as this week's. Is there a way to copy a whole week, and then change only the two
            or three shifts that differ?
        """),
    ),
    DemoThread(
        "getting-started",
        "howto",
        "yuki",
        26,
        "How-to: a follow-the-sun support rota across three time zones",
        ("timezones", "on-call", "schedules"),
        _md("""
            Our helpdesk covers Europe, the US east coast and Japan. Here is how we set up
            Shiftwise so that nobody works nights and customers always reach someone.

            ## 1. One team per region

            Create three teams (*EMEA*, *Americas*, *APAC*) and set each team's **time zone**
            in its settings. Shifts are then shown in the team's local time, but stored in UTC.

            ## 2. Hand-over shifts

            Each region works a 9-hour day; the extra hour overlaps with the next region for
            a hand-over call:

            ```text
            APAC      00:00-09:00 UTC   (09:00-18:00 Tokyo)
            EMEA      08:00-17:00 UTC   (09:00-18:00 Berlin, winter)
            Americas  16:00-01:00 UTC   (11:00-20:00 New York, winter)
            ```

            ## 3. Daylight saving

            Don't fight it. Europe and the US change on different weekends, so for two weeks a
            year the overlap is 0 or 2 hours. We add a note to those weeks instead of moving
            shifts.

            ## 4. On-call for the gaps

            Weekends run on an **on-call rotation** (Schedules → On-call) with one person per
            region, escalating after 15 minutes.

            Questions welcome!
        """),
        up=("tomasz", "sam.staff", "mia.mod", "dev.priya", "marcus", "alice"),
        replies=(
            R(
                "tomasz",
                8,
                _md("""
                Great write-up. How do you show the *viewer's* local time? Our managers in
                Poznań look at the UK team's rota and always get confused by the hour.
            """),
                up=("yuki",),
            ),
            R(
                "yuki",
                10,
                _md("""
                @tomasz each person can pick **Profile → Display times in: my time zone /
                the team's time zone**. We ask managers to use their own time zone and staff
                to use the team's.
            """),
                up=("tomasz", "lena.k"),
            ),
            R(
                "marcus",
                30,
                _md("""
                Bookmarked. We only span one time zone, but the on-call escalation part was
                exactly what I was looking for.
            """),
            ),
        ),
    ),
    # --- Billing and accounts --------------------------------------------------------------
    DemoThread(
        "billing",
        "question",
        "tomasz",
        28,
        "We're adding 40 seasonal workers: do we pay for them all year?",
        ("seats", "pricing"),
        _md("""
            From November to January we take on about 40 extra warehouse staff. If I add them
            to Shiftwise, do we keep paying for 40 more seats after they leave? We're on the
            Team plan, billed annually.
        """),
        up=("marcus",),
        replies=(
            R(
                "sam.staff",
                3,
                _md("""
                No. You pay for **active** people. When the season ends, *deactivate* them
                (People → select → Deactivate), don't delete them: their history stays for
                reports and you can reactivate them next year.

                On annual billing it works like this:

                - Adding seats mid-term is prorated for the rest of the year.
                - Deactivating seats gives you a credit on the next renewal, not a refund.

                If you'd rather not pre-pay, you can keep the core team annual and ask us to
                put seasonal seats on a monthly add-on. Write to billing@shiftwise.example.
            """),
                up=("tomasz", "marcus", "alice"),
                accepted=True,
            ),
            R(
                "marcus",
                30,
                _md("""
                We did the monthly add-on for summer staff last year. Billing set it up in a
                day. Recommended, the maths works out better than prorated annual seats if
                you only need them for three months.
            """),
                up=("tomasz", "sam.staff"),
            ),
        ),
    ),
    DemoThread(
        "billing",
        "question",
        "lena.k",
        20,
        "How do I add our VAT number to invoices?",
        ("invoices", "vat"),
        _md("""
            Our accountant says the invoices need our VAT ID (we're in Germany, Shiftwise
            bills from Ireland). Where do I enter it? And can past invoices be corrected?
        """),
        replies=(
            R(
                "sam.staff",
                4,
                _md("""
                **Settings → Billing → Company details → VAT ID.** Enter it with the country
                prefix, e.g. `DE123456789`. We check it against the EU VIES service; once it's
                valid, new invoices show it and use the reverse-charge rule (0% VAT).

                For past invoices: reply to any invoice email and ask for re-issued copies with
                the VAT ID. We can do that for the current and the previous calendar year.
            """),
                up=("lena.k", "alice"),
                accepted=True,
            ),
            R(
                "lena.k",
                26,
                _md("""
                Done, and support re-issued the last three invoices the same day. Thanks!
            """),
            ),
        ),
    ),
    DemoThread(
        "billing",
        "question",
        "marcus",
        9,
        "Card declined when switching from monthly to annual",
        ("payments", "plans"),
        _md("""
            I tried to switch our workspace from monthly to annual billing. The card is
            fine (it pays the monthly invoice every month) but the switch fails with
            *"Your card was declined (authentication_required)"*. Any idea?
        """),
        up=("tomasz",),
        replies=(
            R(
                "sam.staff",
                2,
                _md("""
                `authentication_required` means the bank wants a 3-D Secure check, which is
                common for a bigger one-off amount. Did a pop-up from your bank appear? Some
                ad blockers hide it.
            """),
                up=("marcus",),
            ),
            R(
                "marcus",
                3,
                _md("""
                No pop-up at all. I do have uBlock Origin on. I'll try a private window without
                extensions tomorrow and report back.
            """),
            ),
            R(
                "alice",
                20,
                _md("""
                Same thing happened to us with a company Visa: the bank had a daily limit for
                online payments. Worth calling them if the pop-up doesn't show.
            """),
                up=("marcus",),
            ),
        ),
    ),
    DemoThread(
        "billing",
        "question",
        "alice",
        1.5,
        "Can I download all past invoices at once?",
        ("invoices",),
        _md("""
            Year-end is coming and our bookkeeper wants every invoice from this year as PDFs.
            Clicking through 12 invoices is fine, but is there a *Download all* somewhere?
        """),
    ),
    DemoThread(
        "billing",
        "discussion",
        "tomasz",
        15,
        "Per-seat pricing vs. per-location pricing: what would work for you?",
        ("pricing", "feedback"),
        _md("""
            Sam mentioned that the team is collecting feedback on pricing. For us per-seat is
            painful because of seasonal staff (see my other thread). A price **per location**
            with unlimited staff would be simpler to budget.

            What would work for your organisation?
        """),
        up=("marcus", "alice", "sam.staff"),
        replies=(
            R(
                "alice",
                2,
                _md("""
                Per location would be more expensive for us: three small shops, 30 people.
                Per seat is fair at our size.
            """),
                up=("tomasz",),
            ),
            R(
                "marcus",
                5,
                _md("""
                Eleven gyms, ~200 people, lots of part-timers who work two shifts a week.
                Per seat is expensive *for part-timers*. Maybe count seats by hours worked,
                or a cheaper "occasional" seat?
            """),
                up=("tomasz", "lena.k", "yuki"),
            ),
            R(
                "lena.k",
                9,
                _md("""
                Honestly I just want one number I can put in the budget. Whatever the model,
                please no surprise bills.
            """),
                up=("alice", "tomasz"),
            ),
            R(
                "sam.staff",
                28,
                _md("""
                Thank you all, this is really useful and I've passed it to the product team.
                The "occasional seat" idea from @marcus came up in customer interviews too.
            """),
                up=("marcus", "tomasz"),
            ),
        ),
    ),
    DemoThread(
        "billing",
        "question",
        "yuki",
        6,
        "Transferring workspace ownership when the owner leaves the company",
        ("account-owner", "permissions"),
        _md("""
            Our workspace owner is leaving at the end of the month. I'm an admin. How do we
            move ownership to me before she goes? And what if she had already left?
        """),
        up=("mia.mod",),
        replies=(
            R(
                "mia.mod",
                1,
                _md("""
                While she's still there it's easy: she goes to **Settings → Workspace →
                Owner**, picks you and confirms with her password. You get an email to accept.
                Ownership includes billing, so check that the payment card isn't her personal
                one!
            """),
                up=("yuki", "sam.staff", "alice"),
                accepted=True,
            ),
            R(
                "sam.staff",
                3,
                _md("""
                And if the owner is unreachable: an admin can ask support for a transfer. We
                verify it with a signed request on company letterhead or from the billing
                contact's email. Takes 1-2 working days.
            """),
                up=("yuki", "mia.mod"),
            ),
        ),
    ),
    # --- Integrations ----------------------------------------------------------------------
    DemoThread(
        "integrations",
        "question",
        "dev.priya",
        27,
        "API: how do I paginate /v2/shifts? I only get 50 results",
        ("api", "pagination"),
        _md("""
            I'm pulling last month's shifts for payroll:

            ```bash
            curl -H "Authorization: Bearer $SHIFTWISE_TOKEN" \\
              "https://api.shiftwise.example/v2/shifts?from=2024-05-01&to=2024-05-31"
            ```

            I get exactly 50 shifts back, but there are ~1,900. Adding `page=2` returns the
            same 50. What am I missing?
        """),
        up=("bob",),
        replies=(
            R(
                "sam.staff",
                1,
                _md("""
                `/v2` uses **cursor** pagination, not page numbers. Each response has a
                `next_cursor`; pass it back until it is `null`. You can also raise `limit` to
                200.

                ```python
                import requests

                def all_shifts(token: str, start: str, end: str):
                    url = "https://api.shiftwise.example/v2/shifts"
                    params = {"from": start, "to": end, "limit": 200}
                    headers = {"Authorization": f"Bearer {token}"}
                    while True:
                        page = requests.get(url, params=params, headers=headers, timeout=30)
                        page.raise_for_status()
                        body = page.json()
                        yield from body["data"]
                        if not body["next_cursor"]:
                            break
                        params["cursor"] = body["next_cursor"]
                ```

                The [API reference](https://developers.shiftwise.example/v2/pagination) has the
                details.
            """),
                up=("dev.priya", "bob", "marcus", "tomasz"),
                accepted=True,
            ),
            R(
                "bob",
                3,
                _md("""
                Same thing with `curl` and `jq`, for quick checks:

                ```bash
                cursor=""
                while :; do
                  resp=$(curl -s -H "Authorization: Bearer $SHIFTWISE_TOKEN" \\
                    "https://api.shiftwise.example/v2/shifts?limit=200&cursor=$cursor")
                  echo "$resp" | jq -c '.data[]'
                  cursor=$(echo "$resp" | jq -r '.next_cursor // empty')
                  [ -z "$cursor" ] && break
                done
                ```
            """),
                up=("dev.priya", "yuki"),
            ),
            R(
                "dev.priya",
                6,
                _md("""
                Works, 1,912 shifts. Note for others: the cursor expires after 10 minutes,
                so don't pause between pages for long.
            """),
                up=("bob",),
            ),
        ),
    ),
    DemoThread(
        "integrations",
        "howto",
        "dev.priya",
        18,
        "How-to: verify webhook signatures in Python and Node",
        ("webhooks", "security", "api"),
        _md("""
            Shiftwise signs every webhook with your endpoint's secret. **Always** check the
            signature before trusting the payload: anyone can POST to a public URL.

            The header looks like `Shiftwise-Signature: t=1717000000,v1=5f2b...`, where `v1`
            is an HMAC-SHA256 of `"{t}.{raw body}"`.

            ### Python (Flask)

            ```python
            import hashlib
            import hmac
            import time

            def verify(secret: bytes, header: str, body: bytes, tolerance: int = 300) -> bool:
                parts = dict(item.split("=", 1) for item in header.split(","))
                timestamp = int(parts["t"])
                if abs(time.time() - timestamp) > tolerance:
                    return False  # too old: a replay
                signed = f"{timestamp}.".encode() + body
                expected = hmac.new(secret, signed, hashlib.sha256).hexdigest()
                return hmac.compare_digest(expected, parts["v1"])
            ```

            Use the **raw** body (`request.get_data()`), not re-serialised JSON.

            ### Node (Express)

            ```javascript
            const crypto = require("crypto");

            function verify(secret, header, rawBody, tolerance = 300) {
              const parts = Object.fromEntries(header.split(",").map((p) => p.split("=")));
              const t = Number(parts.t);
              if (Math.abs(Date.now() / 1000 - t) > tolerance) return false;
              const expected = crypto.createHmac("sha256", secret)
                .update(`${t}.${rawBody}`).digest("hex");
              return crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(parts.v1));
            }
            ```

            With Express, use `express.raw({ type: "application/json" })` on that route so
            you get the body as bytes.
        """),
        up=("bob", "sam.staff", "marcus", "yuki", "tomasz"),
        replies=(
            R(
                "bob",
                4,
                _md("""
                Nice. Why `compare_digest` / `timingSafeEqual` instead of `==`? Is the timing
                attack realistic over the internet?
            """),
            ),
            R(
                "dev.priya",
                6,
                _md("""
                @bob it has been demonstrated over networks with enough samples, and the
                constant-time compare costs nothing. Also note `timingSafeEqual` throws if the
                lengths differ, so check `parts.v1` exists and has 64 hex chars first.
            """),
                up=("bob", "sam.staff", "marcus"),
            ),
            R(
                "marcus",
                40,
                _md("""
                Used the Python version as-is behind our Azure Function. One gotcha: the
                function's clock was fine, but our test replays from last week of course
                failed the tolerance check. Working as intended!
            """),
                up=("dev.priya",),
            ),
        ),
    ),
    DemoThread(
        "integrations",
        "question",
        "marcus",
        24,
        "Slack notifications go to the wrong channel after renaming it",
        ("slack", "notifications"),
        _md("""
            We renamed `#gym-rota` to `#rota-all-sites` in Slack. Since then, schedule
            notifications go to... `#general`. The Slack integration page in Shiftwise still
            shows the old channel name.
        """),
        replies=(
            R(
                "yuki",
                2,
                _md("""
                Try disconnecting and reconnecting the Slack app. That fixed a similar problem
                for us.
            """),
                down=("sam.staff",),
            ),
            R(
                "sam.staff",
                3,
                _md("""
                Reconnecting works but you lose the per-team channel mapping. Quicker fix: open
                **Integrations → Slack → Channels**, choose the renamed channel again in the
                drop-down for each team and save. We store the channel *ID*, but an old version
                of the integration stored names, which is what bit you.
            """),
                up=("marcus", "yuki", "mia.mod"),
                accepted=True,
            ),
        ),
    ),
    DemoThread(
        "integrations",
        "question",
        "alice",
        16,
        "Google Calendar feed shows shifts one hour off",
        ("google-calendar", "timezones", "ical"),
        _md("""
            I subscribed to my personal shift feed (the iCal link under *Profile → Calendar
            feed*) in Google Calendar. All shifts show one hour later than in Shiftwise. My
            Google Calendar is set to London time, like Shiftwise.
        """),
        up=("bob",),
        replies=(
            R(
                "bob",
                1,
                _md("""
                Did the clocks change recently? Check the *event* time zone: open one of the
                shifts in Google Calendar, click the time, and see if it says UTC.
            """),
                up=("alice",),
            ),
            R(
                "sam.staff",
                5,
                _md("""
                This was a bug in feeds created before version 4.12: they sent times as
                floating local time without a `TZID`. Please:

                1. Remove the calendar from Google Calendar.
                2. In Shiftwise, **Profile → Calendar feed → Reset link**.
                3. Subscribe to the new link.

                Google refreshes subscribed calendars only every few hours, so give it time.
            """),
                up=("alice", "bob", "lena.k"),
                accepted=True,
            ),
        ),
        update=_md("""
            **Update:** fixed after resetting the link. Times are right since this morning.
        """),
    ),
    DemoThread(
        "integrations",
        "question",
        "tomasz",
        10,
        "Does Shiftwise support SCIM provisioning with Azure AD?",
        ("sso", "scim", "azure-ad"),
        _md("""
            We already sign in through Azure AD (SAML). Can Shiftwise also create and
            deactivate users automatically when HR changes them in Azure AD? Our IT asks
            specifically for **SCIM 2.0**.
        """),
        replies=(
            R(
                "sam.staff",
                4,
                _md("""
                Yes, on the Business plan. Setup in short:

                1. Shiftwise: **Settings → Security → SCIM**, generate a token.
                2. Azure: *Enterprise applications → Shiftwise → Provisioning*, mode
                   *Automatic*, tenant URL `https://api.shiftwise.example/scim/v2`, paste the
                   token, *Test connection*.
                3. Map attributes (the defaults are fine) and assign groups.

                Deactivated users in Azure are deactivated in Shiftwise within 40 minutes.
            """),
                up=("tomasz", "marcus"),
            ),
            R(
                "dev.priya",
                30,
                _md("""
                If you map Azure groups to Shiftwise teams, map `displayName` of the group
                exactly. We had a trailing space in one group name and it created a second team.
            """),
                up=("tomasz",),
            ),
        ),
    ),
    DemoThread(
        "integrations",
        "question",
        "dev.priya",
        4,
        "429 Too Many Requests after about 100 API calls a minute",
        ("api", "rate-limits"),
        _md("""
            Our nightly sync updates ~3,000 shifts one by one and starts getting `429` after
            about 100 requests. Is the limit documented? Is there a bulk endpoint?
        """),
        up=("bob",),
        replies=(
            R(
                "bob",
                3,
                _md("""
                Don't know about a bulk endpoint, but respect `Retry-After` and you'll get
                through. What I use:

                ```python
                import time
                import requests

                def call(session: requests.Session, method: str, url: str, **kw):
                    for attempt in range(6):
                        resp = session.request(method, url, timeout=30, **kw)
                        if resp.status_code != 429:
                            return resp
                        time.sleep(float(resp.headers.get("Retry-After", 2 ** attempt)))
                    resp.raise_for_status()
                    return resp
                ```
            """),
                up=("dev.priya", "marcus"),
            ),
        ),
    ),
    DemoThread(
        "integrations",
        "question",
        "lena.k",
        0.8,
        "Can patients book appointments through the helpdesk portal?",
        ("customer-portal", "feature-request"),
        _md("""
            We use the customer portal for patients' questions. Could they also pick an
            appointment slot with a therapist there? Or does anyone connect a booking tool?
        """),
    ),
    DemoThread(
        "integrations",
        "howto",
        "sam.staff",
        32,
        "How-to: turn emails to a shared Outlook mailbox into tickets",
        ("email", "outlook", "tickets"),
        _md("""
            Many of you asked how to get `support@yourcompany` into the Shiftwise helpdesk
            inbox when it is a shared mailbox in Microsoft 365.

            1. In Shiftwise, **Helpdesk → Channels → Email → Add address**. You get a
               forwarding address like `acme-7f3k@in.shiftwise.example`.
            2. In the Exchange admin center, open the shared mailbox → **Mail flow →
               Forwarding**, and forward to that address, *keeping a copy*.
            3. Send a test email. It shows up as a ticket within a minute.
            4. Add `support@yourcompany` as the **reply-from** address and verify the domain
               (SPF and DKIM records), so replies don't land in spam.

            Note: Microsoft 365 blocks automatic forwarding to external domains by default.
            Your admin has to allow it in the *outbound spam filter policy*.
        """),
        up=("marcus", "yuki", "alice", "mia.mod"),
        replies=(
            R(
                "marcus",
                20,
                _md("""
                Thanks, the outbound spam policy was the missing piece. For others, in
                PowerShell:

                ```powershell
                Set-HostedOutboundSpamFilterPolicy -Identity Default `
                  -AutoForwardingMode On
                ```

                (Better: create a separate policy just for the shared mailbox.)
            """),
                up=("sam.staff", "yuki"),
            ),
            R(
                "yuki",
                60,
                _md("""
                We've run this for a year. If a customer CCs two of your addresses, you get two
                tickets; Shiftwise merges them if the `Message-ID` matches, so that's fine.
            """),
                up=("sam.staff",),
            ),
        ),
    ),
    DemoThread(
        "integrations",
        "story",
        "bob",
        13,
        "I built a Home Assistant dashboard that shows who's on call",
        ("home-assistant", "api", "on-call"),
        _md("""
            Our volunteer fire brigade's station has a tablet on the wall running Home
            Assistant. Now it shows who is on call this week, straight from Shiftwise.

            A REST sensor polls the on-call endpoint every 5 minutes:

            ```yaml
            sensor:
              - platform: rest
                name: On call
                resource: https://api.shiftwise.example/v2/oncall/current?rotation=station-1
                headers:
                  Authorization: !secret shiftwise_token
                value_template: "{{ value_json.data.person.name }}"
                json_attributes_path: "$.data"
                json_attributes: [until, phone]
                scan_interval: 300
            ```

            Then a Markdown card shows the name, the end of the shift and the phone number.
            The whole thing took an evening, and nobody has to check the paper list anymore.
        """),
        up=("yuki", "dev.priya", "mia.mod", "alice", "marcus", "sam.staff"),
        replies=(
            R(
                "yuki",
                5,
                _md("""
                Love it. Does the token have read-only scope? I'd be nervous putting a full
                token on a wall tablet.
            """),
                up=("bob", "mia.mod"),
            ),
            R(
                "bob",
                7,
                _md("""
                Good point: yes, it's a token with only `oncall:read`. You create those under
                **Settings → API → Tokens → Scopes**.
            """),
                up=("yuki",),
            ),
            R(
                "mia.mod",
                24,
                _md("""
                This is great, thanks for sharing! Mind if we feature it in the next community
                newsletter?
            """),
            ),
            R(
                "bob",
                26,
                _md("""
                Go ahead :)
            """),
            ),
        ),
    ),
    # --- Troubleshooting -------------------------------------------------------------------
    DemoThread(
        "troubleshooting",
        "question",
        "yuki",
        25,
        "Push notifications stopped on Android 14",
        ("mobile", "android", "notifications"),
        _md("""
            Since my phone updated to Android 14, I don't get push notifications for new
            tickets or shift changes anymore. In-app everything is there. Notifications are
            allowed in the Android settings. Pixel 7, Shiftwise app 5.3.0.
        """),
        replies=(
            R(
                "bob",
                2,
                _md("""
                Android 14 got stricter about battery optimisation. Check **Settings → Apps →
                Shiftwise → App battery usage** and set it to *Unrestricted*. The default
                *Optimised* can delay pushes by hours.
            """),
                up=("yuki", "marcus", "lena.k"),
                accepted=True,
            ),
            R(
                "sam.staff",
                4,
                _md("""
                Also update to 5.3.1 when it arrives: it asks for the new Android 14
                notification permission properly. Release is rolling out this week.
            """),
                up=("yuki",),
            ),
            R(
                "yuki",
                6,
                _md("""
                Battery usage was *Optimised*. Set it to *Unrestricted* and pushes arrive
                instantly again. Thanks Bob!
            """),
            ),
        ),
    ),
    DemoThread(
        "troubleshooting",
        "question",
        "marcus",
        3,
        "Shift reminders arrive hours late on some Android phones",
        ("mobile", "android", "notifications"),
        _md("""
            A few of our trainers get their shift reminders two or three hours after the
            shift has started. All of them have Android phones; the iPhone users are fine.
            The app is up to date on every phone.
        """),
        replies=(
            R(
                "yuki",
                1.5,
                _md("""
                Sounds like what I had a few weeks ago: Android's battery optimisation holds
                the pushes back. Set **App battery usage** to *Unrestricted* for Shiftwise,
                details in the "Push notifications stopped on Android 14" thread.
            """),
                up=("marcus",),
            ),
        ),
    ),
    DemoThread(
        "troubleshooting",
        "question",
        "alice",
        21,
        "The helpdesk widget does nothing on our intranet page",
        ("customer-portal", "widget"),
        _md("""
            I pasted the widget snippet from *Helpdesk → Widget* right before `</body>` on
            our intranet page, like this: <script src="https://widget.shiftwise.example/w.js"
            data-workspace="alice-bakery"></script>

            Nothing appears. No button, nothing. Same snippet works on a blank test page.
        """),
        replies=(
            R(
                "dev.priya",
                2,
                _md("""
                Sounds like a Content Security Policy on the intranet blocks the script. Open
                the browser's developer tools (F12) → *Console*; you'll probably see
                "Refused to load the script ... because it violates the following Content
                Security Policy directive".

                The widget needs these in your CSP header:

                ```text
                script-src  'self' https://widget.shiftwise.example;
                connect-src 'self' https://api.shiftwise.example;
                frame-src   https://portal.shiftwise.example;
                ```
            """),
                up=("alice", "sam.staff", "bob", "marcus"),
                accepted=True,
            ),
            R(
                "alice",
                26,
                _md("""
                That was it, the console was full of CSP errors. Our IT added the three
                sources and the widget shows up. Thank you @dev.priya!
            """),
            ),
        ),
    ),
    DemoThread(
        "troubleshooting",
        "question",
        "marcus",
        11,
        "Shift export to CSV has garbled characters in Excel",
        ("csv-export", "excel"),
        _md("""
            When I export the monthly shift report to CSV and open it in Excel, names like
            *José* come out as `JosÃ©`. LibreOffice opens it fine.
        """),
        replies=(
            R(
                "lena.k",
                3,
                _md("""
                Excel guesses the wrong encoding on double-click. Use **Data → From Text/CSV**
                and pick *65001: Unicode (UTF-8)* as the file origin. Learned that one the hard
                way with imports, see my thread in *Getting started*.
            """),
                up=("marcus", "tomasz"),
            ),
            R(
                "sam.staff",
                4,
                _md("""
                Since last week's release there's also a checkbox **"Excel-compatible (UTF-8
                with BOM)"** in the export dialog. With it, double-clicking the file just works.
            """),
                up=("marcus", "lena.k", "alice", "tomasz"),
                accepted=True,
            ),
        ),
    ),
    DemoThread(
        "troubleshooting",
        "question",
        "tomasz",
        7,
        "Schedule page takes 20+ seconds to load for our largest location",
        ("performance", "schedules"),
        _md("""
            The week view of our biggest warehouse (~90 people, 3 shifts a day) takes 20-30
            seconds to load. The smaller locations load in 2 seconds. It got worse over the
            last month. Chrome, fast office connection.
        """),
        up=("marcus", "yuki"),
        replies=(
            R(
                "sam.staff",
                2,
                _md("""
                Sorry about that. Could you send a HAR file of the page load to support (DevTools
                → Network → right-click → *Save all as HAR*)? Please also tell us if the
                *Show availability* toggle is on.
            """),
                up=("tomasz",),
            ),
            R(
                "tomasz",
                5,
                _md("""
                Sent. *Show availability* is on. With it off, the page loads in 4 seconds!
                So that's the slow part.
            """),
                up=("sam.staff", "yuki"),
            ),
            R(
                "sam.staff",
                24,
                _md("""
                Thanks. Engineering found the cause: availability is loaded per person instead
                of once for the week. A fix is scheduled for the next release. Until then,
                leaving the toggle off is the workaround.
            """),
                up=("tomasz", "marcus", "yuki"),
            ),
            R(
                "yuki",
                48,
                _md("""
                Same here with our 40-person team, and the toggle workaround helps. Looking
                forward to the fix.
            """),
            ),
        ),
    ),
    DemoThread(
        "troubleshooting",
        "question",
        "bob",
        2,
        "SSO login loops back to the sign-in page",
        ("sso", "okta", "login"),
        _md("""
            I'm testing SAML SSO with an Okta developer account. After I sign in at Okta, I'm
            sent back to Shiftwise's sign-in page, which sends me to Okta again, forever. No
            error message anywhere.
        """),
        replies=(
            R(
                "marcus",
                3,
                _md("""
                Check the **ACS URL** in Okta. It has to be exactly
                `https://app.shiftwise.example/sso/saml/acs`: with `app.`, no trailing slash.
                A wrong one gave me the same loop.
            """),
                up=("bob",),
            ),
            R(
                "dev.priya",
                6,
                _md("""
                Also check the clock of whatever signs the assertion. A skew of more than a
                few minutes makes the assertion "not yet valid", and some providers just
                redirect instead of showing an error.
            """),
                up=("bob", "marcus"),
            ),
            R(
                "bob",
                20,
                _md("""
                ACS URL was right, clock too. Still looping. I'll capture the SAML response
                with the SAML-tracer extension and post what I find.
            """),
            ),
        ),
    ),
    DemoThread(
        "troubleshooting",
        "question",
        "lena.k",
        5,
        "An employee can't see her shifts in the mobile app",
        ("mobile", "permissions"),
        _md("""
            One of our therapists installed the app and signed in, but her schedule is empty.
            In the web app I can see her shifts for next week. Everyone else sees theirs.
        """),
        replies=(
            R(
                "yuki",
                1,
                _md("""
                Two things to check:

                1. Is next week's schedule **published**? Drafts are only visible to
                   schedulers and managers. Look for the yellow *Draft* badge.
                2. Is she in the right **team**? The app shows shifts of the teams she is in.
            """),
                up=("lena.k", "mia.mod", "alice"),
                accepted=True,
            ),
            R(
                "lena.k",
                2,
                _md("""
                It was a draft! I published everybody else's week individually and forgot hers.
                Thanks @yuki.
            """),
            ),
        ),
    ),
    DemoThread(
        "troubleshooting",
        "question",
        "yuki",
        0.5,
        "Ticket SLA timer keeps running on weekends",
        ("sla", "tickets", "business-hours"),
        _md("""
            Our SLA is "first reply within 8 business hours". We set business hours to Mon-Fri
            09:00-18:00, but tickets from Friday evening are already *breached* on Monday
            morning. Does the SLA ignore business hours?
        """),
        up=("tomasz",),
    ),
    DemoThread(
        "troubleshooting",
        "discussion",
        "marcus",
        14,
        "How do you handle no-shows?",
        ("shifts", "process"),
        _md("""
            Not a bug, a process question. When someone doesn't turn up for a shift, what do
            you do in Shiftwise? Mark it somehow, leave it, delete it? We want the reports to
            be honest but don't want to publicly shame anyone.
        """),
        up=("tomasz", "lena.k"),
        replies=(
            R(
                "tomasz",
                4,
                _md("""
                We use the **attendance** status: the shift stays, marked *No-show*, visible to
                managers only. The overtime report then shows who covered.
            """),
                up=("marcus", "yuki"),
            ),
            R(
                "lena.k",
                6,
                _md("""
                At our size we just talk to the person. But I do mark it, so I can see a
                pattern if there is one.
            """),
                up=("marcus",),
            ),
            R(
                "yuki",
                9,
                _md("""
                Same as Tomasz, plus an open shift posted immediately for the gap. The first
                taker gets a small bonus.
            """),
                up=("marcus", "tomasz"),
            ),
            R(
                "alice",
                30,
                _md("""
                We added a custom shift tag *covered-by-X* to thank the person who stepped in.
                Staff like seeing that on the rota.
            """),
            ),
        ),
    ),
    # --- Show and tell ---------------------------------------------------------------------
    DemoThread(
        "show-and-tell",
        "story",
        "tomasz",
        19,
        "How we cut overtime by 18% after moving 140 staff to Shiftwise",
        ("success-story", "overtime"),
        _md("""
            A year ago our three warehouses planned shifts in three different spreadsheets.
            Overtime was 11% of paid hours and nobody knew why until payroll ran.

            What changed:

            - **One rota for all sites.** Managers see who is free at the other warehouses
              and borrow people instead of paying overtime.
            - **Overtime warnings** when a shift would push someone over 40 hours.
            - **Shift swaps in the app** instead of phone calls at 5 a.m.

            After six months overtime was down from 11% to 9% of paid hours (-18%), and shift
            swaps take minutes instead of a morning.

            Happy to answer questions about the rollout.
        """),
        up=("mia.mod", "sam.staff", "marcus", "lena.k", "alice", "yuki", "dev.priya"),
        replies=(
            R(
                "mia.mod",
                3,
                _md("""
                Thanks for the numbers, Tomasz! These are the stories people ask for.
            """),
            ),
            R(
                "marcus",
                8,
                _md("""
                How did you get the warehouse managers to give up their spreadsheets? That's
                my biggest obstacle.
            """),
                up=("tomasz", "lena.k"),
            ),
            R(
                "tomasz",
                10,
                _md("""
                Honestly: we didn't ask. We ran both for four weeks, then payroll only accepted
                hours from Shiftwise. The managers who complained loudest are now its biggest
                fans because swaps stopped landing on their desk.
            """),
                up=("marcus", "mia.mod", "yuki", "alice"),
            ),
            R(
                "lena.k",
                40,
                _md("""
                Inspiring, even at our tiny scale.
            """),
            ),
        ),
    ),
    DemoThread(
        "show-and-tell",
        "howto",
        "yuki",
        8,
        "How-to: helpdesk macros that save us 2 hours a day",
        ("macros", "tickets", "productivity"),
        _md("""
            Macros are canned replies that can also change the ticket. Ours answer the most
            common questions *and* tag, assign and set the status in one click.

            Our most used one, "Password reset":

            ```text
            Hi {{ticket.requester.first_name}},

            You can reset your password yourself at https://app.example.com/reset.
            The link in the email is valid for one hour.

            If it doesn't arrive within 5 minutes, check your spam folder and reply here.

            {{agent.first_name}}
            ```

            Actions: set tag `password`, status *Pending*, and add an internal note.

            Tips:

            1. Look at your last 500 tickets and write macros for the top 10 topics.
            2. Keep them short. Customers can tell when a reply is a wall of boilerplate.
            3. Review them every quarter; delete the ones nobody uses.
        """),
        up=("sam.staff", "alice", "mia.mod", "marcus"),
        replies=(
            R(
                "alice",
                6,
                _md("""
                Didn't know macros could set tags. Our "opening hours" question alone comes
                in ten times a day. Thanks!
            """),
                up=("yuki",),
            ),
            R(
                "sam.staff",
                20,
                _md("""
                Good list. One more: use the `{{ticket.id}}` placeholder in the subject when you
                tell people to reply, so the reply threads onto the same ticket.
            """),
                up=("yuki", "alice"),
            ),
        ),
    ),
    DemoThread(
        "show-and-tell",
        "story",
        "lena.k",
        17,
        "From paper rota to Shiftwise in a week: a small clinic's story",
        ("success-story", "healthcare"),
        _md("""
            Until last month our rota was a sheet of paper on the staff room door, with
            crossings-out in four colours. This is how our first week went.

            **Monday:** imported everyone from Excel (thanks to the people in the import
            thread!). **Tuesday:** built shift templates for morning, afternoon and the
            Saturday clinic. **Wednesday:** drew the first two weeks. **Thursday:** everyone
            installed the app. **Friday:** the first swap request came in, through the app,
            not a note on my desk.

            What I'd tell other small teams: start with the next two weeks only, not the
            whole year, and don't customise anything in the first month.
        """),
        up=("alice", "mia.mod", "tomasz", "yuki", "sam.staff"),
        replies=(
            R(
                "alice",
                5,
                _md("""
                "Don't customise anything in the first month" is gold. We spent our first
                month building colour codes nobody looks at.
            """),
                up=("lena.k", "tomasz"),
            ),
            R(
                "mia.mod",
                22,
                _md("""
                Lovely story, thank you for writing it up!
            """),
            ),
        ),
    ),
    DemoThread(
        "show-and-tell",
        "howto",
        "bob",
        23,
        "How-to: pull this week's rota into a Google Sheet with Apps Script",
        ("google-sheets", "api", "automation"),
        _md("""
            Some managers want the rota in a spreadsheet. Instead of exporting by hand, a
            small Apps Script fills a sheet every morning.

            1. Create a Google Sheet, then **Extensions → Apps Script**.
            2. Store your API token in *Project settings → Script properties* as
               `SHIFTWISE_TOKEN`.
            3. Paste this and run `refresh` once to grant permissions:

            ```javascript
            function refresh() {
              const token = PropertiesService.getScriptProperties().getProperty("SHIFTWISE_TOKEN");
              const today = new Date();
              const from = Utilities.formatDate(today, "UTC", "yyyy-MM-dd");
              const url = "https://api.shiftwise.example/v2/shifts?limit=200&from=" + from;
              const headers = { Authorization: "Bearer " + token };
              const resp = UrlFetchApp.fetch(url, { headers });
              const shifts = JSON.parse(resp.getContentText()).data;
              const rows = shifts.map((s) => [s.start, s.end, s.person.name, s.location.name]);
              const sheet = SpreadsheetApp.getActiveSheet();
              sheet.clearContents();
              sheet.getRange(1, 1, 1, 4).setValues([["Start", "End", "Who", "Where"]]);
              if (rows.length) sheet.getRange(2, 1, rows.length, 4).setValues(rows);
            }
            ```

            4. Add a time-driven trigger (*Triggers → Add trigger → Day timer*).

            More than 200 shifts a week? Follow `next_cursor`, as in the pagination thread.
        """),
        up=("alice", "dev.priya", "tomasz", "marcus"),
        replies=(
            R(
                "alice",
                24,
                _md("""
                This is exactly what our shop managers wanted. Can it show local time instead
                of UTC? The times are an hour off for us in summer.
            """),
            ),
            R(
                "bob",
                26,
                _md("""
                Sure, format them with the spreadsheet's time zone:

                ```javascript
                const tz = SpreadsheetApp.getActive().getSpreadsheetTimeZone();
                const fmt = (iso) => Utilities.formatDate(new Date(iso), tz, "EEE HH:mm");
                const rows = shifts.map((s) => [fmt(s.start), fmt(s.end), s.person.name]);
                ```
            """),
                up=("alice", "lena.k"),
            ),
        ),
    ),
    DemoThread(
        "show-and-tell",
        "discussion",
        "sam.staff",
        1,
        "Beta: the new schedule editor. Tell us what you think",
        ("beta", "schedules", "feedback"),
        _md("""
            The new schedule editor is open for beta testing! Turn it on under **Profile →
            Beta features → New schedule editor**. What's new:

            - drag to create and resize shifts,
            - copy a whole week with <kbd>Ctrl</kbd>+<kbd>C</kbd> / <kbd>Ctrl</kbd>+<kbd>V</kbd>,
            - conflicts (overlaps, time off, overtime) shown while you drag.

            Please post what works, what doesn't and what you miss. Screenshots help.
        """),
        up=("yuki", "tomasz", "mia.mod", "alice"),
        replies=(
            R(
                "yuki",
                2,
                _md("""
                Drag to resize is lovely. Bug: when I copy a week across a daylight saving
                change, the shifts after the change move by an hour.
            """),
                up=("sam.staff", "tomasz"),
            ),
            R(
                "tomasz",
                5,
                _md("""
                The conflict warnings are a huge improvement. I miss the *filter by
                location* that the old editor had in the top bar.
            """),
                up=("sam.staff",),
            ),
            R(
                "alice",
                20,
                _md("""
                Works nicely on my iPad too. Could the shift colours follow the *template*
                rather than the person?
            """),
            ),
        ),
    ),
    DemoThread(
        "show-and-tell",
        "story",
        "dev.priya",
        29,
        "Our on-call hand-over bot, built on webhooks",
        ("webhooks", "on-call", "automation"),
        _md("""
            Every Monday at 09:00 our on-call duty changes hands. People used to forget, so
            we built a tiny bot: Shiftwise sends an `oncall.shift_started` webhook, a small
            service posts the hand-over checklist to the team chat and @-mentions both people.

            ```python
            @app.post("/hooks/shiftwise")
            def hook():
                if not verify(SECRET, request.headers["Shiftwise-Signature"], request.get_data()):
                    abort(400)
                event = request.get_json()
                if event["type"] == "oncall.shift_started":
                    post_checklist(event["data"]["previous"], event["data"]["current"])
                return "", 204
            ```

            It has run for six months without a missed hand-over. The webhook signature
            check is in my other post.
        """),
        up=("bob", "yuki", "marcus"),
        replies=(
            R(
                "yuki",
                6,
                _md("""
                We need exactly this. Is the checklist static, or does it include open
                incidents?
            """),
            ),
            R(
                "dev.priya",
                8,
                _md("""
                Static plus a list of tickets tagged `incident` that are still open, fetched
                from the API when the hook fires.
            """),
                up=("yuki", "bob"),
            ),
        ),
    ),
]


# --- Knowledge base ------------------------------------------------------------------------------

# (name, slug, description), in the order readers see them.
KB_SECTIONS: list[tuple[str, str, str]] = [
    (
        "Getting started",
        "getting-started",
        "Import your people, invite your team and build your first rota.",
    ),
    (
        "Accounts and billing",
        "accounts-and-billing",
        "Plans, seats, invoices and who owns the workspace.",
    ),
    (
        "Integrations",
        "integrations",
        "Calendars, webhooks and the REST API.",
    ),
    (
        "Troubleshooting",
        "troubleshooting",
        "Fixes for the problems people ask about most in the community.",
    ),
]


@dataclass(frozen=True)
class DemoArticle:
    section: str  # slug
    #: Writes the article and owns it; sam.staff reviews and publishes.
    owner: str
    #: Days since the first draft; a reviewed article was submitted 12 hours and published
    #: 36 hours after that.
    days_ago: float
    title: str
    labels: tuple[str, ...]
    body: str
    status: ArticleStatus = ArticleStatus.PUBLISHED
    #: Readers' "Was this helpful?" answers: how many said yes, how many said no.
    helpful: int = 0
    not_helpful: int = 0
    #: Comments left with some of those answers: (helpful, comment).
    comments: tuple[tuple[bool, str], ...] = ()
    #: Appended to the body by an edit after publication, saved as a draft not yet published.
    update: str = ""
    update_note: str = ""
    updated_days_ago: float = 0
    #: Why (and when) an archived article was taken out of the help centre.
    archive_note: str = ""
    archived_days_ago: float = 0
    #: Title of the community thread whose question the article answers.
    answers: str = ""


A = DemoArticle

ARTICLES: list[DemoArticle] = [
    # --- Getting started -------------------------------------------------------------------
    A(
        "getting-started",
        "sam.staff",
        75,
        "Import your staff from a CSV file",
        ("csv-import", "onboarding", "people"),
        _md("""
            Adding people one at a time is fine for a small team. For more than a handful,
            import them from a spreadsheet: Shiftwise creates everyone in one go, and nobody
            is emailed until you say so.

            ## Before you start

            - You need the **Manager** or **Owner** role.
            - Each person needs an email address that is not already in your workspace.
            - Save your spreadsheet as **CSV UTF-8**. Plain "CSV" from Excel on Windows uses an
              old encoding, and names such as *Müller* or *Wójcik* come out garbled.

            ## Prepare the file

            The first row names the columns. Only `email` is required; the others fill in the
            profile and can be changed later.

            | Column | Required | Example | Notes |
            |---|---|---|---|
            | `first_name` | no | Lena | |
            | `last_name` | no | Krüger | |
            | `email` | yes | lena@example.com | used to sign in |
            | `phone` | no | +49 30 1234567 | international format |
            | `role` | no | manager | `staff` (default), `scheduler` or `manager` |
            | `team` | no | Front desk | created if it does not exist |
            | `location` | no | Main clinic | created if it does not exist |

            A file that imports two people:

            ```text
            first_name,last_name,email,phone,role,team,location
            Lena,Krüger,lena@example.com,+49 30 1234567,manager,Front desk,Main clinic
            Jonas,Meyer,jonas@example.com,,staff,Therapists,Main clinic
            ```

            ## Import the file

            1. Go to **People**, open the `⋯` menu next to **Invite** and choose **Import**.
            2. Choose your CSV file. Shiftwise reads it and shows a preview.
            3. Check the preview. Rows with problems are marked in red with the reason; fix
               them in the file and choose it again, or untick them to skip them.
            4. Click **Import**. The people are created but not yet invited.
            5. When you are ready, click **Send invites**. Each person gets an email with a
               link to set their password.

            ## If something goes wrong

            - **Garbled names**: the file was not saved as UTF-8. Save it again as
              *CSV UTF-8* and re-import; existing people are updated, not duplicated.
            - **"Email already in use"**: that person is already in your workspace, perhaps
              deactivated. Reactivate them under **People → Deactivated**.

            **Related:**
            [Invite your team](/kb/articles/invite-your-team-and-choose-their-roles)
        """),
        helpful=12,
        not_helpful=1,
        comments=((False, "An example for Excel on a Mac would help, the menus differ."),),
        answers="How do I import my staff list from a spreadsheet?",
    ),
    A(
        "getting-started",
        "mia.mod",
        21,
        "Open shifts and shift swaps: which one to use",
        ("shifts", "schedules"),
        _md("""
            Both let someone other than the scheduled person work a shift, so they are easy
            to mix up. The difference is who starts it and whether the shift already has
            someone on it.

            | | Open shift | Shift swap |
            |---|---|---|
            | Who starts it | a scheduler | an employee |
            | Has someone on it? | no | yes, the person who wants out |
            | Who can take it | anyone eligible in the team | a colleague the owner picks |
            | Needs approval | optional | optional, per team |

            ## Use an open shift to fill a gap

            For sick cover or extra demand, a scheduler posts the shift without a name on it.
            Everyone eligible gets a notification, and the first person to claim it gets it
            (or the scheduler picks from the volunteers, if approval is on).

            1. In the schedule, click the empty slot and choose **New open shift**.
            2. Set the time, position and how many people you need.
            3. Click **Publish**.

            ## Use shift swaps to stop the group-chat trading

            When people trade shifts among themselves, turn on swaps so the trade happens in
            Shiftwise and the rota stays right.

            1. Go to **Settings → Scheduling → Swaps** and switch swaps on.
            2. Choose whether a manager must approve each swap.
            3. Tell your team: in the app, they open their shift and choose **Offer swap**.

            **Related:**
            [Invite your team](/kb/articles/invite-your-team-and-choose-their-roles)
        """),
        helpful=8,
        not_helpful=1,
        answers="What's the difference between open shifts and shift swaps?",
    ),
    A(
        "getting-started",
        "sam.staff",
        90,
        "Invite your team and choose their roles",
        ("onboarding", "people", "permissions"),
        _md("""
            Everyone who works shifts needs a Shiftwise account. You invite them by email,
            and their role decides what they can see and change.

            ## Roles

            | Role | Sees | Can change |
            |---|---|---|
            | Staff | their own shifts and the team rota | their availability, swaps, time off |
            | Scheduler | every schedule in their teams | shifts in their teams |
            | Manager | everything in their locations | schedules, people, approvals |
            | Owner | everything | everything, including billing |

            ## Invite people

            1. Go to **People → Invite**.
            2. Enter an email address, choose a role and a team.
            3. Click **Send invite**. The invitation is valid for 7 days.

            For more than a few people,
            [import them from a CSV file](/kb/articles/import-your-staff-from-a-csv-file)
            instead.
        """),
        helpful=5,
        not_helpful=2,
        comments=((False, "It doesn't say how to resend an invitation that has expired."),),
        update=_md("""
            ## Resend an expired invitation

            Invitations expire after 7 days. Under **People → Invited**, find the person and
            choose **Resend**; the old link stops working and a new one is emailed.
        """),
        update_note="Readers asked how to resend an expired invitation.",
        updated_days_ago=2,
    ),
    A(
        "getting-started",
        "mia.mod",
        0.2,
        "Who can see phone numbers and other profile details",
        ("privacy", "permissions", "people"),
        _md("""
            Some people would rather not share their mobile number with the whole company.
            This is what each role can see on a profile.

            | Detail | Staff | Scheduler | Manager |
            |---|---|---|---|
            | Name and photo | everyone | everyone | everyone |
            | Email | their team | their teams | everyone |
            | Phone | hidden if the person chose so | their teams | everyone |

            TODO: check with product whether schedulers really see hidden numbers.
        """),
        status=ArticleStatus.DRAFT,
        answers="Can employees see each other's phone numbers?",
    ),
    # --- Accounts and billing --------------------------------------------------------------
    A(
        "accounts-and-billing",
        "sam.staff",
        18,
        "Add your VAT ID to invoices",
        ("invoices", "vat"),
        _md("""
            Shiftwise bills from Ireland. If your business is registered for VAT in another EU
            country, add your VAT ID and new invoices apply the reverse-charge rule (0% VAT).

            1. Go to **Settings → Billing → Company details**.
            2. Enter your VAT ID with its country prefix, for example `DE123456789`.
            3. Click **Save**. We check the number with the EU's VIES service; this takes a
               few seconds.

            Once the number is valid, every new invoice shows it.

            ## Invoices issued before you added it

            Reply to any invoice email and ask for re-issued copies. We can re-issue invoices
            from the current and the previous calendar year.
        """),
        helpful=6,
        answers="How do I add our VAT number to invoices?",
    ),
    A(
        "accounts-and-billing",
        "sam.staff",
        25,
        "How seats are billed for seasonal and temporary staff",
        ("seats", "pricing", "people"),
        _md("""
            You pay for **active** people, not for everyone who ever worked for you. When
            seasonal staff leave, deactivate them and they stop counting.

            ## Deactivate, don't delete

            Go to **People**, select the people who have left and choose **Deactivate**. Their
            shifts and hours stay in your reports, and next season you reactivate them
            instead of inviting them again.

            ## How this works on each plan

            | | Monthly billing | Annual billing |
            |---|---|---|
            | Adding people | charged from the next invoice | prorated to the renewal date |
            | Deactivating people | not charged from the next invoice | credit at renewal |

            If you take on extra staff for a few months each year, ask
            billing@shiftwise.example for a **monthly add-on** for them while the rest of your
            team stays on annual billing.

            **Related:**
            [Import your staff from a CSV file](/kb/articles/import-your-staff-from-a-csv-file)
        """),
        helpful=3,
        not_helpful=2,
        comments=((False, "Please give a worked example with numbers."),),
        answers="We're adding 40 seasonal workers: do we pay for them all year?",
    ),
    A(
        "accounts-and-billing",
        "mia.mod",
        4,
        "Transfer workspace ownership",
        ("account-owner", "permissions"),
        _md("""
            Every workspace has exactly one owner, who also controls billing. Move ownership
            before the owner leaves your company.

            ## While the owner can still sign in

            1. The owner goes to **Settings → Workspace → Owner**.
            2. They choose the new owner (who must be a manager) and confirm with their
               password.
            3. The new owner gets an email and clicks **Accept**.

            Check that the payment card on file is not the old owner's personal card.

            ## If the owner has already left

            A manager can ask support for the transfer. Send a signed request on company
            letterhead, or write from the billing contact's email address. It takes one to
            two working days.
        """),
        status=ArticleStatus.IN_REVIEW,
        answers="Transferring workspace ownership when the owner leaves the company",
    ),
    A(
        "accounts-and-billing",
        "sam.staff",
        400,
        "Pay your invoices by cheque",
        ("invoices", "payments"),
        _md("""
            Customers in the UK and Ireland can pay annual invoices by cheque.

            1. Make the cheque payable to *Shiftwise Ltd*.
            2. Write the invoice number on the back.
            3. Post it to the address on the invoice at least 10 days before the due date.
        """),
        status=ArticleStatus.ARCHIVED,
        helpful=1,
        not_helpful=3,
        archive_note="We stopped accepting cheques; customers pay by card or bank transfer.",
        archived_days_ago=45,
    ),
    # --- Integrations ----------------------------------------------------------------------
    A(
        "integrations",
        "sam.staff",
        26,
        "Fetch every page of API results with cursors",
        ("api", "pagination"),
        _md("""
            List endpoints in the v2 API, such as `/v2/shifts`, return at most 50 items by
            default. To get them all, follow the cursor. Page numbers (`page=2`) are ignored.

            ## How cursors work

            Every list response has a `data` array and a `next_cursor`:

            ```json
            {"data": [{"id": "shf_81x2", "starts_at": "2024-05-01T06:00:00Z"}],
             "next_cursor": "c2hmXzgxeDI"}
            ```

            Send `next_cursor` back as `cursor` to get the next page, and stop when it is
            `null`. Raise `limit` to 200 to make fewer requests.

            ## Example in Python

            ```python
            import requests

            def all_shifts(token: str, start: str, end: str):
                url = "https://api.shiftwise.example/v2/shifts"
                params = {"from": start, "to": end, "limit": 200}
                headers = {"Authorization": f"Bearer {token}"}
                while True:
                    page = requests.get(url, params=params, headers=headers, timeout=30)
                    page.raise_for_status()
                    body = page.json()
                    yield from body["data"]
                    if not body["next_cursor"]:
                        break
                    params["cursor"] = body["next_cursor"]
            ```

            ## Good to know

            - A cursor expires after **10 minutes**: fetch the pages one after another.
            - The API allows about 100 requests a minute. On `429 Too Many Requests`, wait
              for the number of seconds in the `Retry-After` header.

            **Related:**
            [Verify webhook signatures](/kb/articles/verify-webhook-signatures)
        """),
        helpful=7,
        answers="API: how do I paginate /v2/shifts? I only get 50 results",
    ),
    A(
        "integrations",
        "sam.staff",
        120,
        "Verify webhook signatures",
        ("webhooks", "security", "api"),
        _md("""
            Shiftwise signs every webhook it sends with your endpoint's secret. Check the
            signature before you trust a payload: anyone can POST to a public URL.

            ## The signature header

            ```text
            Shiftwise-Signature: t=1717000000,v1=5f2b9c...
            ```

            `t` is when the webhook was sent (Unix time) and `v1` is the hex HMAC-SHA256 of
            `"{t}.{raw body}"`, keyed with the endpoint's secret. You find the secret under
            **Settings → Developers → Webhooks**.

            ## Check it

            1. Read the **raw** request body, before any JSON parsing.
            2. Split the header into `t` and `v1`.
            3. Reject the request if `t` is more than 5 minutes old: it may be a replay.
            4. Compute the HMAC and compare it with `v1` in constant time.

            ```python
            import hashlib
            import hmac
            import time

            def verify(secret: bytes, header: str, body: bytes, tolerance: int = 300) -> bool:
                parts = dict(item.split("=", 1) for item in header.split(","))
                timestamp = int(parts["t"])
                if abs(time.time() - timestamp) > tolerance:
                    return False
                signed = f"{timestamp}.".encode() + body
                expected = hmac.new(secret, signed, hashlib.sha256).hexdigest()
                return hmac.compare_digest(expected, parts.get("v1", ""))
            ```

            Answer `2xx` within 10 seconds. Anything else is retried with backoff for up to
            three days.

            **Related:**
            [API pagination](/kb/articles/fetch-every-page-of-api-results-with-cursors)
        """),
        helpful=9,
        not_helpful=1,
    ),
    A(
        "integrations",
        "mia.mod",
        210,
        "Subscribe to your shifts in Google Calendar or Outlook",
        ("google-calendar", "outlook", "ical"),
        _md("""
            Your shifts can appear in the calendar you already use. Shiftwise gives every
            person a private calendar feed (an iCal link) that calendar apps subscribe to.

            ## Copy your feed link

            1. Open your **Profile → Calendar feed**.
            2. Click **Copy link**. Keep it private: anyone with the link sees your shifts.

            ## Google Calendar

            1. In Google Calendar, next to **Other calendars**, click **+** and choose
               **From URL**.
            2. Paste the link and click **Add calendar**.

            ## Outlook

            1. In Outlook on the web, go to **Calendar → Add calendar → Subscribe from web**.
            2. Paste the link, give the calendar a name and click **Import**.

            Calendar apps refresh subscribed calendars every few hours, so a change in
            Shiftwise can take a while to show.
        """),
        helpful=2,
        not_helpful=5,
        comments=(
            (False, "All my shifts show one hour late in Google Calendar."),
            (False, "The steps for the new Outlook app are different."),
        ),
        answers="Google Calendar feed shows shifts one hour off",
    ),
]


# --- Moderation ----------------------------------------------------------------------------------

# Titles of the threads the moderation story touches.
WELCOME = "Welcome! Introduce yourself and tell us how your team uses Shiftwise"
PRICING = "Per-seat pricing vs. per-location pricing: what would work for you?"
ANDROID = "Push notifications stopped on Android 14"
ANDROID_AGAIN = "Shift reminders arrive hours late on some Android phones"
OVERTIME = "How we cut overtime by 18% after moving 140 staff to Shiftwise"
HOME_ASSISTANT = "I built a Home Assistant dashboard that shows who's on call"
DARK_MODE = "Is there a dark mode for the web app?"
EDITOR_BETA = "Beta: the new schedule editor. Tell us what you think"


@dataclass(frozen=True)
class Reply:
    """A reply written after the threads above (spam, an aside, a post that waits for review);
    ``key`` names it for the flags and actions below."""

    key: str
    thread: str
    body: str


@dataclass(frozen=True)
class FlagPost:
    post: str  # a Reply's key
    reason: str
    note: str = ""


@dataclass(frozen=True)
class ModerateThread:
    thread: str
    action: str  # lock, pin, ...
    reason: str


@dataclass(frozen=True)
class CloseAsDuplicate:
    thread: str
    of: str
    reason: str


@dataclass(frozen=True)
class HideFlagged:
    """A moderator agrees with the flags on a post and hides it."""

    post: str  # a Reply's key
    reason: str


@dataclass(frozen=True)
class Silence:
    user: str
    days: int
    reason: str


@dataclass(frozen=True)
class AddNote:
    user: str
    body: str


@dataclass(frozen=True)
class WatchWord:
    word: str
    action: str  # block or queue


@dataclass(frozen=True)
class Premoderate:
    category: str  # slug
    reason: str


@dataclass(frozen=True)
class Promote:
    """A moderator turns the thread's accepted answer into a KB article and sends it to
    review (an hour later); ``Publish`` then makes it official."""

    thread: str
    section: str  # slug
    title: str
    labels: tuple[str, ...]
    body: str
    note: str


@dataclass(frozen=True)
class Publish:
    thread: str  # of a Promote above
    note: str
    #: Readers' "Was this helpful?" answers afterwards, as in DemoArticle.
    helpful: int = 0
    not_helpful: int = 0
    comments: tuple[tuple[bool, str], ...] = ()


#: One step of the moderation story.
Event: TypeAlias = (
    Reply
    | FlagPost
    | ModerateThread
    | CloseAsDuplicate
    | HideFlagged
    | Silence
    | AddNote
    | WatchWord
    | Premoderate
    | Promote
    | Publish
)

# (days ago, who, what), oldest first: loaded after the threads and the KB, through the
# moderation services, so the review queue and the audit log are what real use leaves.
MODERATION: list[tuple[float, str, Event]] = [
    (
        34.5,
        "mia.mod",
        ModerateThread(WELCOME, "pin", "Start here: the house rules and introductions."),
    ),
    (
        8,
        "mia.mod",
        ModerateThread(
            PRICING,
            "lock",
            "Feedback collected and passed to the product team (see Sam's reply). Locked to "
            "keep it as a record; pricing news will get its own announcement.",
        ),
    ),
    (
        6,
        "mia.mod",
        Promote(
            ANDROID,
            "troubleshooting",
            "Push notifications arrive late or not at all on Android",
            ("android", "notifications", "mobile-app"),
            _md("""
                Since Android 14, phones are stricter about apps working in the background.
                With the default battery setting, Shiftwise's push notifications for new
                tickets and shift changes can arrive hours late, or not at all, even though
                everything shows up when you open the app.

                ## Set battery usage to Unrestricted

                1. Open **Settings → Apps → Shiftwise → App battery usage**.
                2. Choose **Unrestricted**. The default, *Optimised*, can hold pushes back for
                   hours.

                Notifications arrive straight away again; there is no need to reinstall.

                ## Update the app

                Version 5.3.1 and later ask for Android 14's notification permission properly.
                Update from Google Play, open the app once and allow notifications when asked.

                ## Still nothing?

                - Check that notifications are allowed in **Settings → Apps → Shiftwise →
                  Notifications**.
                - Some phones add their own power-saving list on top of Android's: take
                  Shiftwise off it too.
            """),
            "Promoted from Bob's accepted answer, with Sam's note on version 5.3.1.",
        ),
    ),
    (
        5,
        "sam.staff",
        Publish(
            ANDROID,
            "Checked on a Pixel 7 with Android 14.",
            helpful=6,
            not_helpful=1,
            comments=((True, "Unrestricted fixed it on my Pixel 8."),),
        ),
    ),
    (
        2.5,
        "mia.mod",
        CloseAsDuplicate(
            ANDROID_AGAIN,
            ANDROID,
            "Same cause and fix as the Android 14 thread, whose answer is now a KB article.",
        ),
    ),
    (
        2,
        "spammy",
        Reply(
            "spam-overtime",
            OVERTIME,
            _md("""
                Great story!! Want your staff to earn while they work? Our **crypto
                giveaway** doubles every deposit this week only. Claim yours at
                [cryptodrop.example](https://cryptodrop.example/claim) before it ends!
            """),
        ),
    ),
    (
        1.98,
        "spammy",
        Reply(
            "spam-home-assistant",
            HOME_ASSISTANT,
            _md("""
                Nice dashboard. Want passive income from your smart home too? Join the crypto
                giveaway: 500 free tokens for the first 100 sign-ups at
                https://cryptodrop.example/bonus
            """),
        ),
    ),
    (1.96, "yuki", FlagPost("spam-overtime", "spam")),
    (
        1.95,
        "tomasz",
        FlagPost("spam-overtime", "spam", "A giveaway link, nothing to do with rotas."),
    ),
    (1.9, "mia.mod", HideFlagged("spam-overtime", "Crypto giveaway spam.")),
    (
        1.9,
        "mia.mod",
        Silence("spammy", 7, "Posting crypto giveaway links. You can post again in a week."),
    ),
    (
        1.89,
        "mia.mod",
        AddNote(
            "spammy",
            "Signed up and posted a crypto giveaway link within minutes. Silenced for a week; "
            "suspend if it starts again afterwards.",
        ),
    ),
    (1.88, "mia.mod", WatchWord("crypto giveaway", "queue")),
    (1.88, "mia.mod", WatchWord("cryptodrop", "block")),
    (
        1.87,
        "mia.mod",
        Premoderate(
            "show-and-tell",
            "Spam from brand-new accounts: their first posts here now wait for review.",
        ),
    ),
    (1.5, "alice", FlagPost("spam-home-assistant", "spam")),
    (1.2, "marcus", FlagPost("spam-home-assistant", "spam")),
    (
        0.7,
        "alice",
        Reply(
            "off-topic",
            DARK_MODE,
            _md("""
                Unrelated, but is anyone going to the Shiftwise user meetup in Leeds next
                month? It would be nice to meet some of you in person.
            """),
        ),
    ),
    (
        0.6,
        "bob",
        FlagPost(
            "off-topic",
            "off_topic",
            "Nice idea, but not about dark mode: maybe a thread of its own?",
        ),
    ),
    (
        0.15,
        "raj.p",
        Reply(
            "pending",
            EDITOR_BETA,
            _md("""
                Tried the new editor with our small team today. Dragging a shift to another
                day is much quicker than before! One thing: I deleted a shift by mistake and
                couldn't find an undo. Is there one?
            """),
        ),
    ),
]


# --- Escalation ----------------------------------------------------------------------------------

# Staff who are not demo logins (username, display name, bio): random passwords, not printed.
STAFF: list[tuple[str, str, str]] = [
    ("lena.support", "Lena Ortiz", "Support engineer: integrations and the API."),
]


@dataclass(frozen=True)
class DemoPolicy:
    name: str
    unanswered_hours: int
    unsolved_days: int
    first_response_hours: int
    resolution_hours: int
    #: The community categories (slugs) that use it.
    categories: tuple[str, ...]
    is_default: bool = False
    #: Clocks run Monday to Friday, 9:00-17:00 UTC only.
    business_hours: bool = False


POLICIES: list[DemoPolicy] = [
    DemoPolicy(
        "Standard", 48, 7, 8, 48,
        ("getting-started", "integrations", "troubleshooting", "show-and-tell"),
        is_default=True,
    ),
    DemoPolicy("Priority", 4, 2, 2, 8, ("billing",), business_hours=True),
]  # fmt: skip


@dataclass(frozen=True)
class DemoGroup:
    name: str
    members: tuple[str, ...]
    categories: tuple[str, ...]  # slugs
    tags: tuple[str, ...]
    auto_assign: bool


GROUPS: list[DemoGroup] = [
    DemoGroup(
        "Support team",
        ("sam.staff", "lena.support"),
        ("integrations", "troubleshooting"),
        ("api", "sso", "mobile", "schedules"),
        auto_assign=True,
    ),
    # Billing questions wait in the queue until someone on the desk takes them.
    DemoGroup("Billing desk", ("sam.staff",), ("billing",), ("invoices", "payments"), False),
]

#: The escalation sweep (`flask escalation sweep`) runs every this many hours over the last
#: SWEEP_DAYS, as cron would have, and once more as the demo loads; the threads that waited
#: too long reach staff at the sweep after their deadline, and missed targets are marked
#: breached at the sweep after them.
SWEEP_EVERY_HOURS = 12
SWEEP_DAYS = 6

# Titles of the threads the escalation story touches.
CARD_DECLINED = "Card declined when switching from monthly to annual"
SCIM = "Does Shiftwise support SCIM provisioning with Azure AD?"
RATE_LIMIT = "429 Too Many Requests after about 100 API calls a minute"
SSO_LOOP = "SSO login loops back to the sign-in page"
SHIFT_LENGTH = "Setting a default shift length for a new location"


@dataclass(frozen=True)
class Escalate:
    """The asker presses "Ask staff", or a moderator escalates the thread."""

    thread: str
    reason: str


@dataclass(frozen=True)
class Take:
    """A staff member assigns the thread's escalation to themselves."""

    thread: str


@dataclass(frozen=True)
class StaffNote:
    """An internal note: staff only."""

    thread: str
    body: str


@dataclass(frozen=True)
class StaffReply:
    thread: str
    body: str
    #: Then wait on the customer.
    waiting: bool = True


@dataclass(frozen=True)
class Resolve:
    """Post the staff answer and mark it accepted."""

    thread: str
    resolution: str


StaffStep: TypeAlias = Escalate | Take | StaffNote | StaffReply | Resolve

# (hours ago, who, what), oldest first, played after everything above and between the sweeps.
ESCALATIONS: list[tuple[float, str, StaffStep]] = [
    (
        200,
        "marcus",
        Escalate(
            CARD_DECLINED,
            "Private window, no extensions: still declined and still no pop-up. Our monthly "
            "period ends on Friday.",
        ),
    ),
    (199, "sam.staff", Take(CARD_DECLINED)),
    (
        198.5,
        "sam.staff",
        StaffNote(
            CARD_DECLINED,
            "Payment log: the bank answered the 3-D Secure request with 'card not enrolled "
            "for online payments over 1,000'. Nothing wrong on our side. Extended their "
            "monthly period by 14 days so nothing lapses.",
        ),
    ),
    (
        197,
        "sam.staff",
        Resolve(
            CARD_DECLINED,
            _md("""
                I checked the payment log for your workspace: the bank turned down the 3-D
                Secure check itself, because the card is limited to smaller online payments
                (as Alice guessed). Nothing needs to change on your side in Shiftwise.

                1. Ask the bank to allow the annual amount for online payments once, or
                   use another card.
                2. Then switch again in **Settings → Billing → Change plan**.

                I have extended your monthly period by 14 days, so nothing lapses meanwhile.
            """),
        ),
    ),
    (
        66,
        "sam.staff",
        StaffNote(
            SCIM,
            "Swept as unsolved. I answered on day one and Tomasz never confirmed; emailed him "
            "to ask whether provisioning works now. Resolve once he answers.",
        ),
    ),
    (
        30,
        "mia.mod",
        Escalate(
            RATE_LIMIT,
            "Only staff can say whether the limit can be raised or a bulk endpoint exists; "
            "it blocks their nightly sync.",
        ),
    ),
    (
        27,
        "lena.support",
        StaffReply(
            RATE_LIMIT,
            _md("""
                The limit is 100 requests a minute per API token, and Bob's retry loop is
                the right way to live with it. There is no bulk endpoint yet. I have asked
                the API team whether we can raise the limit for your workspace's nightly
                sync and will post their answer here.
            """),
            waiting=False,
        ),
    ),
    (
        20,
        "bob",
        Escalate(
            SSO_LOOP,
            "SAML-tracer shows a valid response (audience and ACS URL match), and it still "
            "loops. Could staff look at the logs for my workspace?",
        ),
    ),
    (
        19,
        "sam.staff",
        StaffNote(
            SSO_LOOP,
            "Logs for bob's workspace: every ACS POST arrives without the session cookie, so "
            "we cannot match it to the sign-in we started and start over. Probably a browser "
            "blocking cross-site cookies. If not, hand it to the identity team.",
        ),
    ),
    (
        18.5,
        "sam.staff",
        StaffReply(
            SSO_LOOP,
            _md("""
                Thanks for the trace. Our logs show Okta's response arriving without your
                Shiftwise session cookie, so we cannot match it to the sign-in we started,
                and we start over. That usually means the browser blocks cross-site cookies.

                Could you try once in a fresh window of a browser with default settings, at
                `https://app.shiftwise.example/sso/login`, and tell us whether it still loops?
            """),
        ),
    ),
    (
        4,
        "alice",
        Escalate(
            SHIFT_LENGTH,
            "Templates help, but we would like new shifts at the new shop to start at 7:00 "
            "without picking a template each time. Is a per-location default possible?",
        ),
    ),
]


# --- Staff insights: searches, drafts and page views of the last weeks ------------------------

#: The search log and the daily page views cover this many days up to now.
INSIGHT_DAYS = 30
IMPORT_CSV = "Import your staff from a CSV file"
OPEN_SHIFTS = "Open shifts and shift swaps: which one to use"
INVITE = "Invite your team and choose their roles"
VAT = "Add your VAT ID to invoices"
SEASONAL = "How seats are billed for seasonal and temporary staff"
CURSORS = "Fetch every page of API results with cursors"
WEBHOOK_SIGNATURES = "Verify webhook signatures"
CALENDAR = "Subscribe to your shifts in Google Calendar or Outlook"
COPY_ROTA = "Can I copy last week's rota into next week?"
ALL_INVOICES = "Can I download all past invoices at once?"
SLA_WEEKENDS = "Ticket SLA timer keeps running on weekends"
PATIENT_BOOKING = "Can patients book appointments through the helpdesk portal?"


@dataclass(frozen=True)
class DemoSearch:
    """A search typed ``times`` times over the period (by different people, on different days).

    ``opened`` is the KB article (title) some searchers opened from the results; ``asked`` is a
    demo thread (title) whose author typed this search just before starting it: they did not
    find an answer.
    """

    query: str
    results: int
    times: int = 1
    opened: str = ""
    asked: str = ""


S = DemoSearch

SEARCHES: list[DemoSearch] = [
    # Nothing found: the content gaps the dashboard lists first.
    S("export to excel", 0, 9),
    S("ical sync", 0, 7),
    S("payroll integration", 0, 5),
    S("clock in kiosk", 0, 4),
    S("hipaa", 0, 3),
    S("delete my account", 0, 2),
    # Found, and often answered by a KB article.
    S("import staff csv", 4, 12, opened=IMPORT_CSV),
    S("google calendar", 5, 8, opened=CALENDAR),
    S("open shifts", 6, 7, opened=OPEN_SHIFTS),
    S("invite team", 3, 6, opened=INVITE),
    S("vat invoice", 3, 6, opened=VAT),
    S("api pagination", 4, 5, opened=CURSORS),
    S("seasonal staff billing", 2, 4, opened=SEASONAL),
    S("webhook signature", 3, 3, opened=WEBHOOK_SIGNATURES),
    # Found, but nobody opened anything.
    S("android notifications", 4, 6),
    S("shift swap", 5, 5),
    S("sso", 3, 5),
    S("dark mode", 1, 4),
    S("rate limit", 2, 3),
    # Searched, then asked: the results did not answer them.
    S("sso login loop", 2, asked=SSO_LOOP),
    S("card declined annual plan", 1, asked=CARD_DECLINED),
    S("scim azure ad", 0, asked=SCIM),
    S("429 too many requests", 1, asked=RATE_LIMIT),
    S("copy rota next week", 2, asked=COPY_ROTA),
    S("download all invoices", 0, asked=ALL_INVOICES),
    S("sla weekends", 0, asked=SLA_WEEKENDS),
]


@dataclass(frozen=True)
class DemoDraft:
    """A new-thread title typed on the form, with the similar content suggested meanwhile;
    ``posted`` is the demo thread it became (empty: the author left, probably answered)."""

    title: str
    suggestions: int
    days_ago: float
    posted: str = ""


DRAFTS: list[DemoDraft] = [
    DemoDraft("how to import staff from excel", 3, 26.4),
    DemoDraft("calendar feed shows wrong time", 4, 21.2),
    DemoDraft("where do i put our vat number", 2, 17.6),
    DemoDraft("paginate shifts api", 3, 14.1),
    DemoDraft("android push notifications not working", 3, 11.3),
    DemoDraft("open shift vs swap", 2, 8.7),
    DemoDraft("push notifications android 14", 3, 6.2),
    DemoDraft("invite my managers", 2, 2.9),
    DemoDraft("seasonal workers pricing", 2, 1.2),
    DemoDraft("shift reminders late on android", 3, 3, posted=ANDROID_AGAIN),
    DemoDraft("sso login loops okta", 2, 2, posted=SSO_LOOP),
    DemoDraft("card declined annual", 1, 9, posted=CARD_DECLINED),
    DemoDraft("patients book appointments portal", 0, 0.8, posted=PATIENT_BOOKING),
]

#: Who typed the searches, in turn (None: a visitor who was not signed in).
SEARCHERS: tuple[str | None, ...] = (
    "alice",
    None,
    "lena.k",
    "marcus",
    None,
    "yuki",
    "tomasz",
    "bob",
    None,
    "dev.priya",
    "raj.p",
)
