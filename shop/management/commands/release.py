"""Script a campaign release, for QA journeys and for people who prefer a terminal.

    manage.py release create --name "Winter sale" --starts-in 30 --ends-in 3600
    manage.py release price 7 --percent 20 --category knitwear
    manage.py release price 7 --sku SKU-00042 --set 19.99
    manage.py release visibility 7 --product linen-shirt --hide
    manage.py release coupon 7 --code WINTER20 --percent 20
    manage.py release homepage 7 --user marketer@example.com
    manage.py release schedule 7
    manage.py release preview-link 7 [--base-url https://shop.example.com]  (default: SITE_URL)
    manage.py release preview-link --at 2025-12-05T09:00:00+00:00
    manage.py release rollback 7 --note "Wrong prices"
    manage.py release list

Each subcommand is one service call (shop.services.releases) and prints what it did; `create`
prints the new release's id alone on its last line, so scripts can capture it. Times are
seconds from now (`--starts-in`) or ISO 8601 (`--starts-at 2025-12-05T09:00:00+00:00`).
"""

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils import timezone

from shop.models import AttributeValue, Category, Product, Release, Variant
from shop.moment import links
from shop.services import releases as release_service


def _moment(at: str | None, seconds: float | None) -> datetime | None:
    if at:
        moment = datetime.fromisoformat(at)
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    if seconds is not None:
        return timezone.now() + timedelta(seconds=seconds)
    return None


