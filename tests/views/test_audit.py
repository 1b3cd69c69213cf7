import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from pools.forms.audit import DATE_RANGE_REVERSED

pytestmark = pytest.mark.django_db

URL = reverse("pools:audit_log")


def shown_actions(response) -> list[str]:
    return [record["action"] for record in response.context["page"].records]


def export(client, fmt: str, **query) -> bytes:
    response = client.get(reverse("pools:audit_export", args=[fmt]), query)
    assert response.status_code == 200
    assert response.streaming
    assert f'.{fmt}"' in response["Content-Disposition"]
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("fixture", ["viewer_client", "operator_client"])
def test_people_without_view_audit_are_refused(request, fixture):
    client = request.getfixturevalue(fixture)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("pools:audit_export", args=["csv"])).status_code == 403


def test_page_lists_newest_first_with_utc_time_and_chain_status(approver_client, audit_history):
    response = approver_client.get(URL)
    assert response.status_code == 200
    assert shown_actions(response) == [
        "connection.test",
        "change_request.approve",
        "change_request.create",
        "connection.create",
    ]
    html = response.content.decode()
    assert 'hx-get="/audit/chain/" hx-trigger="load"' in html  # the chain status loads on its own
    chain = approver_client.get(reverse("pools:audit_chain"), headers={"HX-Request": "true"})
    assert "Audit chain verified: 4 sealed entries" in chain.content.decode()
    moment = audit_history[1].action_time.astimezone(UTC).replace(microsecond=0)
    text = moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert f'<time datetime="{moment.isoformat()}" title="{text}" data-local>{text}</time>' in html
    assert "req-77" in html and "otto-operator" in html
    assert "&quot;pool&quot;: &quot;pool-vision-4f2a&quot;" in html  # pretty details, escaped


def test_filter_by_user(approver_client, audit_history):
    response = approver_client.get(URL, {"user": "otto-operator"})
    assert shown_actions(response) == ["change_request.create"]


def test_unknown_user_is_a_field_error_not_a_crash(approver_client, audit_history):
    response = approver_client.get(URL, {"user": "mallory"})
    assert response.status_code == 400
    assert "No entries by that user." in response.content.decode()


def test_filter_by_action_exact_and_by_its_first_part(approver_client, audit_history):
    assert shown_actions(approver_client.get(URL, {"action": "connection.test"})) == ["connection.test"]
    assert shown_actions(approver_client.get(URL, {"action": "change_request"})) == [
        "change_request.approve",
        "change_request.create",
    ]
    # A prefix must end at a dot: "change" is not an action family here.
    assert shown_actions(approver_client.get(URL, {"action": "change"})) == []


def test_filter_by_object_name_or_pool_name_in_details(approver_client, audit_history):
    assert shown_actions(approver_client.get(URL, {"q": "pool-nlp"})) == ["change_request.approve"]
    assert shown_actions(approver_client.get(URL, {"q": "PROD"})) == ["connection.test", "connection.create"]


def test_filter_by_date_range_in_utc_days(approver_client, audit_history):
    days = [datetime(2026, 3, d, 23, 59, 59, tzinfo=UTC) for d in (1, 2, 3, 4)]
    for entry, moment in zip(audit_history, days, strict=True):
        LogEntry.objects.filter(pk=entry.pk).update(action_time=moment)
    response = approver_client.get(URL, {"start": "2026-03-02", "end": "2026-03-03"})
    assert shown_actions(response) == ["change_request.approve", "change_request.create"]
    assert shown_actions(approver_client.get(URL, {"start": "2026-03-04"})) == ["connection.test"]


def test_reversed_or_malformed_dates_are_field_errors(approver_client, audit_history):
    response = approver_client.get(URL, {"start": "2026-03-05", "end": "2026-03-01"})
    assert response.status_code == 400
    assert str(DATE_RANGE_REVERSED) in response.content.decode()
    assert approver_client.get(URL, {"start": "yesterday"}).status_code == 400
    assert approver_client.get(URL, {"page": "nonsense"}).status_code == 200


