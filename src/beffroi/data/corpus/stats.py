"""Check the training corpus and the demo data, and print counts per file and per label.

    python -m beffroi.data.corpus.stats            # corpus + demo summary, exit 1 on any error
    python -m beffroi.data.corpus.stats --quiet    # errors only

Every corpus line must be ``{"text": str, "labels": [sorted known labels], "source": known register}``
(an optional ``note`` is allowed); texts are unique after lower-casing and dropping accents and
punctuation.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TRAIN_DIR = HERE / "train"
DEMO_DIR = HERE.parent / "demo"

REMOVAL_WORTHY = ("hate", "insult", "threat", "harassment", "sexual", "personal_data", "spam")
LABELS = (*REMOVAL_WORTHY, "criticism", "question", "praise", "shouting")
SOURCES = ("fb_comment", "tweet", "forum", "teen_chat", "youtube", "instagram", "private_message", "website")
PLATFORMS = ("facebook", "instagram", "x", "youtube", "tiktok", "mastodon", "bluesky", "website")
ITEM_KINDS = ("post", "comment", "reply", "private_message", "mention")


def dedup_key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "", folded)


def check_corpus(directory: Path = TRAIN_DIR) -> tuple[dict[str, Counter[str]], list[str]]:
    """Per-file label counts (key ``_lines`` = number of lines) and the list of problems."""
    counts: dict[str, Counter[str]] = {}
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.jsonl")):
        counter: Counter[str] = Counter()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            where = f"{path.name}:{number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                problems.append(f"{where}: invalid JSON ({error})")
                continue
            if not isinstance(row, dict) or set(row) - {"text", "labels", "source", "note"}:
                problems.append(f"{where}: unexpected keys")
                continue
            text, labels, source = row.get("text"), row.get("labels"), row.get("source")
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{where}: empty or missing text")
                continue
            if not isinstance(labels, list) or labels != sorted(set(labels)) or set(labels) - set(LABELS):
                problems.append(f"{where}: labels must be a sorted list of known labels, got {labels!r}")
            if source not in SOURCES:
                problems.append(f"{where}: unknown source {source!r}")
            key = dedup_key(text)
            if key in seen:
                problems.append(f"{where}: duplicate of {seen[key]}")
            seen.setdefault(key, where)
            counter["_lines"] += 1
            counter.update(labels if isinstance(labels, list) else [])
            counter["_source:" + str(source)] += 1
            if isinstance(labels, list) and not set(labels) & set(REMOVAL_WORTHY):
                counter["_nothing_to_remove"] += 1
        counts[path.name] = counter
    return counts, problems


def _read_jsonl(path: Path, problems: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as error:
            problems.append(f"{path.name}:{number}: invalid JSON ({error})")
    return rows


def check_demo(directory: Path = DEMO_DIR) -> tuple[dict[str, int], list[str]]:
    """Counts of the demo files and the list of problems (references, kinds, platforms)."""
    problems: list[str] = []
    accounts = json.loads((directory / "accounts.json").read_text(encoding="utf-8"))
    items = _read_jsonl(directory / "items.jsonl", problems)
    ids = [item.get("id") for item in items]
    if len(ids) != len(set(ids)):
        problems.append("items.jsonl: duplicate ids")
    by_id = {item.get("id"): item for item in items}
    for item in items:
        where = f"items.jsonl {item.get('id')}"
        if item.get("account") not in accounts:
            problems.append(f"{where}: unknown account {item.get('account')!r}")
        elif accounts[item["account"]]["platform"] != item.get("platform"):
            problems.append(f"{where}: platform differs from its account's")
        if item.get("platform") not in PLATFORMS or item.get("kind") not in ITEM_KINDS:
            problems.append(f"{where}: unknown platform or kind")
        parent = item.get("parent")
        if item.get("kind") in ("comment", "reply"):
            if parent not in by_id:
                problems.append(f"{where}: parent {parent!r} not found")
            elif by_id[parent]["minutes_ago"] <= item["minutes_ago"]:
                problems.append(f"{where}: published before its parent")
        elif parent is not None:
            problems.append(f"{where}: only comments and replies have a parent")
        author = item.get("author")
        if not isinstance(author, dict) or not author.get("id") or not author.get("name"):
            problems.append(f"{where}: author must have an id and a name")
        if not isinstance(item.get("text"), str) or not item["text"].strip():
            problems.append(f"{where}: empty text")
        for key in ("minutes_ago", "likes", "shares"):
            if not isinstance(item.get(key), int) or item[key] < 0:
                problems.append(f"{where}: {key} must be a non-negative integer")
    labels = {row["id"]: row["labels"] for row in _read_jsonl(directory / "items_labels.jsonl", problems)}
    if set(labels) != set(by_id):
        problems.append("items_labels.jsonl: ids differ from items.jsonl")
    mentions = _read_jsonl(directory / "mentions.jsonl", problems)
    for mention in mentions:
        missing = {"id", "minutes_ago", "platform", "author", "text", "url", "likes", "shares"} - set(mention)
        if missing:
            problems.append(f"mentions.jsonl {mention.get('id')}: missing {sorted(missing)}")
    replies = json.loads((directory / "saved_replies.json").read_text(encoding="utf-8"))
    services = json.loads((directory / "services.json").read_text(encoding="utf-8"))
    service_names = {service["name"] for service in services}
    for reply in replies:
        if reply.get("service") is not None and reply["service"] not in service_names:
            problems.append(f"saved_replies.json {reply.get('title')!r}: unknown service")
    facts = [line for line in (directory / "facts.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
    counts = {
        "items": len(items),
        "mentions": len(mentions),
        "accounts": len(accounts),
        "saved_replies": len(replies),
        "services": len(services),
        "facts": len(facts),
    }
    label_counts = Counter(label for row in labels.values() for label in row)
    counts.update({f"label:{label}": label_counts[label] for label in LABELS})
    return counts, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="print problems only")
    args = parser.parse_args(argv)
    counts, problems = check_corpus()
    demo_counts, demo_problems = check_demo()
    problems += demo_problems
    if not args.quiet:
        total: Counter[str] = Counter()
        for name, counter in counts.items():
            total.update(counter)
            per_label = " ".join(f"{label}={counter[label]}" for label in LABELS if counter[label])
            print(f"{name:42s} {counter['_lines']:5d}  {per_label}")
        print(f"{'TOTAL':42s} {total['_lines']:5d}  nothing to remove: {total['_nothing_to_remove']}")
        print("labels :", ", ".join(f"{label}={total[label]}" for label in LABELS))
        print("sources:", ", ".join(f"{s}={total['_source:' + s]}" for s in SOURCES))
        print("demo   :", ", ".join(f"{key}={value}" for key, value in demo_counts.items()))
    for problem in problems:
        print("ERREUR", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
