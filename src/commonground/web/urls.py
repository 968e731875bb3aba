"""One place builds the app's URLs (as datasette's url_builder does)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import quote, urlencode

from commonground.web.i18n import LANGS

Params = Mapping[str, str | int | Sequence[str] | None]


def query(params: Params | None) -> str:
    pairs: list[tuple[str, str]] = []
    for key, value in (params or {}).items():
        if value is None or value == "":
            continue
        if isinstance(value, str | int):
            pairs.append((key, str(value)))
        else:
            pairs.extend((key, str(v)) for v in value)
    return "?" + urlencode(pairs) if pairs else ""


class Urls:
    """URLs for one language; `switch` gives the same page in another language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def page(self, path: str = "", params: Params | None = None) -> str:
        return f"/{self.lang}/{path}".rstrip("/") + ("/" if not path else "") + query(params)

    def home(self) -> str:
        return self.page()

    def instruments(self, params: Params | None = None) -> str:
        return self.page("instruments", params)

    def instrument(self, id: str) -> str:
        return self.page(f"instruments/{quote(id, safe='')}")

    def actors(self, params: Params | None = None) -> str:
        return self.page("actors", params)

    def actor(self, id: str) -> str:
        return self.page(f"actors/{quote(id, safe='')}")

    def sources(self, params: Params | None = None) -> str:
        return self.page("sources", params)

    def source(self, id: str) -> str:
        return self.page(f"sources/{quote(id, safe='')}")

    def search(self, params: Params | None = None) -> str:
        return self.page("search", params)

    def coverage(self) -> str:
        return self.page("coverage")

    @staticmethod
    def api(path: str, params: Params | None = None) -> str:
        return f"/api/v1/{path}" + query(params)


def switch_language(path: str, query_string: str, lang: str) -> str:
    """The current page in `lang`: swap the language prefix, keep path and query."""
    parts = path.split("/", 2)
    rest = parts[2] if len(parts) > 2 and parts[1] in LANGS else path.lstrip("/")
    url = f"/{lang}/{rest}"
    return url + (f"?{query_string}" if query_string else "")
