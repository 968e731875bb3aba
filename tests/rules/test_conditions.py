"""Exact numbers, the condition schema, and the profile YAML (bad input rejected clearly)."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from commonground.errors import Error
from commonground.rules.conditions import Node, exact_number, format_number
from commonground.rules.profile import load_profile, profile_from_data

NODE = TypeAdapter(Node)


@pytest.mark.parametrize(
    "text,value",
    [
        ("10^25", 10**25),
        ("10**26", 10**26),
        ("5 x 10^24", 5 * 10**24),
        ("3.8×10^25", 38 * 10**24),
        ("2.1e25", 21 * 10**24),
        ("1.0692e+25", 10692 * 10**21),
        ("500,000,000", 500_000_000),
        ("10 000", 10_000),
        ("10_000", 10_000),
        (10**25 + 1, 10**25 + 1),
        ("10000000000000000000000001", 10**25 + 1),
    ],
)
def test_exact_numbers(text, value):
    assert exact_number(text) == value
    assert type(exact_number(text)) is int


@pytest.mark.parametrize("bad", [1e25, 1.0, True, "1.5", "ten", "1e25x", "nan", "inf", None, [1]])
def test_numbers_that_are_not_exact_are_refused(bad):
    with pytest.raises(ValueError):
        exact_number(bad)


def test_format_number_is_exact():
    assert format_number(10**25) == "10^25"
    assert format_number(21 * 10**24) == "2.1×10^25"
    assert format_number(10**25 + 1) == "1." + "0" * 24 + "1×10^25"
    assert format_number(500_000_000) == "500,000,000"


def test_condition_schema():
    node = NODE.validate_python(
        {
            "all": [
                {"fact": "training_compute_flop", "op": ">", "value": "10^25"},
                {"not": {"fact": "open_weights", "op": "==", "value": True}},
                {"any": [{"fact": "jurisdictions", "op": "in", "value": ["eu", "US-CA"]}]},
            ]
        }
    )
    assert node.all[0].value == 10**25
    assert node.all[2].any[0].value == ("EU", "US-CA")


@pytest.mark.parametrize(
    "bad,message",
    [
        ({"fact": "flops", "op": ">", "value": 1}, "unknown fact"),
        ({"fact": "training_compute_flop", "op": "in", "value": [1]}, "comparators"),
        ({"fact": "training_compute_flop", "op": ">", "value": 1e25}, "not a float"),
        ({"fact": "training_compute_flop", "op": ">"}, "value is required"),
        ({"fact": "open_weights", "op": "==", "value": "yes"}, "true or false"),
        ({"fact": "modality", "op": "in", "value": ["smell"]}, "unknown modality"),
        ({"fact": "jurisdictions", "op": "in", "value": ["California"]}, "jurisdiction code"),
        ({"all": []}, "at least 1"),
        ({"some": []}, "a condition is"),
    ],
)
def test_condition_schema_rejects(bad, message):
    with pytest.raises(ValidationError) as info:
        NODE.validate_python(bad)
    assert message in str(info.value)


def test_profile_yaml(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        'name: Example\ntraining_compute_flop: "3.8 x 10^25"\ncompute_cost_usd: 150000000\n'
        "open_weights: false\nmodalities: [text, image]\njurisdictions: [eu, US-CA]\n",
        encoding="utf-8",
    )
    p = load_profile(path)
    assert p.training_compute_flop == 38 * 10**24
    assert p.jurisdictions == ["EU", "US-CA"]
    facts = p.facts()
    assert facts["modality"] == frozenset({"text", "image"})
    assert "users" not in facts  # unknown, never zero
    assert facts["cumulative_compute_flop:at_least"] == 38 * 10**24


@pytest.mark.parametrize(
    "text,message",
    [
        (
            "name: x\ntraining_compute_flop: 1.0e+25\n",
            "training_compute_flop: write an exact integer",
        ),
        ("name: x\ntraining_compute_flop: -5\n", "must not be negative"),
        ("name: x\ntraining_compute_flop: true\n", "a number is expected"),
        ("name: x\nflops: 10\n", "flops: unknown field"),
        ("name: x\njurisdictions: [USA-CA]\n", "not a jurisdiction code"),
        ("name: x\nmodalities: [smell]\n", "unknown modality"),
        ("name: x\nopen_weights: maybe\n", "open_weights"),
        ("name: x\nprovider_role: king\n", "unknown role"),
        ("training_compute_flop: 10\n", "name"),
        ("- a list\n", "a profile is a mapping"),
        ("name: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_profiles_are_rejected_with_a_clear_error(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Error) as info:
        load_profile(path)
    assert message in str(info.value)
    assert str(info.value).startswith("bad.yaml")


def test_profile_json_keeps_numbers_exact():
    p = profile_from_data({"name": "x", "training_compute_flop": "10^25", "users": 5})
    assert p.to_dict()["training_compute_flop"] == "10000000000000000000000000"
