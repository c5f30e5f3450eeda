"""Sign up, log in, log out, password reset, and the customer's account page.

Logging in merges the anonymous cart and wishlist into the account (shop.receivers). Failed
logins are counted per e-mail address and per IP; an unknown address gets the same answer, and
takes about as long, as a wrong password.
"""

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partials.responses import (
    HtmxHttpRequest,
    after_action,
    login_required,
    render_failure,
    render_page,
    safe_next,
)
from shop.forms import LoginForm, PriceAlertsForm, SignupForm
from shop.models import Order
from shop.services import accounts, throttle
from shop.services import wishlist as wishlist_service

LOGIN_FAILED = "The e-mail address or password is not right."


def _ip(request: HtmxHttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


@require_http_methods(["GET", "POST"])
def login_page(request: HtmxHttpRequest) -> HttpResponse:
    """Log in with e-mail and password, then go back to `next`."""
    if request.method == "GET":
        form = LoginForm(initial={"next": request.GET.get("next", "")})
        return render_page(request, "shop/account/login.html", {"form": form})
    form = LoginForm(request.POST)
    if not form.is_valid():
        return render_failure(
            request,
            "shop/account/login.html",
            {"form": form},
            message="Enter your e-mail address and password.",
        )
    email = accounts.username_for(form.cleaned_data["email"])
    account_key, ip_key = f"account:{email}", f"ip:{_ip(request)}"
    try:
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
    except throttle.Blocked as blocked:
        response = render_failure(
            request, "shop/account/login.html", {"form": form}, message=blocked.message, status=429
        )
        response["Retry-After"] = str(blocked.retry_after)
        return response
    # ModelBackend hashes the password even for an unknown user, so both take as long.
    user = authenticate(request, username=email, password=form.cleaned_data["password"])
    if user is None:
        throttle.record_failure(
            scope="login", keys=[account_key, ip_key], window=settings.LOGIN_ATTEMPTS_WINDOW
        )
        return render_failure(
            request, "shop/account/login.html", {"form": form}, message=LOGIN_FAILED
        )
    throttle.reset(scope="login", keys=[account_key])
    login(request, user)  # rotates the session key; the receiver merges cart and wishlist
    return after_action(
        request,
        redirect_to=safe_next(request, form.cleaned_data["next"], settings.LOGIN_REDIRECT_URL),
        message="You are logged in.",
    )


@require_http_methods(["GET", "POST"])
def signup_page(request: HtmxHttpRequest) -> HttpResponse:
    """Create an account with e-mail and password; logged in straight away."""
    if request.method == "GET":
        form = SignupForm(initial={"next": request.GET.get("next", "")})
        return render_page(request, "shop/account/signup.html", {"form": form})
    form = SignupForm(request.POST)
    if not form.is_valid():
        return render_failure(
            request,
            "shop/account/signup.html",
            {"form": form},
            message="Please correct the highlighted fields.",
        )
    try:
        user = accounts.sign_up(
            email=form.cleaned_data["email"], password=form.cleaned_data["password"]
        )
    except accounts.EmailTaken as taken:
        return render_failure(
            request, "shop/account/signup.html", {"form": form}, message=taken.message, status=409
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return after_action(
        request,
        redirect_to=safe_next(request, form.cleaned_data["next"], settings.LOGIN_REDIRECT_URL),
        message="Welcome! Your account is ready.",
    )


@require_POST
def logout_page(request: HtmxHttpRequest) -> HttpResponse:
    """Log out (POST only, so a link cannot log anyone out) and forget the session."""
    logout(request)
    return after_action(request, redirect_to="shop:home", message="You are logged out.")


@require_GET
@login_required
def account_page(request: HtmxHttpRequest) -> HttpResponse:
    """The customer's orders, newest first, and their wishlist settings."""
    assert request.user.is_authenticated, "login_required lets only customers in"
    orders = Order.objects.filter(customer=request.user).prefetch_related("lines")[:50]
    wishlist = wishlist_service.current(session=request.session, customer=request.user)
    return render_page(
        request,
        "shop/account/account.html",
        {"orders": orders, "wishlist": wishlist},
        fragment="price-alerts",
    )


@require_POST
@login_required
def price_alerts(request: HtmxHttpRequest) -> HttpResponse:
    """Turn price-drop e-mails on or off (the POST carries the desired state)."""
    form = PriceAlertsForm(request.POST)
    wishlist = wishlist_service.current(session=request.session, customer=request.user, create=True)
    assert wishlist is not None, "current(create=True) always returns a wishlist"
    if not form.is_valid():
        return render_failure(
            request,
            "shop/account/account.html",
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
        template_name="shop/account/account.html",
        fragment="price-alerts",
        context={"wishlist": wishlist},
        message=(
            "We will e-mail you when a saved product gets cheaper."
            if wishlist.price_drop_emails
            else "Price-drop e-mails are off."
        ),
    )


# Password reset: Django's views, with the shop's templates.

password_reset = auth_views.PasswordResetView.as_view(
    template_name="registration/password_reset_form.html",
    email_template_name="registration/password_reset_email.txt",
    subject_template_name="registration/password_reset_subject.txt",
    success_url=reverse_lazy("shop:password-reset-done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="registration/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="registration/password_reset_confirm.html",
    success_url=reverse_lazy("shop:password-reset-complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_complete.html"
)
