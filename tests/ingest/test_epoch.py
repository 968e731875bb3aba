import datetime as dt

import pytest
from sqlalchemy import func, select

from commonground.errors import IngestError
from commonground.ingest.base import run_import
from commonground.ingest.epoch import EpochImporter, model_ids
from commonground.store.models import AIModel, ImportRun, Source


def count(store, *where, model=AIModel) -> int:
    with store.sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def epoch_dir(shared_data):
    path = EpochImporter().default_path(shared_data)
    if not path.is_dir():
        pytest.skip(f"Epoch exports not found at {path}")
    return path


def test_files_lists_every_csv_sorted(epoch_dir):
    assert [p.name for p in EpochImporter().files(epoch_dir)] == [
        "large_scale_ai_models_2025-05.csv",
        "notable_ai_models_2025-05.csv",
    ]


@pytest.mark.slow
def test_import_epoch_merges_both_exports_into_1149_models(store, epoch_dir):
    result = run_import(store, EpochImporter(), epoch_dir)
    assert result.records == 1149
    assert count(store) == 1149
    assert count(store, AIModel.in_notable.is_(True)) == 954
    assert count(store, AIModel.in_large_scale.is_(True)) == 311
    assert count(store, AIModel.in_notable.is_(True), AIModel.in_large_scale.is_(True)) == 116
    assert count(store, model=Source) == 2
    # Compared in SQL, exactly: 22 models at or above 10^25 FLOP, one at or above 10^26.
    assert count(store, AIModel.training_compute_flop >= 10**25) == 22
    assert count(store, AIModel.training_compute_flop >= 10**26) == 1
    with store.sessions() as s:
        gpt4 = s.get(AIModel, "epoch:gpt-4")
        assert gpt4.name == "GPT-4" and gpt4.organization == "OpenAI"
        assert gpt4.training_compute_flop == 21_000_000_000_000_000_000_000_000
        assert gpt4.training_compute_text == "2.1e+25"
        assert gpt4.publication_date == dt.date(2023, 3, 15)
        assert gpt4.in_notable and gpt4.in_large_scale
        # Cost comes from the notable export only: rounded to whole dollars, text kept.
        assert gpt4.training_cost_usd == 40_586_593
        assert gpt4.training_cost_text == "40586592.57781653"
        assert gpt4.organization_category == "Industry"
        assert gpt4.source_id == "epoch-large-scale-ai-models-2025-05"
        assert gpt4.extra["Frontier model"] == "True"
        assert gpt4.extra["_sources"] == [
            "epoch-large-scale-ai-models-2025-05",
            "epoch-notable-ai-models-2025-05",
        ]
        assert "_conflicts" not in gpt4.extra

        pangu = s.get(AIModel, "epoch:pangu-ultra")
        assert pangu.training_compute_flop == 10692000000000000000000000
        behemoth = s.get(AIModel, "epoch:llama-4-behemoth-preview")
        assert behemoth.training_compute_text == "5.18400000000001e+25"
        assert behemoth.training_compute_flop == 51840000000000100000000000
        grok3 = s.scalar(select(AIModel).where(AIModel.training_compute_flop >= 10**26))
        assert (grok3.name, grok3.training_compute_flop) == ("Grok-3", 464 * 10**24)

        # Only in the large-scale export: the other export's flag stays false.
        glm = s.get(AIModel, "epoch:glm-4-0116")
        assert glm.in_large_scale and not glm.in_notable
        # Names that slugify alike get distinct, stable ids.
        names = {
            m.name: m.id
            for m in s.scalars(
                select(AIModel).where(
                    AIModel.name.in_(
                        ["CALM", "CaLM", "DeepLabV3", "DeepLabV3+", "PointNet", "PointNet++"]
                    )
                )
            )
        }
        assert len(set(names.values())) == 6
        assert names["CALM"] == "epoch:calm" and names["CaLM"].startswith("epoch:calm-")
        assert names["DeepLabV3"] == "epoch:deeplabv3"
        # Whitespace around names (a trailing newline, NBSP) is folded.
        assert s.scalar(select(func.count()).where(AIModel.name == "Luca 2.0")) == 1
        assert s.scalar(select(func.count()).where(AIModel.name == "ALLaM adapted 70B")) == 1


@pytest.mark.slow
def test_reimport_epoch_is_idempotent(store, epoch_dir):
    run_import(store, EpochImporter(), epoch_dir)
    with store.sessions() as s:
        before = {m.id: (m.training_compute_flop, m.extra) for m in s.scalars(select(AIModel))}
    run_import(store, EpochImporter(), epoch_dir)
    with store.sessions() as s:
        after = {m.id: (m.training_compute_flop, m.extra) for m in s.scalars(select(AIModel))}
    assert after == before
    assert count(store) == 1149
    assert count(store, model=Source) == 2
    assert count(store, model=ImportRun) == 2


def test_single_export_file_loads(store, epoch_dir):
    result = run_import(store, EpochImporter(), epoch_dir / "large_scale_ai_models_2025-05.csv")
    assert result.records == 311
    assert count(store, AIModel.in_large_scale.is_(True)) == 311
    assert count(store, AIModel.in_notable.is_(True)) == 0


