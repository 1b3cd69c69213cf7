"""Every kind of change request the model knows is defined once in pools/change_kinds/, and has its setting."""

from django.conf import settings

from pools.change_kinds import KINDS, ChangeKind, change_kind
from pools.models import ChangeRequest


def test_every_kind_of_request_has_its_definition_and_its_approvals_setting():
    assert set(KINDS) == set(ChangeRequest.Kind.values)
    assert set(settings.APPROVALS_REQUIRED) == set(ChangeRequest.Kind.values)
    for name, kind in KINDS.items():
        assert isinstance(kind, ChangeKind) and kind.name == name and change_kind(name) is kind
        assert kind.label == ChangeRequest.Kind(name).label, name
        # The steps the base class leaves to each kind are the kind's own.
        for step in ("describe", "call", "observe"):
            assert getattr(type(kind), step) is not getattr(ChangeKind, step), f"{name}.{step}"
