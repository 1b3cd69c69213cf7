import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError

from pools import audit
from pools.signals import USER_HAS_HISTORY

pytestmark = pytest.mark.django_db


def test_user_with_audit_entries_cannot_be_deleted(audit_history, operator):
    with pytest.raises(ProtectedError) as refused, transaction.atomic():
        operator.delete()
    assert str(refused.value.args[0]) == USER_HAS_HISTORY.format(username="otto-operator", count=1)
    assert "Deactivate the account instead" in refused.value.args[0]
    assert get_user_model().objects.filter(pk=operator.pk).exists()
    assert LogEntry.objects.count() == 4
    assert audit.verify_chain().ok


def test_bulk_delete_is_refused_too(audit_history):
    with pytest.raises(ProtectedError), transaction.atomic():
        get_user_model().objects.filter(username__in=["otto-operator", "ali-admin"]).delete()
    assert LogEntry.objects.count() == 4


def test_user_without_entries_can_be_deleted(viewer):
    viewer.delete()
    assert not get_user_model().objects.filter(username="vera-viewer").exists()


def test_deactivating_a_user_with_history_keeps_it(audit_history, operator):
    operator.is_active = False
    operator.save()
    assert LogEntry.objects.filter(user=operator).count() == 1