def test_htmx_filter_returns_only_the_results(approver_client, audit_history):
    response = approver_client.get(URL, {"user": "otto-operator"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="audit-results">')
    assert "<html" not in html


def test_pages_hold_fifty_entries(approver_client, audit_history, administrator):
    from pools import audit
    from pools.models import Connection

    prod = Connection.objects.get(name="prod")
    for i in range(50):
        audit.record(user=administrator, action="connection.rename", obj=prod, details={"i": i})
    first = approver_client.get(URL)
    assert shown_actions(first) == ["connection.rename"] * 50
    second = approver_client.get(URL, {"page": 2})
    assert shown_actions(second) == [
        "connection.test",
        "change_request.approve",
        "change_request.create",
        "connection.create",
    ]
    assert "Page 2 of 2" in second.content.decode()


def test_csv_export_holds_the_filtered_entries(approver_client, audit_history):
    rows = list(csv.DictReader(io.StringIO(export(approver_client, "csv", action="change_request").decode())))
    assert [row["action"] for row in rows] == ["change_request.approve", "change_request.create"]
    created = rows[1]
    assert created["user"] == "otto-operator"
    assert created["object"] == "lab"
    assert created["object_type"] == "pools.connection"
    assert created["request_id"] == "req-77"
    assert json.loads(created["details"]) == {"kind": "delete_pool", "pool": "pool-vision-4f2a"}
    assert created["time"].endswith("Z")


def test_csv_export_neutralises_spreadsheet_formulas(approver_client, administrator):
    from pools import audit
    from tests.fixtures.audit import audit_connection

    connection = audit_connection("=HYPERLINK(1)")
    audit.record(user=administrator, action="connection.create", obj=connection)
    rows = list(csv.DictReader(io.StringIO(export(approver_client, "csv").decode())))
    assert rows[0]["object"] == "'=HYPERLINK(1)"


def test_json_export_is_the_exact_records(approver_client, audit_history):
    records = json.loads(export(approver_client, "json", user="otto-operator"))
    entry = audit_history[1]
    assert records == [
        {
            "id": entry.pk,
            "time": entry.action_time.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "user": "otto-operator",
            "action": "change_request.create",
            "flag": "change",
            "object_type": "pools.connection",
            "object_id": str(entry.object_id),
            "object": "lab",
            "details": {"kind": "delete_pool", "pool": "pool-vision-4f2a"},
            "request_id": "req-77",
        }
    ]
    assert json.loads(export(approver_client, "json", q="no-such-thing")) == []


def test_export_of_an_unknown_format_is_404_and_bad_filters_are_400(approver_client, audit_history):
    assert approver_client.get(reverse("pools:audit_export", args=["xml"])).status_code == 404
    assert (
        approver_client.get(reverse("pools:audit_export", args=["csv"]), {"end": "nope"}).status_code == 400
    )


def test_chain_status_without_javascript_is_the_page_with_the_result(approver_client, audit_history):
    response = approver_client.get(reverse("pools:audit_chain"), {"user": "otto-operator"})
    assert response.status_code == 302
    page = approver_client.get(response.url)
    assert shown_actions(page) == ["change_request.create"]
    assert "Audit chain verified: 4 sealed entries" in page.content.decode()


def test_chain_status_shows_tampering(approver_client, audit_history):
    LogEntry.objects.filter(pk=audit_history[2].pk).update(object_repr="forged")
    html = approver_client.get(reverse("pools:audit_chain"), headers={"HX-Request": "true"}).content.decode()
    assert "The audit chain is broken" in html
    assert f"log entry {audit_history[2].pk} (seal 3) was changed" in html


def test_chain_status_shows_the_newest_entries_removed(approver_client, audit_history):
    from pools.models import AuditChainHead, AuditSeal

    # With database access and no key: the two newest entries and seals deleted, the head rewound.
    newest = AuditSeal.objects.filter(sequence__gt=2)
    LogEntry.objects.filter(pk__in=newest.values_list("log_entry_id", flat=True)).delete()
    newest.delete()
    AuditChainHead.objects.update(sequence=2, digest=AuditSeal.objects.get(sequence=2).digest)

    html = approver_client.get(reverse("pools:audit_chain"), headers={"HX-Request": "true"}).content.decode()

    assert "The audit chain is broken" in html
    assert "the witness records 4 sealed entries but the chain holds only 2" in html
