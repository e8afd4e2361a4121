"""Drawn face portraits whose apparent age is learnable: the synthetic stand-in for AV's Age Detection images.

A face is drawn from an age and a random generator, so every image is reproducible on its own (the caller
seeds one generator per image) and the set can be drawn in any order or in parallel with the same bytes.

Age shows the way it does in photographs, through several partial cues, none decisive alone:
hair and eyebrows grey (unless dyed), men's hairlines recede, forehead lines, smile lines, crow's feet and
under-eye shadows deepen. Everything else varies independently of age: skin tone, face shape and size,
position, tilt, hair style and colour, beards, glasses, background, lighting, colour cast, sensor noise and
JPEG quality. The cues are driven by an "apparent age" that wanders from the true age, so people near a class
boundary are genuinely ambiguous, as they are in the real data.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

IMAGE_SIZE = 64
# Drawn at four times the size, then shrunk: Pillow draws without anti-aliasing, and fine lines such as
# wrinkles must survive as faint shading rather than vanish or turn into jagged steps.
SUPERSAMPLE = 4
_CANVAS = IMAGE_SIZE * SUPERSAMPLE

# Skin tones from light to deep brown, spanning the range of the actors in AV's dataset.
_SKIN_TONES = np.array(
    [
        (236, 196, 164),
        (224, 172, 135),
        (205, 150, 110),
        (186, 128, 90),
        (160, 106, 72),
        (128, 84, 56),
        (98, 64, 44),
    ],
    dtype=float,
)
_GREY_HAIR = np.array((205, 205, 200), dtype=float)


@dataclass(frozen=True)
class AgeCues:
    """How strongly each sign of age shows, each in 0..1."""

    grey: float
    recession: float
    lines: float


def age_cues(age: float, *, is_man: bool, rng: np.random.Generator) -> AgeCues:
    """Turn an age in years into cue strengths, with person-to-person variation."""
    apparent = age + rng.normal(0, 3.5)
    grey = 1 / (1 + math.exp(-(apparent - 52) / 6)) + rng.normal(0, 0.07)
    if apparent > 40 and rng.random() < 0.2:
        grey *= 0.15  # dyed hair: common among actors, and it hides the strongest cue
    recession = (apparent - 32) / 40 + rng.normal(0, 0.12) if is_man else rng.normal(0, 0.05)
    lines = (apparent - 26) / 45 + rng.normal(0, 0.07)
    return AgeCues(*(float(np.clip(value, 0, 1)) for value in (grey, recession, lines)))


def _mix(colour: np.ndarray, other: np.ndarray, amount: float) -> tuple[int, int, int]:
    mixed = colour * (1 - amount) + other * amount
    return tuple(int(round(channel)) for channel in np.clip(mixed, 0, 255))


def _box(cx: float, cy: float, half_width: float, half_height: float) -> tuple[float, float, float, float]:
    return (cx - half_width, cy - half_height, cx + half_width, cy + half_height)


def draw_face(age: float, rng: np.random.Generator, *, jpeg: bool = True) -> bytes | Image.Image:
    """Draw a 64x64 portrait of a person of `age` years; return JPEG bytes (or the image, to inspect)."""
    s = SUPERSAMPLE
    is_man = bool(rng.random() < 0.6)
    cues = age_cues(age, is_man=is_man, rng=rng)
    skin = _SKIN_TONES[rng.integers(len(_SKIN_TONES))] * rng.uniform(0.93, 1.07, 3)
    hair_base = np.array((25, 20, 18), dtype=float) + rng.uniform(0, 45) * np.array((1.0, 0.7, 0.45))
    hair = np.array(_mix(hair_base, _GREY_HAIR * rng.uniform(0.85, 1.1), cues.grey), dtype=float)

    def dark_skin(amount: float) -> tuple[int, int, int]:
        return _mix(skin, skin * 0.45, amount)

    background = rng.uniform(40, 230, 3)
    canvas = Image.new("RGB", (_CANVAS, _CANVAS), _mix(background, background, 0))
    draw = ImageDraw.Draw(canvas)
    cx = _CANVAS / 2 + rng.normal(0, 3) * s
    cy = _CANVAS / 2 + rng.normal(1.5, 2.5) * s
    half_width = rng.uniform(14, 18.5) * s
    half_height = half_width * rng.uniform(1.2, 1.42)
    top, chin = cy - half_height, cy + half_height

    # Shoulders and neck first, so the head overlaps them.
    clothes = rng.uniform(20, 220, 3)
    draw.ellipse(_box(cx, chin + 15 * s, half_width * 2.2, 12 * s), fill=_mix(clothes, clothes, 0))
    draw.rectangle((cx - half_width * 0.45, cy, cx + half_width * 0.45, chin + 6 * s), fill=dark_skin(0.15))
    long_hair = not is_man and rng.random() < 0.8
    if long_hair:
        draw.ellipse(_box(cx, cy + 4 * s, half_width * 1.3, half_height * 1.15), fill=_mix(hair, hair, 0))
    for side in (-1, 1):
        draw.ellipse(_box(cx + side * half_width, cy, 2.6 * s, 5 * s), fill=dark_skin(0.1))
    draw.ellipse(_box(cx, cy, half_width, half_height), fill=_mix(skin, skin, 0))

    # Hair cap: a slightly larger head outline, down to the hairline in the middle and to the ears at the
    # sides. A receding hairline is a patch of skin growing up from the middle, leaving the horseshoe of hair
    # that bald men keep.
    hairline = top + half_height * (0.42 + rng.normal(0, 0.03))
    receded_to = hairline - half_height * 0.62 * cues.recession
    cap = Image.new("L", canvas.size, 0)
    cap_draw = ImageDraw.Draw(cap)
    cap_draw.ellipse(_box(cx, cy - 1.5 * s, half_width * 1.08, half_height * 1.06), fill=255)
    cap_draw.rectangle((0, cy - 0.05 * half_height, _CANVAS, _CANVAS), fill=0)
    cap_draw.rectangle((cx - 0.8 * half_width, hairline, cx + 0.8 * half_width, _CANVAS), fill=0)
    if cues.recession > 0:
        bald_width = half_width * (0.7 + 0.15 * cues.recession)
        cap_draw.ellipse(_box(cx, hairline, bald_width, hairline - receded_to), fill=0)
    canvas.paste(_mix(hair, hair, 0), mask=cap)

    eye_y = cy - half_height * 0.08
    eye_dx = half_width * 0.42
    brow = _mix(hair_base, _GREY_HAIR, cues.grey * 0.7)
    line_colour = dark_skin(0.25 + 0.45 * cues.lines)
    line_width = max(1, round(s * (0.5 + 0.9 * cues.lines)))
    for side in (-1, 1):
        ex = cx + side * eye_dx
        draw.line((ex - 5 * s, eye_y - 5 * s, ex + 5 * s, eye_y - 5.5 * s), fill=brow, width=int(1.6 * s))
        # Under-eye shadow and crow's feet deepen with the lines cue.
        draw.arc(
            _box(ex, eye_y + 1.8 * s, 4.5 * s, 2.5 * s),
            20,
            160,
            fill=dark_skin(0.15 + 0.4 * cues.lines),
            width=line_width,
        )
        draw.ellipse(_box(ex, eye_y, 4 * s, 2 * s), fill=(235, 232, 225))
        draw.ellipse(_box(ex, eye_y, 1.8 * s, 1.8 * s), fill=(40, 28, 22))
        if cues.lines > 0.3:
            for tilt in (-1, 0, 1)[: 1 + int(cues.lines * 3)]:
                x0 = ex + side * 5 * s
                draw.line(
                    (x0, eye_y + tilt * s, x0 + side * 3.5 * s, eye_y + tilt * 2.5 * s),
                    fill=line_colour,
                    width=line_width,
                )
    # Nose and mouth.
    draw.line((cx, eye_y + 2 * s, cx - 1 * s, eye_y + 10 * s), fill=dark_skin(0.3), width=s)
    draw.arc(_box(cx, eye_y + 10 * s, 3 * s, 1.5 * s), 0, 180, fill=dark_skin(0.4), width=s)
    mouth_y = cy + half_height * 0.5
    lips = _mix(skin * np.array((0.85, 0.55, 0.55)), skin, 0.2)
    mouth_width = rng.uniform(4.5, 7) * s
    draw.chord(_box(cx, mouth_y - 0.5 * s, mouth_width, 2.5 * s), 0, 180, fill=lips)
    # Smile lines from the nose to the mouth corners, and forehead lines, deepen with age.
    for side, start, end in ((-1, 120, 220), (1, -40, 60)):
        draw.arc(
            _box(cx + side * 4 * s, mouth_y - 4 * s, 4 * s, 6 * s),
            start,
            end,
            fill=line_colour,
            width=line_width,
        )
    forehead_span = (receded_to, eye_y - 7 * s)
    for index in range(int(cues.lines * 4.5)):
        y = forehead_span[1] - (index + 1) * 2.6 * s
        if y > forehead_span[0] + s:
            draw.arc(
                _box(cx, y + 6 * s, half_width * 0.55, 6 * s), 230, 310, fill=line_colour, width=line_width
            )

    if is_man and rng.random() < 0.35:  # beard and moustache, greying a little less than the head
        beard = _mix(hair_base, _GREY_HAIR, cues.grey * 0.85)
        draw.chord(
            _box(cx, cy + half_height * 0.35, half_width * 0.98, half_height * 0.66), 10, 170, fill=beard
        )
        draw.chord(_box(cx, mouth_y - 0.5 * s, mouth_width, 2.5 * s), 0, 180, fill=lips)
        draw.rectangle((cx - mouth_width, mouth_y - 4.5 * s, cx + mouth_width, mouth_y - 2 * s), fill=beard)
    if rng.random() < 0.2:
        frame = tuple(int(value) for value in rng.integers(0, 90, 3))
        for side in (-1, 1):
            draw.ellipse(_box(cx + side * eye_dx, eye_y, 5.5 * s, 4.5 * s), outline=frame, width=s)
        draw.line((cx - eye_dx + 5.5 * s, eye_y, cx + eye_dx - 5.5 * s, eye_y), fill=frame, width=s)

    fill = tuple(int(value) for value in background)
    # Nearest-neighbour is enough at four times the size (the shrink below averages it) and far cheaper.
    canvas = canvas.rotate(
        rng.normal(0, 6), resample=Image.Resampling.NEAREST, center=(cx, cy), fillcolor=fill
    )
    # Crop around the face as a face detector would (AV's images are such crops): loose or tight, a little
    # off-centre, never past the canvas.
    half_side = half_width * rng.uniform(1.2, 1.45)
    crop_x = float(np.clip(cx + rng.normal(0, 0.05) * half_side, half_side, _CANVAS - half_side))
    crop_y = float(
        np.clip(cy - 0.2 * half_height + rng.normal(0, 0.05) * half_side, half_side, _CANVAS - half_side)
    )
    crop = _box(crop_x, crop_y, half_side, half_side)
    image = canvas.resize((IMAGE_SIZE, IMAGE_SIZE), Image.Resampling.BOX, box=crop)
    pixels = _relight(np.asarray(image, dtype=float), rng)
    image = Image.fromarray(pixels)
    if not jpeg:
        return image
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=int(rng.integers(70, 95)))
    return buffer.getvalue()


def _relight(pixels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uneven lighting, a colour cast and sensor noise, as in photos taken on different sets."""
    ramp = np.linspace(-1, 1, IMAGE_SIZE)
    angle = rng.uniform(0, 2 * math.pi)
    gradient = np.cos(angle) * ramp[None, :] + np.sin(angle) * ramp[:, None]
    light = rng.uniform(0.65, 1.25) * (1 + rng.uniform(0, 0.3) * gradient)
    cast = rng.uniform(0.9, 1.1, 3)
    noisy = pixels * light[:, :, None] * cast + rng.normal(0, rng.uniform(2, 9), pixels.shape)
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)
