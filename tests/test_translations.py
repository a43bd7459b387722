"""The Korean catalogue: every string of ours is in it, translated, and compiled into the committed .mo."""

import ast
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation.template import templatize

PO_PATH = settings.BASE_DIR / "onboarding" / "locale" / "ko" / "LC_MESSAGES" / "django.po"
SOURCE_DIRS = ("config", "onboarding", "templates")

# The keywords `makemessages` hands to xgettext: name -> (context arg, msgid arg, plural arg).
KEYWORDS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
# templatize() blanks out everything else with letters, so keep only its gettext calls for ast.
TEMPLATIZED_CALL = re.compile(r"""\b(?:_|n?p?gettext)\((?:[^()'"]|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")*\)""")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def messages_in_python(source):
    """(context, msgid) of every translation call with literal arguments, as xgettext finds them."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in KEYWORDS:
            continue
        context_at, msgid_at, _ = KEYWORDS[name]
        args = [arg.value if isinstance(arg, ast.Constant) else None for arg in node.args]
        if len(args) > msgid_at and isinstance(args[msgid_at], str):
            yield (args[context_at] if context_at is not None else None), args[msgid_at]


def source_messages():
    """Every translatable string in our Python files and templates, with where it was found."""
    found = {}
    for directory in SOURCE_DIRS:
        for path in sorted((settings.BASE_DIR / directory).rglob("*")):
            if path.suffix == ".py":
                source = path.read_text(encoding="utf-8")
            elif path.suffix in (".html", ".txt"):
                # Django's own step before xgettext: template tags become Python gettext calls.
                source = templatize(path.read_text(encoding="utf-8"), origin=str(path))
                source = "\n".join(TEMPLATIZED_CALL.findall(source))
            else:
                continue
            for message in messages_in_python(source):
                found.setdefault(message, path.relative_to(settings.BASE_DIR))
    return found


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(PO_PATH))


def test_source_scan_finds_strings_from_python_and_templates():
    found = source_messages()
    # One of each kind, so a broken scan cannot pass the test below by finding nothing.
    assert (None, "Enter a username.") in found  # forms.py, gettext_lazy
    assert (None, "Check your answers") in found  # wizard.py, module-level gettext_lazy
    assert (None, "There is a problem") in found  # template, {% translate %}
    assert (None, "Welcome, %(name)s!") in found  # template, {% blocktranslate with %}
    assert (None, "Korean") in found  # settings.py


def test_every_string_of_ours_is_in_the_korean_catalogue(catalogue):
    known = {(entry.msgctxt, entry.msgid) for entry in catalogue if not entry.obsolete}
    missing = {message: str(path) for message, path in source_messages().items() if message not in known}
    assert not missing, f"Not in {PO_PATH.name}; run `make messages` and translate them: {missing}"


def test_every_catalogue_entry_is_translated_and_checked(catalogue):
    assert catalogue.metadata["Language"] == "ko"
    assert not catalogue.metadata_is_fuzzy
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    obsolete = [entry.msgid for entry in catalogue.obsolete_entries()]
    assert not untranslated, f"Untranslated: {untranslated}"
    assert not fuzzy, f"Fuzzy (check the translation, then remove the flag): {fuzzy}"
    assert not obsolete, f"Obsolete (delete them): {obsolete}"


def test_translations_keep_every_placeholder(catalogue):
    for entry in catalogue:
        translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        # Korean has one plural form, which serves every count: it may need the plural's placeholders.
        expected = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural or ""))
        for translation in translations:
            assert set(PLACEHOLDER.findall(translation)) == expected, entry.msgid


def test_the_committed_mo_is_compiled_from_the_current_po(catalogue):
    compiled = polib.mofile(str(Path(PO_PATH).with_suffix(".mo")))

    def table(entries):
        return {
            (entry.msgctxt, entry.msgid): entry.msgstr or tuple(sorted(entry.msgstr_plural.items()))
            for entry in entries
            if entry.msgid
        }

    assert table(compiled) == table(catalogue.translated_entries()), "Run `make messages` and commit django.mo."
