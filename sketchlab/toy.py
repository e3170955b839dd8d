"""Deterministic synthetic "toy faces" in the style of the CUHK Face Sketch database.

Every person is a :class:`FaceParams` (shape, colours, hair style, glasses, ...).
The face is described once as a set of signed distance fields (SDFs; negative
inside a shape, in pixels) on the 200 x 250 image grid, and both renderers paint
the very same shapes in the same back-to-front order:

* ``render_photo`` fills shapes with colour, soft shading, a random lighting
  gradient and sensor noise (anti-aliasing comes free from the SDF: alpha =
  clip(0.5 - distance)).
* ``render_sketch`` fills shapes with pencil darkness (hatching) and draws
  contour strokes where a shape's boundary is visible, on off-white paper.

Lighting direction and background colour only affect the photo, so a model
that maps photo -> sketch must learn to ignore them.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from .data import (
    IMAGE_HEIGHT,
    IMAGE_WIDTH,
    PHOTO_DIR,
    SKETCH_DIR,
    TOY_MARKER,
    DataError,
    load_cufs,
    mirror_file_names,
)
from .files import FolderExistsError, publish_folder, staging_folder
from .metrics import LUMA_601

__all__ = ["WIDTH", "HEIGHT", "FaceParams", "sample_face", "render_photo", "render_sketch", "render_pair",
           "make_toy_data"]

WIDTH, HEIGHT = IMAGE_WIDTH, IMAGE_HEIGHT  # the CUFS frame, 200 x 250
EYE_LINE = (100.0, 125.0)  # midpoint between the eyes in CUFS-aligned images
HAIR_STYLES = ("short", "long", "bangs", "parted", "bald")
HAIR_COLOURS = {"black": (30, 26, 24), "dark brown": (58, 40, 30), "brown": (105, 72, 45),
                "blond": (196, 160, 100), "grey": (150, 148, 146), "red": (145, 66, 34)}
HAIR_WEIGHTS = (0.40, 0.15, 0.15, 0.12, 0.10, 0.08)
SKIN_TONES = np.array([(240, 208, 188), (225, 178, 145), (190, 136, 100),
                       (140, 95, 66), (98, 66, 48)], np.float32)
IRIS_COLOURS = ((62, 40, 28), (35, 26, 22), (70, 105, 145), (80, 105, 70), (110, 80, 45))
SHIRT_COLOURS = ((235, 235, 232), (40, 42, 50), (60, 80, 140), (150, 40, 45),
                 (90, 110, 80), (170, 160, 140), (110, 110, 115))
FRAME_COLOURS = ((25, 25, 30), (90, 55, 35), (160, 160, 165))
PAPER, GRAPHITE = 244.0, 22.0  # sketch grey levels of blank paper and of full pencil
_Y, _X = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)  # pixel coordinate grids
RGB = tuple[float, float, float]


@dataclass(frozen=True)
class FaceParams:
    """All attributes of one toy person, one line per body part. Lengths are pixels
    at scale 1, measured from the eye-line midpoint (cx, cy); y grows downwards;
    half-widths/-heights unless noted; colours are RGB in 0..255."""
    cx: float; cy: float; scale: float                        # placement and size
    face_w: float; face_h: float; jaw_w: float; chin: float   # skull ellipse, jaw, chin y
    skin: RGB; neck_w: float
    hair_style: str; hair_rgb: RGB; hair_volume: float        # style from HAIR_STYLES
    hair_length: float; hairline: float; part_x: float        # lowest y, forehead top y, parting x
    eye_dx: float; eye_w: float; eye_h: float; iris_rgb: RGB  # eye centres at x = +-eye_dx
    brow_gap: float; brow_thick: float; brow_tilt: float; brow_arch: float
    nose_len: float; nose_w: float                            # nostril y, wing width
    mouth_y: float; mouth_w: float; lip_up: float; lip_low: float; smile: float; lip_rgb: RGB
    glasses: bool; glasses_rgb: RGB; glasses_square: bool; glasses_thick: float
    shirt_rgb: RGB; collar_depth: float; shoulder_y: float; shoulder_drop: float
    bg_rgb: RGB; light_angle: float; light_strength: float    # photo-only nuisances


def sample_face(rng: np.random.Generator) -> FaceParams:
    """Draw a random person's parameters."""
    u = rng.uniform
    shape = rng.integers(3)  # 0 oval, 1 round, 2 long
    t = u(0, 1) * (len(SKIN_TONES) - 1)
    i = min(int(t), len(SKIN_TONES) - 2)
    skin = SKIN_TONES[i] * (i + 1 - t) + SKIN_TONES[i + 1] * (t - i)
    skin = np.clip(skin * u(0.95, 1.05, 3), 0, 255)
    style = HAIR_STYLES[rng.choice(5, p=(0.3, 0.25, 0.2, 0.15, 0.1))]
    hair_name = list(HAIR_COLOURS)[rng.choice(len(HAIR_COLOURS), p=HAIR_WEIGHTS)]
    hair = np.clip(np.array(HAIR_COLOURS[hair_name]) * u(0.85, 1.15), 0, 255)
    lip = np.clip(skin * (0.82, 0.58, 0.58) + (25, 0, 5), 0, 255)
    pick = lambda seq: tuple(float(c) for c in seq[rng.integers(len(seq))])
    tup = lambda a: tuple(float(c) for c in a)
    return FaceParams(
        cx=EYE_LINE[0] + u(-4, 4), cy=EYE_LINE[1] + u(-4, 4), scale=u(0.92, 1.08),
        face_w=(55, 59, 52)[shape] + u(-2, 2), face_h=(84, 80, 88)[shape] + u(-2, 2),
        jaw_w=(40, 47, 37)[shape] + u(-3, 3), chin=(93, 90, 97)[shape] + u(-2, 2),
        skin=tup(skin), neck_w=u(29, 37),
        hair_style=style, hair_rgb=tup(hair), hair_volume=u(5, 15),
        hair_length={"long": u(95, 130), "parted": u(55, 75)}.get(style, 0.0),
        hairline={"bangs": u(-27, -23), "bald": -96.0}.get(style, u(-54, -46)),
        part_x=u(10, 20) * float(rng.choice((-1, 1))) if style == "parted" else u(-5, 5),
        eye_dx=u(23.5, 26.5), eye_w=u(10.5, 12.8), eye_h=u(4.2, 5.6), iris_rgb=pick(IRIS_COLOURS),
        brow_gap=u(14, 18), brow_thick=u(2.0, 4.0), brow_tilt=u(-0.12, 0.25), brow_arch=u(1.0, 4.0),
        nose_len=u(32, 38), nose_w=u(11, 16),
        mouth_y=u(55, 59), mouth_w=u(17, 24), lip_up=u(3.0, 5.0), lip_low=u(4.0, 7.0),
        smile=u(-1.0, 2.5), lip_rgb=tup(lip),
        glasses=bool(u() < 0.25), glasses_rgb=pick(FRAME_COLOURS),
        glasses_square=bool(u() < 0.5), glasses_thick=u(1.3, 2.6),
        shirt_rgb=pick(SHIRT_COLOURS), collar_depth=u(8, 22),
        shoulder_y=u(98, 106), shoulder_drop=u(15, 35),
        bg_rgb=tup(np.array((95, 185, 235)) + u(-10, 10, 3)),
        light_angle=u(0, 2 * np.pi), light_strength=u(0.1, 0.35))


