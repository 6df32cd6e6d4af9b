"""API: bids."""

from fastapi import APIRouter

router = APIRouter()
