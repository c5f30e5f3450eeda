"""Demo illustrations (contrast, every product type drawn) and product image renditions."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from shop.management import demo_pictures
from shop.management.commands.seed_demo import COLOURS, TREE
from shop.models import Product, ProductImage
from shop.services import images as image_service


def all_nouns(tree=TREE) -> list[str]:
    nouns = []
    for child in tree.values():
        nouns += all_nouns(child) if isinstance(child, dict) else child[0]
    return nouns


@pytest.mark.parametrize(("colour", "rgb"), COLOURS)
def test_every_colour_stands_out_from_its_backdrop(colour, rgb):
    assert demo_pictures.contrast(rgb, demo_pictures.backdrop(rgb)) >= 1.8, colour


def test_white_is_never_drawn_on_cream():
    assert demo_pictures.backdrop(dict(COLOURS)["White"]) != demo_pictures.CREAM


@pytest.mark.parametrize("noun", all_nouns())
def test_every_product_type_has_a_drawing_in_the_products_colour(noun):
    rgb = dict(COLOURS)["White"]
    picture = demo_pictures.draw(kind=noun, rgb=rgb, view="front")
    assert picture.size == (demo_pictures.SIZE, demo_pictures.SIZE)
    colours = {colour for _, colour in picture.getcolors(maxcolors=1 << 20)}
    assert rgb in colours and demo_pictures.backdrop(rgb) in colours


@pytest.mark.django_db
def test_renditions_are_written_once_and_named_on_the_row():
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 30)).save(buffer, "PNG")
    name = default_storage.save("products/test-renditions.png", ContentFile(buffer.getvalue()))
    made = image_service.write_renditions(name=name)
    assert made["widths"] == [320, 640] and "webp" in made["formats"]
    stem = name.rsplit(".", 1)[0]
    for fmt in made["formats"]:
        assert default_storage.exists(f"{stem}-320w.{fmt}")
    assert image_service.write_renditions(name=name) == made  # a second run writes nothing new

    image = ProductImage(image=name, alt="A mug", renditions=made)
    sources = image.sources
    assert sources[-1]["type"] == "image/webp"
    assert sources[-1]["srcset"] == f"/media/{stem}-320w.webp 320w, /media/{stem}-640w.webp 640w"
    image.renditions = {**made, "of": "products/another.png"}
    assert image.sources == []  # renditions of another file are never offered


@pytest.mark.django_db
def test_a_missing_file_gets_no_renditions():
    assert image_service.write_renditions(name="products/not-there.png") == {}


@pytest.mark.django_db
def test_seeded_products_have_two_to_four_pictures_of_each_colour_with_renditions():
    call_command("seed_demo", "--products", "8", verbosity=0)
    several = 0
    for product in Product.objects.prefetch_related("images", "variants"):
        images = list(product.images.all())
        assert images[0].is_primary and images[0].alt.startswith(product.name)
        assert all(image.sources for image in images)
        colours = list(dict.fromkeys(v.options["colour"] for v in product.variants.all()))
        if len(colours) == 1:
            assert 2 <= len(images) <= 4 and not any(image.options for image in images)
            continue
        several += 1
        for colour in colours:  # each colour's variants have pictures of their own
            own = [image for image in images if image.shows({"colour": colour})]
            assert 2 <= len(own) <= 4
            assert all(image.alt.startswith(f"{product.name} in {colour.lower()}") for image in own)
    assert several, "some demo products come in several colours"


@pytest.mark.django_db
def test_an_image_saved_in_the_admin_gets_renditions_once_saved(django_capture_on_commit_callbacks):
    from tests.factories import ProductFactory

    buffer = io.BytesIO()
    Image.new("RGB", (800, 800), (30, 30, 200)).save(buffer, "JPEG")
    name = default_storage.save("products/upload.jpg", ContentFile(buffer.getvalue()))
    with django_capture_on_commit_callbacks(execute=True):
        image = ProductImage.objects.create(product=ProductFactory(), image=name, alt="Blue")
    image.refresh_from_db()
    assert image.renditions["of"] == image.image.name
    assert [s["srcset"].count("w,") for s in image.sources] == [1] * len(image.sources)


@pytest.mark.django_db
def test_a_first_seed_says_what_it_is_doing_while_it_draws_the_pictures(settings, tmp_path):
    """`make run`'s first 40 s are mostly drawing: the seed says so, and counts them."""
    settings.MEDIA_ROOT = tmp_path / "fresh-media"  # no picture drawn yet
    out = io.StringIO()
    call_command("seed_demo", "--products", "3", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Seeding the demo catalog (3 products)..."
    drawing = next(line for line in lines if line.startswith("Drawing "))
    total = int(drawing.split()[1])
    assert f"  {total} of {total} pictures ready" in lines
    assert lines.index(drawing) < lines.index("Seeding the homepage, pages and search...")
    again = io.StringIO()
    call_command("seed_demo", "--products", "3", stdout=again)
    assert not any(line.startswith("Drawing ") for line in again.getvalue().splitlines())