def test_export_with_reordered_extra_and_missing_columns_loads(store, asset):
    path = asset("ingest/epoch/notable_reordered.csv")
    result = run_import(store, EpochImporter(), path)
    assert result.records == 5
    with store.sessions() as s:
        gpt4 = s.get(AIModel, "epoch:gpt-4")
        assert gpt4.training_compute_flop == 21 * 10**24
        assert gpt4.organization == "OpenAI"
        assert gpt4.organization_category == "Industry"
        assert gpt4.domain is None and gpt4.parameters is None  # columns absent
        assert gpt4.in_notable and not gpt4.in_large_scale
        assert gpt4.extra["Benchmark score (new column)"] == "86.4"
        assert gpt4.extra["Frontier model"] == "True"
        assert gpt4.training_compute_notes.startswith("90% CI: 8.2E+24 to 4.4E+25")
        assert s.get(AIModel, "epoch:pangu-ultra").training_compute_flop == 10692 * 10**21
        theseus = s.get(AIModel, "epoch:theseus")
        assert theseus.publication_date == dt.date(1950, 7, 2)
        assert (theseus.training_compute_flop, theseus.training_compute_text) == (40, "40.0")
        assert "Benchmark score (new column)" not in theseus.extra  # empty cells are dropped
        source = s.get(Source, gpt4.source_id)
        assert source.publisher == "Epoch AI" and source.origin == "epoch"


def test_later_file_fills_gaps_and_conflicting_compute_keeps_the_first(store, asset):
    run_import(store, EpochImporter(), asset("ingest/epoch/conflict"))
    assert count(store) == 3
    with store.sessions() as s:
        gpt4 = s.get(AIModel, "epoch:gpt-4")
        assert gpt4.in_large_scale and gpt4.in_notable
        assert gpt4.training_compute_flop == 21 * 10**24  # large_scale_* sorts first
        assert gpt4.training_compute_text == "2.1e+25"
        assert gpt4.extra["_conflicts"] == {
            "Training compute (FLOP)": {"notable_conflict.csv": "2.2e+25"}
        }
        assert "kept '2.1e+25' from large_scale_conflict.csv" in gpt4.extra["_note"]
        assert gpt4.organization == "OpenAI"  # filled from the later file
        assert gpt4.link == "https://arxiv.org/abs/2303.08774"  # not blanked by it
        assert gpt4.extra["Notability criteria"].startswith("Highly cited")
        theseus = s.get(AIModel, "epoch:theseus")
        # "40.0" and "40", "40.0" and "4e1" are the same number: no conflict.
        assert theseus.training_compute_flop == 40 and theseus.parameters == 40
        assert "_conflicts" not in theseus.extra
        assert theseus.link.startswith("https://www.technologyreview.com/")
        pangu = s.get(AIModel, "epoch:pangu-ultra")
        assert pangu.in_notable and not pangu.in_large_scale
        assert pangu.source_id == "epoch-notable-conflict"


@pytest.mark.parametrize(
    ("fault", "where", "value"),
    [
        ("bad_compute", 'record 3 (line 10), field "Training compute (FLOP)"', "'1.2e+2x'"),
        ("negative_compute", 'record 2 (line 5), field "Training compute (FLOP)"', "'-5'"),
        ("missing_model_column", 'record 0 (line 1), field "Model": missing column', None),
    ],
)
def test_bad_epoch_input_is_rejected_with_its_position_and_writes_nothing(
    store, asset, fault, where, value
):
    path = asset(f"ingest/epoch/{fault}.csv")
    with pytest.raises(IngestError) as caught:
        run_import(store, EpochImporter(), path)
    message = str(caught.value)
    assert message.startswith(f"{fault}.csv, ")
    assert where in message
    if value is not None:
        assert value in message
    assert count(store) == 0
    assert count(store, model=Source) == 0
    assert count(store, model=ImportRun) == 0


def test_a_bad_file_in_a_folder_rolls_back_the_good_ones(store, asset, tmp_path):
    good = asset("ingest/epoch/notable_reordered.csv")
    bad = asset("ingest/epoch/negative_compute.csv")
    (tmp_path / "a_notable.csv").write_bytes(good.read_bytes())
    (tmp_path / "b_large_scale.csv").write_bytes(bad.read_bytes())
    with pytest.raises(IngestError, match=r"b_large_scale\.csv, record 2"):
        run_import(store, EpochImporter(), tmp_path)
    assert count(store) == 0


def test_duplicate_model_in_one_file_is_rejected(store, tmp_path):
    path = tmp_path / "notable.csv"
    path.write_text("Model,Training compute (FLOP)\nGPT-4,2.1e+25\n GPT-4 ,2.1e+25\n")
    with pytest.raises(IngestError, match=r'record 2 \(line 3\), field "Model": duplicate'):
        run_import(store, EpochImporter(), path)


def test_model_ids_disambiguate_collisions_by_name_only():
    ids = model_ids(["PointNet++", "PointNet", "GPT-4"])
    assert ids["PointNet"] == "epoch:pointnet" and ids["GPT-4"] == "epoch:gpt-4"
    assert ids["PointNet++"].startswith("epoch:pointnet-")
    assert model_ids(["PointNet", "PointNet++"]) == {k: ids[k] for k in ("PointNet", "PointNet++")}
