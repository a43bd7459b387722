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


# The glossary ----------------------------------------------------------------------------------

GLOSSARY = settings.BASE_DIR / "docs" / "GLOSSARY.md"
KOREAN_TEMPLATES = sorted((settings.BASE_DIR / "onboarding" / "templates").rglob("*.ko.html"))
# The register and particles the glossary asks for: a request ends in 해 주세요, a particle follows its word.
REGISTER_RULES = {
    "a blunt 하세요 or 두세요 (write 해 주세요)": re.compile(r"(?<!안녕하)(?<!주)세요"),
    "a formal 하십시오 (write 해 주세요)": re.compile(r"십시오"),
    "a mechanical particle (rephrase so one particle fits)": re.compile(
        r"이\(가\)|을\(를\)|은\(는\)|\(으\)로|와\(과\)|\(이\)|\(들\)"
    ),
    # 해요체 in a 합니다체 product: 없어요, 보여 드려요, 쉬워요 (nouns ending in 요 and 주세요 are fine).
    "a 해요체 ending (write 합니다 or 해 주세요)": re.compile(r"(?<![필중개수주세니])요(?=[\s.!?,\"”’)]|$)"),
    # Clipped 음슴체 statements: "… 님으로 로그인함", "저장됨".
    "a clipped 음슴체 ending (write 합니다체)": re.compile(r"(?:함|됨)(?=[\s.]*$)"),
    # Verifying an address is 인증 (이메일 인증, 인증 메일); 확인 is for reading something over.
    "확인 for verifying an address (write 인증)": re.compile(
        r"이메일(?: 주소)?(?:가|를|을|이|은|는)? ?확인(?!해 주세요)"
        r"|확인 ?(?:메일|이메일|링크)|주소(?:가|를|이|는)? 확인됨"
    ),
}


def glossary_terms():
    """(English, Korean, [other spellings]) for each row of docs/GLOSSARY.md's table."""
    terms = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("English", "---"):
            terms.append((cells[0], cells[1], [other.strip() for other in cells[2].split(",") if other.strip()]))
    return terms


def korean_texts(catalogue):
    """Every Korean string we ship, with where it is: the catalogue's translations and the Korean templates."""
    for entry in catalogue:
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if text:
                yield f"{PO_PATH.name}: {entry.msgid[:60]}", text
    for path in KOREAN_TEMPLATES:
        yield str(path.relative_to(settings.BASE_DIR)), path.read_text(encoding="utf-8")


def glossary_problems(texts, terms):
    problems = []
    for where, text in texts:
        for english, korean, others in terms:
            preferred = [spelling.strip() for spelling in korean.split(",")]
            for other in others:
                # "이용 약관" is wrong but "이용약관" contains no other spelling; a preferred spelling that
                # contains an other one (개인정보 처리방침 / 처리방침) is blanked out first.
                cleaned = text
                for spelling in preferred:
                    cleaned = cleaned.replace(spelling, "")
                if other in cleaned:
                    problems.append(f"{where}: {other!r} for {english!r} (write {korean!r})")
        for rule, pattern in REGISTER_RULES.items():
            if pattern.search(text):
                problems.append(f"{where}: {rule}: {text[:80]!r}")
    return problems


def test_the_glossary_is_read():
    terms = {english: (korean, others) for english, korean, others in glossary_terms()}
    assert terms["username"] == ("아이디", ["사용자 이름", "사용자명", "유저네임", "유저 이름"])
    assert len(terms) >= 15
    assert KOREAN_TEMPLATES, "the Korean terms and privacy pages are checked too"


def test_korean_strings_use_the_glossarys_words_register_and_particles(catalogue):
    problems = glossary_problems(korean_texts(catalogue), glossary_terms())
    assert not problems, "See docs/GLOSSARY.md:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "text",
    [
        "사용자 이름을 입력해 주세요.",  # the other spelling of username
        "비밀번호를 입력하세요.",  # the blunt register
        "계정 %(username)s이(가) 승인되었습니다.",  # a mechanical particle
        "이용 약관에 동의합니다",  # a spacing the glossary rules out
        "검토를 기다리는 가입이 더 없어요.",  # 해요체
        "%(total)s명 중 처음 %(shown)s명만 보여 드려요.",  # 해요체
        "<strong>%(username)s</strong> 님으로 로그인함",  # a clipped 음슴체 header
        "이메일 주소 확인 링크를 보냈습니다.",  # 확인 for verifying an address
        "확인 메일을 다시 보내기",  # 확인 for verifying an address
        "회원 가입",  # the glossary writes 회원가입
        "스태프 권한",  # Django's word for staff
        "선택된 사용자(들) 을/를 삭제합니다.",  # Django's mechanical plural
    ],
)
def test_the_glossary_check_catches_a_wrong_korean_string(text):
    assert glossary_problems([("example", text)], glossary_terms())


def test_the_glossary_check_passes_the_right_spellings():
    right = (
        "아이디와 비밀번호를 입력해 주세요. 이용약관과 개인정보 처리방침을 읽어 주세요. 안녕하세요. "
        "이메일 인증이 완료되었습니다. 입력 내용 확인. 메일함을 확인해 주세요. 아니요. 필요. 중요. 처음부터 다시."
    )
    assert glossary_problems([("example", right)], glossary_terms()) == []


# Django's own Korean on our pages ---------------------------------------------------------------


def visible_text(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.django_db
def test_djangos_strings_on_our_korean_pages_follow_the_glossary(client, admin_user, make_user):
    person = make_user(email_verified=False)
    korean = {"accept-language": "ko"}
    pages = {path: client.get(path, headers=korean) for path in ("/login/", "/password-reset/", "/admin/login/")}
    client.force_login(admin_user)
    for path in ("/admin/", "/admin/onboarding/user/", f"/admin/onboarding/user/{person.pk}/change/"):
        pages[path] = client.get(path, headers=korean)
    texts = []
    for path, response in pages.items():
        assert response.status_code == 200, path
        texts.append((path, visible_text(response.content.decode())))
    problems = glossary_problems(texts, glossary_terms())
    assert not problems, "Override Django's string in onboarding/translations.py:\n" + "\n".join(problems)
