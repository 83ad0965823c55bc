#!/usr/bin/env python3
"""Build MediaPipe Tasks ``pose_landmarker_{variant}.task`` bundles offline.

Why this script exists
----------------------
Current ``mediapipe`` (1.2.x) only has the Tasks API, and the Tasks
``PoseLandmarker`` needs a ``.task`` bundle that no registry package ships.
The bundle is just an uncompressed, 4-byte-aligned zip holding two TFLite
models with MediaPipe metadata:

* ``pose_detector.tflite``           - the BlazePose person detector
* ``pose_landmarks_detector.tflite`` - the 33-point landmark model

Both networks are Google's MediaPipe models, released under Apache-2.0, and
registry packages carry them. This script rebuilds the bundles from those
packages alone, in a throwaway environment, so the committed binaries in
``formcheck/models/`` can be reproduced and audited.

Where each weight file comes from
---------------------------------
* Detector: PyPI wheel ``mediapipe==0.10.21``, file
  ``mediapipe/modules/pose_detection/pose_detection.tflite``. It is the
  detector that the legacy ``mediapipe.solutions.pose`` API ran, so results
  can be compared against that API. (The npm package below also has a
  detector, but only inside a packed wasm asset blob and as a different
  build, so we do not take it from there.)
* Landmark models: npm package ``@mediapipe/pose@0.5.1675469404``, files
  ``package/pose_landmark_{lite,full,heavy}.tflite``. The wheel only has the
  ``full`` one (byte-identical to the npm file); npm has all three variants.

What is changed, and why the normalisation values are what they are
-------------------------------------------------------------------
The Tasks API's image preprocessing reads the input value range from the
model's TFLite metadata (``NormalizationOptions``) and refuses a float-input
model without it. The npm landmark models carry no such metadata. The wheel's
detector does carry some (already mean/std 127.5, but copy-pasted from a face
detector: "Full Range Face Detection"); we rewrite it so both models have
the same, correctly named metadata. Graph and weights are not touched (every
tensor buffer and operator stays byte-identical); only an image-input
metadata block with the float range the legacy graphs fed in is written:

* detector: mean 127.5, std 127.5, i.e. ``(pixel - 127.5) / 127.5`` maps
  0..255 to [-1, 1], the range the legacy ``pose_detection_cpu`` graph's
  ImageToTensorCalculator produced (``output_tensor_float_range`` -1..1).
* landmark model: mean 0, std 255, i.e. ``pixel / 255`` maps 0..255 to
  [0, 1], the range of the legacy ``pose_landmark_by_roi_cpu`` graph.

The metadata is written with the metadata writer of ``mediapipe==0.10.21``
(``mediapipe.tasks.python.metadata.metadata_writers.metadata_writer``),
because the copy in 1.2.x is broken. That old wheel is installed in a
temporary venv and the writer runs there through a subprocess.

Usage
-----
    python scripts/build_pose_models.py                       # lite + full
    python scripts/build_pose_models.py --variants heavy --out /tmp/models
    python scripts/build_pose_models.py --npm-tarball mediapipe-pose-0.5.1675469404.tgz \\
        --reuse-venv /path/to/venv-with-mediapipe-0.10.21

Needs ``npm`` (unless ``--npm-tarball``) and ``pip``/``venv`` (unless
``--reuse-venv``), plus access to the PyPI and npm registries. Output bundles
are byte-reproducible: zip entries get a fixed timestamp.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# Pinned sources: bumping either changes the committed bundles, so do it on purpose.
WHEEL_REQUIREMENT = "mediapipe==0.10.21"
WHEEL_VERSION = "0.10.21"
NPM_PACKAGE = "@mediapipe/pose@0.5.1675469404"
SUPPORTED_PYTHONS = ("3.9", "3.10", "3.11", "3.12")  # CPythons with a 0.10.21 wheel

VARIANTS = ("lite", "full", "heavy")
DEFAULT_VARIANTS = ("lite", "full")  # heavy is ~30 MB: opt-in, never committed
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "formcheck" / "models"

# Normalisation per model: (mean, std), see the module docstring.
DETECTOR_NORM = (127.5, 127.5)
LANDMARK_NORM = (0.0, 255.0)

# Code run by the venv's Python (mediapipe 0.10.21). It is a fixed string in
# this file; the only input it takes is a JSON job on stdin, parsed with json.
# It prints a JSON result on stdout.
WRITER_SOURCE = r'''
import hashlib, json, os, sys, zipfile

import mediapipe

job = json.load(sys.stdin)
# Check before importing the writer: in other versions it is missing or broken.
if mediapipe.__version__ != job["wheel_version"]:
    sys.exit("venv has mediapipe %s, need %s" % (mediapipe.__version__, job["wheel_version"]))

from mediapipe.tasks.python.metadata.metadata_writers import (
    metadata_writer,
    model_asset_bundle_utils,
    writer_utils,
)

pkg_dir = os.path.dirname(mediapipe.__file__)
detector_path = os.path.join(pkg_dir, "modules", "pose_detection", "pose_detection.tflite")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def with_image_norm(raw, name, mean, std, outputs):
    """Return the model with image-input metadata (NormalizationOptions) added.

    Outputs are described one by one: left out, the writer gives every output
    the same metadata object and so the first tensor's name.
    """
    writer = metadata_writer.MetadataWriter.create(bytearray(raw))
    writer.add_general_info(name, "MediaPipe pose model (Apache-2.0); input metadata added")
    writer.add_image_input(norm_mean=[mean] * 3, norm_std=[std] * 3)
    tensor_names = writer_utils.get_output_tensor_names(bytearray(raw))
    if len(tensor_names) != len(outputs):
        sys.exit("%s: expected %d outputs, model has %d" % (name, len(outputs), len(tensor_names)))
    for tensor_name, description in zip(tensor_names, outputs):
        writer.add_feature_output(name=tensor_name, description=description)
    model, _json = writer.populate()
    return bytes(model)


with open(detector_path, "rb") as f:
    detector_raw = f.read()
dmean, dstd = job["detector_norm"]
detector = with_image_norm(detector_raw, "pose_detector", dmean, dstd,
                           ["raw boxes and keypoints, 2254 SSD anchors",
                            "raw scores, 2254 SSD anchors"])

result = {
    "detector": {"path": os.path.relpath(detector_path, os.path.dirname(pkg_dir)),
                 "sha256": sha256(detector_raw), "size": len(detector_raw)},
    "bundles": [],
}
for item in job["bundles"]:
    with open(item["landmark_src"], "rb") as f:
        landmark_raw = f.read()
    lmean, lstd = job["landmark_norm"]
    landmark = with_image_norm(landmark_raw, "pose_landmarks_detector", lmean, lstd,
                               ["33 landmarks x (x, y, z, visibility, presence), input pixels",
                                "pose presence score", "segmentation mask 256x256",
                                "heatmap 64x64x39", "33 world landmarks x (x, y, z), metres"])
    # MediaPipe's own zip class: stored (uncompressed) entries aligned to 4 bytes,
    # because Tasks mmaps the models out of the bundle. A fixed timestamp keeps
    # rebuilds byte-identical.
    with model_asset_bundle_utils.AlignZipFile(item["out"], mode="w", alignment=4) as zf:
        for name, data in (("pose_detector.tflite", detector),
                           ("pose_landmarks_detector.tflite", landmark)):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    result["bundles"].append({"variant": item["variant"], "out": item["out"]})

dist_license = os.path.join(os.path.dirname(pkg_dir),
                            "mediapipe-%s.dist-info" % mediapipe.__version__, "LICENSE")
result["license"] = dist_license if os.path.exists(dist_license) else None
json.dump(result, sys.stdout)
'''


class BuildError(Exception):
    """A failure worth a one-line message rather than a traceback."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run(cmd: list[str], what: str, **kwargs) -> subprocess.CompletedProcess:
    """Run a command; turn a failure into a BuildError naming its last stderr line."""
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    except FileNotFoundError as exc:
        raise BuildError(f"{what}: {cmd[0]} not found") from exc
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        last = lines[-1] if lines else f"exit code {proc.returncode}"
        raise BuildError(f"{what} failed: {last}")
    return proc


