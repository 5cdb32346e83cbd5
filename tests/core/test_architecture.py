"""docs/ARCHITECTURE.md stays true: the layering it describes (the domain and the settings registry
never import Django), and the modules, files, connectors and periodic jobs it names exist."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from pathlib import Path

from beffroi.connectors.registry import CONNECTORS
from beffroi.tasks.registry import PERIODIC, autodiscover

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "beffroi"
DOC = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
CODE_SPANS = set(re.findall(r"`([^`\n]+)`", DOC))
DJANGO_APPS = {"core", "workspace", "connectors", "veille", "tasks", "web"}
NOT_MODULES = {"beffroi.run", "beffroi.js"}  # a Celery task name, a static file


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_domain_and_settings_registry_never_import_django() -> None:
    offenders = []
    for folder in (PACKAGE / "domain", PACKAGE / "conf"):
        for path in folder.rglob("*.py"):
            bad = {n for n in _imports(path) if n == "django" or n.startswith("django.")}
            bad |= {n for n in _imports(path) if n.startswith("beffroi.") and n.split(".")[1] in DJANGO_APPS}
            if bad:
                offenders.append(f"{path.relative_to(ROOT)}: {sorted(bad)}")
    assert not offenders, offenders


def test_modules_named_in_the_map_exist() -> None:
    missing = []
    for span in CODE_SPANS:
        if not re.fullmatch(r"beffroi(\.\w+)+", span) or span in NOT_MODULES:
            continue
        parts = span.split(".")
        # The longest importable prefix, then attributes (e.g. beffroi.core.tenancy.commune_view).
        for cut in range(len(parts), 0, -1):
            module_name = ".".join(parts[:cut])
            if importlib.util.find_spec(module_name) is not None:
                obj: object = importlib.import_module(module_name)
                ok = True
                for attr in parts[cut:]:
                    if not hasattr(obj, attr):
                        ok = False
                        break
                    obj = getattr(obj, attr)
                if not ok:
                    missing.append(span)
                break
        else:
            missing.append(span)
    assert not missing, f"docs/ARCHITECTURE.md names modules that do not exist: {sorted(missing)}"


def test_python_files_named_in_the_map_exist() -> None:
    files = {
        p.relative_to(ROOT).as_posix()
        for folder in (ROOT / "src", ROOT / "tests")
        for p in folder.rglob("*.py")
        if "node_modules" not in p.parts
    }
    missing = []
    for span in CODE_SPANS:
        if re.fullmatch(r"[\w/]+\.py", span) and not any(f == span or f.endswith("/" + span) for f in files):
            missing.append(span)
    assert not missing, f"docs/ARCHITECTURE.md names files that do not exist: {sorted(missing)}"


def test_every_registered_connector_is_on_the_map() -> None:
    for platform, target in CONNECTORS.items():
        folder = target.split(":")[0].split(".")[2]  # beffroi.connectors.<folder>.connector
        assert (PACKAGE / "connectors" / folder).is_dir()
        assert re.search(rf"\b{folder}\b", DOC), f"connector {platform} ({folder}/) missing from the map"


def test_every_periodic_job_is_in_the_background_work_table() -> None:
    autodiscover()
    missing = [name for name in PERIODIC if f"`{name}`" not in DOC]
    assert not missing, f"add these periodic jobs to docs/ARCHITECTURE.md § 4: {missing}"
