from pathlib import Path

import pytest
from sqlalchemy import func, select

from commonground.errors import IngestError
from commonground.ingest.base import run_import
from commonground.ingest.country_codes import CountryCodesImporter
from commonground.store.models import Actor


def count(store, model=Actor) -> int:
    with store.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_import_country_codes_loads_249_actors_with_chinese_names(store, shared_data):
    result = run_import(store, CountryCodesImporter(), shared_data / "country-codes")
    assert result.records == 249
    assert count(store) == 249
    with store.sessions() as s:
        china = s.get(Actor, "CHN")
        assert (china.name_en, china.name_zh, china.iso_alpha2) == ("China", "中国", "CN")
        assert china.m49_region_zh == "亚洲" and china.m49_subregion_code == "030"
        assert s.get(Actor, "NAM").iso_alpha2 == "NA"  # not read as null
        members = s.scalar(select(func.count()).where(Actor.un_member.is_(True)))
        assert members == 193
        assert s.get(Actor, "VAT").un_status == "observer"
        assert s.get(Actor, "AFG").is_ldc and s.get(Actor, "AFG").is_lldc


def test_reimport_country_codes_updates_and_never_duplicates(store, shared_data):
    run_import(store, CountryCodesImporter(), shared_data / "country-codes")
    run_import(store, CountryCodesImporter(), shared_data / "country-codes")
    assert count(store) == 249


def test_import_country_codes_rejects_bad_alpha3_and_changes_nothing(store, shared_data, tmp_path):
    lines = (
        (shared_data / "country-codes" / "country-codes.csv")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    header = lines[0].split(",")
    col = header.index("ISO3166-1-Alpha-3")
    # Row 5 (line 6) gets a lower-case, four-letter code.
    import csv
    import io

    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    rows[5][col] = "abcd"
    bad = tmp_path / "country-codes.csv"
    with bad.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    (tmp_path / "UNSD-m49-cn.csv").write_bytes(
        (shared_data / "country-codes" / "UNSD-m49-cn.csv").read_bytes()
    )
    with pytest.raises(IngestError) as caught:
        run_import(store, CountryCodesImporter(), Path(bad))
    message = str(caught.value)
    assert "country-codes.csv" in message
    assert "record 5 (line 6)" in message
    assert 'field "ISO3166-1-Alpha-3"' in message
    assert "'abcd'" in message
    assert count(store) == 0
