"""Login (password, then TOTP for privileged roles), logout, password change, setting a password through
a one-time link, API tokens, and account administration (系统管理员: accounts; 安委办管理员: business
roles; another administrator: administrator roles; 安全管理员: lockouts, second factors, resets).

Object pages check the capability first (403 whatever the id), then look the account up in the viewer's
scope (404 outside it), so a page never tells someone without the right which ids exist.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from zhiben.core.exceptions import ApplicationError
from zhiben.core.forms import apply_service_errors, form_service, raise_for_refusal
from zhiben.core.views import export_xlsx, paginate, query_without, require_capability

from . import selectors, services, totp
from .forms import (
    ApiTokenForm,
    DecisionForm,
    GrantForm,
    LoginForm,
    PasswordChangeForm,
    PasswordSetForm,
    TotpForm,
    UserEditForm,
    UserFilterForm,
    UserForm,
)
from .models import User, mask_phone

PENDING = "pending_2fa_user"
PENDING_AT = "pending_2fa_at"
PENDING_SECONDS = 5 * 60  # the second step must follow the password within five minutes


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _finish_login(request, user, method):
    login(request, user)  # the one backend of settings.AUTHENTICATION_BACKENDS
    services.login_completed(user=user, method=method)
    return redirect(_next_url(request))


def login_view(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_check_password(
                username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            if services.totp_required(user):
                request.session.cycle_key()
                request.session[PENDING] = user.pk
                request.session[PENDING_AT] = int(time.time())
                request.session["pending_next"] = _next_url(request)
                return redirect("accounts:totp")
            return _finish_login(request, user, "password")
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


def totp_view(request):
    """Second step: verify (or first bind) the authenticator code of a password-checked user."""
    user = User.objects.filter(pk=request.session.get(PENDING), is_active=True).first()
    if user is None or int(time.time()) - request.session.get(PENDING_AT, 0) > PENDING_SECONDS:
        _drop_pending(request)
        if user is not None:
            messages.warning(request, "验证超时，请重新输入用户名和密码。")
        return redirect("accounts:login")
    secret = user.totp_secret if not user.totp_confirmed and user.totp_secret else None
    if not user.totp_confirmed and secret is None:
        secret = services.totp_begin(user=user)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_check(user=user, code=form.cleaned_data["code"], confirm=not user.totp_confirmed)
        except ApplicationError as exc:
            if exc.code == "locked":
                _drop_pending(request)
                messages.error(request, exc.message)
                return redirect("accounts:login")
            form.add_error("code", exc.message)
        else:
            next_url = request.session.pop("pending_next", "/")
            _drop_pending(request)
            login(request, user)  # the one backend of settings.AUTHENTICATION_BACKENDS
            services.login_completed(user=user, method="password+totp")
            return redirect(next_url or "/")
    context = {"form": form, "binding": not user.totp_confirmed, "secret": secret, "account": user.username}
    if secret:
        context["uri"] = totp.provisioning_uri(secret, user.username, settings.TOTP_ISSUER)
        context["qr_svg"] = totp_qr_svg(context["uri"])
    return render(request, "accounts/totp.html", context)


def totp_qr_svg(uri):
    """The otpauth link as an inline SVG QR code, for the authenticator's camera (no image request, so
    the secret never appears in a URL or a server log)."""
    import segno

    return mark_safe(segno.make(uri, error="m").svg_inline(scale=5, border=2, title="动态口令绑定二维码"))


def _drop_pending(request):
    for key in (PENDING, PENDING_AT):
        request.session.pop(key, None)


@require_POST
def logout_view(request):
    services.logout_recorded(user=request.user)
    logout(request)
    messages.info(request, "已安全退出。")
    return redirect("accounts:login")


@login_required
def password_change_view(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_change_password(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect("core:home")
    expired = services.password_expired(request.user)
    return render(request, "accounts/password_change.html", {"form": form, "expired": expired})


@login_required
def tokens_view(request):
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = services.api_token_create(
                actor=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            form = ApiTokenForm()
    tokens = request.user.api_tokens.all()
    return render(request, "accounts/tokens.html", {"form": form, "tokens": tokens, "new_key": new_key})


@login_required
@require_POST
def token_revoke_view(request, pk):
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, f"令牌“{token.name}”已吊销。")
    return redirect("accounts:tokens")


@never_cache
def password_set_view(request, key):
    """The owner opens the one-time link sent to their phone and sets their password (new account or reset).
    Opening the page does not spend the link; setting the password does. The key never leaves in a Referer."""
    response = _password_set(request, key)
    response["Referrer-Policy"] = "no-referrer"
    return response


def _password_set(request, key):
    link = services.password_link_get(key)
    if link is None:
        return render(request, "accounts/password_set.html", {"invalid": True}, status=410)
    form = PasswordSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.password_link_use(
                key=key, password=form.cleaned_data["password"], password2=form.cleaned_data["password2"]
            )
        except ApplicationError as exc:
            if exc.code == "invalid_link":
                return render(request, "accounts/password_set.html", {"invalid": True}, status=410)
            apply_service_errors(form, exc)
        else:
            if request.user.is_authenticated:
                logout(request)
            messages.success(request, f"账号“{user.username}”的密码已设置，请登录。")
            return redirect("accounts:login")
    return render(request, "accounts/password_set.html", {"form": form, "link": link, "account": link.user.username})


# --- account administration ---


def _scoped_user(request, pk, *capabilities):
    """The account `pk`, provided the viewer holds one of `capabilities` (else 403, whatever the id) and
    their scope holds the account (else 404)."""
    if not any(request.user.can(c) for c in capabilities):
        require_capability(request.user, capabilities[0])
    return selectors.user_get(user=request.user, pk=pk)


def _service_call(request, func, **kwargs):
    """Run a POST action's service; a refusal becomes a message (or a 404 when the target left the scope)."""
    try:
        return func(actor=request.user, **kwargs), None
    except ApplicationError as exc:
        raise_for_refusal(exc)
        messages.error(request, exc.message)
        return None, exc


