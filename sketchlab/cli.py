"""Command line: ``python -m sketchlab <command>``.

    python -m sketchlab demo [--data toy|DIR] [--out reports/demo] [--profile quick|full]
    python -m sketchlab data toy --out DIR [--seed N]
    python -m sketchlab data download --out DIR
    python -m sketchlab data inspect DIR [--json]
    python -m sketchlab train METHOD --data toy|DIR --out RUN_DIR
                              [--profile quick|full] [--image-size N] [--epochs N] [--seed N]
                              [--lambda-l1 X] [--lambda-ssim X] [--decay|--no-decay] [--augment]
                              [--upsampling transpose|resize]
    python -m sketchlab evaluate MODEL.keras|RUN_DIR --data toy|DIR [--direction i2s|s2i] [--json]
                              [--save-dir DIR]
    python -m sketchlab faces align IMAGE... --out DIR
    python -m sketchlab sketch [MODEL.keras|RUN_DIR] IMAGE... --out DIR [--direction i2s|s2i] [--align|--no-align]
    python -m sketchlab app [--model MODEL.keras|RUN_DIR] [--port N] [--share]

``train`` trains a method of :mod:`sketchlab.methods` (``--help`` lists
them) and writes a checkpoint after every epoch: the same command again
resumes an interrupted run. ``faces align`` and ``sketch`` check every input
(readable, a face found, no two with one name, no output there already)
before they write anything, and write each ``DIR/<stem>.png`` whole. Bad
input exits with status 2 and a message that names the file or setting.
"""

from __future__ import annotations

import argparse
import errno
import json
import math
import sys
import time
from pathlib import Path

from . import methods
from .config import ProfileError, check_training_size
from .errors import SketchlabError


def _demo(args: argparse.Namespace) -> None:
    from .data import check_split_sizes
    from .report import check_out_folder, sketch_command, write_report
    from .session import start

    check_out_folder(args.out)  # before minutes of training, not after
    session = start(data=args.data, profile=args.profile)
    check_split_sizes(session.data, train=session.profile.batch_size, test=2)
    # in a terminal Keras' bar with its time left; in a log, a line per epoch
    page = write_report(session, args.out, verbose=1 if sys.stdout.isatty() else 2)
    print(f"report written to {page.parent}/: open {page} in a browser")
    print(f"the trained generators are in {page.parent / 'runs'}/; sketch a photo of your own with pix2pix's:")
    print(f"  {sketch_command(page.parent)}")


def _data_toy(args: argparse.Namespace) -> None:
    from .toy import make_toy_data

    out = make_toy_data(Path(args.out), seed=args.seed)
    print(f"toy faces written to {out} (188 pairs: 88 train / 100 test)")


def _data_download(args: argparse.Namespace) -> None:
    from .data import download

    out = download(Path(args.out))
    print(f"CUFS photos and sketches in {out}")


def _data_inspect(args: argparse.Namespace) -> None:
    from .data import inspect

    report = inspect(Path(args.folder))
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"{report['kind']} data at {report['root']}")
    print(f"{report['pairs']} pairs: {report['train']} train / {report['test']} test")
    for item in report["items"]:
        print(f"  {item['split']:5}  {item['person_id']:10}  {item['photo']}  <->  {item['sketch']}")


# pix2pix's own training options (``train_pix2pix`` keywords), each with what it is
PIX2PIX_OPTIONS = {"lambda_l1": "the weight of pix2pix's L1 term", "lambda_ssim": "the weight of pix2pix's SSIM term",
                   "decay": "pix2pix's learning-rate schedule"}


