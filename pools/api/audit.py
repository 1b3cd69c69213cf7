"""The audit log through the API: auditors only, with the audit page's filters (its own form checks them)."""

from __future__ import annotations

from django.core.paginator import Paginator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from pools.api.access import ApiView, holding
from pools.api.errors import BadInput, form_errors
from pools.api.representations import audit_entry_json
from pools.forms.audit import AuditFilterForm
from pools.permissions import VIEW_AUDIT
from pools.selectors.audit import audit_usernames, log_entry_list

PAGE_SIZE = 100
BAD_PAGE = "A page is a whole number from 1."
AUDIT_FILTERS = [
    OpenApiParameter("user", str, description="A username with entries."),
    OpenApiParameter("action", str, description="An action (change_request.approve) or its first part."),
    OpenApiParameter("q", str, description="Text in the object's name or details."),
    OpenApiParameter("start", str, description="From this UTC day (YYYY-MM-DD)."),
    OpenApiParameter("end", str, description="To this UTC day, included."),
    OpenApiParameter("page", int),
]


class AuditEntryListView(ApiView):
    permission_classes = [holding(VIEW_AUDIT)]

    @extend_schema(parameters=AUDIT_FILTERS, responses=OpenApiTypes.OBJECT, summary="Audit entries")
    def get(self, request):
        """Newest first, 100 a page."""
        form = AuditFilterForm(request.query_params, usernames=audit_usernames())
        if not form.is_valid():
            raise form_errors(form)
        page_number = request.query_params.get("page", "1")
        if not page_number.isdigit() or int(page_number) < 1:
            raise BadInput({"page": [BAD_PAGE]})
        page = Paginator(log_entry_list(filters=form.filters()), PAGE_SIZE).get_page(int(page_number))
        return Response(
            {
                "data": [audit_entry_json(entry) for entry in page.object_list],
                "page": page.number,
                "pages": page.paginator.num_pages,
                "count": page.paginator.count,
            }
        )
