"""API: notifications."""

from fastapi import APIRouter

router = APIRouter()
