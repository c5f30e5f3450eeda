"""Coupons, shipping methods and orders (read-only: an order is a snapshot; the services change
its status)."""

from django.contrib import admin, messages

from shop.models import (
    Coupon,
    Order,
    OrderLine,
    Payment,
    ShippingMethod,
)
from shop.services import orders as order_service

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
