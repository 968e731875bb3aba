"""Every importer by the name `commonground import <name>` takes, in load order."""

from __future__ import annotations

from commonground.errors import Error
from commonground.ingest.agora import AgoraImporter
from commonground.ingest.aiaaic import AiaaicImporter
from commonground.ingest.aiid import AiidImporter
from commonground.ingest.avid import AvidImporter
from commonground.ingest.avid_evaluations import AvidEvaluationsImporter
from commonground.ingest.base import Importer
from commonground.ingest.commitments import CommitmentsImporter
from commonground.ingest.country_codes import CountryCodesImporter
from commonground.ingest.curated import CuratedImporter
from commonground.ingest.epoch import EpochImporter
from commonground.ingest.ibm_incidents import IbmIncidentsImporter
from commonground.ingest.ibm_nexus import IbmNexusImporter
from commonground.ingest.mit_risk import MitRiskImporter
from commonground.ingest.oecd import OecdAiImporter
from commonground.ingest.worldbank import WorldBankImporter

IMPORTERS: dict[str, type[Importer]] = {
    cls.name: cls
    for cls in (
        CountryCodesImporter,
        WorldBankImporter,
        AgoraImporter,
        OecdAiImporter,
        EpochImporter,
        MitRiskImporter,
        IbmNexusImporter,
        CuratedImporter,
        CommitmentsImporter,
        # Cases last: countries resolve against every actor, tags need MIT and IBM terms.
        AiaaicImporter,
        AiidImporter,
        AvidImporter,
        IbmIncidentsImporter,
        # After epoch: results link to Epoch's models by exact name.
        AvidEvaluationsImporter,
    )
}


def get_importer(name: str) -> Importer:
    try:
        return IMPORTERS[name]()
    except KeyError:
        known = ", ".join(IMPORTERS)
        raise Error(f"unknown source {name!r}; known sources: {known}") from None
