"""Change requests through the API: list and read them, file one, comment on it, cancel one's own; with
API_APPROVAL_TOKENS on, approve and reject others' with a token that has the ``approve`` scope.

The same services as the pages: the same rules (a kind's body checks, the live state, duplicates, four eyes),
the same audit entries (noting the token's name). Filing needs an ``Idempotency-Key`` header: sending the same
key again returns the request it filed, so a retried CI step never files twice. Executing and retrying are
not in the API: they stay with people in the browser.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from pools.api.access import ApiView, holding, scoped
from pools.api.errors import BadInput, form_errors
from pools.api.reads import checked, chosen_connection
from pools.api.representations import change_request_detail_json, change_request_json
from pools.api.serializers import (
    IDEMPOTENCY_KEY_HEADER,
    IDEMPOTENCY_KEY_MAX,
    ChangeRequestQuery,
    CommentBody,
    DecisionBody,
    FileChangeRequest,
)
from pools.models.api_token import SCOPE_APPROVE, SCOPE_CHANGE
from pools.permissions import APPROVE_CHANGE, REQUEST_CHANGE, VIEW_AUDIT
from pools.selectors.change_requests import change_request_get, change_request_list
from pools.services import change_requests as services

PAGE_SIZE = 50
IDEMPOTENCY_KEY_NEEDED = format_lazy(
    _(
        "Send an {header} header (1 to {limit} characters, e.g. a UUID) that is the same when you retry this "
        "request."
    ),
    header=IDEMPOTENCY_KEY_HEADER,
    limit=IDEMPOTENCY_KEY_MAX,
)
SEEING = (REQUEST_CHANGE, APPROVE_CHANGE, VIEW_AUDIT)


def body_of(serializer_class, request):
    serializer = serializer_class(data=request.data)
    if not serializer.is_valid():
        raise form_errors(serializer)
    return serializer.validated_data


class ChangeRequestListView(ApiView):
    def get_permissions(self):
        if self.request.method == "POST":
            return [holding(REQUEST_CHANGE)(), scoped(SCOPE_CHANGE)()]
        return [holding(*SEEING)()]

    @extend_schema(
        parameters=[ChangeRequestQuery],
        responses=OpenApiTypes.OBJECT,
        summary="Change requests",
        operation_id="change_requests_list",
    )
    def get(self, request):
        """The requests you may see (approvers and auditors: all; operators: their own), newest first."""
        query = checked(ChangeRequestQuery, request).validated_data
        connection = chosen_connection(request, query["connection"]) if query.get("connection") else None
        requests = change_request_list(
            user=request.user,
            status=query.get("status") or None,
            kind=query.get("kind") or None,
            mine=query["mine"],
            connection=connection,
            awaiting_user=query["awaiting_me"],
        )
        page = Paginator(requests, PAGE_SIZE).get_page(query["page"])
        return Response(
            {
                "data": [change_request_json(change_request) for change_request in page.object_list],
                "page": page.number,
                "pages": page.paginator.num_pages,
                "count": page.paginator.count,
            }
        )

    @extend_schema(
        request=FileChangeRequest,
        parameters=[OpenApiParameter(IDEMPOTENCY_KEY_HEADER, str, OpenApiParameter.HEADER, required=True)],
        responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT},
        summary="File a change request",
    )
    def post(self, request):
        """Files the request for approval; 201, or 200 with the request this key already filed."""
        key = request.headers.get(IDEMPOTENCY_KEY_HEADER, "").strip()
        if not key or len(key) > IDEMPOTENCY_KEY_MAX:
            raise BadInput({IDEMPOTENCY_KEY_HEADER: [IDEMPOTENCY_KEY_NEEDED]})
        data = body_of(FileChangeRequest, request)
        connection = chosen_connection(request, data["connection"])
        filed_before = change_request_list(user=request.user, mine=True).filter(idempotency_key=key).exists()
        change_request = services.change_request_create(
            user=request.user,
            connection=connection,
            kind=data["kind"],
            target=data["target"],
            body=data["body"],
            reason=data["reason"],
            idempotency_key=key,
        )
        change_request = change_request_get(pk=change_request.pk, user=request.user)
        answer = status.HTTP_200_OK if filed_before else status.HTTP_201_CREATED
        return Response({"data": change_request_detail_json(change_request)}, status=answer)


class ChangeRequestDetailView(ApiView):
    permission_classes = [holding(*SEEING)]

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="One change request, with comments and history")
    def get(self, request, pk: int):
        change_request = change_request_get(pk=pk, user=request.user)
        return Response({"data": change_request_detail_json(change_request)})


class ChangeRequestCommentView(ApiView):
    permission_classes = [holding(REQUEST_CHANGE, APPROVE_CHANGE), scoped(SCOPE_CHANGE)]

    @extend_schema(request=CommentBody, responses={201: OpenApiTypes.OBJECT}, summary="Comment on a request")
    def post(self, request, pk: int):
        change_request = change_request_get(pk=pk, user=request.user)
        text = body_of(CommentBody, request)["text"]
        services.change_request_comment(user=request.user, change_request=change_request, text=text)
        change_request = change_request_get(pk=pk, user=request.user)
        return Response({"data": change_request_detail_json(change_request)}, status=status.HTTP_201_CREATED)


class ChangeRequestCancelView(ApiView):
    permission_classes = [holding(REQUEST_CHANGE), scoped(SCOPE_CHANGE)]

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, summary="Cancel your own pending request")
    def post(self, request, pk: int):
        change_request = change_request_get(pk=pk, user=request.user)
        services.change_request_cancel(user=request.user, change_request=change_request)
        return Response({"data": change_request_detail_json(change_request)})


class DecisionView(ApiView):
    """Approve or reject with a token that has the ``approve`` scope, when API_APPROVAL_TOKENS is on. The
    scope stands in for the password the browser asks again; four eyes hold as in the browser."""

    permission_classes = [holding(APPROVE_CHANGE), scoped(SCOPE_APPROVE)]
    decision = staticmethod(services.change_request_approve)

    @extend_schema(request=DecisionBody, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int):
        change_request = change_request_get(pk=pk, user=request.user)
        comment = body_of(DecisionBody, request)["comment"]
        self.decision(user=request.user, change_request=change_request, comment=comment)
        change_request = change_request_get(pk=pk, user=request.user)
        return Response({"data": change_request_detail_json(change_request)})


@extend_schema_view(
    post=extend_schema(summary="Approve (only with API_APPROVAL_TOKENS and an approve token)")
)
class ApproveView(DecisionView):
    decision = staticmethod(services.change_request_approve)


@extend_schema_view(post=extend_schema(summary="Reject (only with API_APPROVAL_TOKENS and an approve token)"))
class RejectView(DecisionView):
    decision = staticmethod(services.change_request_reject)
