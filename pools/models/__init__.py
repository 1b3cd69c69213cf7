from pools.models.access import Access
from pools.models.audit import AuditChainHead, AuditSeal
from pools.models.connection import Connection, UserPreference

__all__ = ["Access", "AuditChainHead", "AuditSeal", "Connection", "UserPreference"]
