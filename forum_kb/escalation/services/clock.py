"""Service-level clocks: hours that count all the time, or only inside business hours."""

from __future__ import annotations

from datetime import datetime, timedelta

from forum_kb.escalation.models import SlaPolicy

MAX_DAYS_SCANNED = 3660


def _window(policy: SlaPolicy, day: datetime) -> tuple[datetime, datetime] | None:
    """The business-hours window of ``day`` (UTC), or None on a closed day."""
    if str(day.weekday()) not in policy.business_days:
        return None
    start = day.replace(hour=policy.business_start, minute=0, second=0, microsecond=0)
    end = day.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
        hours=policy.business_end
    )
    return (start, end) if end > start else None


def _business(policy: SlaPolicy) -> bool:
    return bool(
        policy.business_hours
        and policy.business_days.strip("0123456") == ""
        and any(ch in "0123456" for ch in policy.business_days)
        and 0 <= policy.business_start < policy.business_end <= 24
    )


def add_hours(policy: SlaPolicy | None, start: datetime, hours: float) -> datetime:
    """The instant ``hours`` of the policy's clock after ``start``."""
    if policy is None or not _business(policy):
        return start + timedelta(hours=hours)
    remaining = timedelta(hours=hours)
    moment = start
    for _ in range(MAX_DAYS_SCANNED):
        window = _window(policy, moment)
        if window is not None:
            begin, end = window
            if moment < begin:
                moment = begin
            if moment < end:
                available = end - moment
                if remaining <= available:
                    return moment + remaining
                remaining -= available
        moment = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return moment + remaining


def elapsed_hours(policy: SlaPolicy | None, start: datetime, end: datetime) -> float:
    """Hours of the policy's clock between two instants (0 if end is before start)."""
    if end <= start:
        return 0.0
    if policy is None or not _business(policy):
        return (end - start).total_seconds() / 3600
    total = timedelta()
    moment = start
    for _ in range(MAX_DAYS_SCANNED):
        if moment >= end:
            break
        window = _window(policy, moment)
        if window is not None:
            begin, close = window
            lo, hi = max(moment, begin), min(end, close)
            if hi > lo:
                total += hi - lo
        moment = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return total.total_seconds() / 3600
