"""Every importer by the name `commonground import <name>` takes, in load order."""

from __future__ import annotations

from commonground.errors import Error
from commonground.ingest.base import Importer
from commonground.ingest.country_codes import CountryCodesImporter

IMPORTERS: dict[str, type[Importer]] = {
    cls.name: cls
    for cls in (
        CountryCodesImporter,
    )
}


def get_importer(name: str) -> Importer:
    try:
        return IMPORTERS[name]()
    except KeyError:
        known = ", ".join(IMPORTERS)
        raise Error(f"unknown source {name!r}; known sources: {known}") from None
