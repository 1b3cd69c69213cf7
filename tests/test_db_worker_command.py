"""``manage.py db_worker``: the database backend's worker, which also starts the change-request job's
schedule."""

import signal
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from pools.models import ChangeRequest
from pools.services import change_requests as svc
from pools.services.change_requests import background
from tests.fixtures.approvals import DELETE_POOL
from tests.services.change_requests.helpers import request_delete_pool

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("database_tasks")]
SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]


@pytest.fixture
def pool(cloud):
    return cloud.add_pool("pool-demo", nodes=3)


@pytest.fixture
def restored_signals():
    """The worker takes over Ctrl-C and SIGTERM to stop gracefully; pytest gets them back afterwards."""
    before = {number: signal.getsignal(number) for number in SIGNALS}
    yield
    for number, handler in before.items():
        signal.signal(number, handler)


def run_worker_until_idle() -> str:
    out = StringIO()
    # The test's transaction must stay open (see tests/fixtures/tasks.py: run_queued_tasks).
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out)
    return out.getvalue()


@pytest.mark.usefixtures("restored_signals")
def test_db_worker_runs_queued_approvals_and_starts_the_scheduled_job(
    operator, approver, cloud, cloud_connection, pool, settings
):
    settings.CHANGE_REQUEST_JOB_SECONDS = 300
    cr = request_delete_pool(operator, cloud_connection, pool)
    svc.change_request_approve(user=approver, change_request=cr)

    output = run_worker_until_idle()

    cr.refresh_from_db()
    assert cr.status == ChangeRequest.Status.SUCCEEDED and cloud.calls[DELETE_POOL] == 1
    assert "Scheduled job queued" in output
    job_runs = DBTaskResult.objects.filter(task_path=background.scheduled_job.module_path)
    assert list(job_runs.order_by("enqueued_at").values_list("status", flat=True)) == ["SUCCESSFUL", "READY"]
    assert job_runs.get(status="READY").args_kwargs["args"] == [300.0]

    assert "Scheduled job queued" not in run_worker_until_idle()  # the next run waits already
