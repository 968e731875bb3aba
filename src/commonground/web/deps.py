"""Dependencies shared by the routes: the session, the page language, the templates."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from commonground.web.templating import Templates


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.store.sessions() as session:
        yield session


def get_templates(request: Request) -> Templates:
    return request.app.state.templates


SessionDep = Annotated[Session, Depends(get_session)]
TemplatesDep = Annotated[Templates, Depends(get_templates)]
Lang = Annotated[
    str, Path(pattern="^(en|zh|zh-Hant)$", description="en, zh (simplified) or zh-Hant")
]


def filters_from(request: Request, facets: Sequence[str]) -> dict[str, list[str]]:
    """Facet filters from the query string: `?type=law&type=treaty&year=2024`."""
    found: dict[str, list[str]] = {}
    for facet in facets:
        values = [v for v in request.query_params.getlist(facet) if v]
        if values:
            found[facet] = values
    return found
