"""Reading history files: JSON Lines, CSV, and Facebook's "Download your information" comments export.

Pure Python (no Django). Every problem is reported in French with its line number, so that a secretary
can fix the file in a spreadsheet and try again; a file with problems is refused as a whole.

Columns (CSV header or JSON keys; French or English names):

=====================  ==========================  =================================================
Column                 Required                    Content
=====================  ==========================  =================================================
texte / text           yes                         the message
date                   yes                         2024-05-31T14:03:00+02:00, 2024-05-31 14:03,
                                                   31/05/2024 14:03 or 31/05/2024 (local time)
id                     no (recommended)            the message's id on its platform
auteur / author        no                          the author's name
auteur_id / author_id  no                          the author's id on the platform
plateforme / platform  no                          facebook, instagram … (kept for information)
type / kind            no (commentaire)            publication, commentaire, réponse, message, mention
parent_id              no                          id of the message it answers
fil_id / thread_id     no                          id of the publication of the conversation
url                    no                          link to the message
likes / jaime          no                          number of likes
partages / shares      no                          number of shares
=====================  ==========================  =================================================

Items get stable ids (the given id, else a hash of platform, author, date and text), so importing the
same file twice, or two overlapping files, stores each message once.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from beffroi.connectors.base import FetchedAuthor, FetchedItem

FORMATS = ("jsonl", "csv", "facebook")
FORMAT_LABELS_FR = {
    "jsonl": "JSON Lines (un objet JSON par ligne)",
    "csv": "CSV (tableur, séparateur virgule ou point-virgule)",
    "facebook": "Export Facebook « Télécharger vos informations » (comments.json)",
}
MAX_PROBLEMS = 50

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("texte", "text", "message", "commentaire", "comment"),
    "date": ("date", "published_at", "created_time", "timestamp", "date_publication"),
    "id": ("id", "identifiant", "external_id"),
    "author": ("auteur", "author", "nom", "author_name"),
    "author_id": ("auteur_id", "author_id", "id_auteur"),
    "platform": ("plateforme", "platform", "reseau", "réseau"),
    "kind": ("type", "kind", "nature"),
    "parent_id": ("parent_id", "parent", "id_parent"),
    "thread_id": ("fil_id", "thread_id", "publication_id", "post_id"),
    "url": ("url", "lien", "link", "permalink"),
    "likes": ("likes", "jaime", "j_aime", "reactions"),
    "shares": ("partages", "shares"),
}
KIND_ALIASES = {
    "publication": "post",
    "post": "post",
    "statut": "post",
    "commentaire": "comment",
    "comment": "comment",
    "réponse": "reply",
    "reponse": "reply",
    "reply": "reply",
    "message": "private_message",
    "message privé": "private_message",
    "message_prive": "private_message",
    "private_message": "private_message",
    "mention": "mention",
}
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %Hh%M",
    "%d/%m/%Y",
)


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based line of the file (0: the whole file)
    message_fr: str

    def __str__(self) -> str:
        return f"Ligne {self.line} : {self.message_fr}" if self.line else self.message_fr


@dataclass
class ParseResult:
    items: list[FetchedItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0  # entries without text (e.g. a photo-only comment in the Facebook export)

    @property
    def ok(self) -> bool:
        return not self.problems


class ImportFileError(ValueError):
    """The file cannot be imported; ``problems`` says why, line by line, in French."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:5]))
        self.problems = problems


# ---------------------------------------------------------------------------------------------


def fix_mojibake(text: str) -> str:
    """Meta's export writes UTF-8 bytes as \\u00XX escapes ("Ã©" for "é"): undo it, leave sound text alone."""
    if not text or not re.search(r"[\u0080-\u00ff]", text):
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def detect_format(name: str, head: bytes) -> str | None:
    lower = name.lower()
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if lower.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    if lower.endswith(".json"):
        return "facebook" if b"comments_v2" in head or b'"comments"' in head else "jsonl"
    return None


def parse_file(path: str | Path, fmt: str, *, timezone: str = "Europe/Paris") -> ParseResult:
    data = Path(path).read_bytes()
    return parse_bytes(data, fmt, timezone=timezone)


def parse_bytes(data: bytes, fmt: str, *, timezone: str = "Europe/Paris") -> ParseResult:
    tz = ZoneInfo(timezone)
    if fmt == "jsonl":
        return _parse_jsonl(_decode(data), tz)
    if fmt == "csv":
        return _parse_csv(_decode(data), tz)
    if fmt == "facebook":
        return _parse_facebook(_decode(data))
    return ParseResult(
        problems=[Problem(0, f"Format inconnu « {fmt} » : choisissez jsonl, csv ou facebook.")]
    )


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # a spreadsheet saved in "Windows" encoding


