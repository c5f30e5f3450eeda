"""The catalog in the admin: categories, warehouses, products with their variants, images and
attributes, and attribute definitions and values."""

from django.contrib import admin
from django.db.models import Count, Sum

from shop import cache_invalidation
from shop.models import (
    AttributeDefinition,
    AttributeValue,
    Category,
    Product,
    ProductAttribute,
    ProductImage,
    Variant,
    Warehouse,
)


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
