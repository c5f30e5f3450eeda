"""Product illustrations for `manage.py seed_demo`: flat drawings of each product type, in colour.

A picture depends only on what it shows: the product type (the noun in the product's name, such
as "Mug" or "Chelsea Boots"), the colour and the view (front, back, a close-up, a swatch of the
material). Products share pictures, so 240 products need a few hundred files, each drawn once:
`draw` is pure and the seed skips files that already exist.

Drawings are made at twice the size and halved, which smooths their edges. Each colour sits on a
backdrop it contrasts with (a light garment on a dark backdrop, never off-white on cream).
"""

import random
from collections.abc import Callable, Sequence

from PIL import Image, ImageDraw

SIZE = 640  # the stored picture: square, SIZE pixels a side
SCALE = 2  # drawn at SIZE * SCALE, then halved
CREAM = (244, 239, 230)
SLATE = (58, 74, 82)
VIEWS = ("front", "swatch", "back", "detail")
VIEW_WORDS = {
    "front": "",
    "back": ", from the back",
    "detail": ", close-up",
    "swatch": ", the material close up",
}

RGB = tuple[int, int, int]
Point = tuple[float, float]


def _luminance(rgb: RGB) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def backdrop(rgb: RGB) -> RGB:
    """Cream behind dark and mid colours; slate behind light ones (white, yellow)."""
    return CREAM if contrast(rgb, CREAM) >= 1.8 else SLATE


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


class Pen:
    """Draws in a 0..100 coordinate square onto the big canvas, in the product's colour."""

    def __init__(self, image: Image.Image, rgb: RGB, back: bool):
        self.draw = ImageDraw.Draw(image)
        self.unit = image.width / 100
        self.rgb = rgb
        self.back = back
        dark = _luminance(rgb) < 0.05
        self.shade = _mix(rgb, (255, 255, 255), 0.22) if dark else _mix(rgb, (0, 0, 0), 0.18)
        self.line = _mix(rgb, (255, 255, 255), 0.45) if dark else _mix(rgb, (0, 0, 0), 0.45)
        self.width = max(2, round(0.6 * self.unit))

    def _xy(self, points: Sequence[Point]) -> list[tuple[float, float]]:
        return [(x * self.unit, y * self.unit) for x, y in points]

    def poly(self, points: list[Point], fill: RGB | None = None) -> None:
        self.draw.polygon(
            self._xy(points), fill=fill or self.rgb, outline=self.line, width=self.width
        )

    def box(self, x0: float, y0: float, x1: float, y1: float, fill=None, radius=0.0) -> None:
        self.draw.rounded_rectangle(
            self._xy([(x0, y0), (x1, y1)]),
            radius=radius * self.unit,
            fill=fill or self.rgb,
            outline=self.line,
            width=self.width,
        )

    def oval(self, x0: float, y0: float, x1: float, y1: float, fill=None) -> None:
        self.draw.ellipse(
            self._xy([(x0, y0), (x1, y1)]), fill=fill or self.rgb, outline=self.line,
            width=self.width,
        )  # fmt: skip

    def stroke(self, points: list[Point], width: float = 0.6, fill: RGB | None = None) -> None:
        self.draw.line(self._xy(points), fill=fill or self.line, width=round(width * self.unit))

    def dots(self, points: Sequence[Point], r: float = 1.0, fill: RGB | None = None) -> None:
        for x, y in points:
            self.oval(x - r, y - r, x + r, y + r, fill=fill or self.shade)


# Garments ----------------------------------------------------------------------------------


