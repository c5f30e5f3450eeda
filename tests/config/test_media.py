"""config.media: the demo's media view, with far-future caching for renditions."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_a_rendition_is_cached_for_a_year_as_immutable_and_an_original_for_a_day(settings):
    folder = settings.MEDIA_ROOT / "products" / "cache-test"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mug-640w.webp").write_bytes(b"RIFF....WEBP")
    (folder / "mug.jpg").write_bytes(b"\xff\xd8\xff")
    client = Client()

    rendition = client.get("/media/products/cache-test/mug-640w.webp")
    assert rendition.status_code == 200
    assert rendition["Cache-Control"] == "public, max-age=31536000, immutable"
    original = client.get("/media/products/cache-test/mug.jpg")
    assert original.status_code == 200
    assert original["Cache-Control"] == "public, max-age=86400"
    assert client.get("/media/products/cache-test/none-640w.webp").status_code == 404
    assert client.get("/media/../config/settings.py").status_code in {400, 404}