# ----------------------------------------------------------------- geometry ---
# Shapes are signed distance fields (SDF) in pixels: < 0 inside, > 0 outside.
# Every helper takes a grid G = (x, y) of pixel coordinates.
FAR = 1e3  # distance used for "nowhere near this shape"


def _ellipse(G, cx, cy, a, b, p=2.0):
    """Approximate signed distance to an ellipse (p=2) or superellipse (p>2)."""
    u, v = np.abs(G[0] - cx) / a + 1e-4, np.abs(G[1] - cy) / b + 1e-4
    if p == 2.0:
        r = np.sqrt(u * u + v * v)
        grad = np.sqrt((u / a) ** 2 + (v / b) ** 2) / r
    else:
        r = (u ** p + v ** p) ** (1 / p)
        grad = r ** (1 - p) * np.sqrt((u ** (p - 1) / a) ** 2 + (v ** (p - 1) / b) ** 2)
    return (r - 1) / grad


def _box(G, cx, cy, hw, hh, rad=0.0):
    """Signed distance to an axis-aligned box with rounded corners."""
    qx, qy = np.abs(G[0] - cx) - hw + rad, np.abs(G[1] - cy) - hh + rad
    out = np.sqrt(np.maximum(qx, 0) ** 2 + np.maximum(qy, 0) ** 2)
    return out + np.minimum(np.maximum(qx, qy), 0) - rad