def _train(args: argparse.Namespace) -> None:
    from .data import check_split_sizes
    from .evaluation import evaluate, evaluate_photos, format_scores
    from .session import start

    method = methods.get(args.model)
    for option, what in PIX2PIX_OPTIONS.items():
        if getattr(args, option) is not None and option not in method.options:
            raise ProfileError(f"--{option.replace('_', '-')} is {what}; drop it for {args.model}")
    for option, given in (("augment", args.augment), ("upsampling", args.upsampling)):
        if given and option not in method.options:
            users = ", ".join(m.name for m in methods.REGISTRY.values() if option in m.options)
            raise ProfileError(f"--{option} is an option of the paired generators ({users}); drop it for {args.model}")
    if method.fixed_size and args.image_size not in (None, method.fixed_size):
        raise ProfileError(f"the {method.label} draws {method.fixed_size}x{method.fixed_size} sketches; "
                           f"drop --image-size for {args.model}")
    session = start(data=args.data, profile=args.profile, verbose=False)
    size = method.image_size(session.profile, args.image_size)
    batch = method.batch(session.profile)
    epochs = args.epochs or method.epochs(session.profile)
    session.print_header(image_size=size, batch_size=batch, epochs=epochs)
    check_split_sizes(session.data, train=batch, test=2 if method.translates else 0)
    print(f"training {args.model} at {size}x{size}, batch {batch} -> {args.out}")
    start_time = time.perf_counter()
    options = dict(out=args.out, epochs=args.epochs, seed=args.seed)
    if not method.fixed_size:
        options["image_size"] = args.image_size
    options.update({option: getattr(args, option) for option in PIX2PIX_OPTIONS if getattr(args, option) is not None})
    if args.augment:
        from .augment import Augmentation

        options["augment"] = Augmentation()
    if args.upsampling:
        options["upsampling"] = args.upsampling
    trained = method.train(session.data, session.profile, **options)
    extra = ", s2i.keras (sketch -> photo)" if trained.s2i is not None else ""
    print(f"trained in {time.perf_counter() - start_time:.0f} s; saved {trained.run.folder / 'generator.keras'}"
          f"{extra}, history.csv, samples/ and the checkpoint")
    if not method.translates:
        from .training import dcgan_spread

        spread = dcgan_spread(trained.run.model, session.data)
        print(f"sample spread {spread['samples']:.3f} (real sketches: {spread['real']:.3f}; "
              "near 0 means the samples all look alike)")
        return
    test = session.data.split("test")
    print(format_scores(evaluate(trained.generator, test, progress=print), name=args.model))
    if trained.s2i is not None:
        print(format_scores(evaluate_photos(trained.s2i, test, progress=print), name=f"{args.model} s2i"))


def _model_path(model: str, direction: str) -> Path:
    """A .keras file as given; a run folder: its generator of ``direction``.
    Checked here, before Keras and TensorFlow load (seconds), so a typo fails at once.

    Raises:
        ModelFileError: no such file, or a run folder without that generator.
    """
    from .errors import ModelFileError

    path = Path(model)
    if path.is_dir():
        name = "s2i.keras" if direction == "s2i" else "generator.keras"
        if not (path / name).is_file():
            if direction == "s2i":
                raise ModelFileError(f"{path}: no s2i.keras here. Only CycleGAN draws photos from sketches: train "
                                     f"one with `python -m sketchlab train cyclegan --out {path.parent / 'cyclegan'}` "
                                     "and pass that run folder.")
            raise ModelFileError(f"{path}: no generator.keras here, so this is not a finished training run. Pass "
                                 "a run folder that `python -m sketchlab train` completed, or the .keras file itself "
                                 "(an interrupted run: run the same train command again to finish it).")
        return path / name
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file or run folder. Check the path, or train one first, e.g. "
                             "`python -m sketchlab train unet --data toy --out runs/unet`.")
    return path