# ---------------------------------------------------------------------------------------------
# Rows (JSON Lines and CSV)


def _canonical(record: dict[str, Any]) -> dict[str, Any]:
    lowered = {str(k).strip().lower(): v for k, v in record.items()}
    out: dict[str, Any] = {}
    for key, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in lowered and lowered[alias] not in (None, ""):
                out[key] = lowered[alias]
                break
    return out


def parse_date(value: Any, tz: ZoneInfo) -> dt.datetime | None:
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
    text = str(value).strip()
    if re.fullmatch(r"\d{9,11}", text):
        return dt.datetime.fromtimestamp(int(text), tz=dt.UTC)
    iso = text.replace("Z", "+00:00")
    if len(iso) >= 5 and iso[-5] in "+-" and iso[-4:].isdigit() and "T" in iso:
        iso = iso[:-2] + ":" + iso[-2:]
    try:
        parsed = dt.datetime.fromisoformat(iso)
    except ValueError:
        parsed = None
        for fmt in DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _int(value: Any) -> int | None:
    if value in (None, ""):
        return 0
    try:
        return int(float(str(value).replace(" ", "").replace(",", ".")))
    except ValueError:
        return None


def stable_id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _row_item(record: dict[str, Any], line: int, tz: ZoneInfo, problems: list[Problem]) -> FetchedItem | None:
    row = _canonical(record)
    text = str(row.get("text") or "").strip()
    if not text:
        problems.append(Problem(line, "la colonne « texte » est vide ou absente."))
        return None
    if "date" not in row:
        problems.append(Problem(line, "la colonne « date » est vide ou absente."))
        return None
    published = parse_date(row["date"], tz)
    if published is None:
        problems.append(
            Problem(
                line,
                f"la date « {row['date']} » n'est pas reconnue (exemples : 2024-05-31 14:30 ou 31/05/2024 14:30).",
            )
        )
        return None
    kind_raw = str(row.get("kind") or "commentaire").strip().lower()
    kind = KIND_ALIASES.get(kind_raw)
    if kind is None:
        problems.append(
            Problem(
                line,
                f"le type « {row['kind']} » est inconnu (publication, commentaire, réponse, message ou mention).",
            )
        )
        return None
    likes, shares = _int(row.get("likes")), _int(row.get("shares"))
    if likes is None or shares is None:
        problems.append(Problem(line, "les colonnes « likes » et « partages » doivent contenir des nombres."))
        return None
    platform = str(row.get("platform") or "").strip().lower()
    author_name = str(row.get("author") or "").strip()
    author_id = str(row.get("author_id") or "").strip()
    given_id = str(row.get("id") or "").strip()
    external_id = (
        f"{platform or 'fichier'}:{given_id}"
        if given_id
        else "h:" + stable_id(platform, author_id or author_name, published.isoformat(), text)
    )
    prefix = f"{platform or 'fichier'}:"
    parent = str(row.get("parent_id") or "").strip()
    thread = str(row.get("thread_id") or "").strip()
    author = None
    if author_id or author_name:
        author = FetchedAuthor(
            external_id=f"{prefix}{author_id}" if author_id else f"nom:{author_name}",
            display_name=author_name,
        )
    return FetchedItem(
        external_id=external_id,
        kind=kind,
        text=text,
        published_at=published,
        author=author,
        url=str(row.get("url") or "").strip(),
        parent_external_id=f"{prefix}{parent}" if parent else "",
        thread_external_id=f"{prefix}{thread}" if thread else "",
        likes=likes,
        shares=shares,
        raw={"source_platform": platform, "line": line, **{str(k): v for k, v in record.items()}},
    )


def _parse_jsonl(text: str, tz: ZoneInfo) -> ParseResult:
    result = ParseResult()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            result.problems.append(
                Problem(number, f"JSON invalide ({_json_reason(exc)}, colonne {exc.colno}).")
            )
            continue
        if not isinstance(record, dict):
            result.problems.append(
                Problem(number, "chaque ligne doit être un objet JSON entre accolades { … }.")
            )
            continue
        item = _row_item(record, number, tz, result.problems)
        if item is not None:
            result.items.append(item)
    if not result.items and not result.problems:
        result.problems.append(Problem(0, "Le fichier est vide."))
    return result