def _smin(a, b, k):
    """Smooth union of two SDFs (rounded join of width k)."""
    h = np.clip(0.5 + 0.5 * (b - a) / k, 0, 1)
    return b + (a - b) * h - k * h * (1 - h)


def _curve(G, x0, y0, half_len, yfun, clip=1.0):
    """Unsigned distance to the curve y = y0 + yfun(u), u = (x - x0) / half_len, |u| < clip."""
    u = (G[0] - x0) / half_len
    d = np.abs(G[1] - y0 - yfun(u))
    return np.where(np.abs(u) < clip, d, FAR)


def _pair(fn):
    """Union of a left (k=-1) and right (k=+1) copy of a shape."""
    return np.minimum(fn(-1), fn(1))


@lru_cache(maxsize=8)
def _geometry(f: FaceParams) -> dict:
    """All shapes of one face as SDF arrays (shared by photo and sketch; do not modify)."""
    s = f.scale
    X = lambda dx: f.cx + s * dx
    Y = lambda dy: f.cy + s * dy
    F = (_X, _Y)
    g = {}
    # head, neck and shoulders on the full grid
    cran = _ellipse(F, X(0), Y(-8), s * f.face_w, s * f.face_h)
    jaw = _ellipse(F, X(0), Y(38), s * f.jaw_w, s * (f.chin - 38))
    g["face"] = _smin(cran, jaw, 10 * s)
    g["neck"] = _box(F, X(0), Y(95), s * f.neck_w, s * 65)
    dx = (_X - X(0)) / (100 * s)
    shoulder = (Y(f.shoulder_y) + s * f.shoulder_drop * dx * dx - _Y) / np.sqrt(1 + (0.02 * f.shoulder_drop * dx) ** 2)
    g["shirt"] = np.maximum(shoulder, -_ellipse(F, X(0), Y(f.shoulder_y), s * f.neck_w * 1.1, s * f.collar_depth))
    # hair: a cap around the skull minus a "skin window" (forehead and face), per style
    vol, style = f.hair_volume, f.hair_style
    if style == "bald":
        cap = _ellipse(F, X(0), Y(-14), s * (f.face_w + 2), s * (f.face_h - 4))
    else:
        cap = _ellipse(F, X(0), Y(-20), s * (f.face_w + 0.8 * vol), s * (f.face_h - 12 + vol))
    if style == "bangs":  # a flat fringe with ragged tips
        window = _ellipse(F, X(0), Y(30), s * f.face_w * 0.95, s * (30 - f.hairline), 4.0) + np.sin(_X * 0.9 / s)
    else:
        window = _ellipse(F, X(0), Y(30), s * f.face_w * 0.92, s * (30 - f.hairline))
    if f.hair_length > 0:  # long / parted: hair falls behind and beside the face
        panel = _box(F, X(0), Y(f.hair_length / 2), s * (f.face_w + 0.8 * vol + 3), s * f.hair_length / 2, 18 * s)
        g["hair_back"] = _smin(cap, panel, 12 * s)
        window = np.minimum(window, _box(F, X(0), Y(30 + f.hair_length), s * f.face_w * 0.92, s * f.hair_length))
        front = np.maximum(g["hair_back"], -window)
    else:
        front = np.maximum(np.maximum(cap, -window), _Y - Y(-6))
    if style == "parted":
        front = np.maximum(front, -_box(F, X(f.part_x), Y(f.hairline - 12), 1.3 * s, 12 * s))
    g["hair_front"] = front
    crown = (X(f.part_x), Y(-170))  # strands radiate from a point above the head ...
    g["hair_phi"] = np.arctan2(_X - crown[0], _Y - crown[1]) * 150.0
    g["hair_psi"] = np.hypot(_X - crown[0], _Y - crown[1])
    g["hair_fall"] = np.clip((_Y - Y(-10)) / (40 * s), 0, 1)  # ... and fall vertically lower down
    gloss_r = s * (184 - f.face_h - vol)
    g["hair_gloss"] = np.exp(-((g["hair_psi"] - gloss_r) / (9 * s)) ** 2) * (1 - g["hair_fall"])
    # facial features: computed only in a window around them, "far" elsewhere
    win = np.s_[max(0, int(Y(-42))):min(HEIGHT, int(Y(82)) + 1), max(0, int(X(-68))):min(WIDTH, int(X(68)) + 1)]
    W = (_X[win], _Y[win])
    feat = {}
    feat["ears"] = _pair(lambda k: _ellipse(W, X(k * (f.face_w - 3)), Y(13), 8.5 * s, 18 * s))
    feat["inner_ears"] = _pair(lambda k: _ellipse(W, X(k * (f.face_w + 0.5)), Y(13), 3.5 * s, 11 * s))
    ew, eh, ir = s * f.eye_w, s * f.eye_h, 1.25 * s * f.eye_h
    lens = lambda u: np.clip(1 - u * u, 0, None)
    eye = lambda k: np.maximum(np.abs(W[1] - Y(0)) - eh * lens((W[0] - X(k * f.eye_dx)) / ew),
                               (np.abs(W[0] - X(k * f.eye_dx)) / ew - 1) * ew)
    feat["eyes"] = _pair(eye)
    feat["sockets"] = _pair(lambda k: _ellipse(W, X(k * f.eye_dx), Y(-3), ew + 6 * s, eh + 7 * s))
    feat["lids"] = _pair(lambda k: _curve(W, X(k * f.eye_dx), Y(0), ew, lambda u: -eh * lens(u), 1.1))
    feat["lower_lids"] = _pair(lambda k: _curve(W, X(k * f.eye_dx), Y(0), ew, lambda u: eh * lens(u), 0.95))
    feat["creases"] = _pair(lambda k: _curve(W, X(k * f.eye_dx), Y(0), ew,
                                             lambda u: -(eh + 3.5 * s) * (1 - 0.8 * u * u), 0.85))
    feat["irises"] = np.maximum(_pair(lambda k: _ellipse(W, X(k * f.eye_dx), Y(0.5), ir, ir)), feat["eyes"])
    feat["pupils"] = _pair(lambda k: _ellipse(W, X(k * f.eye_dx), Y(0.5), 0.45 * ir, 0.45 * ir))
    feat["eye_lights"] = _pair(lambda k: _ellipse(W, X(k * f.eye_dx) - 0.35 * ir, Y(0) - 0.35 * ir, s, s))

    def brow(k):
        bx, bl = X(k * (f.eye_dx + 2)), 15 * s
        u = (W[0] - bx) / bl
        centre = Y(-f.brow_gap) - s * f.brow_arch * (1 - u * u) - s * f.brow_tilt * bl * u * k
        return np.maximum(np.abs(W[1] - centre) - s * f.brow_thick * (1 - 0.35 * u * k), (np.abs(u) - 1) * bl)
    feat["brows"] = _pair(brow)
    nl, nw = f.nose_len, f.nose_w
    feat["nostrils"] = _pair(lambda k: _ellipse(W, X(k * nw * 0.4), Y(nl), 3.3 * s, 1.9 * s))
    feat["nose_wings"] = _pair(lambda k: np.where((W[1] > Y(nl - 4)) & (k * (W[0] - X(k * nw * 0.6)) > -s),
                               np.abs(_ellipse(W, X(k * nw * 0.6), Y(nl - 3.5), 0.42 * nw * s, 5 * s)), FAR))
    feat["nose_sides"] = _pair(lambda k: np.where(np.abs(W[1] - Y(nl / 2 + 1)) < s * (nl / 2 - 7),
                                                  np.abs(W[0] - X(k * (4 + 5 * (W[1] - Y(0)) / (s * nl)))), FAR))
    feat["nose_tip"] = np.where(W[1] > Y(nl - 2), np.abs(_ellipse(W, X(0), Y(nl - 3), s * nw * 0.4, s * 5)), FAR)
    mw = s * f.mouth_w
    line = lambda u: -s * f.smile * u * u
    u = (W[0] - X(0)) / mw
    yl = Y(f.mouth_y) + line(u)
    top = yl - s * f.lip_up * np.sqrt(np.clip(1 - u * u, 0, 1)) * (1 - 0.3 * np.exp(-(u / 0.15) ** 2))
    bottom = yl + s * f.lip_low * np.sqrt(np.clip(1 - (u / 0.9) ** 2, 0, 1))
    feat["upper_lip"] = np.maximum(np.maximum(top - W[1], W[1] - yl), (np.abs(u) - 1) * mw)
    feat["lower_lip"] = np.maximum(np.maximum(yl - W[1], W[1] - bottom), (np.abs(u) - 0.9) * mw)
    feat["mouth_line"] = _curve(W, X(0), Y(f.mouth_y), mw, line, 1.0)
    feat["lip_bottom"] = np.where(np.abs(u) < 0.7, np.abs(W[1] - bottom - s), FAR)
    if f.glasses:  # two lens frames, a bridge, and temples towards the ears
        a, b, p, half = 17 * s, 13 * s, (4.0 if f.glasses_square else 2.0), s * f.glasses_thick / 2
        temple = (f.face_w - f.eye_dx - 17) * s / 2
        feat["glasses"] = np.minimum.reduce([
            _pair(lambda k: np.abs(_ellipse(W, X(k * f.eye_dx), Y(2), a, b, p)) - half),
            _box(W, X(0), Y(-1), f.eye_dx * s - a + 1, half),
            _pair(lambda k: _box(W, X(k * (f.eye_dx + 17)) + k * temple, Y(-2), temple, half))])
    for name, arr in feat.items():
        g[name] = np.full((HEIGHT, WIDTH), FAR, np.float32)
        g[name][win] = arr
    return g


