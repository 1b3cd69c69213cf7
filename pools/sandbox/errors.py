"""The errors the sandbox answers with, in ModelArts' and the API gateway's shapes (API reference §9).

Service errors carry ``{"error_code", "error_msg"}``; gateway errors (``APIG.*``: authentication, routing,
throttling) also repeat the request id in ``request_id``. Every response carries ``X-Request-Id`` anyway.
"""

from __future__ import annotations

BAD_REQUEST = "ModelArts.50004000"
POOL_EXISTS = "ModelArts.50015000"
POOL_NOT_FOUND = "ModelArts.50015001"
# Not documented: the code the sandbox gives when a pool is already being deleted.
POOL_BEING_DELETED = "ModelArts.50015002"
# Not documented: the code the sandbox gives for an unknown node in ShowPoolNode (a 404 with the pool's code
# would read as "the pool is gone").
NODE_NOT_FOUND = "ModelArts.50015003"
PROJECT_MISMATCH = "ModelArts.0210"
INTERNAL_ERROR = "ModelArts.50005000"
AUTH_FAILED = "APIG.0301"
NO_SUCH_API = "APIG.0101"
THROTTLED = "APIG.0308"
BACKEND_UNAVAILABLE = "APIG.0202"

MSG_POOL_NOT_FOUND = "pool not found"
MSG_POOL_EXISTS = "Pool already exists."
MSG_PROJECT_MISMATCH = "The project id in the request URL does not match the token."
MSG_NO_SUCH_API = "The API does not exist or has not been published in the environment."
MSG_NO_SUCH_METHOD = "The API does not exist."
MSG_INTERNAL_ERROR = "internal error"
MSG_BACKEND_UNAVAILABLE = "Backend unavailable."
MSG_THROTTLED = (
    "The throttling threshold has been reached: policy user over ratelimit,limit:200,time:1 second"
)
MSG_LAST_NODE = "at least one node must remain in the pool"


class ApiError(Exception):
    """An answer other than success; ``gateway`` errors repeat the request id in the body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        gateway: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.gateway = gateway
        self.headers = headers or {}

    def body(self, request_id: str) -> dict[str, str]:
        payload = {"error_code": self.code, "error_msg": self.message}
        if self.gateway:
            payload["request_id"] = request_id
        return payload


def bad_request(message: str) -> ApiError:
    return ApiError(400, BAD_REQUEST, message)


def pool_not_found() -> ApiError:
    return ApiError(404, POOL_NOT_FOUND, MSG_POOL_NOT_FOUND)


def pool_exists() -> ApiError:
    return ApiError(409, POOL_EXISTS, MSG_POOL_EXISTS)


def pool_being_deleted() -> ApiError:
    return ApiError(409, POOL_BEING_DELETED, "The pool is already being deleted.")


def unauthenticated(reason: str) -> ApiError:
    return ApiError(401, AUTH_FAILED, f"Incorrect IAM authentication information: {reason}", gateway=True)


def project_mismatch() -> ApiError:
    return ApiError(403, PROJECT_MISMATCH, MSG_PROJECT_MISMATCH)


def no_such_api(*, method_only: bool = False) -> ApiError:
    return ApiError(404, NO_SUCH_API, MSG_NO_SUCH_METHOD if method_only else MSG_NO_SUCH_API, gateway=True)


def internal_error() -> ApiError:
    return ApiError(500, INTERNAL_ERROR, MSG_INTERNAL_ERROR)


def backend_unavailable() -> ApiError:
    return ApiError(503, BACKEND_UNAVAILABLE, MSG_BACKEND_UNAVAILABLE, gateway=True)


def throttled(retry_after_seconds: int) -> ApiError:
    return ApiError(
        429, THROTTLED, MSG_THROTTLED, gateway=True, headers={"Retry-After": str(retry_after_seconds)}
    )
