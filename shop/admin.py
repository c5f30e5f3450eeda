"""Admin for merchandisers: categories, products with their variants, images and attributes;
coupons, shipping and (read-only) orders; homepage layouts and blocks (read-only), revisions,
CMS pages and redirects; the task queue's results, with "Run again" for failed tasks; search
synonyms, pinned results and the report of searches that found nothing; campaign releases with
their timeline and "what changes"."""

from datetime import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponseRedirect
from django.tasks import TaskResultStatus
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from shop import cache_invalidation, session_keys
from shop.forms import TimeTravelForm
from shop.models import (
    AttributeDefinition,
    AttributeValue,
    Category,
    Coupon,
    DynamicPage,
    Layout,
    LayoutBlock,
    Order,
    OrderLine,
    PageRedirect,
    Payment,
    Product,
    ProductAttribute,
    ProductImage,
    Release,
    ReleaseEvent,
    ReleasePage,
    ReleasePrice,
    ReleasePriceRule,
    ReleaseVisibility,
    SearchPin,
    SearchSynonym,
    ShippingMethod,
    Variant,
    Warehouse,
    ZeroResultSearch,
)
from shop.models.layout import can_edit_homepage
from shop.queries import release_changes
from shop.queries import releases as release_queries
from shop.services import layout as layout_services
from shop.services import orders as order_service
from shop.services import releases as release_service
from shop.services import search as search_service


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "position"]
    list_editable = ["position"]
    list_select_related = ["parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "city", "country"]
    search_fields = ["name", "code", "city"]


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = ["sku", "name", "options", "price", "stock", "warehouse", "position"]
    autocomplete_fields = ["warehouse"]


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ["image", "alt", "is_primary", "position", "width", "height"]
    readonly_fields = ["width", "height"]


class ProductAttributeInline(admin.TabularInline):
    model = ProductAttribute
    extra = 0
    fields = ["value"]
    autocomplete_fields = ["value"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "status", "variant_count", "stock_total", "created"]
    list_filter = ["status", "category"]
    search_fields = ["name", "slug", "variants__sku"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["category"]
    date_hierarchy = "created"
    list_select_related = ["category"]
    inlines = [VariantInline, ProductImageInline, ProductAttributeInline]
    actions = ["publish", "unpublish"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                variant_count=Count("variants", distinct=True), stock_total=Sum("variants__stock")
            )
        )

    @admin.display(ordering="variant_count", description="Variants")
    def variant_count(self, obj) -> int:
        return obj.variant_count

    @admin.display(ordering="stock_total", description="Stock")
    def stock_total(self, obj) -> int:
        return obj.stock_total or 0

    @admin.action(description="Publish selected products")
    def publish(self, request, queryset):
        updated = queryset.update(status=Product.Status.PUBLISHED)
        cache_invalidation.catalog_changed()  # update() sends no signals
        self.message_user(request, f"Published {updated} products.")

    @admin.action(description="Unpublish selected products (back to draft)")
    def unpublish(self, request, queryset):
        updated = queryset.update(status=Product.Status.DRAFT)
        cache_invalidation.catalog_changed()
        self.message_user(request, f"Moved {updated} products back to draft.")


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ["sku", "product", "name", "price", "stock", "warehouse"]
    list_editable = ["price", "stock"]
    list_select_related = ["product", "warehouse"]
    list_filter = ["warehouse"]
    search_fields = ["sku", "product__name"]
    autocomplete_fields = ["product", "warehouse"]


class AttributeValueInline(admin.TabularInline):
    model = AttributeValue
    extra = 0
    prepopulated_fields = {"slug": ["label"]}


@admin.register(AttributeDefinition)
class AttributeDefinitionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_facet", "position"]
    list_editable = ["is_facet", "position"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AttributeValueInline]


@admin.register(AttributeValue)
class AttributeValueAdmin(admin.ModelAdmin):
    list_display = ["label", "definition", "slug", "position"]
    list_filter = ["definition"]
    search_fields = ["label", "slug", "definition__name"]


# Orders, coupons and shipping ---------------------------------------------------------------


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "kind",
        "value",
        "min_subtotal",
        "valid_until",
        "times_used",
        "usage_limit",
        "active",
    ]
    list_filter = ["active", "kind"]
    search_fields = ["code", "description"]
    readonly_fields = ["times_used", "created"]


