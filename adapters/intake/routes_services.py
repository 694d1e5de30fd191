"""`/`: the list of services this intake serves, each with its office, a sentence and its form."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from starlette.responses import HTMLResponse, Response

from adapters.intake.context import Site
from adapters.intake.public_text import service_sentence

site_router = APIRouter()


@dataclass(frozen=True)
class ServiceEntry:
    id: str
    title: str
    office: str
    sentence: str
    url: str


@site_router.get("/", response_class=HTMLResponse, summary="Daftar layanan")
async def list_services(site: Site) -> Response:
    entries = [
        ServiceEntry(
            id=service.definition_id,
            title=service.loaded.definition.title,
            office=service.loaded.definition.sop.office,
            sentence=service_sentence(service.form),
            url=f"{service.base_path}/",
        )
        for service in site.services.values()
    ]
    return site.pages.render("services.html", services=entries)
