"""Console pages: intake (placeholder: filled by the change that builds them)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
