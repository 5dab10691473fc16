"""Logging in through the real pages, second factor included."""

from zhiben.accounts import totp
from zhiben.accounts.models import User
from zhiben.testing import PASSWORD


def login(page, base, username, password=PASSWORD):
    # leave the page first: its own background reads (offline.js keeping forms) would otherwise land after the cookies
    # are cleared and set a CSRF cookie of their own under the login form's
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/login/totp/" in page.url:
        user = User.objects.get(username=username)
        step = max(totp.current_step(), user.totp_last_step + 1)
        page.fill("input[name=code]", totp.code_at(user.totp_secret, step))
        page.click("button[type=submit]")
        page.wait_for_load_state()
    assert page.url.rstrip("/") == base, f"login of {username} ended at {page.url}"


class Cast:
    """The fixed cast of zhiben.testing, as attributes."""


def cast_built():
    from zhiben.testing import build_cast

    cast = Cast()
    build_cast(cast)
    return cast