def _top(p: Pen, *, sleeve: str, length: float = 80, collar: str = "crew", opening: str = ""):
    """A top seen flat: body, sleeves (none/short/long), a collar and an optional opening."""
    shoulder, hem = 26, length
    if sleeve == "long":
        p.poly([(30, shoulder), (14, 34), (6, 74), (15, 76), (24, 46), (30, 50)])
        p.poly([(70, shoulder), (86, 34), (94, 74), (85, 76), (76, 46), (70, 50)])
        p.box(5, 70, 16, 76, fill=p.shade)
        p.box(84, 70, 95, 76, fill=p.shade)
    elif sleeve == "short":
        p.poly([(30, shoulder), (12, 36), (18, 48), (31, 42)])
        p.poly([(70, shoulder), (88, 36), (82, 48), (69, 42)])
    armhole = 44 if sleeve == "none" else 40
    p.poly([(30, shoulder), (40, 20), (60, 20), (70, shoulder), (72, armhole), (71, hem),
            (29, hem), (28, armhole)])  # fmt: skip
    if p.back:
        p.stroke([(30, 30), (70, 30)], width=0.4)  # the yoke seam
        p.oval(43, 18, 57, 23, fill=p.shade)
        return
    if collar == "crew":
        p.oval(41, 17, 59, 28, fill=p.shade)
    elif collar == "v":
        p.poly([(40, 20), (50, 42), (60, 20)], fill=p.shade)
    elif collar == "shirt":
        p.poly([(40, 20), (50, 30), (43, 34)], fill=p.shade)
        p.poly([(60, 20), (50, 30), (57, 34)], fill=p.shade)
    elif collar == "lapel":
        p.poly([(40, 20), (50, 46), (38, 36)], fill=p.shade)
        p.poly([(60, 20), (50, 46), (62, 36)], fill=p.shade)
    elif collar == "hood":
        p.poly([(38, 22), (40, 10), (60, 10), (62, 22), (50, 30)], fill=p.shade)
    if opening == "buttons":
        p.stroke([(50, 30), (50, hem)], width=0.4)
        p.dots([(52.5, y) for y in range(36, int(hem) - 2, 9)], r=1.1)
    elif opening == "zip":
        p.stroke([(50, 24), (50, hem)], width=1.0)
        p.box(48.5, 26, 51.5, 30, fill=p.line)
    elif opening == "double":
        p.dots([(44, y) for y in (46, 56, 66)] + [(56, y) for y in (46, 56, 66)], r=1.4)
    if sleeve != "none" and length <= 82:
        p.box(29, hem - 5, 71, hem, fill=p.shade)


def _knit(p: Pen, *, opening: str = "") -> None:
    _top(p, sleeve="long", length=78, collar="v" if opening else "crew", opening=opening)
    for x in range(32, 70, 4):  # ribbing at the hem
        p.stroke([(x, 74), (x, 78)], width=0.3)


def _trousers(p: Pen, *, cuffs: bool = False, stitching: bool = False) -> None:
    p.poly([(30, 14), (70, 14), (74, 88), (56, 88), (50, 36), (44, 88), (26, 88)])
    p.box(30, 12, 70, 19, fill=p.shade)
    if cuffs:
        p.box(26, 84, 44, 90, fill=p.shade)
        p.box(56, 84, 74, 90, fill=p.shade)
    if p.back:
        p.box(34, 24, 44, 33, fill=p.shade, radius=1)
        p.box(56, 24, 66, 33, fill=p.shade, radius=1)
        return
    p.stroke([(50, 19), (50, 34)], width=0.5)
    p.stroke([(32, 20), (38, 30)], width=0.5)
    p.stroke([(68, 20), (62, 30)], width=0.5)
    if stitching:
        light = _mix(p.rgb, (240, 200, 120), 0.6)
        p.stroke([(30, 22), (70, 22)], width=0.35, fill=light)
        p.stroke([(38, 30), (36, 86)], width=0.35, fill=light)
        p.stroke([(62, 30), (64, 86)], width=0.35, fill=light)


