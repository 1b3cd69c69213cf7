"""What the API accepts: query parameters not covered by the pages' forms, and request bodies.

Where a page has a form, the API validates with that same form (pool filters, the monitoring range, the audit
filters), so both refuse the same input with the same words.
"""

from __future__ import annotations

from rest_framework import serializers

from pools.forms.filters import NodeFilterForm, printable, workspace_id
from pools.models import ChangeRequest
from pools.selectors.modelarts import NODE_FILTER_PAGE_SIZE, NODE_PAGE_SIZE
from pools.services.change_requests.rules import COMMENT_MAX

# The node statuses the Nodes tab filters by (its form holds ModelArts' words).
NODE_PHASES = [value for value, _ in NodeFilterForm.base_fields["phase"].choices if value]
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX = 64


class NodeQuery(serializers.Serializer):
    phase = serializers.ChoiceField(choices=NODE_PHASES, required=False, allow_blank=True)
    # ModelArts' opaque page token, from the previous page's "continue"; only its size is ours to check.
    continue_ = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, validators=[printable]
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=NODE_FILTER_PAGE_SIZE)

    def get_fields(self):
        fields = super().get_fields()
        fields["continue"] = fields.pop("continue_")  # "continue" is a Python keyword, and the API's word
        return fields

    @property
    def limit_or_default(self) -> int:
        return self.validated_data.get("limit") or NODE_PAGE_SIZE


class WorkspaceQuery(serializers.Serializer):
    workspace = serializers.CharField(
        required=False, allow_blank=True, max_length=64, validators=[workspace_id]
    )


class ChangeRequestQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=ChangeRequest.Status.choices, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=ChangeRequest.Kind.choices, required=False, allow_blank=True)
    mine = serializers.BooleanField(required=False, default=False)
    connection = serializers.IntegerField(required=False, min_value=1)
    awaiting_me = serializers.BooleanField(required=False, default=False)
    page = serializers.IntegerField(required=False, min_value=1, default=1)


class FileChangeRequest(serializers.Serializer):
    """A change request to file: the same (kind, target, body) the pages file, checked by the kind's rules."""

    connection = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=ChangeRequest.Kind.choices)
    target = serializers.CharField(
        max_length=200, help_text="The pool id (metadata.name); for create_pool, the new pool's display name."
    )
    body = serializers.JSONField(
        required=False, allow_null=True, default=None, help_text="The kind's body, as its page would file it."
    )
    reason = serializers.CharField(max_length=COMMENT_MAX, help_text="Why: approvers read this.")


class CommentBody(serializers.Serializer):
    text = serializers.CharField(max_length=COMMENT_MAX)


class DecisionBody(serializers.Serializer):
    comment = serializers.CharField(max_length=COMMENT_MAX, required=False, allow_blank=True, default="")
