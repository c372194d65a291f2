"""``catalog import`` and ``catalog export`` and ``agreements publish --type syndication``, run as real
subprocesses on the embedded database of a temporary data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal_testing.factories import PASSWORD
from tests.unit.test_cli import ACME, run_cli

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def acme(tmp_path: Path) -> Path:
    """A new portal database with the distributor Acme Distribution Ltd (as tests/unit/test_cli.py makes it)."""
    assert run_cli(tmp_path, "init").returncode == 0
    created = run_cli(
        tmp_path, "distributor", "create", ACME, "--admin-email", "ops@acme.example", "--password-stdin", stdin=PASSWORD
    )
    assert created.returncode == 0, created.stderr
    return tmp_path


HEADER = "product_name,category,short_description,description,mpn,item_name,billing_period,unit,currency,cost,msrp"


def test_catalog_import_then_export(acme: Path) -> None:
    source = acme / "catalog.csv"
    source.write_text(
        f"{HEADER}\nLedgerly,Finance,Books,# Ledgerly,LG-M,Seat,Monthly,Users,USD,8.5,12\n"
        "=cmd|' /C calc'!A0,Finance,Books,Plain,X-1,Seat,Yearly,Users,EUR,1,2\n",
        encoding="utf-8",
    )
    imported = run_cli(acme, "catalog", "import", str(source), "--distributor", ACME)
    assert imported.returncode == 0, imported.stderr
    assert "2 products created" in imported.stdout and "2 prices set" in imported.stdout
    exported = run_cli(acme, "catalog", "export", "--distributor", ACME)
    assert exported.returncode == 0 and exported.stdout.startswith("\ufeffproduct_id,product_name,")
    assert "'=cmd|' /C calc'!A0" in exported.stdout and ",USD,8.5000,12.0000" in exported.stdout
    target = acme / "out.csv"
    assert run_cli(acme, "catalog", "export", "--distributor", ACME, "--output", str(target)).returncode == 0
    assert target.read_bytes().startswith(b"\xef\xbb\xbfproduct_id")
    again = run_cli(acme, "catalog", "export", "--distributor", ACME, "--output", str(target))
    assert again.returncode == 2 and "cannot write" in again.stderr  # never over an existing file
    reimported = run_cli(acme, "catalog", "import", str(target), "--distributor", ACME, "--json")
    assert reimported.returncode == 0 and '"products_created": 0' in reimported.stdout


def test_catalog_import_reports_each_bad_line_and_imports_nothing(acme: Path) -> None:
    source = acme / "bad.csv"
    source.write_text(
        f"{HEADER}\nGood,Finance,Books,Plain,G-1,Seat,Monthly,Users,USD,1,2\n"
        "Bad,Finance,Books,Plain,B-1,Seat,Monthly,Users,USD,3,2\n"
        "Worse,Finance,Books,Plain,W-1,Seat,Monthly,Users,QQQ,1,2\n",
        encoding="utf-8",
    )
    refused = run_cli(acme, "catalog", "import", str(source), "--distributor", ACME)
    assert refused.returncode == 2
    assert "line 3: cost: The cost" in refused.stderr and "line 4: currency:" in refused.stderr
    assert "Nothing was imported: 2 problems" in refused.stderr
    exported = run_cli(acme, "catalog", "export", "--distributor", ACME)
    assert exported.stdout.count("\n") == 1  # the header only
    unknown = run_cli(acme, "catalog", "import", str(source), "--distributor", "Acme Distribution")
    assert unknown.returncode == 2 and "Did you mean" in unknown.stderr


def test_agreements_publish_the_syndication_agreement(acme: Path) -> None:
    terms = acme / "terms.md"
    terms.write_text("# Syndication\n\nResell our products.", encoding="utf-8")
    published = run_cli(
        acme, "agreements", "publish", "--distributor", ACME, "--file", str(terms), "--type", "syndication"
    )
    assert published.returncode == 0, published.stderr
    assert "Published version 1" in published.stdout and "new enrolments" in published.stdout
    terms.write_text("# Syndication\n\nVersion two.", encoding="utf-8")
    second = run_cli(
        acme, "agreements", "publish", "--distributor", ACME, "--file", str(terms), "--type", "syndication"
    )
    assert "Published version 2" in second.stdout