def _evaluate(args: argparse.Namespace) -> None:
    from .evaluation import check_save_dir

    if args.save_dir:
        if args.direction == "s2i":
            raise ProfileError("--save-dir writes sketches; drop it for --direction s2i")
        check_save_dir(args.save_dir)  # before the work, not after
    path = _model_path(args.model, args.direction)
    name = str(Path(args.model))  # a table names the model as given: the run folder tells runs apart

    from .data import check_split_sizes
    from .evaluation import evaluate_photos, evaluate_sketches, format_scores, generate, save_sketches
    from .models import load_generator  # Keras: after the quick checks
    from .session import start

    model = load_generator(path, direction=args.direction)
    session = start(data=args.data, verbose=not args.json)
    check_split_sizes(session.data, test=2)
    test = session.data.split("test")

    def progress(line: str) -> None:  # on stderr with --json: stdout holds the JSON alone
        print(line, file=sys.stderr if args.json else sys.stdout)

    if args.direction == "s2i":
        result = evaluate_photos(model, test, progress=progress)
        print(json.dumps(result) if args.json else format_scores(result, name=name))
        return
    sketches = generate(model, test, progress=progress)
    result = evaluate_sketches(sketches, test, progress=progress)
    if args.json:
        print(json.dumps(result))
    else:
        print(format_scores(result, name=name))
    if args.save_dir:
        folder = save_sketches(sketches, test, args.save_dir)
        print(f"{len(test)} sketches written to {folder}/", file=sys.stderr if args.json else sys.stdout)


def _faces_align(args: argparse.Namespace) -> None:
    from .faces import frame_files, output_paths, save_png

    targets = output_paths(args.images, args.out)
    framed = frame_files(args.images)  # every file read and aligned before anything is written
    for source, target, face in zip(args.images, targets, framed):
        save_png(face.image, target)
        print(f"{source} -> {target}" + (f" ({face.note})" if face.note else ""))


def _is_model(item: str) -> bool:
    """Whether ``sketch``'s first argument names a model (a run folder or a .keras file), not a photo."""
    return Path(item).is_dir() or Path(item).suffix.lower() == ".keras"


def _sketch(args: argparse.Namespace) -> None:
    from . import pretrained
    from .errors import ModelFileError
    from .faces import frame_images, output_paths, read_images, save_png, translate

    given = args.images[0] if _is_model(args.images[0]) else None
    args.images = args.images[1:] if given else args.images
    if not args.images:
        raise ModelFileError(f"{given}: a model but no photo; add the photos to sketch after it.")
    if given is None and args.direction == "s2i":
        raise ModelFileError("the shipped model draws sketches from photos; to draw photos from sketches, pass a "
                             "CycleGAN run folder first (`python -m sketchlab train cyclegan --out runs/cyclegan`).")
    targets = output_paths(args.images, args.out)
    path = _model_path(given, args.direction) if given else None
    images = read_images(args.images)
    from .models import load_generator  # Keras: after the quick checks

    if path is None:
        model = pretrained.load()
        print(f"model: the shipped one ({pretrained.card()['name']}; docs/model_card.md)")
    else:
        model = load_generator(path, direction=args.direction)
    align = args.direction == "i2s" if args.align is None else args.align
    framed = frame_images(images, [str(image) for image in args.images], align=align)
    outputs = translate(model, [face.image for face in framed], direction=args.direction)
    what = "sketch" if args.direction == "i2s" else "photo"
    for source, target, face, image in zip(args.images, targets, framed, outputs):
        save_png(image, target)
        print(f"{source} -> {target} ({what})" + (f"; {face.note}" if face.note else ""))


def _app(args: argparse.Namespace) -> None:
    from .errors import ModelFileError

    model = _model_path(args.model, "i2s") if args.model is not None else None  # before Gradio and Keras load
    try:
        import gradio  # noqa: F401
    except ImportError:
        raise ModelFileError("the sketch app needs Gradio: pip install gradio (requirements.txt installs it)") from None
    from .app import serve

    serve(model=model, port=args.port, share=args.share)


def _port(text: str) -> int:
    value = _whole(text, "a port number")
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 1 to 65535, got {value}")
    return value


