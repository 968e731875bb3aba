"""Full-text search over instruments, provisions and actors, in Chinese and English.

    from commonground.search import rebuild, search
    rebuild(store)                      # (re)build the index from the store
    results = search(store, "人工智能治理", kinds=["instrument"], filters={"year": ["2023"]})

SQLite uses FTS5, PostgreSQL a tsvector column; both index the same normalised
tokens (`commonground.search.text`): traditional folded to simplified, Chinese as
character bigrams, English stemmed.
"""

from commonground.search.index import rebuild
from commonground.search.query import FACETS, Hit, SearchResults, search

__all__ = ["FACETS", "Hit", "SearchResults", "rebuild", "search"]
