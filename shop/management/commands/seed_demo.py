"""Seed a believable demo catalog, idempotently and fast (bulk inserts).

    manage.py seed_demo                 # 240 products
    manage.py seed_demo --products 10000

Running it again creates only what is missing: product N always has the same slug, name,
variants and attributes, so two runs leave the same catalog as one.
"""

import io
import os
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from shop import cache_invalidation
from shop.management import demo_homepage, demo_pictures, demo_search
from shop.models import (
    AttributeDefinition,
    AttributeValue,
    Category,
    Coupon,
    Product,
    ProductAttribute,
    ProductImage,
    ShippingMethod,
    Variant,
    Warehouse,
)
from shop.services import images as image_service

# (name, children); leaves carry (nouns, sizes, price range in pounds).
CLOTHING_SIZES = ["XS", "S", "M", "L", "XL"]
SHOE_SIZES = ["6", "7", "8", "9", "10", "11"]
TREE = {
    "Clothing": {
        "Tops": {
            "T-shirts": (["T-shirt", "Tee", "Vest"], CLOTHING_SIZES, (12, 35)),
            "Shirts": (["Shirt", "Overshirt", "Blouse"], CLOTHING_SIZES, (28, 80)),
            "Knitwear": (["Jumper", "Cardigan", "Sweater"], CLOTHING_SIZES, (35, 120)),
        },
        "Outerwear": {
            "Jackets": (["Jacket", "Bomber", "Gilet"], CLOTHING_SIZES, (60, 220)),
            "Coats": (["Coat", "Parka", "Mac"], CLOTHING_SIZES, (90, 320)),
        },
        "Trousers": (
            ["Chinos", "Jeans", "Trousers", "Joggers"],
            ["28", "30", "32", "34", "36"],
            (30, 95),
        ),
    },
    "Footwear": {
        "Trainers": (["Trainers", "Runners", "Sneakers"], SHOE_SIZES, (45, 140)),
        "Boots": (["Boots", "Chelsea Boots", "Hikers"], SHOE_SIZES, (70, 210)),
    },
    "Home": {
        "Kitchen": (["Mug", "Jug", "Bowl Set", "Tea Towel"], [], (6, 45)),
        "Bedding": (
            ["Duvet Cover", "Pillowcase Pair", "Throw"],
            ["Single", "Double", "King"],
            (20, 120),
        ),
        "Lighting": (["Table Lamp", "Pendant", "Reading Light"], [], (25, 180)),
    },
    "Outdoor": {
        "Camping": (["Tent", "Sleeping Bag", "Camp Stool"], [], (20, 400)),
        "Bags": (["Backpack", "Tote", "Duffel"], [], (18, 160)),
    },
}
COLOURS = [
    ("Black", (34, 34, 34)),
    ("White", (236, 233, 226)),
    ("Navy", (31, 45, 84)),
    ("Red", (178, 44, 44)),
    ("Green", (46, 110, 70)),
    ("Blue", (52, 104, 176)),
    ("Grey", (128, 128, 128)),
    ("Brown", (120, 80, 48)),
    ("Yellow", (222, 184, 52)),
    ("Pink", (222, 130, 160)),
]
MATERIALS = ["Cotton", "Linen", "Wool", "Leather", "Recycled polyester", "Stoneware", "Canvas"]
BRANDS = ["Northway", "Fieldhouse", "Kestrel & Co", "Harbour", "Oakmoor", "Tidewell"]
ADJECTIVES = [
    "Classic",
    "Everyday",
    "Heritage",
    "Lightweight",
    "Relaxed",
    "Organic",
    "Essential",
    "Weekend",
    "Coastal",
    "Studio",
    "Trail",
    "Archive",
    "Softwash",
    "Workwear",
    "City",
]
WAREHOUSES = [("London", "LDN", "London"), ("Manchester", "MAN", "Manchester")]
SHIPPING = [
    ("standard", "Standard delivery", "2–4 working days", "3.95"),
    ("express", "Express delivery", "next working day", "8.95"),
]
COUPONS = [
    ("WELCOME10", "percent", "10", "0", "10% off your first order"),
    ("SAVE5", "fixed", "5.00", "30.00", "£5 off orders of £30 or more"),
    ("SUMMER24", "percent", "20", "0", "Last summer's sale (expired)"),
]
BATCH = 1000
# Share of the products with sizes (and of the bags) that also come in one or two more colours,
# each with its own variants and a front and a swatch picture.
MORE_COLOURS = 0.45