def _whole(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None


def _size(text: str) -> int:
    try:
        return check_training_size(_whole(text, "a power of two such as 64"))
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


def _positive(text: str) -> int:
    value = _whole(text, "a positive whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {value}")
    return value


def _weight(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 100, got {text!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a weight of 0 or more, got {text}")
    return value


MAX_SEED = 2**32 - 1  # NumPy's and TensorFlow's seeds are unsigned 32-bit numbers


def _seed(text: str) -> int:
    value = _whole(text, f"a whole number from 0 to {MAX_SEED}")
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"expected a whole number from 0 to {MAX_SEED}, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m sketchlab``."""
    parser = argparse.ArgumentParser(prog="python -m sketchlab", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(required=True)

    demo = commands.add_parser("demo", help="train every method on the data in use, compare them, sketch new photos, "
                                           "and write an HTML report")
    demo.add_argument("--data", default=None, help="'toy' or a CUFS folder (default: data/cufs if present, else toy)")
    demo.add_argument("--out", default="reports/demo",
                      help="report folder, with the trained generators in runs/ (default: reports/demo); a previous "
                           "report there is replaced, a folder holding other files is refused")
    demo.add_argument("--profile", choices=("quick", "full"), default=None, help="default: full on a GPU, else quick")
    demo.set_defaults(run=_demo)

    data = commands.add_parser("data", help="make, download or inspect the data")
    data_commands = data.add_subparsers(required=True)
    toy = data_commands.add_parser("toy", help="make the synthetic toy faces")
    toy.add_argument("--out", required=True, help="folder to create")
    toy.add_argument("--seed", type=_seed, default=0, help="seed (default 0)")
    toy.set_defaults(run=_data_toy)
    download = data_commands.add_parser("download", help="download CUFS from Kaggle (a public dataset; Kaggle may "
                                                          "ask you to sign in, see docs/troubleshooting.md)")
    download.add_argument("--out", required=True, help="folder to create, e.g. data/cufs")
    download.set_defaults(run=_data_download)
    inspect = data_commands.add_parser("inspect", help="report the pairs and the split of a CUFS folder")
    inspect.add_argument("folder", help="a folder holding photos/ and sketches/")
    inspect.add_argument("--json", action="store_true", help="print one JSON object")
    inspect.set_defaults(run=_data_inspect)

    train = commands.add_parser("train", help="train a model on the train split, then score it on the test split")
    train.add_argument("model", choices=methods.names(), help="the method (sketchlab.methods)")
    train.add_argument("--data", default=None, help="'toy' or a CUFS folder (default: data/cufs if present, else toy)")
    train.add_argument("--out", required=True,
                       help="run folder: generator.keras, history.csv, samples/, the checkpoint; "
                            "an interrupted run in it is resumed")
    train.add_argument("--profile", choices=("quick", "full"), default=None, help="default: full on a GPU, else quick")
    train.add_argument("--image-size", type=_size, default=None, help="override the profile's image size")
    train.add_argument("--epochs", type=_positive, default=None, help="override the profile's epochs")
    train.add_argument("--seed", type=_seed, default=0, help="seed (default 0): a CPU run is repeatable")
    train.add_argument("--lambda-l1", type=_weight, default=None,
                       help="pix2pix only: weight of the L1 term (default: the paper's 100)")
    train.add_argument("--lambda-ssim", type=_weight, default=None,
                       help="pix2pix only: weight of an SSIM term, 1 - SSIM(sketch, artist's) "
                            "(default: 0, the paper's loss)")
    train.add_argument("--decay", action=argparse.BooleanOptionalAction, default=None,
                       help="pix2pix only: keep the learning rate for half the epochs, then decay it to 0 "
                            "(the paper's schedule; default: the profile's, off in quick)")
    train.add_argument("--augment", action="store_true",
                       help="unet, encoder-decoder, pix2pix: train on photos under other backdrops, light and "
                            "framing, for sketches of any face (sketchlab.augment)")
    train.add_argument("--upsampling", choices=("transpose", "resize"), default=None,
                       help="unet, encoder-decoder, pix2pix: the decoder's upsampling (default: transpose, "
                            "the paper's; resize: no checkerboard)")
    train.set_defaults(run=_train)

    evaluate = commands.add_parser("evaluate", help="score a trained generator and the baseline")
    evaluate.add_argument("model", help="a generator saved as .keras (RUN_DIR/generator.keras), or a run folder")
    evaluate.add_argument("--direction", choices=("i2s", "s2i"), default="i2s",
                          help="i2s: photo -> sketch (default); s2i: sketch -> photo (a CycleGAN run's s2i.keras), "
                               "scored against the real photos")
    evaluate.add_argument("--data", default=None, help="'toy' or a CUFS folder (default: data/cufs if present, else toy)")
    evaluate.add_argument("--json", action="store_true", help='print one object: {"model", "baseline", "n"}')
    evaluate.add_argument("--save-dir", default=None, help="write each test sketch as <person_id>.png (200x250, grey)")
    evaluate.set_defaults(run=_evaluate)

    faces = commands.add_parser("faces", help="bring new photos into the CUFS frame")
    faces_commands = faces.add_subparsers(required=True)
    align = faces_commands.add_parser(
        "align", help="find the face in each image and crop it like a CUFS photo (200x250, eyes in place)")
    align.add_argument("images", nargs="+", metavar="IMAGE", help="photos (JPEG, PNG, ...), any size")
    align.add_argument("--out", required=True, help="folder for DIR/<input name>.png (made if missing)")
    align.set_defaults(run=_faces_align)

    sketch = commands.add_parser("sketch", help="sketch new photos (or draw photos from sketches) with a generator")
    sketch.add_argument("images", nargs="+", metavar="[MODEL] IMAGE",
                        help="photos (sketches for s2i), any size; first, optionally, the model: a generator saved as "
                             ".keras, or a run folder (generator.keras; s2i.keras with --direction s2i). Without it, "
                             "the shipped photo -> sketch model (docs/model_card.md)")
    sketch.add_argument("--out", required=True, help="folder for DIR/<input name>.png, 200x250 (made if missing)")
    sketch.add_argument("--direction", choices=("i2s", "s2i"), default="i2s",
                        help="i2s: photo -> sketch (default); s2i: sketch -> photo (a CycleGAN run's s2i.keras)")
    sketch.add_argument("--align", action=argparse.BooleanOptionalAction, default=None,
                        help="find and align the face first (default for i2s); --no-align (default for s2i: "
                             "sketches are usually drawn in the CUFS frame already) takes each image as a face "
                             "crop (other sizes are centre-cropped and resized to 200x250)")
    sketch.set_defaults(run=_sketch)

    app = commands.add_parser("app", help="serve a web page that sketches a photo (upload or webcam)")
    app.add_argument("--model", default=None,
                     help="a photo -> sketch generator (.keras or a run folder) to offer besides the shipped model "
                          "and the runs under runs/")
    app.add_argument("--port", type=_port, default=None, help="the port (default: the first free one from 7860)")
    app.add_argument("--share", action="store_true", help="also a public link through Gradio's share servers")
    app.set_defaults(run=_app)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except SketchlabError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        message = _write_error(err)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return 2
    return 0


_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}
_NOT_A_FOLDER = {errno.ENOTDIR, errno.EEXIST}  # a file where a folder of the path should be


def _write_error(err: OSError) -> str | None:
    """What to tell the user about a disk that is full or a folder that may
    not be written; None for other errors, which are bugs to show whole."""
    text = str(err)
    full = err.errno in _FULL or "No space left" in text or "Disk quota exceeded" in text
    denied = err.errno in _DENIED or "Permission denied" in text or "Read-only file system" in text
    where = f"{err.filename}: " if err.filename else ""
    reason = err.strerror or text
    if err.errno in _NOT_A_FOLDER and err.filename:
        return (f"{where}cannot be made ({reason}): a file stands where the path needs a folder. Choose another "
                "--out, or move that file.")
    if not (full or denied):
        return None
    if full:
        return (f"{where}cannot write ({reason}). Free some disk space, or point --out at a disk with room; "
                "files written before stay as they were.")
    return (f"{where}cannot write ({reason}). Choose an --out folder you may write to, or change the "
            "folder's permissions.")
