"""Staff administration of escalation: service-level policies and staff groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from forum_kb.accounts.models import User
from forum_kb.accounts.policies import is_staff
from forum_kb.community.models import Category, Tag
from forum_kb.db import unit_of_work
from forum_kb.errors import PermissionDenied, ValidationFailed
from forum_kb.escalation import policies
from forum_kb.escalation.models import SlaPolicy, StaffGroup
from forum_kb.extensions import db

NAME_MAX = 80
#: Upper bounds that keep clocks meaningful (a year of hours, ten years of days).
HOURS_MAX = 24 * 366
DAYS_MAX = 3660
WEEKDAYS = "0123456"


@dataclass(frozen=True)
class PolicyFields:
    name: str
    unanswered_hours: int = 48
    unsolved_days: int = 7
    first_response_hours: int = 8
    resolution_hours: int = 48
    is_default: bool = False
    business_hours: bool = False
    business_start: int = 9
    business_end: int = 17
    business_days: str = "01234"


@dataclass(frozen=True)
class GroupFields:
    name: str
    auto_assign: bool = False
    member_ids: Sequence[int] = ()
    category_ids: Sequence[int] = ()
    tag_ids: Sequence[int] = ()


def _require_staff(actor: User) -> None:
    if not policies.can_work_queue(actor):
        raise PermissionDenied("Only staff manage escalation settings.")


def _check_name(model: type[SlaPolicy] | type[StaffGroup], name: str, own_id: int | None) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise ValidationFailed([("name", f"Give a name of 1 to {NAME_MAX} characters.")])
    taken = db.session.scalar(select(model.id).where(model.name == name, model.id != own_id))
    if taken is not None:
        raise ValidationFailed([("name", f"“{name}” is already taken.")])
    return name


def _check_policy(fields: PolicyFields, own_id: int | None) -> PolicyFields:
    errors: list[tuple[str, str]] = []
    for field, top in (
        ("unanswered_hours", HOURS_MAX),
        ("first_response_hours", HOURS_MAX),
        ("resolution_hours", HOURS_MAX),
        ("unsolved_days", DAYS_MAX),
    ):
        value = getattr(fields, field)
        if not 1 <= value <= top:
            errors.append((field, f"Give a number from 1 to {top}."))
    if not errors and fields.resolution_hours < fields.first_response_hours:
        errors.append(("resolution_hours", "Resolution cannot be due before the first response."))
    days = "".join(sorted(set(fields.business_days)))
    if fields.business_hours:
        if not 0 <= fields.business_start < fields.business_end <= 24:
            errors.append(("business_end", "Business hours end after they start (0 to 24)."))
        if not days or days.strip(WEEKDAYS):
            errors.append(("business_days", "Choose at least one weekday."))
    elif days.strip(WEEKDAYS):
        errors.append(("business_days", "Choose weekdays from Monday to Sunday."))
    try:
        name = _check_name(SlaPolicy, fields.name, own_id)
    except ValidationFailed as exc:
        errors = list(exc.errors) + errors
    if errors:
        raise ValidationFailed(errors)
    return PolicyFields(**(vars(fields) | {"name": name, "business_days": days}))


def _apply_policy(policy: SlaPolicy, fields: PolicyFields) -> None:
    for key, value in vars(fields).items():
        setattr(policy, key, value)
    if fields.is_default:
        # Only one default: policy_for() falls back to it for every unmapped category.
        db.session.flush()
        db.session.execute(
            update(SlaPolicy).where(SlaPolicy.id != policy.id).values(is_default=False)
        )


def create_policy(actor: User, fields: PolicyFields) -> SlaPolicy:
    """Add a service-level policy; a default one replaces the previous default.

    Raises:
        PermissionDenied: the actor is not staff.
        ValidationFailed: a missing or taken name, out-of-range hours or business hours.
    """
    _require_staff(actor)
    checked = _check_policy(fields, None)
    with unit_of_work():
        policy = SlaPolicy()
        db.session.add(policy)
        _apply_policy(policy, checked)
        db.session.flush()
    return policy


def update_policy(actor: User, policy: SlaPolicy, fields: PolicyFields) -> SlaPolicy:
    """Change a policy; escalations already open keep the due times they were given.

    Raises:
        PermissionDenied: the actor is not staff.
        ValidationFailed: as for create_policy.
    """
    _require_staff(actor)
    checked = _check_policy(fields, policy.id)
    with unit_of_work():
        _apply_policy(policy, checked)
    return policy


def _load(model: Any, ids: Sequence[int]) -> list[Any] | None:
    """The rows with these ids, or None when one of them does not exist."""
    wanted = set(ids)
    if not wanted:
        return []
    found = list(db.session.scalars(select(model).where(model.id.in_(wanted))))
    return found if len(found) == len(wanted) else None


def _check_group(
    fields: GroupFields, own_id: int | None
) -> tuple[str, list[User], list[Category], list[Tag]]:
    errors: list[tuple[str, str]] = []
    try:
        name = _check_name(StaffGroup, fields.name, own_id)
    except ValidationFailed as exc:
        errors, name = list(exc.errors), ""
    members = _load(User, fields.member_ids)
    if members is None or any(not is_staff(m) or not m.is_active for m in members):
        errors.append(("member_ids", "Members must be active staff."))
    categories = _load(Category, fields.category_ids)
    if categories is None:
        errors.append(("category_ids", "Choose categories from the list."))
    tags = _load(Tag, fields.tag_ids)
    if tags is None:
        errors.append(("tag_ids", "Choose tags from the list."))
    if errors or members is None or categories is None or tags is None:
        raise ValidationFailed(errors)
    return name, members, categories, tags


def create_group(actor: User, fields: GroupFields) -> StaffGroup:
    """Add a staff group with its members and skills (categories and tags).

    Raises:
        PermissionDenied: the actor is not staff.
        ValidationFailed: a missing or taken name, members who are not staff, unknown
            categories or tags.
    """
    _require_staff(actor)
    name, members, categories, tags = _check_group(fields, None)
    with unit_of_work():
        group = StaffGroup(
            name=name,
            auto_assign=fields.auto_assign,
            members=members,
            categories=categories,
            tags=tags,
        )
        db.session.add(group)
        db.session.flush()
    return group


def update_group(actor: User, group: StaffGroup, fields: GroupFields) -> StaffGroup:
    """Change a staff group; routing uses it from the next escalation on.

    Raises:
        PermissionDenied: the actor is not staff.
        ValidationFailed: as for create_group.
    """
    _require_staff(actor)
    name, members, categories, tags = _check_group(fields, group.id)
    with unit_of_work():
        group.name = name
        group.auto_assign = fields.auto_assign
        group.members = members
        group.categories = categories
        group.tags = tags
    return group
