from pools.models.access import Access
from pools.models.api_token import ApiToken
from pools.models.audit import AuditChainHead, AuditSeal
from pools.models.change_request import (
    OPEN_STATUSES,
    ChangeRequest,
    ChangeRequestApproval,
    ChangeRequestComment,
)
from pools.models.connection import Connection, UserPreference
from pools.models.notifications import AnnouncedCondition, NotificationRoute
from pools.models.sso_identity import SsoIdentity

__all__ = [
    "OPEN_STATUSES",
    "Access",
    "AnnouncedCondition",
    "ApiToken",
    "AuditChainHead",
    "AuditSeal",
    "ChangeRequest",
    "ChangeRequestApproval",
    "ChangeRequestComment",
    "Connection",
    "NotificationRoute",
    "SsoIdentity",
    "UserPreference",
]
