"""Renditions of product images: smaller WebP and AVIF copies for `<picture>` srcsets.

`write_renditions` writes them for a stored file (the seed calls it once per shared demo
picture); `add_renditions` does it for a saved ProductImage (after the admin saves one) and
records what it wrote on the row, which is all a page needs to build the URLs.
"""

import io
import logging
from functools import cache

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from PIL import Image, UnidentifiedImageError, features

from shop import cache_invalidation
from shop.models import ProductImage
from shop.models.catalog import RENDITION_WIDTHS, rendition_name

logger = logging.getLogger(__name__)

# Encoder settings: quick enough to seed hundreds of pictures, small enough to serve.
ENCODERS = {
    "avif": ("AVIF", {"quality": 55, "speed": 10}),
    "webp": ("WEBP", {"quality": 80, "method": 1}),
}


@cache
def formats() -> tuple[str, ...]:
    """The rendition formats this Pillow build can write: AVIF when it has the codec, and WebP."""
    return tuple(fmt for fmt in ENCODERS if features.check(fmt))


def write_renditions(
    *, name: str, storage: Storage = default_storage, picture: Image.Image | None = None
) -> dict:
    """Write the renditions of the stored image `name` that are missing; returns what exists.

    `picture` is the image itself when the caller has it (saves decoding the file again).
    Widths wider than the original are left out (never upscaled). Returns
    {"of": name, "widths": [...], "formats": [...]}, or {} when the file is missing or is not
    an image (logged).
    """
    if picture is None:
        try:
            with storage.open(name) as file, Image.open(file) as original:
                original.load()
        except (FileNotFoundError, UnidentifiedImageError, OSError):
            logger.warning("No renditions for %s: missing or not an image", name)
            return {}
        picture = original
    source = picture.convert("RGB")
    widths = [w for w in RENDITION_WIDTHS if w <= source.width] or [source.width]
    for width in widths:
        height = round(source.height * width / source.width)
        if width == source.width:
            sized = source
        elif source.width % width == 0 and source.height % (source.width // width) == 0:
            sized = source.reduce(source.width // width)  # exact: a quick box filter
        else:
            sized = source.resize((width, height), Image.Resampling.LANCZOS)
        for fmt in formats():
            target = rendition_name(name, width, fmt)
            if storage.exists(target):
                continue
            encoder, options = ENCODERS[fmt]
            buffer = io.BytesIO()
            sized.save(buffer, encoder, **options)
            storage.save(target, ContentFile(buffer.getvalue()))
    return {"of": name, "widths": widths, "formats": list(formats())}


def add_renditions(*, image_id: int) -> None:
    """Write the renditions of ProductImage `image_id` and record them on its row.

    Does nothing when the row is gone or its renditions are current; pages that cached the
    image without them are invalidated.
    """
    image = ProductImage.objects.filter(pk=image_id).first()
    if image is None or not image.image or image.renditions.get("of") == image.image.name:
        return
    made = write_renditions(name=str(image.image.name), storage=image.image.storage)
    if made:
        ProductImage.objects.filter(pk=image_id, image=image.image.name).update(renditions=made)
        cache_invalidation.catalog_changed()
