"""Sign up, log in, log out, password reset, and the customer's account page.

Logging in merges the anonymous cart and wishlist into the account (shop.receivers). Failed
logins are counted per e-mail address and per client address (config.proxies); an unknown
e-mail address gets the same answer, and takes about as long, as a wrong password.
"""

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.proxies import client_address
from partials.responses import (
    HtmxHttpRequest,
    after_action,
    login_required,
    private_page,
    render_failure,
    render_page,
    safe_next,
)
from shop.forms import LoginForm, PriceAlertsForm, QueuedPasswordResetForm, SignupForm
from shop.models import Order, Wishlist
from shop.services import accounts, throttle
from shop.services import wishlist as wishlist_service

LOGIN_FAILED = "The e-mail address or password is not right."
LOGIN_TEMPLATE = "shop/account/login.html"
SIGNUP_TEMPLATE = "shop/account/signup.html"
ACCOUNT_TEMPLATE = "shop/account/account.html"


def _blank_form(
    request: HtmxHttpRequest, form_class: type[LoginForm | SignupForm], template_name: str
) -> HttpResponse:
    """The empty login or signup page, remembering the `next` it was opened with."""
    form = form_class(initial={"next": request.GET.get("next", "")})
    return render_page(request, template_name, {"form": form})


def _refuse(
    request: HtmxHttpRequest,
    template_name: str,
    form: LoginForm | SignupForm,
    message: str,
    *,
    status: int = 400,
) -> HttpResponse:
    """The login or signup page again, showing `form` (with its errors) and the reason."""
    return render_failure(request, template_name, {"form": form}, message=message, status=status)


def _logged_in(
    request: HtmxHttpRequest, form: LoginForm | SignupForm, message: str
) -> HttpResponse:
    """Answer a successful login or signup: go to the form's `next` if it is safe, else the
    default landing page, announcing `message`."""
    return after_action(
        request,
        redirect_to=safe_next(form.cleaned_data["next"], settings.LOGIN_REDIRECT_URL),
        message=message,
    )


def _check_login_attempts(*, account_key: str, ip_key: str) -> None:
    """Raise throttle.Blocked if the account or the client address has had too many failed
    logins in the current window (each has its own limit), before any password is checked.

    Unlike a coupon code, a right password is refused too once the address is over its
    backstop. A credential-stuffing run tries each leaked e-mail and password once or twice,
    so it never meets the per-account limit: the per-address one is all that stops it. If a
    right password still logged in past that limit while wrong ones got 429, every further
    pair tried from the address would still be answered right or wrong, and the backstop would
    stop nothing. So the limit is high instead (LOGIN_ATTEMPTS_PER_IP, and the address is the
    real client's behind TRUSTED_PROXIES), and whoever shares an address with a stuffer waits
    out the window.
    """
    throttle.check(
        scope="login",
        keys=[account_key],
        limit=settings.LOGIN_ATTEMPTS_PER_ACCOUNT,
        window=settings.LOGIN_ATTEMPTS_WINDOW,
    )
    throttle.check(
        scope="login",
        keys=[ip_key],
        limit=settings.LOGIN_ATTEMPTS_PER_IP,
        window=settings.LOGIN_ATTEMPTS_WINDOW,
    )


def _too_many_attempts(
    request: HtmxHttpRequest, form: LoginForm, blocked: throttle.Blocked
) -> HttpResponse:
    """The login page refused with 429 and a `Retry-After` header (in seconds)."""
    response = _refuse(request, LOGIN_TEMPLATE, form, blocked.message, status=429)
    response["Retry-After"] = str(blocked.retry_after)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@private_page
