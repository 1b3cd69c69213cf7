import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.urls import reverse

from pools import audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, django_user_model):
    superuser = django_user_model.objects.create_superuser("root", "root@example.test", "pw-root-123456")
    client.force_login(superuser)
    return client


def test_log_entries_are_listed_and_shown_but_never_editable(superuser_client, audit_history):
    listing = superuser_client.get(reverse("admin:admin_logentry_changelist"))
    assert listing.status_code == 200
    assert "change_request.create" in listing.content.decode()
    assert "Add log entry" not in listing.content.decode()

    entry = audit_history[1]
    detail = superuser_client.get(reverse("admin:admin_logentry_change", args=[entry.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "pool-vision-4f2a" in html
    assert 'name="_save"' not in html

    assert superuser_client.get(reverse("admin:admin_logentry_add")).status_code == 403
    assert superuser_client.get(reverse("admin:admin_logentry_delete", args=[entry.pk])).status_code == 403
    superuser_client.post(reverse("admin:admin_logentry_change", args=[entry.pk]), {"object_repr": "forged"})
    superuser_client.post(
        reverse("admin:admin_logentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert LogEntry.objects.get(pk=entry.pk).object_repr == "lab"
    assert LogEntry.objects.filter(pk__in=[e.pk for e in audit_history]).count() == 4
    assert audit.verify_chain().ok


@pytest.mark.parametrize(
    "query",
    [
        {"action_time__year": "9999", "action_time__month": "12"},
        {"action_time__year": "9999", "action_time__month": "12", "action_time__day": "31"},
    ],
)
def test_a_date_hierarchy_at_the_calendar_end_is_a_bad_lookup_not_a_crash(
    superuser_client, audit_history, query
):
    response = superuser_client.get(reverse("admin:admin_logentry_changelist"), query)

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_staff_auditor_may_read_but_staff_without_view_audit_may_not(client, audit_history, approver, viewer):
    for user in (approver, viewer):
        user.is_staff = True
        user.save()
    client.force_login(approver)
    assert client.get(reverse("admin:admin_logentry_changelist")).status_code == 200
    client.force_login(viewer)
    assert client.get(reverse("admin:admin_logentry_changelist")).status_code == 403


def test_admin_user_delete_shows_the_refusal_and_keeps_the_user(superuser_client, audit_history, operator):
    url = reverse("admin:auth_user_delete", args=[operator.pk])
    page = superuser_client.get(url).content.decode()
    assert "protected related objects" in page
    assert "Deactivate the account instead" in page
    response = superuser_client.post(url, {"post": "yes"})
    assert response.status_code == 200  # the refusal again, not a redirect
    assert get_user_model().objects.filter(pk=operator.pk).exists()


def test_admin_bulk_delete_refuses_users_with_history(superuser_client, audit_history, operator, viewer):
    response = superuser_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [operator.pk, viewer.pk], "post": "yes"},
    )
    assert "Deactivate the account instead" in response.content.decode()
    assert get_user_model().objects.filter(pk__in=[operator.pk, viewer.pk]).count() == 2


def test_admin_deletes_a_user_without_history(superuser_client, viewer):
    response = superuser_client.post(reverse("admin:auth_user_delete", args=[viewer.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=viewer.pk).exists()
