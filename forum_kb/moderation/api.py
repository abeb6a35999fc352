"""Moderation JSON API (API.md): flags, the review queue, actions, sanctions, promotion."""

from __future__ import annotations

from flask import Blueprint

api_bp = Blueprint("moderation_api", __name__)
