"""The dependency rule, checked by reading every module's imports.

gateway_app → gateway_adapters → gateway_domain, never the other way; the domain imports only
the standard library, attrs, cattrs, anyio and numpy (the search scores arrays: docs/architecture.md).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
DOMAIN_ALLOWED = {"attrs", "cattrs", "anyio", "numpy", "gateway_domain", "__future__"}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def modules(package: str) -> list[Path]:
    found = sorted((SRC / package).rglob("*.py"))
    assert found, f"no modules found in {package}"
    return found


@pytest.mark.parametrize("path", modules("gateway_domain"), ids=lambda p: p.name)
def test_the_domain_imports_only_the_standard_library_and_its_four_libraries(path: Path) -> None:
    outside = {root for root in imported_roots(path) if root not in sys.stdlib_module_names} - DOMAIN_ALLOWED
    assert not outside, f"{path.relative_to(SRC)} imports {sorted(outside)}"


@pytest.mark.parametrize("path", modules("gateway_adapters"), ids=lambda p: str(p.relative_to(SRC)))
def test_adapters_never_import_the_app(path: Path) -> None:
    assert "gateway_app" not in imported_roots(path), f"{path.relative_to(SRC)} imports gateway_app"


def adapter_of(path: Path) -> str:
    relative = path.relative_to(SRC / "gateway_adapters")
    return relative.parts[0].removesuffix(".py")


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", modules("gateway_adapters"), ids=lambda p: str(p.relative_to(SRC)))
def test_adapters_use_each_other_only_through_their_public_package(path: Path) -> None:
    own = adapter_of(path)
    for module in imported_modules(path):
        parts = module.split(".")
        if parts[0] == "gateway_adapters" and len(parts) > 2 and parts[1] != own:
            pytest.fail(f"{path.relative_to(SRC)} reaches into {module}; import from gateway_adapters.{parts[1]}")


def test_the_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import fastmcp\nfrom mcp.types import Tool\nfrom . import sibling\n")
    assert imported_roots(bad) == {"fastmcp", "mcp"}
