"""Campaign releases in the admin: the list with its timeline, a draft's form with its changes
as inlines, and "What changes" with the schedule, move-back, roll-back, preview-link and time
travel buttons."""

from datetime import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from shop import session_keys
from shop.admin.orders import ReadOnlyInline
from shop.forms import TimeTravelForm
from shop.models import (
    Coupon,
    Release,
    ReleaseEvent,
    ReleasePage,
    ReleasePrice,
    ReleasePriceRule,
    ReleaseVisibility,
)
from shop.moment import links
from shop.moment import middleware as moment_requests
from shop.queries import release_changes
from shop.queries import releases as release_queries
from shop.services import releases as release_service

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
            "can_time_travel": moment_requests.can_time_travel(request.user),
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
            "can_time_travel": moment_requests.can_time_travel(request.user),
        }
        return TemplateResponse(request, "admin/shop/release/changes.html", context)

    def moment_link_view(self, request):
        """POST `at`: a signed, expiring link to the whole shop as it will be at that moment."""
        if request.method != "POST" or not moment_requests.can_time_travel(request.user):
            raise PermissionDenied("Preview links of a moment need the time-travel permission.")
        form = TimeTravelForm({"state": "on", "at": request.POST.get("at", "")})
        if form.is_valid() and form.cleaned_data["at"]:
            link = links.preview_link(moment=form.cleaned_data["at"])
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
                link = links.preview_link(release=release)
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