def venv_python(venv: Path) -> Path:
    for candidate in (venv / "bin" / "python", venv / "Scripts" / "python.exe"):
        if candidate.exists():
            return candidate
    raise BuildError(f"no Python interpreter found in venv {venv}")


def make_venv(base_python: str, where: Path) -> Path:
    """Create a throwaway venv and install the pinned old wheel into it."""
    venv = where / "venv"
    try:
        # The old wheel exists only for some CPythons; pip would just say
        # "no matching distribution", so say which interpreter to use instead.
        version = subprocess.run(
            [base_python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        if version not in SUPPORTED_PYTHONS:
            raise BuildError(
                f"{WHEEL_REQUIREMENT} has wheels for CPython {SUPPORTED_PYTHONS[0]}-"
                f"{SUPPORTED_PYTHONS[-1]} only, {base_python} is {version or 'unknown'}: "
                "pass --python /path/to/python3.12 or --reuse-venv"
            )
        print(f"creating venv in {venv} ...", flush=True)
        proc = subprocess.run(
            [base_python, "-m", "venv", str(venv)], capture_output=True, text=True
        )
    except OSError as exc:
        raise BuildError(f"cannot run --python {base_python}: {exc.strerror}") from exc
    if proc.returncode != 0:
        # Usually Debian's python without python3-venv/ensurepip: no pip in the venv.
        raise BuildError(
            "pip is unavailable: `python -m venv` could not set up pip "
            "(install python3-venv, or pass --reuse-venv)"
        )
    python = venv_python(venv)
    if subprocess.run([python, "-m", "pip", "--version"], capture_output=True).returncode:
        raise BuildError("pip is unavailable in the new venv (pass --reuse-venv)")
    print(f"pip install {WHEEL_REQUIREMENT} ...", flush=True)
    run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            WHEEL_REQUIREMENT,
        ],
        f"pip install {WHEEL_REQUIREMENT}",
    )
    return python


