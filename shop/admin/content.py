"""What the storefront shows besides the catalog: homepage layouts and blocks (read-only here),
revisions, CMS pages and redirects, and search synonyms, pins and the zero-result report."""

from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from shop import session_keys
from shop.models import (
    DynamicPage,
    Layout,
    LayoutBlock,
    PageRedirect,
    SearchPin,
    SearchSynonym,
    ZeroResultSearch,
)
from shop.models.layout import can_edit_homepage
from shop.services import layout as layout_services
from shop.services import search as search_service

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