def _parse_csv(text: str, tz: ZoneInfo) -> ParseResult:
    result = ParseResult()
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
        if sample.count(";") > sample.count(","):
            dialect = type("semicolon", (csv.excel,), {"delimiter": ";"})
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not headers:
        result.problems.append(Problem(0, "Le fichier est vide."))
        return result
    missing = [name for name in ("text", "date") if not any(a in headers for a in COLUMN_ALIASES[name])]
    if missing:
        names = " et ".join(f"« {COLUMN_ALIASES[m][0]} »" for m in missing)
        result.problems.append(
            Problem(
                1,
                f"la première ligne doit nommer les colonnes ; il manque {names} (colonnes trouvées : {', '.join(headers)}).",
            )
        )
        return result
    for record in reader:
        number = reader.line_num  # physical line of the row's end (multi-line cells count)
        if None in record:
            result.problems.append(
                Problem(number, "cette ligne a plus de colonnes que l'en-tête (un séparateur en trop ?).")
            )
            continue
        if not any((v or "").strip() for v in record.values()):
            continue
        item = _row_item(dict(record), number, tz, result.problems)
        if item is not None:
            result.items.append(item)
    if not result.items and not result.problems:
        result.problems.append(Problem(0, "Le fichier ne contient aucune ligne de données."))
    return result


def _json_reason(exc: json.JSONDecodeError) -> str:
    reasons = {
        "Expecting value": "valeur attendue",
        "Expecting property name enclosed in double quotes": "nom de champ entre guillemets attendu",
        "Unterminated string starting at": "texte non terminé",
        "Extra data": "contenu en trop après l'objet",
        "Expecting ',' delimiter": "virgule attendue",
        "Expecting ':' delimiter": "deux-points attendus",
    }
    return reasons.get(exc.msg, exc.msg)


# ---------------------------------------------------------------------------------------------
# Facebook "Download your information": comments_and_reactions/comments.json


def _parse_facebook(text: str) -> ParseResult:
    result = ParseResult()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        result.problems.append(
            Problem(exc.lineno, f"JSON invalide ({_json_reason(exc)}, colonne {exc.colno}).")
        )
        return result
    entries = None
    if isinstance(document, dict):
        entries = document.get("comments_v2", document.get("comments"))
    if not isinstance(entries, list):
        result.problems.append(
            Problem(
                0,
                "Ce fichier ne ressemble pas à l'export des commentaires Facebook : le fichier attendu est "
                "comments_and_reactions/comments.json (format JSON), avec une liste « comments_v2 ».",
            )
        )
        return result
    lines = _entry_lines(text, len(entries))
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else 0
        for item in _facebook_entry_items(entry, index, line, result):
            result.items.append(item)
    if not result.items and not result.problems:
        result.problems.append(Problem(0, "L'export ne contient aucun commentaire avec du texte."))
    return result


def _entry_lines(text: str, count: int) -> list[int]:
    """Approximate line of each entry (for messages): lines where a '"timestamp"' key opens an entry."""
    lines = []
    depth = 0
    line = 1
    in_string = False
    escape = False
    for char in text:
        if char == "\n":
            line += 1
        if in_string:
            if escape:
                escape = False
            elif char == "\\":
                escape = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
            if depth == 3 and char == "{":  # { "comments_v2": [ {entry} ] }
                lines.append(line)
                if len(lines) >= count:
                    break
        elif char in "}]":
            depth -= 1
    return lines


def _facebook_entry_items(entry: Any, index: int, line: int, result: ParseResult) -> Iterator[FetchedItem]:
    where = line or (index + 1)
    if not isinstance(entry, dict):
        result.problems.append(Problem(where, f"commentaire n° {index + 1} : objet attendu."))
        return
    title = fix_mojibake(str(entry.get("title") or ""))
    timestamp = entry.get("timestamp")
    found = False
    for data in entry.get("data") or []:
        comment = (data or {}).get("comment") if isinstance(data, dict) else None
        if not isinstance(comment, dict):
            continue
        text = fix_mojibake(str(comment.get("comment") or "")).strip()
        if not text:
            continue
        stamp = comment.get("timestamp", timestamp)
        if not isinstance(stamp, int | float) or stamp <= 0:
            result.problems.append(
                Problem(where, f"commentaire n° {index + 1} : « timestamp » manquant ou invalide.")
            )
            continue
        published = dt.datetime.fromtimestamp(float(stamp), tz=dt.UTC)
        author = fix_mojibake(str(comment.get("author") or "")).strip()
        found = True
        yield FetchedItem(
            external_id="fbexport:" + stable_id(str(int(stamp)), author, text, title),
            kind="comment",
            text=text,
            published_at=published,
            author=FetchedAuthor(external_id=f"nom:{author}", display_name=author) if author else None,
            raw={"source_platform": "facebook", "title": title, "line": line, "entry": index + 1},
        )
    if not found:
        result.skipped += 1
