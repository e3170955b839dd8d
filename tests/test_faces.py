"""New photos into the CUFS frame: reading, detection, alignment, translation, and the
``faces align`` and ``sketch`` commands. Offline: the photos are scikit-image's
astronaut (Eileen Collins) and cameraman, MTCNN's weights ship in its wheel."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from skimage import data as skdata

from sketchlab import faces
from sketchlab.cli import main
from sketchlab.data import Pair


def luma(image: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(image).convert("L"), dtype=int)


def eyes_error(face: faces.AlignedFace) -> np.ndarray:
    """Distance of each aligned eye from the template's, px."""
    return np.linalg.norm(face.landmarks[:2] - faces.TEMPLATE[:2], axis=1)


@pytest.fixture(scope="module")
def astronaut() -> np.ndarray:
    return skdata.astronaut()


@pytest.fixture(scope="module")
def aligned(astronaut) -> faces.AlignedFace:
    return faces.align_face(astronaut, "astronaut")


@pytest.fixture(scope="module")
def photo_files(astronaut, tmp_path_factory):
    """The astronaut as RGB, RGBA, grey, 16-bit grey and EXIF-rotated files; the cameraman (grey)."""
    folder = tmp_path_factory.mktemp("photos")
    rgb = Image.fromarray(astronaut)
    grey = rgb.convert("L")
    rgba = rgb.convert("RGBA")
    rgba.putalpha(Image.fromarray(np.pad(np.full((472, 472), 255, np.uint8), 20)))  # transparent border
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to view": stored on its side, as phones do
    files = {"rgb": folder / "astronaut.jpg", "rgba": folder / "rgba.png", "grey": folder / "grey.png",
             "grey16": folder / "grey16.png", "exif": folder / "exif.png", "camera": folder / "camera.png"}
    rgb.save(files["rgb"], quality=95)
    rgba.save(files["rgba"])
    grey.save(files["grey"])
    Image.fromarray(np.asarray(grey).astype(np.uint16) * 257).save(files["grey16"])  # mode I;16
    rgb.transpose(Image.Transpose.ROTATE_90).save(files["exif"], exif=exif)
    Image.fromarray(skdata.camera()).save(files["camera"])
    return files


# --------------------------------------------------------------------- reading


def test_load_image_reads_the_usual_modes_as_8_bit_rgb(astronaut, photo_files, tmp_path):
    grey = np.asarray(Image.fromarray(astronaut).convert("L"))
    assert np.array_equal(faces.load_image(photo_files["grey"]), np.repeat(grey[..., None], 3, -1))
    assert np.array_equal(faces.load_image(photo_files["grey16"])[..., 0], grey)  # 65535 -> 255, not clipped
    assert np.array_equal(faces.load_image(photo_files["exif"]), astronaut)  # turned upright
    rgba = faces.load_image(photo_files["rgba"])
    assert (rgba[:20] == 255).all() and np.array_equal(rgba[20:-20, 20:-20], astronaut[20:-20, 20:-20])
    ramp = np.linspace(0, 65535, 256 * 4).astype(np.int32).reshape(32, 32)
    Image.fromarray(ramp).save(tmp_path / "ramp.tif")  # mode I
    loaded = faces.load_image(tmp_path / "ramp.tif")[..., 0]
    assert loaded.max() == 255 and loaded.min() == 0 and len(np.unique(loaded)) == 256
    Image.fromarray(astronaut).quantize(256).save(tmp_path / "palette.png")  # mode P
    Image.fromarray(astronaut).convert("CMYK").save(tmp_path / "cmyk.jpg")
    for name in ("palette.png", "cmyk.jpg"):
        image = faces.load_image(tmp_path / name)
        assert image.shape == (512, 512, 3) and image.dtype == np.uint8
        assert np.abs(image.astype(int) - astronaut).mean() < 12


def test_what_is_not_an_image_is_refused_by_name(photo_files, tmp_path):
    (tmp_path / "notes.png").write_text("not a picture")
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(photo_files["rgb"].read_bytes()[:5000])
    for path, words in ((tmp_path / "notes.png", "not an image"), (truncated, "truncated"),
                        (tmp_path / "missing.jpg", "no such file"), (tmp_path, "folder")):
        with pytest.raises(faces.FaceError, match=words) as err:
            faces.load_image(path)
        assert str(path) in str(err.value)


@pytest.mark.parametrize("limit", [200_000, 100_000], ids=["over the limit: a warning", "over twice: an error"])
def test_an_image_over_pillows_pixel_limit_is_too_large_not_damaged(photo_files, monkeypatch, limit):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)  # the 512x512 astronaut (262,144 pixels) is now huge
    with pytest.raises(faces.FaceError) as err:
        faces.load_image(photo_files["rgb"])
    message = str(err.value)
    assert message.startswith(f"{photo_files['rgb']}: the image is too large") and "0.262 megapixels" in message
    assert f"Shrink it below {limit / 1e6:.3g} megapixels" in message and "damaged" not in message


