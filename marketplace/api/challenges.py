"""API: challenges."""

from fastapi import APIRouter

router = APIRouter()
