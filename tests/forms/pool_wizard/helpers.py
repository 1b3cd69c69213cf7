"""What the wizard's form tests share: connections, a context, posted data and the two outcomes of a step."""

from types import SimpleNamespace

from django.utils.datastructures import MultiValueDict

from pools.forms.pool_wizard.base import WizardContext
from pools.forms.pool_wizard.steps import step_form

PROD = SimpleNamespace(pk=1, name="prod", region="cn-north-4", workspace_id="ws-prod")
LAB = SimpleNamespace(pk=2, name="lab", region="cn-east-3", workspace_id="0")
BASE = WizardContext(connections=(PROD, LAB), default_connection_id=1)


def data(**fields) -> MultiValueDict:
    return MultiValueDict({k: v if isinstance(v, list) else [str(v)] for k, v in fields.items()})


def rows(*items) -> MultiValueDict:
    fields = {"rows-TOTAL_FORMS": str(len(items)), "rows-INITIAL_FORMS": "0"}
    for i, item in enumerate(items):
        fields.update({f"rows-{i}-{k}": str(v) for k, v in item.items()})
    return data(**fields)


def errors(step, values, context=BASE):
    form = step_form(step, values, context)
    assert not form.is_valid()
    return form.errors


def state(step, values, context=BASE):
    form = step_form(step, values, context)
    assert form.is_valid(), form.errors
    return form.to_state()


GOOD_BASICS = {"connection": "1", "display_name": "pool-vision"}

YEARLY = {"mode": "1", "period_type": "2", "period_num": "3"}