def more_colours(seed: int, i: int, colour: str, sizes: list, category: Category) -> list[str]:
    """The colours product `i` comes in besides `colour`, drawn from a stream of their own, so
    every other value of the product (name, sizes, prices, stock, brand) is as it always was."""
    rng = random.Random(f"{seed}:colours:{i}")
    if not (sizes or category.slug == "bags") or rng.random() >= MORE_COLOURS:
        return []
    others = [name for name, _ in COLOURS if name != colour]
    return rng.sample(others, rng.choice((1, 1, 2)))


def picture_views(
    i: int, noun: str, colour: str, material: str, count: int | None = None
) -> list[tuple[str, str, str, str]]:
    """Product `i`'s pictures, two to four (or `count`), as (picture name, noun, colour, material),
    front first.

    Names say what they show, so products of the same noun and colour share them.
    """
    views = []
    for view in demo_pictures.VIEWS[: count or (2, 3, 3, 4)[i % 4]]:
        subject = material if view == "swatch" else noun
        name = f"products/demo/{slugify(subject)}-{slugify(colour)}-{view}.jpg"
        views.append((name, noun, colour, material))
    return views


def pictures_of(product, name: str, colours, views, renditions) -> list[ProductImage]:
    """The product's pictures, front first; with several colours each belongs to the variants
    of its own colour."""
    pictures = []
    for position, (picture, _noun, colour, _material) in enumerate(views):
        view = picture.rsplit("-", 1)[1].split(".")[0]
        pictures.append(
            ProductImage(
                product=product,
                image=picture,
                alt=f"{name} in {colour.lower()}{demo_pictures.VIEW_WORDS[view]}",
                width=demo_pictures.SIZE,
                height=demo_pictures.SIZE,
                position=position,
                is_primary=position == 0,
                options={"colour": colour} if len(colours) > 1 else {},
                renditions=renditions[picture],
            )
        )
    return pictures