def npm_pack(where: Path) -> Path:
    """Download the npm tarball with `npm pack` (no install, no scripts run)."""
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm is unavailable: install npm or pass --npm-tarball PATH")
    print(f"npm pack {NPM_PACKAGE} ...", flush=True)
    run([npm, "pack", "--silent", NPM_PACKAGE], f"npm pack {NPM_PACKAGE}", cwd=where)
    tarballs = sorted(where.glob("*.tgz"))
    if not tarballs:
        raise BuildError("npm pack produced no tarball")
    return tarballs[0]


def extract_landmark_models(tarball: Path, variants: list[str], dest: Path) -> dict[str, Path]:
    """Copy only the named .tflite members out of the tarball (no extractall)."""
    found: dict[str, Path] = {}
    try:
        with tarfile.open(tarball, "r:gz") as tar:
            for variant in variants:
                member = f"package/pose_landmark_{variant}.tflite"
                try:
                    src = tar.extractfile(member)
                except KeyError:
                    src = None
                if src is None:
                    raise BuildError(f"{tarball} has no {member}")
                out = dest / f"pose_landmark_{variant}.tflite"
                with src, out.open("wb") as f:
                    shutil.copyfileobj(src, f)
                found[variant] = out
    except (tarfile.TarError, OSError) as exc:
        raise BuildError(f"cannot read npm tarball {tarball}: {exc}") from exc
    return found


