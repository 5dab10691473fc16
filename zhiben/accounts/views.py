"""Login (password, then TOTP for privileged roles), logout, password change, API tokens,
and account administration (系统管理员: users; 安全管理员: lockouts, second factors, password resets).

Object pages look the account up in the viewer's scope first (404 outside it), then check the capability (403).
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhiben.core.exceptions import ApplicationError
from zhiben.core.forms import apply_service_errors, form_service, raise_for_refusal
from zhiben.core.views import paginate, query_without, require_capability

from . import selectors, services, totp
from .forms import ApiTokenForm, LoginForm, PasswordChangeForm, TotpForm, UserFilterForm, UserForm
from .models import User

PENDING = "pending_2fa_user"
PENDING_AT = "pending_2fa_at"
PENDING_SECONDS = 5 * 60  # the second step must follow the password within five minutes


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _finish_login(request, user, method):
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
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
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            services.login_completed(user=user, method="password+totp")
            return redirect(next_url or "/")
    context = {"form": form, "binding": not user.totp_confirmed, "secret": secret, "account": user.username}
    if secret:
        context["uri"] = totp.provisioning_uri(secret, user.username, settings.TOTP_ISSUER)
    return render(request, "accounts/totp.html", context)


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


# --- account administration ---


def _scoped_user(request, pk, capability):
    """The account `pk` if the viewer's scope holds it (else 404), provided the viewer has `capability` (else 403)."""
    target = selectors.user_get(user=request.user, pk=pk)
    require_capability(request.user, capability)
    return target


def _service_call(request, func, **kwargs):
    """Run a POST action's service; a refusal becomes a message (or a 404 when the target left the scope)."""
    try:
        return func(actor=request.user, **kwargs), None
    except ApplicationError as exc:
        raise_for_refusal(exc)
        messages.error(request, exc.message)
        return None, exc


@login_required
def user_list(request):
    require_capability(request.user, "user.view")
    form = UserFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, selectors.user_list(user=request.user, filters=filters))
    return render(
        request, "accounts/user_list.html", {"page": page, "form": form, "query": query_without(request, "page")}
    )


@login_required
def user_create(request):
    require_capability(request.user, "user.manage")
    form = UserForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(
                actor=request.user,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                **form.service_values(),
            )
        except ApplicationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已创建用户“{user.username}”，首次登录须修改初始密码。")
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
        },
    )


@login_required
def user_edit(request, pk):
    target = _scoped_user(request, pk, "user.manage")
    form = UserForm(request.POST or None, actor=request.user, instance=target)
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
@require_POST
def user_set_active(request, pk):
    target = _scoped_user(request, pk, "user.manage")
    active = request.POST.get("active") == "1"
    _, error = _service_call(request, services.user_set_active, user=target, active=active)
    if error is None:
        messages.success(request, f"已{'启用' if active else '停用'}用户“{target.username}”。")
    return redirect("accounts:user_detail", pk=target.pk)


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
        messages.success(request, f"已重置“{target.username}”的动态口令，该用户下次登录时重新绑定。")
    return _back(request, target)


@login_required
@require_POST
def user_reset_password(request, pk):
    target = _scoped_user(request, pk, "security.manage")
    password, error = _service_call(request, services.user_reset_password, user=target)
    if error is None:
        return render(request, "accounts/password_reset_done.html", {"target": target, "password": password})
    return _back(request, target)
