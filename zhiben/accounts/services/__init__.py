"""Login security and account writes, every outcome audited by the service itself:

- `login`: password and second-factor login, lockout, password change, token revocation;
- `credentials`: one-time password links, unlock, second-factor and password resets, API tokens;
- `accounts`: accounts, grants (role, jurisdiction, unit, enterprise) and role requests.

三员分立 (GB/T 22239 8.1.4.2 and 8.1.5): no administrator grants a role, or learns a password, alone.
- The 系统管理员 creates an account with no role and no password: a one-time link goes to the owner's
  phone, and the owner sets the password. A role the 系统管理员 asks for becomes a `RoleRequest`.
- A business role (and the jurisdiction, unit or enterprise that go with it) is granted by the
  安委办管理员 of that jurisdiction: directly, or by approving a request.
- An administrator role is granted only when a second, different administrator approves the request;
  neither the requester nor the account's owner may decide it. One person (one phone number) holds at
  most one administrator account and no other account.
- The 安全管理员 resets a password by sending the owner a one-time link (24 h, single use, stored as a
  hash); the administrator never sees a usable password. A second-factor reset makes the owner bind again.
- Resets, role changes and lockouts revoke the account's API tokens; each is audited and the owner told.
"""

from .accounts import (
    assignment_problems,
    decision_refusal,
    role_request_decide,
    role_request_withdraw,
    user_create,
    user_grant,
    user_set_active,
    user_update,
    username_problems,
)
from .credentials import (
    api_token_create,
    api_token_revoke,
    api_token_user,
    password_link_get,
    password_link_use,
    temporary_password,
    user_reset_password,
    user_reset_totp,
    user_unlock,
)
from .login import (
    PASSWORD_CHANGE_REQUIRED,
    bad_credentials_message,
    locked_message,
    login_check_password,
    login_completed,
    logout_recorded,
    password_expired,
    password_problems,
    revoke_tokens,
    totp_begin,
    totp_check,
    totp_required,
    user_change_password,
)

__all__ = [
    "PASSWORD_CHANGE_REQUIRED",
    "api_token_create",
    "api_token_revoke",
    "api_token_user",
    "assignment_problems",
    "bad_credentials_message",
    "decision_refusal",
    "locked_message",
    "login_check_password",
    "login_completed",
    "logout_recorded",
    "password_expired",
    "password_link_get",
    "password_link_use",
    "password_problems",
    "revoke_tokens",
    "role_request_decide",
    "role_request_withdraw",
    "temporary_password",
    "totp_begin",
    "totp_check",
    "totp_required",
    "user_change_password",
    "user_create",
    "user_grant",
    "user_reset_password",
    "user_reset_totp",
    "user_set_active",
    "user_unlock",
    "user_update",
    "username_problems",
]
