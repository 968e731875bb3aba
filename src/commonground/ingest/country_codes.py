"""datasets/country-codes: 249 states and territories with ISO 3166 codes, UN M49
regions, LDC/LLDC/SIDS flags and UNTERM names in English and Chinese."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from commonground.errors import IngestError
from commonground.ingest.base import ImportContext, Importer, validate
from commonground.ingest.readers import read_csv
from commonground.store.models import Actor

SOURCE = {
    "id": "datasets-country-codes",
    "title": "Comprehensive country codes: ISO 3166, ITU, ISO 4217 currency codes and many more",
    "publisher": "datasets/country-codes (Open Knowledge Foundation), from UN Statistics Division M49 and UNTERM",
    "url": "https://github.com/datasets/country-codes/tree/caa72d1e0e5af8876c170bb36a9e4d64a01bba88",
    "published": "2026-05-15",
    "language": "en",
    "license": "ODC-PDDL-1.0",
    "origin": "country-codes",
}
M49_CN_SOURCE = {
    "id": "unsd-m49-zh",
    "title": "Standard country or area codes for statistical use (M49), Chinese version",
    "publisher": "United Nations Statistics Division",
    "url": "https://unstats.un.org/unsd/methodology/m49/overview/",
    "published": "2026-05-15",
    "language": "zh",
    "license": "ODC-PDDL-1.0 (as redistributed by datasets/country-codes)",
    "origin": "country-codes",
}

# UNTERM lists member states unmarked; "*" marks non-member observer states and
# "**" the Cook Islands and Niue. Two member states have empty UNTERM cells in
# this snapshot (a name-matching gap upstream; see PROVENANCE.md).
UNTERM_GAPS = {"CIV", "TUR"}


class CountryRow(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    alpha3: str = Field(alias="ISO3166-1-Alpha-3", pattern=r"^[A-Z]{3}$")
    alpha2: str = Field(alias="ISO3166-1-Alpha-2")
    numeric: str = Field(alias="ISO3166-1-numeric")
    cldr_name: str = Field(alias="CLDR display name", min_length=1)
    official_name_en: str = Field(alias="official_name_en")
    official_name_cn: str = Field(alias="official_name_cn")
    unterm_en_short: str = Field(alias="UNTERM English Short")
    unterm_en_formal: str = Field(alias="UNTERM English Formal")
    unterm_zh_short: str = Field(alias="UNTERM Chinese Short")
    unterm_zh_formal: str = Field(alias="UNTERM Chinese Formal")
    region_code: str = Field(alias="Region Code")
    region_name: str = Field(alias="Region Name")
    subregion_code: str = Field(alias="Sub-region Code")
    subregion_name: str = Field(alias="Sub-region Name")
    intermediate_code: str = Field(alias="Intermediate Region Code")
    intermediate_name: str = Field(alias="Intermediate Region Name")
    ldc: str = Field(alias="Least Developed Countries (LDC)")
    lldc: str = Field(alias="Land Locked Developing Countries (LLDC)")
    sids: str = Field(alias="Small Island Developing States (SIDS)")
    independent: str = Field(alias="is_independent")

    @field_validator("alpha2")
    @classmethod
    def _alpha2(cls, value: str) -> str:
        # Namibia's alpha-2 is "NA", which CSV readers elsewhere turn into null.
        if value and (len(value) != 2 or not value.isalpha()):
            raise ValueError("ISO 3166-1 alpha-2 must be two letters")
        return value


def _flag(value: str) -> bool:
    return value.strip().lower() == "x"


def _strip_marks(name: str) -> str:
    return name.rstrip("*").strip()


class CountryCodesImporter(Importer):
    name = "country-codes"
    description = "ISO 3166 states and territories with M49 regions and Chinese names"

    def default_path(self, shared_dir: Path) -> Path:
        return shared_dir / "country-codes"

    def files(self, path: Path) -> list[Path]:
        folder = path if path.is_dir() else path.parent
        main = path if path.is_file() else folder / "country-codes.csv"
        return [main, folder / "UNSD-m49-cn.csv"]

    def _regions_zh(self, path: Path) -> dict[str, dict[str, str]]:
        names: dict[str, dict[str, str]] = {}
        for row in read_csv(path, required=("ISO-alpha3 Code", "Region Name", "Sub-region Name")):
            code = row.data["ISO-alpha3 Code"].strip()
            if code:
                names[code] = {
                    "region": row.data["Region Name"].strip(),
                    "subregion": row.data["Sub-region Name"].strip(),
                    "name": row.data["Country or Area"].strip(),
                }
        return names

    def load(self, ctx: ImportContext, path: Path) -> int:
        main, cn_file = self.files(path)
        rows = [validate(CountryRow, row, main) for row in read_csv(main)]
        seen: set[str] = set()
        for number, row in enumerate(rows, start=1):
            if row.alpha3 in seen:
                raise IngestError(
                    path=main,
                    record=number,
                    field="ISO3166-1-Alpha-3",
                    value=row.alpha3,
                    reason="duplicate code",
                )
            seen.add(row.alpha3)
        zh = self._regions_zh(cn_file)
        source_id = ctx.source(**SOURCE)
        ctx.source(**M49_CN_SOURCE)
        ctx.start("country-codes", len(rows))
        for row in rows:
            regional = zh.get(row.alpha3, {})
            un_member = (
                bool(row.unterm_en_short) and not row.unterm_en_short.endswith("*")
            ) or row.alpha3 in UNTERM_GAPS
            un_status = (
                "member"
                if un_member
                else "observer"
                if row.unterm_en_short.endswith("*") and not row.unterm_en_short.endswith("**")
                else None
            )
            ctx.upsert(
                Actor,
                {
                    "id": row.alpha3,
                    "kind": "state" if row.independent.strip() == "Yes" else "territory",
                    "name_en": row.official_name_en or row.cldr_name,
                    "short_name_en": row.cldr_name,
                    "name_zh": row.official_name_cn
                    or _strip_marks(row.unterm_zh_short)
                    or regional.get("name")
                    or None,
                    "formal_name_en": _strip_marks(row.unterm_en_formal) or None,
                    "formal_name_zh": _strip_marks(row.unterm_zh_formal) or None,
                    "iso_alpha2": row.alpha2 or None,
                    "iso_alpha3": row.alpha3,
                    "iso_numeric": row.numeric.zfill(3) if row.numeric else None,
                    "m49_region_code": row.region_code.zfill(3) if row.region_code else None,
                    "m49_region_en": row.region_name or None,
                    "m49_region_zh": regional.get("region") or None,
                    "m49_subregion_code": row.subregion_code.zfill(3)
                    if row.subregion_code
                    else None,
                    "m49_subregion_en": row.subregion_name or None,
                    "m49_subregion_zh": regional.get("subregion") or None,
                    "m49_intermediate_code": row.intermediate_code.zfill(3)
                    if row.intermediate_code
                    else None,
                    "m49_intermediate_en": row.intermediate_name or None,
                    "is_ldc": _flag(row.ldc),
                    "is_lldc": _flag(row.lldc),
                    "is_sids": _flag(row.sids),
                    "is_independent": row.independent.strip() == "Yes",
                    "un_member": un_member,
                    "un_status": un_status,
                    "origin": "country-codes",
                    "source_id": source_id,
                },
            )
        return len(rows)