def _decimal(value: str, what: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise CommandError(f"{what} must be a number, not {value!r}.") from None


class Command(BaseCommand):
    help = "Create, fill, schedule, preview and roll back campaign releases."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)

        create = commands.add_parser("create", help="a new draft release; prints its id")
        create.add_argument("--name", required=True)
        create.add_argument("--description", default="")
        create.add_argument("--starts-at", help="ISO 8601")
        create.add_argument("--starts-in", type=float, help="seconds from now")
        create.add_argument("--ends-at", help="ISO 8601")
        create.add_argument("--ends-in", type=float, help="seconds from now")
        create.add_argument("--owner", help="the owner's username or e-mail")

        # argparse formats help with %: a literal percent sign is %%.
        price = commands.add_parser("price", help="a price change: one variant, or a %% off")
        price.add_argument("release", type=int)
        price.add_argument("--sku", help="the variant to price (with --set)")
        price.add_argument("--set", dest="amount", help="its price while the release is in force")
        price.add_argument("--percent", help="a percentage off (with --category or --attribute)")
        price.add_argument("--category", help="a category's slug (its subcategories too)")
        price.add_argument("--attribute", help="an attribute value, as definition=value slugs")

        shown = commands.add_parser("visibility", help="show or hide a product")
        shown.add_argument("release", type=int)
        shown.add_argument("--product", required=True, help="the product's slug")
        group = shown.add_mutually_exclusive_group(required=True)
        group.add_argument("--show", action="store_true")
        group.add_argument("--hide", action="store_true")

        coupon = commands.add_parser("coupon", help="a coupon valid only while it is in force")
        coupon.add_argument("release", type=int)
        coupon.add_argument("--code", required=True)
        kind = coupon.add_mutually_exclusive_group(required=True)
        kind.add_argument("--percent")
        kind.add_argument("--amount")

        homepage = commands.add_parser("homepage", help="move a user's homepage draft into it")
        homepage.add_argument("release", type=int)
        homepage.add_argument("--user", required=True, help="username or e-mail")

        for name, text in (
            ("schedule", "schedule a draft (refused on a conflict)"),
            ("unschedule", "move a scheduled release that has not started back to draft"),
        ):
            sub = commands.add_parser(name, help=text)
            sub.add_argument("release", type=int)
            sub.add_argument("--user", help="who does it (username or e-mail)")

        link = commands.add_parser("preview-link", help="print a signed, expiring preview link")
        link.add_argument("release", type=int, nargs="?", help="the release (or --at alone)")
        link.add_argument("--at", help="a moment (ISO 8601): the whole shop as it will be then")
        link.add_argument(
            "--base-url",
            default=settings.SITE_URL,
            help="the shop's address (default: SITE_URL, %(default)s)",
        )

        rollback = commands.add_parser("rollback", help="undo a live or ended release")
        rollback.add_argument("release", type=int)
        rollback.add_argument("--note", default="")
        rollback.add_argument("--user", help="who does it (username or e-mail)")

        commands.add_parser("list", help="every release with its state now")

    def handle(self, *args, command: str, **options) -> None:
        getattr(self, f"_{command.replace('-', '_')}")(**options)

    # Helpers --------------------------------------------------------------------------------

    def _release(self, pk: int) -> Release:
        release = Release.objects.filter(pk=pk).first()
        if release is None:
            raise CommandError(f"There is no release {pk}.")
        return release

    def _user(self, name: str | None):
        if not name:
            return None
        users = get_user_model().objects
        user = users.filter(username=name).first() or users.filter(email=name).first()
        if user is None:
            raise CommandError(f"There is no user {name!r}.")
        return user

    def _category(self, slug: str) -> Category:
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            raise CommandError(f"There is no category {slug!r}.")
        return category

    def _attribute_value(self, text: str | None) -> AttributeValue:
        definition, _equals, value = (text or "").partition("=")
        found = AttributeValue.objects.filter(definition__slug=definition, slug=value).first()
        if found is None:
            raise CommandError(f"There is no attribute value {text!r} (definition=value).")
        return found

    def _say(self, text: str) -> None:
        self.stdout.write(text)

    # Subcommands ----------------------------------------------------------------------------

    def _create(self, *, name, description, starts_at, starts_in, ends_at, ends_in, owner, **_):
        starts = _moment(starts_at, starts_in)
        if starts is None:
            raise CommandError("Say when it starts: --starts-at or --starts-in.")
        try:
            release = release_service.create_release(
                name=name,
                starts_at=starts,
                ends_at=_moment(ends_at, ends_in),
                owner=self._user(owner),
                description=description,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        self._say(f"Created draft release “{release.name}” from {release.starts_at.isoformat()}")
        self._say(str(release.pk))

    def _price(self, *, release, sku, amount, percent, category, attribute, **_):
        found = self._release(release)
        try:
            if sku and amount:
                variant = Variant.objects.filter(sku=sku).first()
                if variant is None:
                    raise CommandError(f"There is no variant {sku!r}.")
                row = release_service.set_price(
                    release=found, variant=variant, price=_decimal(amount, "--set")
                )
                self._say(f"{sku}: {variant.price} → {row.price} in “{found.name}”")
                return
            if percent and (category or attribute):
                rule = release_service.add_price_rule(
                    release=found,
                    percent_off=_decimal(percent, "--percent"),
                    category=self._category(category) if category else None,
                    attribute_value=self._attribute_value(attribute) if not category else None,
                )
                self._say(f"{rule}: {rule.prices.count()} variant prices in “{found.name}”")
                return
        except release_service.ReleaseError as error:
            raise CommandError(error.message) from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        raise CommandError("Give --sku with --set, or --percent with --category or --attribute.")

    def _visibility(self, *, release, product, show, hide, **_):
        found = self._release(release)
        item = Product.objects.filter(slug=product).first()
        if item is None:
            raise CommandError(f"There is no product {product!r}.")
        try:
            release_service.set_visibility(release=found, product=item, visible=show)
        except release_service.ReleaseError as error:
            raise CommandError(error.message) from None
        self._say(f"{item.name}: {'shown' if show else 'hidden'} in “{found.name}”")

    def _coupon(self, *, release, code, percent, amount, **_):
        found = self._release(release)
        kind = "percent" if percent else "fixed"
        value = _decimal(percent or amount, "--percent" if percent else "--amount")
        try:
            coupon = release_service.add_coupon(release=found, code=code, kind=kind, value=value)
        except release_service.ReleaseError as error:
            raise CommandError(error.message) from None
        self._say(f"Coupon {coupon.code} ({coupon.label}) in “{found.name}”")

    def _homepage(self, *, release, user, **_):
        found = self._release(release)
        try:
            release_service.save_homepage(release=found, user=self._user(user))
        except release_service.ReleaseError as error:
            raise CommandError(error.message) from None
        self._say(f"{user}'s homepage draft is now “{found.name}”'s homepage")

    def _schedule(self, *, release, user, **_):
        found = self._release(release)
        try:
            release_service.schedule(release=found, user=self._user(user))
        except release_service.ScheduleConflict as conflict:
            raise CommandError(conflict.message) from None
        except release_service.ReleaseError as error:
            raise CommandError(error.message) from None
        self._say(f"Scheduled “{found.name}”: live from {found.starts_at.isoformat()}")

    def _unschedule(self, *, release, user, **_):
        found = self._release(release)
        try:
            release_service.unschedule(release=found, user=self._user(user))
        except release_service.ReleaseError as error:
            raise CommandError(error.message) from None
        self._say(f"“{found.name}” is a draft again")

    def _preview_link(self, *, release, base_url, at, **_):
        if release is None and not at:
            raise CommandError("Name a release, a moment (--at), or both.")
        found = self._release(release) if release is not None else None
        link = links.preview_link(release=found, moment=_moment(at, None))
        path = reverse("shop:release-preview", args=[link.token])
        self._say(f"{base_url.rstrip('/')}{path}")

    def _rollback(self, *, release, note, user, **_):
        found = self._release(release)
        try:
            release_service.roll_back(release=found, user=self._user(user), note=note)
        except release_service.ReleaseError as error:
            raise CommandError(error.message) from None
        self._say(f"Rolled back “{found.name}”")

    def _list(self, **_):
        now = timezone.now()
        for release in Release.objects.order_by("starts_at", "pk"):
            ends = release.ends_at.isoformat() if release.ends_at else "for good"
            self._say(
                f"{release.pk}\t{release.state_at(now)}\t{release.starts_at.isoformat()} → {ends}"
                f"\t{release.name}"
            )