@admin.register(ShippingMethod)
class ShippingMethodAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "price", "active", "position"]
    list_editable = ["price", "active", "position"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = (
        "sku",
        "product_name",
        "variant_name",
        "unit_price",
        "quantity",
        "line_total",
        "discount",
    )
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("created", "gateway", "amount", "status", "card_last4", "reference", "message")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Orders are records: nothing is edited here. Status moves through the actions, which
    return stock and coupon uses where they should."""

    list_display = ["number", "created", "email", "status", "total", "coupon_code"]
    list_filter = ["status", "created"]
    search_fields = ["number", "email", "full_name", "lines__sku"]
    date_hierarchy = "created"
    inlines = [OrderLineInline, PaymentInline]
    actions = ["mark_fulfilled", "cancel_orders"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def _apply(self, request, queryset, action, done: str) -> None:
        moved = 0
        for order in queryset:
            try:
                action(order=order)
                moved += 1
            except order_service.TransitionRefused as refused:
                self.message_user(request, str(refused), messages.WARNING)
        if moved:
            self.message_user(request, f"{moved} order{'s' if moved != 1 else ''} {done}.")

    @admin.action(description="Mark selected paid orders as fulfilled")
    def mark_fulfilled(self, request, queryset):
        self._apply(request, queryset, order_service.fulfil, "marked fulfilled")

    @admin.action(description="Cancel selected orders (returns stock and coupon uses)")
    def cancel_orders(self, request, queryset):
        self._apply(request, queryset, order_service.cancel, "cancelled")


# Homepage layout and CMS pages (issue 5) --------------------------------------------------------
#
# Layouts and blocks are read-only here: every change goes through the storefront editor, so it
# lands in a draft, can be previewed, and is published with the conflict check and a revision.


class LayoutBlockInline(admin.TabularInline):
    model = LayoutBlock
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("kind", "heading", "region", "order", "active", "starts_at", "ends_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Layout)
class LayoutAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "version", "owner", "published_by", "published_at"]
    list_filter = ["kind"]
    list_select_related = ["owner", "published_by"]
    readonly_fields = (
        "kind",
        "owner",
        "base_version",
        "version",
        "published_by",
        "published_at",
        "created",
        "updated",
    )
    fields = readonly_fields
    inlines = [LayoutBlockInline]
    actions = ["restore_into_my_draft"]

    def get_queryset(self, request):
        # A draft is its owner's alone: other staff (superusers too) never see it here.
        own_drafts = Q(kind=Layout.Kind.DRAFT, owner=request.user)
        return super().get_queryset(request).filter(~Q(kind=Layout.Kind.DRAFT) | own_drafts)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Discarding a draft is harmless; the live layout and revisions are history.
        return (
            obj is not None
            and obj.kind == Layout.Kind.DRAFT
            and super().has_delete_permission(request, obj)
        )

    def has_edit_homepage_permission(self, request) -> bool:
        return can_edit_homepage(request.user)

    @admin.action(
        description="Restore the selected revision into my draft", permissions=["edit_homepage"]
    )
    def restore_into_my_draft(self, request, queryset):
        revisions = list(queryset.filter(kind=Layout.Kind.REVISION)[:2])
        if len(revisions) != 1:
            self.message_user(request, "Select exactly one revision.", level=messages.ERROR)
            return None
        version = revisions[0].version
        layout_services.restore_revision(user=request.user, version=version)
        request.session[session_keys.HOMEPAGE_EDITING] = True
        messages.success(
            request, f"Version {version} is in your draft: publish it to bring it back."
        )
        return HttpResponseRedirect(reverse("shop:home"))


@admin.register(LayoutBlock)
class LayoutBlockAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "kind",
        "layout",
        "region",
        "order",
        "active",
        "starts_at",
        "ends_at",
    ]
    list_filter = ["kind", "layout__kind", "region", "active"]
    list_select_related = ["layout"]
    search_fields = ["heading", "text", "body"]

    def get_queryset(self, request):
        own_drafts = Q(layout__kind=Layout.Kind.DRAFT, layout__owner=request.user)
        return super().get_queryset(request).filter(~Q(layout__kind=Layout.Kind.DRAFT) | own_drafts)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PageRedirectInline(admin.TabularInline):
    model = PageRedirect
    extra = 0
    fields = ["old_slug", "created"]
    readonly_fields = ["created"]
    verbose_name = "old slug (redirects here)"


@admin.register(DynamicPage)
class DynamicPageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "published", "updated"]
    list_filter = ["published"]
    search_fields = ["title", "slug", "body"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PageRedirectInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "body", "published"]}),
        (
            "Search engines and sharing",
            {"fields": ["seo_title", "seo_description", "canonical_url", "og_image"]},
        ),
    ]


@admin.register(PageRedirect)
class PageRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "page", "created"]
    list_select_related = ["page"]
    search_fields = ["old_slug", "page__title", "page__slug"]
    autocomplete_fields = ["page"]


# The task queue (django-tasks-db): its results as that package shows them, read-only, plus a
# way to run a task that failed for good (after its retries) once more.
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    actions = ["run_again"]

    @admin.action(description="Run the selected failed tasks again")
    def run_again(self, request, queryset) -> None:
        """Enqueue each failed task anew with its arguments, its retries counted from one."""
        failed = queryset.filter(status=TaskResultStatus.FAILED)
        for result in failed:
            kwargs = {k: v for k, v in result.args_kwargs["kwargs"].items() if k != "attempt"}
            result.task.enqueue(*result.args_kwargs["args"], **kwargs)
        self.message_user(request, f"{len(failed)} task(s) enqueued again.", messages.SUCCESS)


# Search (issue 13): what merchandisers tune, and what shoppers looked for in vain.


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    list_display = ["__str__", "created"]
    search_fields = ["terms"]

    def save_model(self, request, obj, form, change) -> None:
        """Save, then take the synonym's terms off the zero-result report: they find now."""
        super().save_model(request, obj, form, change)
        search_service.forget_zero_results(queries=obj.term_list)


@admin.register(SearchPin)
class SearchPinAdmin(admin.ModelAdmin):
    list_display = ["query", "product", "position"]
    list_editable = ["position"]
    list_select_related = ["product"]
    search_fields = ["query", "product__name"]
    autocomplete_fields = ["product"]


@admin.register(ZeroResultSearch)
class ZeroResultSearchAdmin(admin.ModelAdmin):
    """The zero-result report: what was searched for in vain, how often, first and last seen
    (no shopper is recorded). Read-only, but rows may be deleted once dealt with."""

    list_display = ["query", "count", "first_seen", "last_seen", "add_synonym_link"]
    search_fields = ["query"]
    date_hierarchy = "last_seen"
    readonly_fields = ["query", "count", "first_seen", "last_seen"]
    actions = ["add_synonym"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @staticmethod
    def synonym_form_url(queries: list[str]) -> str:
        """The "add synonym" form, its terms started with `queries` (the meaning comes next)."""
        terms = ", ".join(queries) + ", "
        return reverse("admin:shop_searchsynonym_add") + "?" + urlencode({"terms": terms})

    @admin.display(description="")
    def add_synonym_link(self, obj: ZeroResultSearch) -> str:
        return format_html('<a href="{}">Add a synonym</a>', self.synonym_form_url([obj.query]))

    @admin.action(
        description="Add a synonym for the selected searches", permissions=["add_synonym"]
    )
    def add_synonym(self, request, queryset):
        """Open the "add synonym" form with the selected searches as its first terms: the
        merchandiser adds what they mean ("jumpers, sweater") and saves."""
        return HttpResponseRedirect(
            self.synonym_form_url(list(queryset.values_list("query", flat=True)[:20]))
        )

    def has_add_synonym_permission(self, request) -> bool:
        return request.user.has_perm("shop.add_searchsynonym")


# Campaign releases (issue 12): a list with a timeline, and per release "what changes". A draft
# is built here (its window, prices, price rules, visibility, pages and coupons, and the homepage
# saved into it from the storefront editor), then scheduled, moved back or rolled back through
# shop.services.releases.


class DraftOnlyInline(admin.StackedInline):
    """A release's changes: editable while it is a draft, read-only once it is scheduled."""

    extra = 0

    def _editable(self, request, obj) -> bool:
        return obj is None or obj.is_draft

    def has_add_permission(self, request, obj=None) -> bool:
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._editable(request, obj) and super().has_delete_permission(request, obj)


class ReleasePriceRuleInline(DraftOnlyInline):
    model = ReleasePriceRule
    extra = 1
    fields = ["percent_off", "category", "attribute_value"]
    verbose_name = "percentage off"
    verbose_name_plural = "percentages off (fixed into each variant's price when scheduled)"


class ReleasePriceInline(DraftOnlyInline):
    model = ReleasePrice
    fields = ["variant", "price", "rule"]
    readonly_fields = ["rule"]
    autocomplete_fields = ["variant"]
    verbose_name = "variant price"
    verbose_name_plural = "variant prices (set directly, or fixed from a percentage off)"


class ReleaseVisibilityInline(DraftOnlyInline):
    model = ReleaseVisibility
    fields = ["product", "visible"]
    autocomplete_fields = ["product"]


class ReleasePageInline(DraftOnlyInline):
    model = ReleasePage
    fields = ["page", "action", "title", "body"]
    autocomplete_fields = ["page"]
    verbose_name = "page change"


class ReleaseCouponInline(DraftOnlyInline):
    model = Coupon
    extra = 1
    fields = ["code", "kind", "value", "min_subtotal", "usage_limit", "per_customer_limit"]
    verbose_name = "coupon (valid only while the release is in force)"
    verbose_name_plural = "coupons (valid only while the release is in force)"


class ReleaseEventInline(ReadOnlyInline):
    model = ReleaseEvent
    fields = ("at", "action", "actor", "note")
    readonly_fields = fields


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    """Releases: the list with a timeline (change_list.html), the draft's form with its changes
    as inlines, and "What changes" with the schedule, move-back, roll-back, preview and time
    travel buttons (changes.html)."""

    list_display = ["name", "state_now", "starts_at", "ends_at", "owner", "changes_link"]
    list_filter = ["status"]
    search_fields = ["name", "description"]
    list_select_related = ["owner"]
    change_list_template = "admin/shop/release/change_list.html"
    fields = ["name", "description", "starts_at", "ends_at", "owner"]
    readonly_fields = ["owner"]
    inlines = [
        ReleasePriceRuleInline,
        ReleaseCouponInline,
        ReleasePriceInline,
        ReleaseVisibilityInline,
        ReleasePageInline,
        ReleaseEventInline,
    ]

    @admin.display(description="State")
    def state_now(self, obj: Release) -> str:
        return obj.state_at(timezone.now()).capitalize()

    @admin.display(description="")
    def changes_link(self, obj: Release) -> str:
        url = reverse("admin:shop_release_changes", args=[obj.pk])
        return format_html(
            '<a href="{}">What changes<span class="visually-hidden"> in {}</span></a>',
            url,
            obj.name,
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return [*self.fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        # Only a draft goes away; anything scheduled is history (roll it back instead).
        return (obj is None or obj.is_draft) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        """A new release is a draft owned by whoever made it; a release changes only while it
        is a draft (checked under its lock: a release scheduled meanwhile is refused)."""
        if not change:
            obj.owner = request.user
        release_service.save_draft(release=obj, user=request.user)

    def save_related(self, request, form, formsets, change) -> None:
        """Save the inlines, then fix the price rules into per-variant prices (refused unless
        the release is still a draft: the whole save then changes nothing)."""
        super().save_related(request, form, formsets, change)
        release_service.refix_prices(release=form.instance)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except release_service.ReleaseError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def response_add(self, request, obj, post_url_continue=None):
        if "_save" in request.POST:
            self.message_user(request, f"“{obj.name}” is a draft: check what it changes.")
            return HttpResponseRedirect(reverse("admin:shop_release_changes", args=[obj.pk]))
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_save" in request.POST:
            self.message_user(request, f"“{obj.name}” saved.")
            return HttpResponseRedirect(reverse("admin:shop_release_changes", args=[obj.pk]))
        return super().response_change(request, obj)

    def changelist_view(self, request, extra_context=None):
        link = request.session.get(session_keys.RELEASE_LINKS, {}).get("moment")
        extra = {
            "timeline": release_changes.timeline_view(),
            "can_time_travel": release_queries.can_time_travel(request.user),
            "moment_link": link
            and {**link, "expires_at": datetime.fromisoformat(link["expires_at"])},
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/changes/", view(self.changes_view), name="shop_release_changes"),
            path("<int:pk>/act/", view(self.act_view), name="shop_release_act"),
            path("moment-link/", view(self.moment_link_view), name="shop_release_moment_link"),
            *super().get_urls(),
        ]

    def changes_view(self, request, pk: int):
        """What the release changes, before → after, and what can be done with it now."""
        release = self.get_object(request, str(pk))
        if release is None or not self.has_view_permission(request, release):
            raise Http404("No such release.")
        link = request.session.get(session_keys.RELEASE_LINKS, {}).get(str(release.pk))
        if link is not None:
            link = {**link, "expires_at": datetime.fromisoformat(link["expires_at"])}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"What “{release.name}” changes",
            "changes": release_changes.release_changes(release=release),
            "link": link,
            "can_manage": release_queries.can_manage(request.user),
            "can_time_travel": release_queries.can_time_travel(request.user),
        }
        return TemplateResponse(request, "admin/shop/release/changes.html", context)

    def moment_link_view(self, request):
        """POST `at`: a signed, expiring link to the whole shop as it will be at that moment."""
        if request.method != "POST" or not release_queries.can_time_travel(request.user):
            raise PermissionDenied("Preview links of a moment need the time-travel permission.")
        form = TimeTravelForm({"state": "on", "at": request.POST.get("at", "")})
        if form.is_valid() and form.cleaned_data["at"]:
            link = release_queries.preview_link(moment=form.cleaned_data["at"])
            self._remember_link(request, "moment", link)
            self.message_user(request, "Preview link ready: anyone with it sees the shop then.")
        else:
            self.message_user(request, "Choose the moment to link to.", messages.ERROR)
        return HttpResponseRedirect(reverse("admin:shop_release_changelist"))

    def _remember_link(self, request, key: str, link) -> None:
        url = request.build_absolute_uri(reverse("shop:release-preview", args=[link.token]))
        links = request.session.get(session_keys.RELEASE_LINKS, {})
        links[key] = {"url": url, "expires_at": link.expires_at.isoformat()}
        request.session[session_keys.RELEASE_LINKS] = links

    def act_view(self, request, pk: int):
        """POST `action`: schedule, unschedule, roll-back, preview-link or edit-homepage."""
        release = self.get_object(request, str(pk))
        if request.method != "POST" or release is None:
            raise Http404("No such release.")
        if not release_queries.can_manage(request.user):
            raise PermissionDenied("Releases need the release permission.")
        back = HttpResponseRedirect(reverse("admin:shop_release_changes", args=[release.pk]))
        action = request.POST.get("action", "")
        try:
            if action == "schedule":
                release_service.schedule(release=release, user=request.user)
                when = timezone.localtime(release.starts_at)
                self.message_user(
                    request, f"Scheduled: “{release.name}” goes live {when:%-d %b %Y at %H:%M:%S}."
                )
            elif action == "unschedule":
                release_service.unschedule(release=release, user=request.user)
                self.message_user(request, f"“{release.name}” is a draft again.")
            elif action == "roll-back":
                note = request.POST.get("note", "")[:500]
                release_service.roll_back(release=release, user=request.user, note=note)
                self.message_user(
                    request, f"Rolled back: nothing “{release.name}” changed shows any more."
                )
            elif action == "preview-link":
                link = release_queries.preview_link(release=release)
                self._remember_link(request, str(release.pk), link)
                self.message_user(request, "Preview link ready: anyone with it sees the release.")
            elif action == "edit-homepage":
                release_service.edit_homepage(release=release, user=request.user)
                request.session[session_keys.HOMEPAGE_EDITING] = True
                self.message_user(
                    request,
                    "The release's homepage is in your draft: edit it, then save it into the "
                    "release again.",
                )
                return HttpResponseRedirect(reverse("shop:home"))
            else:
                self.message_user(request, "Choose what to do with the release.", messages.ERROR)
        except release_service.ScheduleConflict as conflict:
            for found in conflict.conflicts:
                self.message_user(request, f"Not scheduled: {found.message}", messages.ERROR)
        except release_service.ReleaseError as error:
            self.message_user(request, error.message, messages.ERROR)
        return back