# ------------------------------------------------------------------- alignment


def test_similarity_transform_recovers_a_known_motion_and_warp_repeats_the_edges():
    angle, scale, shift = np.radians(12), 0.8, np.array([5.0, -3.0])
    matrix = np.hstack([scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]),
                        shift[:, None]])
    points = faces.TEMPLATE
    moved = points @ matrix[:, :2].T + matrix[:, 2]
    np.testing.assert_allclose(faces.similarity_transform(points, moved), matrix, atol=1e-9)
    np.testing.assert_allclose(faces.similarity_transform(points, moved, weights=[9, 1, 1, 1, 5]), matrix, atol=1e-9)
    white = np.full((250, 200, 3), 255, np.uint8)
    assert (faces.warp(white, matrix) == 255).all()  # no black corners


def test_astronaut_lands_on_the_template(aligned):
    assert aligned.image.shape == (250, 200, 3) and aligned.image.dtype == np.uint8
    assert aligned.faces_found == 1 and aligned.note is None
    assert eyes_error(aligned).max() < 2.0
    # the landmarks reported are where the face really is in the crop
    again = faces.detect_faces(aligned.image)[0]["landmarks"]
    assert np.abs(again - aligned.landmarks)[list(faces.ALIGN_WITH)].max() < 2.0


def test_the_turned_cameraman_is_centred_and_level(photo_files):
    face = faces.align_file(photo_files["camera"])
    assert face.image.shape == (250, 200, 3)
    middle = face.landmarks[:2].mean(0)
    assert np.abs(middle - faces.TEMPLATE[:2].mean(0)).max() < 3.0  # eyes centred where CUFS has them
    assert abs(face.landmarks[0, 1] - face.landmarks[1, 1]) < 3.0  # and level
    assert eyes_error(face).max() < 8.0  # a three-quarter view: the eyes are closer together than frontal


def test_an_uncropped_photo_and_every_file_format_give_the_same_crop(astronaut, aligned, photo_files, tmp_path):
    canvas = Image.new("RGB", (1024, 768), (90, 110, 130))  # the astronaut small, off-centre, in a big photo
    canvas.paste(Image.fromarray(astronaut).resize((380, 380), Image.Resampling.LANCZOS), (560, 300))
    canvas.save(tmp_path / "wide.jpg", quality=95)
    for path in (tmp_path / "wide.jpg", photo_files["rgba"], photo_files["grey16"], photo_files["exif"]):
        face = faces.align_file(path)
        assert face.image.shape == (250, 200, 3), path
        assert eyes_error(face).max() < 2.5, path
        assert np.abs(face.landmarks - aligned.landmarks).max() < 3.0, path
        difference = np.abs(luma(face.image) - luma(aligned.image))
        assert np.median(difference) < 8, path  # the same crop


def test_several_faces_take_the_largest_and_say_so(astronaut, aligned):
    small = np.asarray(Image.fromarray(astronaut).resize((320, 320), Image.Resampling.LANCZOS))
    group = np.full((512, 832, 3), 128, np.uint8)
    group[:, :512], group[96:416, 512:] = astronaut, small
    face = faces.align_face(group, "group.jpg")
    assert face.faces_found == 2 and face.note == "2 faces in group.jpg; using the largest"
    assert np.abs(face.landmarks - aligned.landmarks).max() < 2.0


@pytest.mark.parametrize("picture", ["flat", "noise"])
def test_no_face_is_an_error_naming_the_file(picture):
    image = (np.full((300, 400, 3), 180, np.uint8) if picture == "flat"
             else np.random.default_rng(0).integers(0, 256, (300, 400, 3), dtype=np.uint8))
    with pytest.raises(faces.FaceError, match=f"{picture}.png: no face found.*frontal.*--no-align"):
        faces.align_face(image, name=f"{picture}.png")


def test_fit_frame_keeps_a_crop_and_centre_crops_other_sizes():
    crop = np.zeros((250, 200, 3), np.uint8)
    kept = faces.fit_frame(crop, "crop.png")
    assert kept.image is crop and kept.note is None
    wide = np.zeros((300, 400, 3), np.uint8)
    wide[:, 80:320] = 255  # the centre 240x300, the 4:5 crop, is white
    fitted = faces.fit_frame(wide, "wide.png")
    assert fitted.image.shape == (250, 200, 3) and (fitted.image == 255).all()
    assert fitted.note == "wide.png is 400x300, not a 200x250 crop: centre-cropped to 240x300 and resized to 200x250"


