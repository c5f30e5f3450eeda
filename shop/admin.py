"""Admin for merchandisers: categories, products with their variants, images and attributes."""

from django.contrib import admin, messages
from django.db.models import Count, Sum

from shop.models import (
    AttributeDefinition,
    AttributeValue,
    Category,
    Coupon,
    Order,
    OrderLine,
    Payment,
    Product,
    ProductAttribute,
    ProductImage,
    ShippingMethod,
    Variant,
    Warehouse,
)
from shop.services import orders as order_service


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
        self.message_user(request, f"Published {updated} products.")

    @admin.action(description="Unpublish selected products (back to draft)")
    def unpublish(self, request, queryset):
        updated = queryset.update(status=Product.Status.DRAFT)
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
    fields = [
        "sku",
        "product_name",
        "variant_name",
        "unit_price",
        "quantity",
        "line_total",
        "discount",
    ]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["created", "gateway", "amount", "status", "card_last4", "reference", "message"]
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
