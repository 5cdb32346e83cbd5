"""`beffroi classify`, `beffroi eval`, `beffroi train`: the moderation engine from the command line.

Heavy modules (numpy, lexicons, model) are imported inside the handlers so `beffroi --help` and
the other commands start fast.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

MAX_LINE_BYTES = 8 * 1024 * 1024  # a longer input line gets an error, not a crash
# the id of a line that is not valid JSON, when it can still be read: {"id": "a3", "text": "…
_LEADING_ID = re.compile(r'^\s*\{\s*"id"\s*:\s*("(?:[^"\\\n]|\\.)*"|-?\d{1,18})\s*[,}]')
RECENT_TEXTS = 5000  # memory of recent texts for repeated-post (spam) detection
REPEAT_MIN_CHARS = 30  # shorter texts ("Merci !") are often repeated by different people
_CONTEXT_FIELDS = {
    "platform": str,
    "replies_to_commune": bool,
    "is_private": bool,
    "author_id": str,
    "author_account_age_days": int,
    "author_followers": int,
    "author_is_new": bool,
}


def register(sub: Any) -> None:
    p = sub.add_parser(
        "classify",
        help="Modère des commentaires (JSON Lines sur l'entrée standard, un verdict JSON par ligne).",
        description='Lit des objets JSON {"id", "text", …} ligne par ligne sur l\'entrée standard et écrit un '
        "verdict JSON par ligne, dans le même ordre.",
    )
    p.add_argument("--charter", help="charte de modération TOML (défaut : la charte fournie)")
    p.add_argument("--no-model", action="store_true", help="règles seules, sans le modèle appris")
    p.set_defaults(handler=classify_command)

    p = sub.add_parser(
        "eval", help="Évalue le moteur sur un fichier annoté (CSV MLMA ou JSONL {text, labels})."
    )
    p.add_argument("file", help="fichier annoté : CSV MLMA (colonnes tweet, sentiment) ou JSONL")
    p.add_argument("--charter", help="charte de modération TOML")
    p.add_argument("--no-model", action="store_true", help="règles seules, sans le modèle appris")
    p.add_argument("--errors", type=int, default=0, metavar="N", help="affiche N erreurs de classement")
    p.set_defaults(handler=eval_command)

    p = sub.add_parser("train", help="Entraîne le modèle appris à partir des données du dépôt.")
    p.add_argument("--out", help="fichier du modèle (défaut : le modèle fourni, src/beffroi/data/models/)")
    p.add_argument(
        "--extra",
        action="append",
        default=[],
        metavar="FILE.jsonl",
        help="exemples supplémentaires {text, labels} (répétable)",
    )
    p.add_argument("--no-augment", action="store_true", help="sans les exemples générés par gabarits")
    p.add_argument("--seed", type=int, default=None, help="graine de l'entraînement")
    p.set_defaults(handler=train_command)


# -- classify ------------------------------------------------------------------------------------


def _error(identifier: Any, message: str) -> dict[str, Any]:
    return {"id": identifier, "error": message}


def _context(obj: dict[str, Any]) -> Any:
    from beffroi.domain.moderation.types import Context

    source = obj.get("context") if isinstance(obj.get("context"), dict) else obj
    values: dict[str, Any] = {}
    for name, kind in _CONTEXT_FIELDS.items():
        value = source.get(name)
        if value is None:
            continue
        if kind is bool and not isinstance(value, bool):
            raise ValueError(f"le champ « {name} » doit valoir true ou false")
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"le champ « {name} » doit être un nombre entier")
        if kind is str and not isinstance(value, str | int):
            raise ValueError(f"le champ « {name} » doit être un texte")
        values[name] = str(value) if kind is str else value
    return Context(**values)


class RecentTexts:
    """A bounded memory of recent texts: how many times each was already seen."""

    def __init__(self, size: int = RECENT_TEXTS) -> None:
        self.size = size
        self._seen: OrderedDict[str, int] = OrderedDict()

    def seen(self, text: str) -> int:
        key = " ".join(text.lower().split())
        if len(key) < REPEAT_MIN_CHARS:
            return 0
        count = self._seen.pop(key, 0)
        self._seen[key] = count + 1
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return count


def _salvaged_id(line: str) -> Any:
    """The id at the start of a broken JSON line ('{"id": "a3", "text": "coupé'), or None."""
    found = _LEADING_ID.match(line)
    if found is None:
        return None
    try:
        return json.loads(found.group(1))
    except ValueError:
        return None


def judge_line(engine: Any, raw: bytes | str, recent: RecentTexts | None = None) -> dict[str, Any]:
    """The JSON verdict (or error) for one input line."""
    if isinstance(raw, bytes):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            identifier = None
            with contextlib.suppress(ValueError, AttributeError):
                identifier = json.loads(raw.decode("utf-8", errors="replace")).get("id")
            return _error(identifier, f"ligne illisible : encodage UTF-8 invalide (octet {exc.start})")
    else:
        line = raw
    try:
        obj = json.loads(line)
    except ValueError as exc:
        return _error(_salvaged_id(line), f"JSON invalide : {exc.msg} (colonne {exc.colno})")
    if not isinstance(obj, dict):
        return _error(None, 'chaque ligne doit être un objet JSON {"id": …, "text": …}')
    identifier = obj.get("id")
    text = obj.get("text")
    if not isinstance(text, str):
        return _error(identifier, "le champ « text » est absent ou n'est pas un texte")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from "\\ud800" escapes
        text = text.encode("utf-8", errors="replace").decode("utf-8")
    try:
        context = _context(obj)
    except ValueError as exc:
        return _error(identifier, str(exc))
    repeats = recent.seen(text) if recent is not None else 0
    try:
        verdict = engine.judge(text, context, repeats=repeats)
    except Exception as exc:  # never stop the stream for one comment
        return _error(identifier, f"erreur interne du moteur : {type(exc).__name__}")
    out = {"id": identifier}
    out.update(verdict.to_json())
    return out


def read_lines(stream: IO[bytes], limit: int = MAX_LINE_BYTES) -> Iterator[bytes | None]:
    """Lines of a binary stream, one at a time; None for a line longer than ``limit``."""
    while True:
        line = stream.readline(limit)
        if not line:
            return
        if len(line) >= limit and not line.endswith(b"\n"):
            while True:  # skip the rest of the oversized line
                rest = stream.readline(limit)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield line


def classify_stream(
    engine: Any, lines: Iterable[bytes | str | None], out: IO[str], recent: RecentTexts | None = None
) -> int:
    """Judge every line and write one JSON line per input line, in order, flushed as it goes."""
    recent = recent if recent is not None else RecentTexts()
    count = 0
    for raw in lines:
        if raw is None:
            result = _error(None, f"ligne trop longue (plus de {MAX_LINE_BYTES // (1024 * 1024)} Mo)")
        else:
            stripped = raw.strip()
            if not stripped:
                continue
            result = judge_line(engine, stripped, recent)
        try:
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
        except UnicodeEncodeError:  # an id with lone surrogates: escape everything
            out.write(json.dumps(result, ensure_ascii=True) + "\n")
        out.flush()
        count += 1
    return count


def _engine(args: argparse.Namespace) -> Any:
    from beffroi import conf
    from beffroi.domain.moderation.charter import CharterError, load_charter
    from beffroi.domain.moderation.engine import Engine
    from beffroi.domain.moderation.model import Model, ModelError

    charter_path = getattr(args, "charter", None) or conf.get("MODERATION_CHARTER")
    charter = None
    if charter_path:
        try:
            charter = load_charter(charter_path)
        except CharterError as exc:
            print(str(exc), file=sys.stderr)
            raise SystemExit(2) from None
    use_model = not getattr(args, "no_model", False) and bool(conf.get("MODERATION_USE_MODEL"))
    model = None
    model_path = conf.get("MODERATION_MODEL")
    if use_model and model_path:
        try:
            model = Model.load(model_path)
        except (OSError, ModelError) as exc:
            print(f"Modèle illisible ({model_path}) : {exc}", file=sys.stderr)
            raise SystemExit(2) from None
    return Engine(charter=charter, model=model, use_model=use_model)


def classify_command(args: argparse.Namespace) -> int:
    import gc

    from beffroi import conf

    engine = _engine(args)
    gc.freeze()  # lexicons and model are permanent: keep the garbage collector off them
    memory = int(conf.get("MODERATION_REPEAT_MEMORY"))
    classify_stream(engine, read_lines(sys.stdin.buffer), sys.stdout, RecentTexts(memory))
    return 0


# -- eval ----------------------------------------------------------------------------------------


def eval_command(args: argparse.Namespace) -> int:
    from beffroi.domain.moderation.evaluate import EvalFormatError, evaluate, format_report, read_examples

    path = Path(args.file)
    if not path.is_file():
        print(f"Fichier introuvable : {path}", file=sys.stderr)
        return 2
    engine = _engine(args)
    started = time.perf_counter()
    try:
        report = evaluate(engine.judge, read_examples(path), keep_errors=max(0, args.errors))
    except EvalFormatError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    print(f"Évaluation de {path.name} ({'règles seules' if engine.model is None else 'règles + modèle'})")
    print(format_report(report))
    print(f"Durée : {elapsed:.1f} s ({report.count / max(elapsed, 1e-9):.0f} commentaires/s)")
    if report.errors:
        print("\nErreurs (attendu → prédit) :")
        for example, verdict in report.errors:
            expected = ("haineux" if example.hate else "non haineux") if example.on_hate else ("à masquer" if example.flagged else "acceptable")
            got = ",".join(label.value for label in verdict.labels) or "aucune catégorie"
            print(f"- [{expected} → {got}] {example.text[:160]}")
    return 0


# -- train ---------------------------------------------------------------------------------------


def train_command(args: argparse.Namespace) -> int:
    from beffroi.domain.moderation.model import DEFAULT_MODEL_FILE
    from beffroi.domain.moderation.training import (
        CORPUS_DIR,
        TrainConfig,
        TrainingDataError,
        train_from_repository,
    )

    out = (
        Path(args.out)
        if args.out
        else Path(__file__).resolve().parents[1] / "data" / "models" / DEFAULT_MODEL_FILE
    )
    config = TrainConfig(augment=not args.no_augment)
    if args.seed is not None:
        config = TrainConfig(seed=args.seed, augment=not args.no_augment)
    started = time.perf_counter()
    try:
        model = train_from_repository(config, [Path(p) for p in args.extra])
    except (TrainingDataError, OSError) as exc:
        print(f"Entraînement impossible : {exc}", file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    elapsed = time.perf_counter() - started
    size_kb = out.stat().st_size / 1024
    print(f"Modèle entraîné : {out}")
    print(f"  corpus             : {CORPUS_DIR}")
    for name, count in model.meta["sources"].items():
        print(f"  exemples {name:<10}: {count}")
    print(f"  exemples uniques   : {model.meta['examples']}")
    print(f"  variables          : {model.meta['features']}")
    print(f"  taille             : {size_kb:.0f} Ko")
    print(f"  empreinte          : {model.meta['digest'][:16]}")
    print(f"  durée              : {elapsed:.1f} s")
    return 0
