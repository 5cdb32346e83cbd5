"""Full-text search of the inbox.

On PostgreSQL the item text is searched with the French full-text configuration (stemming:
« travaux » finds « travail »), through a GIN index created by the workspace migrations; on every
database, a portable search over ``Item.search_text`` (lower-case, accent-free copy of the text and
the author's names) finds word beginnings and exact phrases, so « ecole » finds « École » and
« voiri » finds « voirie ».

The query syntax is the one people already know from search engines: words (all must match),
"an exact phrase" in double quotes, and -word to exclude a word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "’": "'", "‘": "'"})
_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
MAX_TERMS = 12


def fold(text: str) -> str:
    """Lower-case, accents removed, ligatures expanded, spaces collapsed."""
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text.lower()).strip()


@dataclass
class ParsedQuery:
    include: list[str] = field(default_factory=list)  # folded words or phrases that must appear
    exclude: list[str] = field(default_factory=list)  # folded words or phrases that must not

    def __bool__(self) -> bool:
        return bool(self.include or self.exclude)


def parse_query(raw: str) -> ParsedQuery:
    parsed = ParsedQuery()
    for match in _TOKEN.finditer(raw or ""):
        negative, phrase, word = match.group(1), match.group(2), match.group(3)
        if phrase is not None:
            term, is_negative = fold(phrase), bool(negative)
        else:
            is_negative = word.startswith("-") and len(word) > 1
            term = fold(word[1:] if is_negative else word)
        term = term.strip(" ,;.!?")
        if not term:
            continue
        (parsed.exclude if is_negative else parsed.include).append(term)
        if len(parsed.include) + len(parsed.exclude) >= MAX_TERMS:
            break
    return parsed


def _portable(parsed: ParsedQuery) -> Q:
    condition = Q()
    for term in parsed.include:
        condition &= Q(search_text__contains=term)
    return condition


def search_items(queryset: QuerySet[Any], raw: str) -> QuerySet[Any]:
    """Filter ``queryset`` (of Item) by the query typed in the search box."""
    parsed = parse_query(raw)
    if not parsed:
        return queryset
    for term in parsed.exclude:
        queryset = queryset.exclude(search_text__contains=term)
    if not parsed.include:
        return queryset
    if connection.vendor != "postgresql":
        return queryset.filter(_portable(parsed))
    from django.contrib.postgres.search import SearchQuery, SearchVector

    # 1. French stemming on the text ("travaux" finds "travail").
    words = " ".join(f'"{t}"' if " " in t else t for t in parsed.include)
    french = SearchQuery(words, config="french", search_type="websearch")
    # 2. Word beginnings, without accents, on the folded copy ("voiri" finds "Voirie"); phrases keep
    #    their word order. Only \w characters reach the raw query.
    parts = []
    for term in parsed.include:
        tokens = _WORD.findall(term)
        if tokens:
            parts.append(" <-> ".join(tokens) if len(tokens) > 1 else f"{tokens[0]}:*")
    if not parts:
        return queryset.filter(_portable(parsed))
    prefix = SearchQuery(" & ".join(parts), config="simple", search_type="raw")
    return queryset.annotate(
        fts_fr=SearchVector("text", config="french"), fts_simple=SearchVector("search_text", config="simple")
    ).filter(Q(fts_fr=french) | Q(fts_simple=prefix))


_WORD = re.compile(r"\w+")

# The GIN indexes used by the PostgreSQL search above: the expressions must be the ones Django
# generates for SearchVector("text", config="french") and SearchVector("search_text", config="simple").
POSTGRES_INDEXES = {
    "workspace_item_text_fts": "to_tsvector('french'::regconfig, COALESCE(text, ''))",
    "workspace_item_search_fts": "to_tsvector('simple'::regconfig, COALESCE(search_text, ''))",
}
POSTGRES_INDEX_SQL = [
    f"CREATE INDEX IF NOT EXISTS {name} ON workspace_item USING gin ({expression})"
    for name, expression in POSTGRES_INDEXES.items()
]
