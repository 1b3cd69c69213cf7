import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from pools import validators
from pools.forms.pool_wizard.base import WizardContext
from pools.forms.pool_wizard.steps import step_form
from tests.forms.pool_wizard.helpers import BASE, GOOD_BASICS, YEARLY, data, errors, state

T4 = "modelarts.vm.gpu.t4u8"
GPU_DEDICATE = WizardContext(pool_type="Dedicate", flavor_ids=(T4, "modelarts.vm.cpu.8ud"))
GPU_LOGICAL = WizardContext(pool_type="Logical", flavor_ids=(T4,))


# --- the fields a step's page shows, and the errors on the others ------------------------------------------


def test_the_step_pages_say_which_fields_they_show():
    assert step_form("network", data(), GPU_LOGICAL).shown_fields == {"job_flavors"}
    assert step_form("network", data(), GPU_DEDICATE).shown_fields == {
        "network_name",
        "job_flavors",
        "gpu_version",
        "update_strategy",
    }
    assert "period_num" not in step_form("billing", data(mode="0"), BASE).shown_fields
    assert "period_num" in step_form("billing", data(mode="1"), BASE).shown_fields


def test_an_error_on_a_field_the_page_does_not_show_is_listed_for_the_banner():
    form = step_form("network", data(update_strategy="sometimes"), GPU_LOGICAL)
    assert not form.is_valid()
    assert form.unshown_errors == ["Driver update strategy: " + form.errors["update_strategy"][0]]
    shown = step_form("network", data(gpu_version="470.57.02"), GPU_LOGICAL)
    assert not shown.is_valid() and shown.unshown_errors == []  # kept on the page with its value


# --- invisible characters ----------------------------------------------------------------------------------


INVISIBLE = {
    "\u202e": "U+202E (RIGHT-TO-LEFT OVERRIDE)",
    "\u202a": "U+202A (LEFT-TO-RIGHT EMBEDDING)",
    "\u2067": "U+2067 (RIGHT-TO-LEFT ISOLATE)",
    "\u2069": "U+2069 (POP DIRECTIONAL ISOLATE)",
    "\u200f": "U+200F (RIGHT-TO-LEFT MARK)",
    "\u200b": "U+200B (ZERO WIDTH SPACE)",
    "\ufeff": "U+FEFF (ZERO WIDTH NO-BREAK SPACE)",
    "\u2028": "U+2028 (LINE SEPARATOR)",
    "\x1b": "U+001B",
    "\u3164": "U+3164 (HANGUL FILLER)",
}
# Free text of every step, where any script is welcome.
FREE_TEXT = [
    ("basics", "description", {**GOOD_BASICS, "description": "Vision {} team"}, BASE),
    ("billing", "promotion_info", {**YEARLY, "promotion_info": "spring{}-10"}, BASE),
    ("billing", "console_url", {**YEARLY, "console_url": "https://console.exam{}ple.test/"}, BASE),
    ("review", "reason", {"reason": "Needed {} soon"}, BASE),
    ("basics", "display_name", {**GOOD_BASICS, "display_name": "pool{}-x"}, BASE),
]


@pytest.mark.parametrize("character", INVISIBLE)
@pytest.mark.parametrize(
    ("step", "field", "values", "context"), FREE_TEXT, ids=[f for _, f, _, _ in FREE_TEXT]
)
def test_invisible_characters_are_refused_in_every_text_field(step, field, values, context, character):
    found = errors(step, data(**{k: v.format(character) for k, v in values.items()}), context)
    assert validators.INVISIBLE_CHARACTER.format(character=INVISIBLE[character]) in found[field]


def test_visible_text_in_any_script_passes_and_every_invisible_character_is_named():
    text = "Équipe vision 语言 — تجربة\n\tsecond line 😀"
    assert state("basics", data(**GOOD_BASICS, description=text))["description"] == text.strip()
    found = errors("review", data(reason="a\u202eb\u2066c\u202ed"))["reason"]
    assert found == [
        validators.INVISIBLE_CHARACTERS.format(
            characters="U+202E (RIGHT-TO-LEFT OVERRIDE), U+2066 (LEFT-TO-RIGHT ISOLATE)"
        )
    ]


def test_the_invisible_character_refusal_is_written_wholly_in_the_readers_language():
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as one:
            validators.validate_no_invisible_characters("qa\u202eevil")
        with pytest.raises(ValidationError) as two:
            validators.validate_no_invisible_characters("a\u202eb\u200bc")
    assert one.value.messages == [
        "请删除不可见字符 U+202E (RIGHT-TO-LEFT OVERRIDE)：它可能使文字的显示与实际内容不同。"
    ]
    assert two.value.messages == [
        "请删除不可见字符 U+202E (RIGHT-TO-LEFT OVERRIDE)、U+200B (ZERO WIDTH SPACE)：它们可能使文字的显示与实际内容不同。"
    ]
