from django.contrib.sessions.backends.base import SessionBase

from pools.forms.pool_wizard import resources, steps
from pools.forms.pool_wizard.state import WizardStore


def longest(field) -> int:
    return getattr(field, "max_length", None) or int(field.widget.attrs.get("maxlength") or 64)


# Where any script is valid; every other field takes ASCII only, and a value it refuses need not be kept.
FREE_TEXT = {"description", "promotion_info", "console_url", "reason"}


def test_a_wizard_with_every_field_at_its_longest_is_kept():
    """Every field typed to its longest, free text in characters the session escapes most (12 bytes each)."""

    def longest_value(name, field):
        return ("😀" if name in FREE_TEXT else "x") * longest(field)

    store = WizardStore(SessionBase())
    wizard_id = store.start()
    for step in steps.STEPS:
        if step == "resources":
            row = {
                name: longest_value(name, field)
                for name, field in resources.FlavorRowForm.base_fields.items()
            }
            data = resources.with_rows({}, [row] * resources.MAX_ROWS)
        else:
            data = {
                name: [longest_value(name, field)] * steps.declared_fields(step)[name]
                for name, field in steps.STEP_FORMS[step].base_fields.items()
            }
        store.save_step(wizard_id, step, data)  # raises when refused
    assert set(store.get(wizard_id)["steps"]) == set(steps.STEPS)