def test_toy_faces_are_drawn_to_the_cufs_template():
    """The toy faces' eyes and mouth corners, from their parameters (mean of
    2000 faces) and as MTCNN finds them (median of 6 photos), agree with the
    template measured on CUFS."""
    from sketchlab.toy import render_pair, sample_face

    rng = np.random.default_rng(0)
    points = []
    for _ in range(2000):
        f = sample_face(rng)
        mouth_y = f.cy + f.scale * (f.mouth_y - f.smile)  # the mouth line's ends: the corners
        points.append([[f.cx - f.scale * f.eye_dx, f.cy], [f.cx + f.scale * f.eye_dx, f.cy],
                       [f.cx - f.scale * f.mouth_w, mouth_y], [f.cx + f.scale * f.mouth_w, mouth_y]])
    drawn = np.mean(points, axis=0)
    template = faces.TEMPLATE[list(faces.ALIGN_WITH)]
    assert np.abs(drawn - template).max() < 1.0, drawn - template
    found = np.median([faces.detect_faces(render_pair(seed)[0])[0]["landmarks"] for seed in range(6)], axis=0)
    assert np.abs(found - faces.TEMPLATE)[list(faces.ALIGN_WITH)].max() < 3.0, found - faces.TEMPLATE


# ----------------------------------------------------------------- translation


@pytest.fixture(scope="module")
def unet64():
    from sketchlab.config import get_profile
    from sketchlab.training import build_generator

    return build_generator("unet", 64, get_profile("quick"))


@pytest.fixture(scope="module")
def s2i64():
    from sketchlab.models import resnet_generator

    return resnet_generator(64, filters=8, n_blocks=1, in_channels=1, out_channels=3, name="s2i")


def test_translate_matches_the_evaluation_pipeline(unet64, tmp_path):
    from sketchlab.evaluation import generate
    from sketchlab.toy import render_pair

    pairs, photos = [], []
    for seed in range(3):
        photo, sketch = render_pair(seed)
        Image.fromarray(photo).save(tmp_path / f"p{seed}.png")
        Image.fromarray(sketch).save(tmp_path / f"s{seed}.png")
        pairs.append(Pair(f"p{seed}", tmp_path / f"p{seed}.png", tmp_path / f"s{seed}.png", "test"))
        photos.append(photo)
    sketches = faces.translate(unet64, np.stack(photos))
    assert sketches.shape == (3, 250, 200) and sketches.dtype == np.uint8
    reference = np.round(generate(unet64, pairs)[..., 0] * 255).astype(int)
    assert np.abs(sketches.astype(int) - reference).max() <= 1
    one = faces.translate(unet64, photos[0])
    assert one.shape == (250, 200) and np.abs(one.astype(int) - sketches[0]).max() <= 1


def test_translate_sketch_to_photo_takes_grey_or_rgb(s2i64, unet64):
    from sketchlab.toy import render_pair

    sketch = render_pair(0)[1]
    from_grey = faces.translate(s2i64, sketch, direction="s2i")
    from_rgb = faces.translate(s2i64, [np.repeat(sketch[..., None], 3, -1)], direction="s2i")
    assert from_grey.shape == (250, 200, 3) and from_rgb.shape == (1, 250, 200, 3)
    assert np.array_equal(from_rgb[0], from_grey)
    with pytest.raises(ValueError, match="direction"):
        faces.translate(unet64, sketch, direction="s2i")


# ----------------------------------------------------------------- the commands