def _pending_count(user):
    if user.can("role_request.view"):
        return selectors.pending_role_requests(user=user)
    return 0


@login_required
def user_list(request):
    require_capability(request.user, "user.view")
    form = UserFilterForm(request.GET or None)
    filters = {**(form.cleaned_data if form.is_valid() else {}), "sort": request.GET.get("sort", "")}
    page = paginate(request, selectors.user_list(user=request.user, filters=filters))
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "form": form,
            "query": query_without(request, "page"),
            "sort_query": query_without(request, "page", "sort"),
            "pending": _pending_count(request.user),
        },
    )


USER_HEADERS = ["用户名", "姓名", "角色", "管辖区划", "单位", "企业", "手机号（脱敏）", "状态", "已绑定动态口令"]
USER_HEADERS += ["最近登录", "密码修改时间", "创建时间"]


@login_required
def user_export(request):
    """The accounts the list shows (same filters) for the periodic account review (等保: 账户与权限定期核查); phone
    numbers masked, the export audited."""
    require_capability(request.user, "user.view")
    form = UserFilterForm(request.GET or None)
    filters = {**(form.cleaned_data if form.is_valid() else {}), "sort": request.GET.get("sort", "")}

    def when(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    rows = (
        [
            u.username,
            u.name,
            u.get_role_display(),
            u.region.full_name if u.region else "",
            u.unit.name if u.unit else "",
            u.enterprise.name if u.enterprise else "",
            u.phone_masked,
            "已停用" if not u.is_active else "已锁定" if u.is_locked else "启用",
            "是" if u.totp_confirmed else "否",
            when(u.last_login),
            when(u.password_changed_at),
            when(u.date_joined),
        ]
        for u in selectors.user_list(user=request.user, filters=filters).iterator(chunk_size=1000)
    )
    return export_xlsx(
        request, action="user.export", object_type="accounts.user", title="用户", headers=USER_HEADERS, rows=rows
    )


def _request_message(request_row):
    who = "另一名管理员" if request_row.for_administrator else "辖区安委办管理员"
    return f"授予“{request_row.get_role_display()}”的申请已提交，待{who}审批；批准前该账号没有此角色的权限。"


@login_required
def user_create(request):
    require_capability(request.user, "user.manage")
    form = UserForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(
                actor=request.user, username=form.cleaned_data["username"], **form.service_values()
            )
        except ApplicationError as exc:
            raise_for_refusal(exc)
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"已创建用户“{user.username}”（暂无角色）。激活链接已发送到本人手机 {mask_phone(user.phone)}，"
                "由本人设置密码。",
            )
            pending = user.role_requests.filter(status="pending").first()
            if pending is not None:
                messages.info(request, _request_message(pending))
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@login_required
def user_detail(request, pk):
    target = _scoped_user(request, pk, "user.view")
    return render(
        request,
        "accounts/user_detail.html",
        {
            "target": target,
            "totp_required": services.totp_required(target),
            "password_expired": services.password_expired(target),
            "pending_request": target.role_requests.filter(status="pending").select_related("requested_by").first(),
            "can_grant": target.pk != request.user.pk
            and not target.is_superuser
            and (request.user.can("user.manage") or (request.user.can("user.grant") and not target.is_administrator)),
        },
    )


