"""Login (password, then TOTP for privileged roles), logout, password change, API tokens."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhiben.core.exceptions import ApplicationError

from . import services, totp
from .forms import ApiTokenForm, LoginForm, PasswordChangeForm, TotpForm
from .models import User

PENDING = "pending_2fa_user"


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
            user = services.login_check_password(username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            if services.totp_required(user):
                request.session.cycle_key()
                request.session[PENDING] = user.pk
                request.session["pending_next"] = _next_url(request)
                return redirect("accounts:totp")
            return _finish_login(request, user, "password")
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


def totp_view(request):
    """Second step: verify (or first bind) the authenticator code of a password-checked user."""
    user = User.objects.filter(pk=request.session.get(PENDING), is_active=True).first()
    if user is None:
        return redirect("accounts:login")
    secret = user.totp_secret if not user.totp_confirmed and user.totp_secret else None
    if not user.totp_confirmed and secret is None:
        secret = services.totp_begin(user=user)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_check(user=user, code=form.cleaned_data["code"], confirm=not user.totp_confirmed)
        except ApplicationError as exc:
            form.add_error("code", exc.message)
        else:
            next_url = request.session.pop("pending_next", "/")
            request.session.pop(PENDING, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            services.login_completed(user=user, method="password+totp")
            return redirect(next_url or "/")
    context = {"form": form, "binding": not user.totp_confirmed, "secret": secret, "account": user.username}
    if secret:
        from django.conf import settings

        context["uri"] = totp.provisioning_uri(secret, user.username, settings.TOTP_ISSUER)
    return render(request, "accounts/totp.html", context)


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
            services.user_change_password(user=request.user, old_password=form.cleaned_data["old_password"], new_password=form.cleaned_data["new_password"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
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
            _, new_key = services.api_token_create(actor=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
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