def test_faces_align_writes_one_crop_per_photo(photo_files, tmp_path, capsys):
    out = tmp_path / "aligned"
    assert main(["faces", "align", str(photo_files["rgb"]), str(photo_files["camera"]), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["astronaut.png", "camera.png"]
    for path in out.iterdir():
        with Image.open(path) as image:
            assert image.size == (200, 250) and image.mode == "RGB"
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0] == f"{photo_files['rgb']} -> {out / 'astronaut.png'}"


def test_sketch_writes_sketches_and_photos_at_200x250(unet64, s2i64, photo_files, tmp_path, capsys):
    from sketchlab.toy import render_pair
    from sketchlab.training import save_model

    model = save_model(unet64, tmp_path / "unet.keras")
    out = tmp_path / "sketches"
    assert main(["sketch", str(model), str(photo_files["rgb"]), str(photo_files["grey16"]), "--out", str(out)]) == 0
    for name in ("astronaut.png", "grey16.png"):
        with Image.open(out / name) as image:
            assert image.size == (200, 250) and image.mode == "L"
    assert len(capsys.readouterr().out.strip().splitlines()) == 2

    run = tmp_path / "run"  # a CycleGAN run folder: s2i.keras draws photos from sketches
    save_model(s2i64, run / "s2i.keras")
    Image.fromarray(render_pair(1)[1]).save(tmp_path / "toy_sketch.png")
    Image.fromarray(render_pair(1)[1]).resize((400, 500)).save(tmp_path / "big_sketch.png")
    photos = tmp_path / "photos"
    assert main(["sketch", str(run), str(tmp_path / "toy_sketch.png"), str(tmp_path / "big_sketch.png"),
                 "--direction", "s2i", "--out", str(photos)]) == 0  # s2i: no alignment by default
    for name in ("toy_sketch.png", "big_sketch.png"):
        with Image.open(photos / name) as image:
            assert image.size == (200, 250) and image.mode == "RGB"
    assert "big_sketch.png is 400x500, not a 200x250 crop: resized to 200x250" in capsys.readouterr().out
    aligned = tmp_path / "aligned_photos"
    assert main(["sketch", str(run), str(photo_files["grey"]), "--direction", "s2i", "--align",
                 "--out", str(aligned)]) == 0
    assert [p.name for p in aligned.iterdir()] == ["grey.png"]


def test_a_bad_input_fails_the_whole_command_and_nothing_is_written(unet64, photo_files, tmp_path, capsys):
    from sketchlab.training import save_model

    model = save_model(unet64, tmp_path / "unet.keras")
    Image.fromarray(np.full((300, 400, 3), 180, np.uint8)).save(tmp_path / "wall.png")
    (tmp_path / "notes.jpg").write_text("not a picture")
    out = tmp_path / "out"
    status = main(["sketch", str(model), str(photo_files["rgb"]), str(tmp_path / "wall.png"),
                   str(tmp_path / "notes.jpg"), "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2 and "notes.jpg: not an image" in err and "Nothing was written" in err
    assert "wall.png" not in err  # files are read before the model and MTCNN load: a bad file fails at once
    assert not out.exists()
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n")
    status = main(["sketch", str(model), str(tmp_path / "notes.jpg"), str(tmp_path / "broken.png"),
                   str(photo_files["rgb"]), "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("error: 2 of 3 inputs failed") and "broken.png" in err
    status = main(["sketch", str(model), str(photo_files["rgb"]), str(tmp_path / "wall.png"), "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2 and "wall.png: no face found" in err and "Nothing was written" in err
    assert not out.exists()

    same_stem = tmp_path / "other" / "astronaut.png"
    same_stem.parent.mkdir()
    same_stem.write_bytes(photo_files["rgba"].read_bytes())
    assert main(["faces", "align", str(photo_files["rgb"]), str(same_stem), "--out", str(out)]) == 2
    assert "both would be written as" in capsys.readouterr().err and not out.exists()

    out.mkdir()
    (out / "astronaut.png").write_bytes(b"keep me")
    assert main(["faces", "align", str(photo_files["camera"]), str(photo_files["rgb"]), "--out", str(out)]) == 2
    assert "exists already" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["astronaut.png"] and (out / "astronaut.png").read_bytes() == b"keep me"

    assert main(["sketch", str(tmp_path / "nope.keras"), str(photo_files["rgb"]), "--out", str(tmp_path / "x")]) == 2
    assert "nope.keras" in capsys.readouterr().err and not (tmp_path / "x").exists()


def test_out_naming_a_file_is_refused_before_any_image_is_read(tmp_path, capsys):
    (tmp_path / "taken").write_text("mine")
    assert main(["faces", "align", str(tmp_path / "missing.jpg"), "--out", str(tmp_path / "taken")]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {tmp_path / 'taken'}: is a file; --out must be a folder (it is made if missing).\n"
    assert (tmp_path / "taken").read_text() == "mine"


def test_translate_refuses_an_unknown_direction_no_images_and_uncropped_images(unet64):
    crop = np.zeros((250, 200, 3), np.uint8)
    with pytest.raises(ValueError, match="direction must be 'i2s' or 's2i', not 'sketch'"):
        faces.translate(unet64, crop, direction="sketch")
    with pytest.raises(ValueError, match="no images to translate"):
        faces.translate(unet64, [])
    with pytest.raises(ValueError, match=r"expected 200x250 images \(align_face or fit_frame first\), got shape "
                                         r"\(300, 400, 3\)"):
        faces.translate(unet64, [np.zeros((300, 400, 3), np.uint8)])


def test_arrays_that_are_not_8_bit_images_are_refused():
    with pytest.raises(ValueError, match="expected a uint8 image, got float64; use load_image"):
        faces.fit_frame(np.zeros((250, 200, 3)))
    with pytest.raises(ValueError, match=r"expected an \(H, W\), \(H, W, 1\) or \(H, W, 3\) image, got shape "
                                         r"\(250, 200, 4\)"):
        faces.fit_frame(np.zeros((250, 200, 4), np.uint8))