def write_license(license_src: str | None, out_dir: Path) -> None:
    """Copy the Apache-2.0 text from the wheel's dist-info LICENSE.

    The wheel's file appends notices for unrelated C++ sources after the
    Apache text (separated by a line of '='); those do not cover the models,
    so we keep only the Apache-2.0 part.
    """
    if not license_src:
        print("warning: wheel has no dist-info LICENSE; LICENSE not written", file=sys.stderr)
        return
    text = Path(license_src).read_text(encoding="utf-8")
    apache = text.split("\n=====", 1)[0].rstrip() + "\n"
    if "Apache License" not in apache:
        raise BuildError(f"{license_src} does not look like the Apache-2.0 text")
    (out_dir / "LICENSE").write_text(apache, encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Build pose_landmarker_{variant}.task bundles from registry packages."
    )
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=VARIANTS,
        default=list(DEFAULT_VARIANTS),
        help="landmark model sizes to build (default: lite full)",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output directory (default: {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--npm-tarball",
        type=Path,
        help=f"use this `npm pack {NPM_PACKAGE}` tarball instead of downloading",
    )
    parser.add_argument(
        "--reuse-venv",
        type=Path,
        help=f"use this existing venv with {WHEEL_REQUIREMENT} instead of creating one",
    )
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="interpreter for the new venv; mediapipe 0.10.21 has wheels for "
        "CPython 3.9-3.12 (default: this one)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    variants = list(dict.fromkeys(args.variants))  # de-duplicate, keep order
    out_dir: Path = args.out.resolve()

    try:
        if args.npm_tarball is not None and not args.npm_tarball.is_file():
            raise BuildError(f"--npm-tarball {args.npm_tarball} is not a file")
        # Fail fast on a missing tool before any slow download starts.
        if args.npm_tarball is None and shutil.which("npm") is None:
            raise BuildError("npm is unavailable: install npm or pass --npm-tarball PATH")

        with tempfile.TemporaryDirectory(prefix="build_pose_models_") as tmp_str:
            tmp = Path(tmp_str)
            python = (
                venv_python(args.reuse_venv.resolve())
                if args.reuse_venv
                else make_venv(args.python, tmp)
            )
            tarball = args.npm_tarball.resolve() if args.npm_tarball else npm_pack(tmp)
            landmark_src = extract_landmark_models(tarball, variants, tmp)

            staging = tmp / "out"
            staging.mkdir()
            job = {
                "wheel_version": WHEEL_VERSION,
                "detector_norm": DETECTOR_NORM,
                "landmark_norm": LANDMARK_NORM,
                "bundles": [
                    {
                        "variant": v,
                        "landmark_src": str(landmark_src[v]),
                        "out": str(staging / f"pose_landmarker_{v}.task"),
                    }
                    for v in variants
                ],
            }
            print("adding metadata and bundling ...", flush=True)
            proc = run(
                [str(python), "-c", WRITER_SOURCE],
                "metadata writer (in venv)",
                input=json.dumps(job),
            )
            result = json.loads(proc.stdout.strip().splitlines()[-1])

            out_dir.mkdir(parents=True, exist_ok=True)
            det = result["detector"]
            print(
                f"\nsource {WHEEL_REQUIREMENT}:{det['path']}  "
                f"sha256={det['sha256']}  size={det['size']}"
            )
            for v in variants:
                print(
                    f"source {NPM_PACKAGE}:package/pose_landmark_{v}.tflite  "
                    f"sha256={sha256_file(landmark_src[v])}  "
                    f"size={landmark_src[v].stat().st_size}"
                )
            print()
            for bundle in result["bundles"]:
                built = Path(bundle["out"])
                final = out_dir / built.name
                # Copy next to the target then rename, so a failed copy never
                # leaves a truncated bundle under the real name.
                partial = final.with_name(final.name + ".partial")
                shutil.copyfile(built, partial)
                os.replace(partial, final)
                print(f"{sha256_file(final)}  {final.stat().st_size:>9} bytes  {final}")
            write_license(result.get("license"), out_dir)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