@login_required
def user_edit(request, pk):
    target = _scoped_user(request, pk, "user.manage")
    form = UserEditForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        if (
            form_service(
                form, lambda: services.user_update(actor=request.user, user=target, data=form.service_values())
            )
            is not None
        ):
            messages.success(request, f"已保存用户“{target.username}”。")
            return redirect("accounts:user_detail", pk=target.pk)
    return render(request, "accounts/user_form.html", {"form": form, "target": target})


@login_required
def user_grant(request, pk):
    """The 安委办 grants a business role at once; the 系统管理员 asks (another person approves)."""
    target = _scoped_user(request, pk, "user.grant", "user.manage")
    form = GrantForm(request.POST or None, actor=request.user, instance=target)
    if request.method == "POST" and form.is_valid():
        result = form_service(form, lambda: services.user_grant(actor=request.user, user=target, **form.grant_values()))
        if result is not None:
            user, pending = result
            if pending is not None:
                messages.success(request, _request_message(pending))
            elif user.role:
                messages.success(request, f"已授予“{user.username}”{user.get_role_display()}角色，已通知本人。")
            else:
                messages.success(request, f"已撤销“{user.username}”的角色，已通知本人。")
            return redirect("accounts:user_detail", pk=target.pk)
    return render(request, "accounts/user_grant.html", {"form": form, "target": target})


@login_required
@require_POST
def user_set_active(request, pk):
    target = _scoped_user(request, pk, "user.manage")
    active = request.POST.get("active") == "1"
    _, error = _service_call(request, services.user_set_active, user=target, active=active)
    if error is None:
        messages.success(request, f"已{'启用' if active else '停用'}用户“{target.username}”。")
    return redirect("accounts:user_detail", pk=target.pk)


@login_required
def role_requests(request):
    """Pending role requests: those the viewer may decide, those they asked for, and the latest decisions."""
    require_capability(request.user, "role_request.view")
    return render(request, "accounts/role_requests.html", {"requests": selectors.role_requests(user=request.user)})


@login_required
@require_POST
def role_request_decide(request, pk, decision):
    require_capability(request.user, "role_request.view")
    role_request = selectors.role_request_get(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if decision == "withdraw":
        done, _ = _service_call(request, services.role_request_withdraw, role_request=role_request)
        if done is not None:
            messages.success(request, "已撤回该申请。")
    else:
        approve = decision == "approve"
        done, _ = _service_call(
            request, services.role_request_decide, role_request=role_request, approve=approve, note=note
        )
        if done is not None:
            verb = "批准" if approve else "拒绝"
            messages.success(
                request, f"已{verb}为“{done.user.username}”授予“{done.get_role_display()}”的申请，已通知申请人。"
            )
    return redirect("accounts:role_requests")


@login_required
def security_overview(request):
    require_capability(request.user, "security.manage")
    return render(
        request,
        "accounts/security.html",
        {
            "overview": selectors.security_overview(user=request.user),
            "max_failures": settings.LOGIN_MAX_FAILURES,
            "lockout_minutes": settings.LOGIN_LOCKOUT_MINUTES,
        },
    )


def _back(request, target):
    target_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target_url, allowed_hosts={request.get_host()}):
        return redirect(target_url)
    return redirect("accounts:user_detail", pk=target.pk)


@login_required
@require_POST
def user_unlock(request, pk):
    target = _scoped_user(request, pk, "security.manage")
    _, error = _service_call(request, services.user_unlock, user=target)
    if error is None:
        messages.success(request, f"已解锁账号“{target.username}”。")
    return _back(request, target)


@login_required
@require_POST
def user_reset_totp(request, pk):
    target = _scoped_user(request, pk, "security.manage")
    _, error = _service_call(request, services.user_reset_totp, user=target)
    if error is None:
        messages.success(
            request, f"已重置“{target.username}”的动态口令，该用户下次登录时重新绑定；其接口令牌已吊销，已通知本人。"
        )
    return _back(request, target)


@login_required
@require_POST
def user_reset_password(request, pk):
    """Send the owner a one-time link to set a new password; the administrator sees no password."""
    target = _scoped_user(request, pk, "security.manage")
    link, error = _service_call(request, services.user_reset_password, user=target)
    if error is None:
        messages.success(
            request,
            f"已重置“{target.username}”的密码：原密码已失效，设置新密码的一次性链接已发送到本人手机 "
            f"{mask_phone(target.phone)} 和站内消息，{timezone.localtime(link.expires_at):%Y-%m-%d %H:%M} 前有效。"
            "其接口令牌已吊销。",
        )
    return _back(request, target)