def _shoe(p: Pen, *, shaft: float = 0, laces: bool = True, panel: bool = False) -> None:
    """A shoe from the side: a sole, the upper, laces; `shaft` raises the ankle (boots)."""
    top = 46 - shaft
    sole = (236, 233, 226) if _luminance(p.rgb) < 0.4 else (46, 46, 46)
    p.poly([(18, top), (40, top), (46, 52), (76, 58), (86, 66), (86, 72), (14, 72), (14, 56)])
    p.box(12, 70, 88, 78, fill=sole, radius=3)
    if panel:
        p.poly([(20, top + 4), (32, top + 4), (30, 62), (22, 62)], fill=p.shade)
    if laces and not p.back:
        for i in range(4 + int(shaft // 8)):
            y = top + 6 + i * 4
            p.stroke([(38 + i * 1.5, y), (46 + i * 1.5, y + 2)], width=0.6)
    if not shaft:
        p.poly([(44, 62), (70, 60), (78, 66), (50, 68)], fill=p.shade)


# Home and outdoor --------------------------------------------------------------------------


def _mug(p: Pen) -> None:
    side = 30 if p.back else 70
    p.oval(side - 8, 40, side + 14, 66, fill=p.shade) if not p.back else p.oval(
        side - 14, 40, side + 8, 66, fill=p.shade
    )
    p.box(28, 30, 72, 82, radius=4)
    p.oval(28, 25, 72, 35, fill=p.shade)
    if not p.back:
        p.stroke([(34, 50), (66, 50)], width=0.4)


def _jug(p: Pen) -> None:
    p.poly([(34, 24), (62, 24), (70, 16), (68, 30), (72, 84), (28, 84)])
    p.poly([(70, 36), (84, 44), (82, 66), (70, 72), (72, 64), (77, 56), (72, 44)], fill=p.shade)


def _bowls(p: Pen) -> None:
    for i, (w, y) in enumerate(((40, 72), (32, 56), (24, 42))):
        p.poly(
            [(50 - w, y - 6), (50 + w, y - 6), (50 + w * 0.6, y + 10), (50 - w * 0.6, y + 10)],
            fill=p.rgb if i % 2 == 0 else p.shade,
        )


def _towel(p: Pen) -> None:
    p.box(46, 8, 54, 16, fill=p.shade, radius=3)
    p.box(26, 14, 74, 88, fill=(236, 233, 226) if _luminance(p.rgb) < 0.5 else (60, 60, 60))
    for y in (20, 26, 76, 82):
        p.box(26, y, 74, y + 3)


def _duvet(p: Pen) -> None:
    for i, y in enumerate((62, 46, 30)):
        p.box(14 + i * 2, y, 86 - i * 2, y + 18, fill=p.rgb if i % 2 == 0 else p.shade, radius=3)


def _pillows(p: Pen) -> None:
    p.box(10, 38, 62, 74, fill=p.shade, radius=8)
    p.box(36, 28, 90, 64, radius=8)
    if not p.back:
        p.stroke([(40, 34), (86, 34)], width=0.4)


def _throw(p: Pen) -> None:
    p.box(16, 30, 84, 76, radius=2)
    for x in (30, 50, 70):
        p.stroke([(x, 30), (x, 76)], width=1.4, fill=p.shade)
    for y in (44, 62):
        p.stroke([(16, y), (84, y)], width=1.4, fill=p.shade)
    for x in range(18, 84, 4):
        p.stroke([(x, 76), (x, 82)], width=0.5)


def _lamp(p: Pen, kind: str) -> None:
    metal = (120, 104, 74)
    if kind == "pendant":
        p.stroke([(50, 0), (50, 38)], width=0.6, fill=(40, 40, 40))
        p.poly([(50, 36), (78, 64), (22, 64)])
        p.oval(40, 60, 60, 70, fill=(250, 226, 150))
        return
    if kind == "reading":
        p.box(30, 82, 62, 88, fill=metal, radius=2)
        p.stroke([(46, 84), (40, 44), (62, 26)], width=1.6, fill=metal)
        p.poly([(56, 20), (76, 30), (70, 44), (54, 32)])
        return
    p.poly([(30, 20), (70, 20), (80, 54), (20, 54)])
    p.stroke([(50, 54), (50, 78)], width=1.6, fill=metal)
    p.box(36, 78, 64, 86, fill=metal, radius=2)


def _tent(p: Pen) -> None:
    p.poly([(50, 18), (90, 80), (10, 80)])
    p.poly([(50, 18), (62, 80), (38, 80)], fill=p.shade)
    p.stroke([(50, 10), (50, 18)], width=0.8)


def _sleeping_bag(p: Pen) -> None:
    p.box(18, 28, 82, 74, radius=22)
    p.oval(36, 36, 64, 66, fill=p.shade)
    p.oval(44, 44, 56, 58, fill=p.rgb)


def _stool(p: Pen) -> None:
    wood = (150, 110, 70)
    p.stroke([(30, 86), (70, 40)], width=2.2, fill=wood)
    p.stroke([(70, 86), (30, 40)], width=2.2, fill=wood)
    p.box(24, 34, 76, 42, radius=3)


def _backpack(p: Pen) -> None:
    p.box(26, 20, 74, 86, radius=14)
    p.box(46, 12, 54, 22, fill=p.shade, radius=3)
    if p.back:
        p.box(32, 26, 40, 80, fill=p.shade, radius=3)
        p.box(60, 26, 68, 80, fill=p.shade, radius=3)
    else:
        p.box(32, 50, 68, 80, fill=p.shade, radius=6)
        p.stroke([(34, 56), (66, 56)], width=0.5)


def _tote(p: Pen) -> None:
    p.stroke([(36, 36), (38, 12), (50, 10), (62, 12), (64, 36)], width=1.6)
    p.poly([(22, 34), (78, 34), (82, 88), (18, 88)])
    if not p.back:
        p.box(38, 52, 62, 70, fill=p.shade, radius=2)


def _duffel(p: Pen) -> None:
    p.stroke([(36, 46), (42, 24), (58, 24), (64, 46)], width=1.6)
    p.box(12, 40, 88, 80, radius=18)
    p.oval(8, 42, 22, 78, fill=p.shade)
    p.oval(78, 42, 92, 78, fill=p.shade)
    p.stroke([(22, 46), (78, 46)], width=0.8)


DRAWINGS: dict[str, Callable[[Pen], None]] = {
    "T-shirt": lambda p: _top(p, sleeve="short"),
    "Tee": lambda p: _top(p, sleeve="short", collar="v"),
    "Vest": lambda p: _top(p, sleeve="none"),
    "Shirt": lambda p: _top(p, sleeve="long", length=84, collar="shirt", opening="buttons"),
    "Overshirt": lambda p: _top(p, sleeve="long", length=86, collar="shirt", opening="buttons"),
    "Blouse": lambda p: _top(p, sleeve="long", length=80, collar="v", opening="buttons"),
    "Jumper": lambda p: _knit(p),
    "Sweater": lambda p: _knit(p),
    "Cardigan": lambda p: _knit(p, opening="buttons"),
    "Jacket": lambda p: _top(p, sleeve="long", length=82, collar="shirt", opening="zip"),
    "Bomber": lambda p: _top(p, sleeve="long", length=76, collar="crew", opening="zip"),
    "Gilet": lambda p: _top(p, sleeve="none", length=80, collar="crew", opening="zip"),
    "Coat": lambda p: _top(p, sleeve="long", length=94, collar="lapel", opening="double"),
    "Parka": lambda p: _top(p, sleeve="long", length=92, collar="hood", opening="zip"),
    "Mac": lambda p: _top(p, sleeve="long", length=96, collar="lapel", opening="buttons"),
    "Chinos": lambda p: _trousers(p),
    "Jeans": lambda p: _trousers(p, stitching=True),
    "Trousers": lambda p: _trousers(p),
    "Joggers": lambda p: _trousers(p, cuffs=True),
    "Trainers": lambda p: _shoe(p),
    "Runners": lambda p: _shoe(p),
    "Sneakers": lambda p: _shoe(p),
    "Boots": lambda p: _shoe(p, shaft=20),
    "Chelsea Boots": lambda p: _shoe(p, shaft=18, laces=False, panel=True),
    "Hikers": lambda p: _shoe(p, shaft=14),
    "Mug": _mug,
    "Jug": _jug,
    "Bowl Set": _bowls,
    "Tea Towel": _towel,
    "Duvet Cover": _duvet,
    "Pillowcase Pair": _pillows,
    "Throw": _throw,
    "Table Lamp": lambda p: _lamp(p, "table"),
    "Pendant": lambda p: _lamp(p, "pendant"),
    "Reading Light": lambda p: _lamp(p, "reading"),
    "Tent": _tent,
    "Sleeping Bag": _sleeping_bag,
    "Camp Stool": _stool,
    "Backpack": _backpack,
    "Tote": _tote,
    "Duffel": _duffel,
}


def _swatch(image: Image.Image, rgb: RGB, material: str) -> None:
    """The material close up: a weave, a knit, a grain or a glaze in the product's colour."""
    pen = Pen(image, rgb, back=False)
    pen.draw.rectangle([0, 0, image.width, image.height], fill=rgb)
    rng = random.Random(material)
    if material in {"Wool"}:
        for y in range(0, 100, 6):
            for x in range(0, 100, 6):
                pen.stroke([(x, y), (x + 3, y + 5), (x + 6, y)], width=0.7, fill=pen.shade)
    elif material in {"Leather", "Stoneware"}:
        for _ in range(260):
            spot = (rng.uniform(0, 100), rng.uniform(0, 100))
            pen.dots([spot], r=rng.uniform(0.3, 0.9), fill=pen.shade)
    else:  # woven: cotton, linen, canvas, polyester
        step = 3 if material == "Canvas" else 2
        for i in range(-100, 100, step):
            pen.stroke([(i, 0), (i + 100, 100)], width=0.5, fill=pen.shade)


def draw(*, kind: str, rgb: RGB, view: str, material: str = "Cotton") -> Image.Image:
    """The picture of `kind` (a product noun in DRAWINGS) in `rgb`, seen as `view` (in VIEWS).

    Raises KeyError for an unknown kind or view.
    """
    big = SIZE * SCALE
    if view not in VIEWS:
        raise KeyError(view)
    image = Image.new("RGB", (big, big), backdrop(rgb))
    if view == "swatch":
        _swatch(image, rgb, material)
        return image.reduce(SCALE)
    pen = Pen(image, rgb, back=view == "back")
    floor = _mix(backdrop(rgb), (0, 0, 0), 0.08)
    pen.draw.ellipse(pen._xy([(12, 86), (88, 96)]), fill=floor)
    DRAWINGS[kind](pen)
    if view == "back":
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    elif view == "detail":  # the upper middle, twice as close
        image = image.crop((big // 4, big // 8, big * 3 // 4, big * 5 // 8)).resize((big, big))
    return image.reduce(SCALE)