class Command(BaseCommand):
    help = "Seed the demo catalog (idempotent): categories, products, variants, images, stock."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=240, help="How many products.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")

    def handle(self, *args, products: int, seed: int, verbosity: int, **options):
        if not 0 <= products <= 200_000:
            raise CommandError("--products must be between 0 and 200000.")
        started = time.monotonic()
        self.seed = seed
        self.quiet = verbosity == 0
        with transaction.atomic():
            leaves = self.ensure_categories()
            warehouses = self.ensure_warehouses()
            values = self.ensure_attributes()
            self.ensure_checkout_options()
        self.say(f"Seeding the demo catalog ({products} products)...")
        created = self.ensure_products(products, seed, leaves, warehouses, values)
        self.say("Seeding the homepage, pages and search...")
        homepage = demo_homepage.ensure_demo_homepage()  # Homepage and CMS pages (issue 5).
        search = demo_search.ensure_demo_search()  # Search documents and synonyms (issue 13).
        cache_invalidation.catalog_changed()  # bulk inserts send no signals
        if not self.quiet:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Catalog ready: {created} products created, "
                    f"{Product.objects.count()} in all ({time.monotonic() - started:.1f}s)."
                )
            )
            self.stdout.write(self.style.SUCCESS(homepage))
            self.stdout.write(self.style.SUCCESS(search))

    def say(self, line: str) -> None:
        """A progress line, so a first `make run` never sits silent (not with -v 0)."""
        if not self.quiet:
            self.stdout.write(line)
            self.stdout.flush()

    # Reference data -----------------------------------------------------------------------

    def ensure_categories(self) -> list[tuple[Category, tuple]]:
        leaves = []

        def walk(subtree: dict, parent: Category | None):
            for position, (name, child) in enumerate(subtree.items()):
                category, _ = Category.objects.update_or_create(
                    slug=slugify(name),
                    defaults={
                        "name": name,
                        "parent": parent,
                        "position": position,
                        "description": f"{name} from independent makers, in stock now.",
                    },
                )
                if isinstance(child, dict):
                    walk(child, category)
                else:
                    leaves.append((category, child))

        walk(TREE, None)
        return leaves

    def ensure_warehouses(self) -> list[Warehouse]:
        return [
            Warehouse.objects.update_or_create(code=code, defaults={"name": name, "city": city})[0]
            for name, code, city in WAREHOUSES
        ]

    def ensure_attributes(self) -> dict[str, list[AttributeValue]]:
        result = {}
        for position, (name, labels) in enumerate(
            [("Colour", [c for c, _ in COLOURS]), ("Material", MATERIALS), ("Brand", BRANDS)]
        ):
            definition, _ = AttributeDefinition.objects.update_or_create(
                slug=slugify(name), defaults={"name": name, "position": position, "is_facet": True}
            )
            result[definition.slug] = [
                AttributeValue.objects.update_or_create(
                    definition=definition,
                    slug=slugify(label),
                    defaults={"label": label, "position": i},
                )[0]
                for i, label in enumerate(labels)
            ]
        return result

    def ensure_pictures(self, wanted: set[tuple[str, str, str, str]]) -> dict[str, dict]:
        """Draw the missing pictures and their renditions; {picture name: renditions}.

        `wanted` holds (picture name, noun, colour, material) tuples. Pictures are shared by
        every product of that noun and colour, so a file drawn once is never drawn again.
        Encoding dominates and Pillow releases the GIL while it encodes, hence the threads.
        """
        rgb = dict(COLOURS)

        def ensure(item: tuple[str, str, str, str]) -> tuple[str, dict]:
            name, noun, colour, material = item
            picture = None
            if not default_storage.exists(name):
                view = name.rsplit("-", 1)[1].split(".")[0]
                picture = demo_pictures.draw(
                    kind=noun, rgb=rgb[colour], view=view, material=material
                )
                buffer = io.BytesIO()
                picture.save(buffer, "JPEG", quality=86)
                default_storage.save(name, ContentFile(buffer.getvalue()))
            return name, image_service.write_renditions(name=name, picture=picture)

        unique = {item[0]: item for item in sorted(wanted)}  # a swatch serves many nouns
        missing = sum(not default_storage.exists(name) for name in unique)
        if missing:
            self.say(f"Drawing {missing} product pictures and their renditions (once)...")
        made = {}
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            for done, (name, renditions) in enumerate(pool.map(ensure, unique.values()), 1):
                made[name] = renditions
                if missing and (done % 100 == 0 or done == len(unique)):
                    self.say(f"  {done} of {len(unique)} pictures ready")
        return made

    def ensure_checkout_options(self) -> None:
        """Delivery options and demo coupons (left alone if a merchandiser changed them)."""
        for position, (code, name, description, price) in enumerate(SHIPPING):
            ShippingMethod.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "description": description,
                    "price": Decimal(price),
                    "position": position,
                },
            )
        now = timezone.now()
        for code, kind, value, minimum, description in COUPONS:
            Coupon.objects.get_or_create(
                code=code,
                defaults={
                    "kind": kind,
                    "value": Decimal(value),
                    "min_subtotal": Decimal(minimum),
                    "description": description,
                    "valid_until": now - timedelta(days=1) if code == "SUMMER24" else None,
                },
            )

    # Products -----------------------------------------------------------------------------

    def ensure_products(self, count, seed, leaves, warehouses, values) -> int:
        existing = set(Product.objects.values_list("slug", flat=True))
        now = timezone.now()
        plans = []
        for i in range(1, count + 1):
            rng = random.Random(seed * 1_000_003 + i)
            category, (nouns, sizes, (low, high)) = leaves[rng.randrange(len(leaves))]
            colour = rng.choice(COLOURS)[0]
            material = rng.choice(MATERIALS)
            adjective, noun = rng.choice(ADJECTIVES), rng.choice(nouns)
            name = f"{adjective} {material} {noun}"
            if category.parent and category.parent.slug == "home" and material in {"Leather"}:
                material = "Cotton"
            slug = slugify(f"{name}-{i}")
            if slug in existing:
                continue
            views = picture_views(i, noun, colour, material)
            extra = more_colours(seed, i, colour, sizes, category)
            for other in extra:
                views += picture_views(i, noun, other, material, count=2)
            colours = [colour, *extra]
            plans.append((i, rng, slug, name, category, colours, material, sizes, low, high, views))

        renditions = self.ensure_pictures(
            {(picture, noun, colour, material) for *_, views in plans for picture, noun, colour,
             material in views}
        )  # fmt: skip

        created = 0
        total = len(plans)
        for start in range(0, total, BATCH):
            chunk = plans[start : start + BATCH]
            with transaction.atomic():
                created += self.create_chunk(chunk, now, warehouses, values, renditions)
            self.progress(min(start + BATCH, total), total)
        if total and not self.quiet and sys.stdout.isatty():
            self.stdout.write("")
        return created

    def create_chunk(self, chunk, now, warehouses, values, renditions) -> int:
        products = []
        for i, rng, slug, name, category, colours, material, *_ in chunk:
            colour, also = colours[0], colours[1:]
            products.append(
                Product(
                    name=name,
                    slug=slug,
                    category=category,
                    description=(
                        f"The {name.lower()} in {colour.lower()}, made from "
                        f"{material.lower()} by {rng.choice(BRANDS)}. Designed to last, "
                        "easy to care for, and shipped from our own warehouses."
                        + (f" Also in {' and '.join(c.lower() for c in also)}." if also else "")
                    ),
                    status=(
                        Product.Status.DRAFT if rng.random() < 0.03 else Product.Status.PUBLISHED
                    ),
                    published_at=now - timedelta(days=400),
                    created=now - timedelta(minutes=i * 37 % (60 * 24 * 365), seconds=i),
                )
            )
        Product.objects.bulk_create(products, batch_size=BATCH)
        by_slug = {p.slug: p for p in products}
        if any(p.pk is None for p in products):  # Backends without RETURNING.
            by_slug = Product.objects.in_bulk([p.slug for p in products], field_name="slug")

        variants, pictures, attributes = [], [], []
        value_by = {key: {v.label: v for v in vals} for key, vals in values.items()}
        for i, rng, slug, name, _category, colours, material, sizes, low, high, views in chunk:
            product = by_slug[slug]
            warehouse = warehouses[i % len(warehouses)]
            variants += self.variants_of(i, rng, product, colours, sizes, (low, high), warehouse)
            pictures += pictures_of(product, name, colours, views, renditions)
            brand = rng.choice(BRANDS)
            labels = [("colour", c) for c in colours] + [("material", material), ("brand", brand)]
            for key, label in labels:
                value = value_by[key][label]
                attributes.append(
                    ProductAttribute(
                        product=product, value=value, definition_id=value.definition_id
                    )
                )
        Variant.objects.bulk_create(variants, batch_size=BATCH)
        # bulk_create sends no post_save, whose receiver keeps the product's price range current.
        Product.objects.filter(pk__in=[p.pk for p in by_slug.values()]).refresh_price_range()
        ProductImage.objects.bulk_create(pictures, batch_size=BATCH)
        ProductAttribute.objects.bulk_create(attributes, batch_size=BATCH)
        return len(products)

    def variants_of(self, i, rng, product, colours, sizes, price_range, warehouse) -> list[Variant]:
        """Product `i`'s variants: one per colour and size, priced around its range, with stock
        drawn from the product's random stream (the same draws, in the same order, as ever)."""
        low, high = price_range
        base = Decimal(rng.randrange(low * 100, high * 100 + 1, 50)) / 100
        if base < Decimal("1"):
            base = Decimal("1.00")
        roll = rng.random()
        option_sizes = sizes[: rng.randint(max(1, len(sizes) - 2), len(sizes))] if sizes else [""]
        # The first colour draws its stock from the product's stream (as it always did), the
        # others from their own; a sold-out product is sold out in every colour.
        stock_rngs = [rng, *(random.Random(f"{self.seed}:stock:{i}:{c}") for c in colours[1:])]
        variants: list[Variant] = []
        for colour, stock_rng in zip(colours, stock_rngs, strict=True):
            for size in option_sizes:
                if roll < 0.08:
                    stock = 0  # sold out
                elif roll < 0.22:
                    stock = stock_rng.randint(0, 3)  # low stock
                else:
                    stock = stock_rng.randint(4, 60)
                price = base + (Decimal("5.00") if size in {"XL", "King", "11", "36"} else 0)
                variants.append(
                    Variant(
                        product=product,
                        sku=f"SF-{i:06d}-{len(variants) + 1}",
                        name=f"{size} / {colour}" if size else colour,
                        options={"size": size, "colour": colour} if size else {"colour": colour},
                        price=price.quantize(Decimal("0.01")),
                        stock=stock,
                        warehouse=warehouse,
                        position=len(variants),
                    )
                )
        return variants

    def progress(self, done: int, total: int) -> None:
        if self.quiet or not sys.stdout.isatty():
            return
        width = 30
        filled = width * done // max(total, 1)
        self.stdout.write(
            f"\rSeeding products [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=""
        )
        self.stdout.flush()