# --------------------------------------------------------------- rendering ---
def _alpha(d):
    """Anti-aliased coverage of a shape from its signed distance."""
    return np.clip(0.5 - d, 0, 1)


def _stroke(d, width):
    """Soft line profile around the zero set of a distance field."""
    return np.exp(-(d / width) ** 2)


def _smooth(e0, e1, x):
    """Smoothstep from 0 (x <= e0) to 1 (x >= e1)."""
    t = np.clip((x - e0) / (e1 - e0), 0, 1)
    return t * t * (3 - 2 * t)


def _bbox(a):
    """Slice of the smallest box holding the non-zero pixels of `a`."""
    rows, cols = np.flatnonzero(a.any(1)), np.flatnonzero(a.any(0))
    if rows.size == 0:
        return np.s_[0:0, 0:0]
    return np.s_[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def _luma(rgb) -> float:
    """Perceived brightness (0..255) of an RGB colour: its ITU-R 601 luma, as the metrics' grey."""
    red, green, blue = LUMA_601
    return red * rgb[0] + green * rgb[1] + blue * rgb[2]


def _hatch(phi, psi, table, spacing, seg):
    """Short parallel pencil strokes in [0, 1]: strokes follow iso-lines of `phi`
    (spaced `spacing` px apart), are ~`seg` px long along `psi`, and get a random
    offset and pressure from `table` (fine-scale randomness only)."""
    mask = table.size - 1  # table.size is a power of two: "& mask" is a cheap modulo
    a = phi / spacing
    k = np.floor(a)
    ki = k.astype(np.int32)
    b = psi / seg + table[ki & mask]
    j = np.floor(b)
    pressure = table[(ki * 977 + j.astype(np.int32) * 131) & mask]
    across = np.clip(1 - np.abs(a - k - 0.5) / 0.4, 0, 1)
    return across * np.sqrt(np.sin(np.pi * (b - j))) * (0.35 + 0.65 * pressure)


def render_photo(face: FaceParams, rng: np.random.Generator) -> np.ndarray:
    """uint8 array (250, 200, 3), RGB."""
    g, s = _geometry(face), face.scale
    rgb = lambda c: np.asarray(c, np.float32).reshape(3, 1, 1)  # colours broadcast over (3, H, W)
    img = rgb(face.bg_rgb) * (1.04 - 0.08 * _Y / HEIGHT)  # channels first: fast numpy loops
    subject = np.zeros((HEIGHT, WIDTH), np.float32)

    def paint(d, colour, shade=1.0, opacity=1.0):
        a = _alpha(d) * opacity
        ys, xs = _bbox(a)  # only touch the pixels the shape covers
        col = colour[:, ys, xs] if colour.shape[1] > 1 else colour  # per-pixel or one colour
        col = col * shade[ys, xs] if np.ndim(shade) else col * shade
        img[:, ys, xs] += (col - img[:, ys, xs]) * a[ys, xs]
        subject[ys, xs] += (1 - subject[ys, xs]) * a[ys, xs]

    def darken(d, width, amount):
        ys, xs = _bbox(d < 3 * width)
        img[:, ys, xs] *= 1 - amount * _stroke(d[ys, xs], width)

    skin, hair = rgb(face.skin), rgb(face.hair_rgb)
    strands = 0.86 + 0.14 * np.sin(g["hair_phi"] * 2.1 * (1 - g["hair_fall"]) + _X * 2.1 * g["hair_fall"])
    hair_img = hair * strands + 50 * g["hair_gloss"]  # strands and a sheen
    if "hair_back" in g:
        paint(g["hair_back"], hair_img, 0.8)
    paint(g["neck"], skin, 0.9 * (1 - 0.35 * np.exp(-np.maximum(g["face"], 0) / (8 * s))))
    paint(g["shirt"], rgb(face.shirt_rgb), 1 - 0.12 * _smooth(0, 30 * s, g["shirt"] + 30 * s))
    paint(g["ears"], skin, 0.92)
    paint(g["inner_ears"], skin, 0.75)
    paint(g["face"], skin, 1 - 0.25 * _smooth(-22 * s, 0, g["face"]))
    img *= 1 - 0.1 * _smooth(2 * s, -6 * s, g["sockets"])
    # soft specular highlights on forehead, nose bridge and cheeks (photo only)
    bump = lambda x, y, w, h: np.exp(-((_X - face.cx - s * x) / (s * w)) ** 2
                                     - ((_Y - face.cy - s * y) / (s * h)) ** 2)
    shine = 14 * bump(0, -45, 22, 14) + 14 * bump(0, 18, 4, 14) + 8 * (bump(-30, 25, 9, 7) + bump(30, 25, 9, 7))
    img += shine * _alpha(g["face"])
    paint(g["eyes"], 0.8 * rgb((240, 236, 230)) + 0.2 * skin)
    paint(g["irises"], rgb(face.iris_rgb))
    paint(g["pupils"], rgb((15, 12, 12)))
    paint(g["eye_lights"], rgb((250, 250, 250)), opacity=0.8)
    paint(g["lids"] - 0.8 * s, rgb((35, 28, 26)))
    darken(g["creases"], 1.2, 0.18)
    darken(g["lower_lids"], 0.8, 0.12)
    paint(g["brows"], 0.75 * hair, opacity=0.9)
    darken(g["nose_sides"], 3.0, 0.08)
    darken(g["nose_wings"], 1.2, 0.25)
    darken(g["nose_tip"], 1.5, 0.15)
    paint(g["nostrils"], 0.35 * skin)
    paint(g["upper_lip"], 0.85 * rgb(face.lip_rgb))
    paint(g["lower_lip"], rgb(face.lip_rgb))
    darken(g["mouth_line"], 1.0, 0.55)
    darken(g["lip_bottom"], 1.5, 0.15)
    paint(g["hair_front"], hair_img)
    if face.glasses:
        paint(g["glasses"], rgb(face.glasses_rgb))
    img[:, 1:-1] = 0.25 * (img[:, :-2] + img[:, 2:]) + 0.5 * img[:, 1:-1]  # slight optical blur
    img[:, :, 1:-1] = 0.25 * (img[:, :, :-2] + img[:, :, 2:]) + 0.5 * img[:, :, 1:-1]
    # lighting: a smooth brightness gradient over the person (not the background)
    c, sn = float(np.cos(face.light_angle)), float(np.sin(face.light_angle))
    img *= 1 + subject * face.light_strength * ((_X - face.cx) * c + (_Y - face.cy) * sn) / 100
    img += 8.0 * (rng.random(img.shape, np.float32) - 0.5)  # sensor noise, std ~2.3
    return np.clip(img + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0).copy()


def render_sketch(face: FaceParams, rng: np.random.Generator) -> np.ndarray:
    """uint8 array (250, 200), grey."""
    g, s = _geometry(face), face.scale
    table = rng.random(4096, np.float32)
    noise = rng.random((HEIGHT, WIDTH), np.float32)
    grain = 0.8 + 0.2 * noise  # pencil pressure varies from pixel to pixel
    dark = np.zeros((HEIGHT, WIDTH), np.float32)  # 0 = paper, 1 = full graphite

    def fill(d, value):
        a = _alpha(d)
        box = _bbox(a)  # only touch the pixels the shape covers
        dark[box] += ((value[box] if np.ndim(value) else value) - dark[box]) * a[box]

    def line(d, width, strength):
        box = _bbox(np.abs(d) < 3 * width)
        ink = strength * grain[box] * _stroke(d[box], width)
        dark[box] = 1 - (1 - dark[box]) * (1 - ink)

    # back to front, in the same order as render_photo; lighting and background are ignored
    diag = _hatch((_X + _Y) * 0.707, (_X - _Y) * 0.707, table, 2.6, 10)  # diagonal shading strokes
    tone = float(np.clip((240 - _luma(face.hair_rgb)) / 205, 0.2, 0.97))
    fall = g["hair_fall"]
    strokes = np.maximum(_hatch(g["hair_phi"], g["hair_psi"], table, 2.2, 12) * (1 - fall),  # along strands
                         _hatch(_X, _Y, table, 2.4, 14) * fall)
    hair = tone * (0.84 + 0.16 * np.minimum(1, 2 * strokes)) * (1 - 0.25 * g["hair_gloss"])
    if "hair_back" in g:
        fill(g["hair_back"], hair)
        line(g["hair_back"], 1.0, 0.7 * tone)
    skin_tone = 0.2 * (1 - _luma(face.skin) / 240)  # darker skin -> a light grey wash
    fill(g["neck"], skin_tone + 0.5 * diag * np.exp(-np.maximum(g["face"], 0) / (8 * s)))
    line(g["neck"], 1.0, 0.7)
    shirt_tone = float(np.clip((235 - _luma(face.shirt_rgb)) / 215, 0.05, 0.9))
    fill(g["shirt"], 0.7 * shirt_tone * (0.3 + 0.7 * diag))
    line(g["shirt"], 1.0, 0.7)
    fill(g["ears"], skin_tone + 0.05)
    line(g["ears"], 1.0, 0.75)
    line(g["inner_ears"], 0.8, 0.35)
    fill(g["face"], skin_tone + 0.45 * diag * _smooth(-22 * s, 0, g["face"]))
    socket = _smooth(2 * s, -6 * s, g["sockets"])
    dark[:] = 1 - (1 - dark) * (1 - 0.25 * diag * socket)
    line(g["face"], 1.1, 0.85)
    fill(g["eyes"], 0.0)
    fill(g["irises"], 0.65 + 0.2 * (1 - _luma(face.iris_rgb) / 255))
    fill(g["pupils"], 0.95)
    fill(g["eye_lights"], 0.0)
    line(g["lids"], 1.1, 0.95)
    line(g["lower_lids"], 0.8, 0.4)
    line(g["creases"], 0.8, 0.35)
    brow_tone = min(1.0, tone + 0.15)
    fill(g["brows"], brow_tone * (0.6 + 0.4 * _hatch(_Y + 0.3 * _X, _X, table, 1.8, 5)))
    line(g["nose_sides"], 1.5, 0.15)
    line(g["nose_wings"], 0.9, 0.65)
    line(g["nose_tip"], 1.0, 0.3)
    fill(g["nostrils"], 0.85)
    fill(g["upper_lip"], 0.35 + 0.25 * diag)
    fill(g["lower_lip"], 0.1 + 0.2 * diag)
    line(g["upper_lip"], 0.7, 0.3)
    line(g["mouth_line"], 1.0, 0.9)
    line(g["lip_bottom"], 1.3, 0.3)
    fill(g["hair_front"], hair)
    line(g["hair_front"], 1.0, 0.6 * tone)
    if face.glasses:
        fill(g["glasses"], 0.95 - 0.4 * _luma(face.glasses_rgb) / 255)
    paper = PAPER + 6.0 * (noise - 0.5)  # paper grain
    return np.clip(paper - (paper - GRAPHITE) * dark + 0.5, 0, 255).astype(np.uint8)


def render_pair(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic (photo, sketch) for `seed`: one parent generator is split into
    independent children for the person, the photo and the sketch, so photo noise
    never changes the sketch."""
    face_rng, photo_rng, sketch_rng = np.random.default_rng(seed).spawn(3)
    face = sample_face(face_rng)
    return render_photo(face, photo_rng), render_sketch(face, sketch_rng)


# --------------------------------------------------------------------------
# Writing the toy database in the layout of the Kaggle mirror


def _sketch_stems(prefix: str, numbers) -> set[str]:
    return {f"{prefix}-{n:03d}-01-sz1" for n in numbers}


# The sketches the mirror stores as RGB (the others are grey, mode L).
_STORED_AS_RGB = (
    _sketch_stems("f", range(39, 43))
    | _sketch_stems("m", [63, 64, 65, 68, *range(71, 87), *range(88, 98), 99, 100, 101])
    | _sketch_stems("m1", range(37, 42))
)


def make_toy_data(out: str | os.PathLike, seed: int = 0) -> Path:
    """Write the 188 toy pairs to ``out`` in the exact layout and names of the
    CUFS mirror: ``photos/<id>.jpg`` and ``sketches/<id>-sz1.jpg`` (training
    sketches named ``F2-*``/``M2-*``), 200x250, plus a marker file.

    Like the mirror, 42 of the sketches are stored as RGB (three equal
    channels) and the rest as grey. The files are written to a temporary folder beside ``out`` and renamed
    onto it when complete, so an interrupted run leaves nothing half-made.
    The same ``seed`` gives byte-identical files: when another process
    (a second notebook) publishes them to ``out`` first, its copy is used.

    Raises:
        DataError: ``out`` already exists.
    """
    out = Path(out)
    if out.exists():
        raise DataError(f"{out}: already exists. Remove it first, or choose another --out.")
    tmp = staging_folder(out)
    try:
        (tmp / PHOTO_DIR).mkdir()
        (tmp / SKETCH_DIR).mkdir()
        for index, (photo_name, sketch_name) in enumerate(mirror_file_names()):
            photo, sketch = render_pair(seed * 1_000_003 + index)
            Image.fromarray(photo, "RGB").save(tmp / PHOTO_DIR / photo_name, quality=92)
            sketch_image = Image.fromarray(sketch, "L")
            if Path(sketch_name).stem in _STORED_AS_RGB:
                sketch_image = sketch_image.convert("RGB")
            sketch_image.save(tmp / SKETCH_DIR / sketch_name, quality=92)
        marker = {"what": "sketchlab toy faces: synthetic, not CUFS", "seed": seed}
        (tmp / TOY_MARKER).write_text(json.dumps(marker) + "\n")
        try:
            publish_folder(tmp, out)
        except FolderExistsError:
            if not _holds_toy_data(out, seed):
                raise DataError(f"{out}: already exists. Remove it first, or choose another --out.") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _holds_toy_data(folder: Path, seed: int) -> bool:
    """Whether ``folder`` holds the complete toy faces of ``seed``."""
    try:
        marker = json.loads((folder / TOY_MARKER).read_text())
        pairs = load_cufs(folder, check_images=False).pairs
    except (OSError, ValueError, DataError):
        return False
    return marker.get("seed") == seed and len(pairs) == len(mirror_file_names())
