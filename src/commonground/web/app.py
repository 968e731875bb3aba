"""`create_app(settings)`: the FastAPI application, built per call so tests choose the store."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from commonground import __version__
from commonground.config import Settings
from commonground.store.engine import Store
from commonground.store.models import Instrument
from commonground.store.stats import table_counts

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def create_app(settings: Settings, *, store: Store | None = None) -> FastAPI:
    store = store or Store.from_url(settings.database_url)
    app = FastAPI(title="Common Ground", version=__version__, docs_url="/api/docs")
    app.state.store = store

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        counts = table_counts(store)
        with store.sessions() as session:
            recent = session.scalars(
                select(Instrument)
                .where(Instrument.origin == "curated")
                .order_by(Instrument.year.desc(), Instrument.id)
                .limit(50)
            ).all()
        return TEMPLATES.TemplateResponse(
            request, "home.html", {"counts": counts, "instruments": recent, "version": __version__}
        )

    @app.get("/api/v1/stats")
    def stats() -> dict[str, int]:
        return table_counts(store)

    return app
