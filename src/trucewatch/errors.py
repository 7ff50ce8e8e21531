"""The exception hierarchy of trucewatch.

Every domain error knows the field at fault (when there is one) and the HTTP
status it maps to; the CLI maps them all to exit status 2.

    TrucewatchError
    ├── InvalidInput          422  a value is malformed or out of range
    │   └── UnknownReference  422  names an actor, truce, report … that does not exist
    ├── NotFound              404  the thing asked for does not exist
    ├── Conflict              409  the request contradicts the stored state
    │   ├── IdempotencyConflict 409  a key reused with a different payload
    │   └── InvalidTransition 409  a workflow step the transition table forbids
    ├── StaleWrite            412  an update based on an outdated version
    └── PermissionDenied      403  the caller may not do this
"""

from __future__ import annotations


class TrucewatchError(Exception):
    """Base of every error trucewatch raises on purpose."""

    http_status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InvalidInput(TrucewatchError):
    http_status = 422


class UnknownReference(InvalidInput):
    pass


class NotFound(TrucewatchError):
    http_status = 404


class Conflict(TrucewatchError):
    http_status = 409


class IdempotencyConflict(Conflict):
    pass


class InvalidTransition(Conflict):
    pass


class StaleWrite(TrucewatchError):
    http_status = 412


class PermissionDenied(TrucewatchError):
    http_status = 403