def login_page(request: HtmxHttpRequest) -> HttpResponse:
    """Log in with e-mail and password, then go back to `next`."""
    if request.method != "POST":
        return _blank_form(request, LoginForm, LOGIN_TEMPLATE)
    form = LoginForm(request.POST)
    if not form.is_valid():
        return _refuse(request, LOGIN_TEMPLATE, form, "Enter your e-mail address and password.")
    email = accounts.username_for(form.cleaned_data["email"])
    account_key, ip_key = f"account:{email}", f"ip:{client_address(request)}"
    try:
        _check_login_attempts(account_key=account_key, ip_key=ip_key)
    except throttle.Blocked as blocked:
        return _too_many_attempts(request, form, blocked)
    # ModelBackend hashes the password even for an unknown user, so both take as long.
    user = authenticate(request, username=email, password=form.cleaned_data["password"])
    if user is None:
        throttle.record_failure(
            scope="login", keys=[account_key, ip_key], window=settings.LOGIN_ATTEMPTS_WINDOW
        )
        return _refuse(request, LOGIN_TEMPLATE, form, LOGIN_FAILED)
    throttle.reset(scope="login", keys=[account_key])
    login(request, user)  # rotates the session key; the receiver merges cart and wishlist
    return _logged_in(request, form, "You are logged in.")


@require_http_methods(["GET", "HEAD", "POST"])
@private_page
def signup_page(request: HtmxHttpRequest) -> HttpResponse:
    """Create an account with e-mail and password; logged in straight away."""
    if request.method != "POST":
        return _blank_form(request, SignupForm, SIGNUP_TEMPLATE)
    form = SignupForm(request.POST)
    if not form.is_valid():
        return _refuse(request, SIGNUP_TEMPLATE, form, "Please correct the highlighted fields.")
    try:
        user = accounts.sign_up(
            email=form.cleaned_data["email"], password=form.cleaned_data["password"]
        )
    except accounts.EmailTaken as taken:
        return _refuse(request, SIGNUP_TEMPLATE, form, taken.message, status=409)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return _logged_in(request, form, "Welcome! Your account is ready.")


@require_POST
def logout_page(request: HtmxHttpRequest) -> HttpResponse:
    """Log out (POST only, so a link cannot log anyone out) and forget the session."""
    logout(request)
    return after_action(request, redirect_to="shop:home", message="You are logged out.")


@require_safe
@private_page
@login_required
def account_page(request: HtmxHttpRequest) -> HttpResponse:
    """The customer's orders, newest first, and their wishlist settings."""
    assert request.user.is_authenticated, "login_required lets only customers in"
    orders = Order.objects.filter(customer=request.user).prefetch_related("lines")[:50]
    wishlist = wishlist_service.current(session=request.session, customer=request.user)
    return render_page(
        request,
        ACCOUNT_TEMPLATE,
        {"orders": orders, "wishlist": wishlist},
        fragment="price-alerts",
    )


def _price_alerts_message(wishlist: Wishlist) -> str:
    """What to tell the customer once price-drop e-mails are as `wishlist` now says."""
    if wishlist.price_drop_emails:
        return "We will e-mail you when a saved product gets cheaper."
    return "Price-drop e-mails are off."


@require_POST
@login_required
def price_alerts(request: HtmxHttpRequest) -> HttpResponse:
    """Turn price-drop e-mails on or off (the POST carries the desired state)."""
    form = PriceAlertsForm(request.POST)
    wishlist = wishlist_service.current(session=request.session, customer=request.user, create=True)
    if not form.is_valid():
        return render_failure(
            request,
            ACCOUNT_TEMPLATE,
            {"orders": [], "wishlist": wishlist},
            message="Choose on or off.",
            fragment="price-alerts",
        )
    wishlist = wishlist_service.set_price_alerts(
        wishlist=wishlist, enabled=form.cleaned_data["state"] == "on"
    )
    return after_action(
        request,
        redirect_to="shop:account",
        template_name=ACCOUNT_TEMPLATE,
        fragment="price-alerts",
        context={"wishlist": wishlist},
        message=_price_alerts_message(wishlist),
    )


# Password reset: Django's views, with the shop's templates; the e-mail is a task. Every page of
# it is personal.
password_reset = private_page(
    auth_views.PasswordResetView.as_view(
        form_class=QueuedPasswordResetForm,
        template_name="registration/password_reset_form.html",
        email_template_name="registration/password_reset_email.txt",
        subject_template_name="registration/password_reset_subject.txt",
        success_url=reverse_lazy("shop:password-reset-done"),
    )
)
password_reset_done = private_page(
    auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html")
)
password_reset_confirm = private_page(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="registration/password_reset_confirm.html",
        success_url=reverse_lazy("shop:password-reset-complete"),
    )
)
password_reset_complete = private_page(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="registration/password_reset_complete.html"
    )
)
