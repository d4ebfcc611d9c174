"""HTTP routes, thin: they check input, call the domain modules and shape output."""

from fastapi import APIRouter

from sync_server.api import admin, catalog

router = APIRouter()
router.include_router(catalog.router)
router.include_router(admin.router)
