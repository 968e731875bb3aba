"""Every UI string is translated; traditional Chinese is derived, not hand-kept."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from commonground.web import i18n

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "commonground" / "web"


def _msgids() -> set[str]:
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    options = {
        "**/templates/**.html": {
            "extensions": "jinja2.ext.i18n",
            "trim_blocks": "true",
            "lstrip_blocks": "true",
        }
    }
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), method_map, options_map=options, keywords={"_": None, "N_": None, "gettext": None}
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_ui_string_has_a_chinese_translation():
    ids = _msgids()
    assert len(ids) > 150
    zh = i18n.catalogs()["zh"]
    untranslated = sorted(m for m in ids if zh.gettext(m) == m and m not in {"API"})
    assert untranslated == []


def test_traditional_ui_is_converted_from_simplified():
    assert i18n.gettext("zh", "Signatories and participants") == "签署方与参与方"
    assert i18n.gettext("zh-Hant", "Signatories and participants") == "簽署方與參與方"
    assert i18n.gettext("en", "Signatories and participants") == "Signatories and participants"


def test_language_negotiation():
    assert i18n.negotiate("zh-HK,zh;q=0.8") == "zh-Hant"
    assert i18n.negotiate("zh-Hans-CN") == "zh"
    assert i18n.negotiate("de-DE,en;q=0.5") == "en"
    assert i18n.negotiate(None) == "en"
