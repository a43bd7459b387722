"""Project-wide checks: migrations match the models and import no app code, Django's system checks pass."""

import ast
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

MIGRATIONS = sorted((Path(__file__).resolve().parent.parent / "onboarding" / "migrations").glob("[0-9]*.py"))


@pytest.mark.django_db
def test_every_model_change_has_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_system_checks_pass():
    call_command("check", fail_level="WARNING")


def app_code_used(source):
    """What a migration takes from outside Django and the standard library: it must run the same whatever the
    app's code becomes (Django's advice for RunPython: copy the functions in). The one exception is the
    `onboarding.models.<Name>Manager` that makemigrations writes for a manager with use_in_migrations."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [("." * node.level) + (node.module or "")]
        elif isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] in ("import_module", "__import__"):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
            continue
        else:
            continue
        for name in names:
            root = name.split(".")[0]
            if root == "django" or root in sys.stdlib_module_names:
                continue
            if name == "onboarding.models" and isinstance(node, ast.Import):
                continue  # its uses are checked below
            found.append(f"line {node.lineno}: import {name}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and ast.unparse(node.value) == "onboarding.models"
            and not node.attr.endswith("Manager")
        ):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda path: path.name)
def test_migrations_import_no_app_code(path):
    assert app_code_used(path.read_text()) == []


@pytest.mark.parametrize(
    "source",
    [
        "from onboarding.identities import email_key",
        "import onboarding.infra.trigram",
        "from ..trigram import create_trigram_indexes",
        "import onboarding.models\nkey = onboarding.models.email_key",
        "from importlib import import_module\nold = import_module('onboarding.migrations.0005_admin_scale')",
        "import confusable_homoglyphs",
    ],
)
def test_the_migration_check_sees_app_code(source):
    assert app_code_used(source)


def test_the_migration_check_allows_django_the_standard_library_and_managers():
    source = "import unicodedata\nimport onboarding.models\nfrom django.db import migrations\n"
    assert app_code_used(source + "managers = [('objects', onboarding.models.UserManager())]") == []
