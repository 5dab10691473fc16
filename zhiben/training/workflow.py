"""A certificate's states as a table: the service, the buttons and the tests read this one table."""

from zhiben.core.workflow import Transition

from .choices import CertificateState

TRANSITIONS = {
    "revoke": Transition(
        frozenset({CertificateState.ACTIVE}), CertificateState.REVOKED, "training.manage", "注销", "danger"
    ),
}


def allowed_actions(certificate, user):
    """[(action, label, style)] `user` may take on `certificate` now (scope is the caller's to check)."""
    return [
        (name, t.label, t.style)
        for name, t in TRANSITIONS.items()
        if certificate.state in t.sources and user.can(t.duty)
    ]
