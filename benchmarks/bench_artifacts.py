"""Artifacts: how much memory uploading and downloading a large artifact takes, on S3 and on a local directory.

Each figure is the growth of a fresh process's peak resident memory (``ru_maxrss``) over one call, measured after
the library is imported and a small artifact has gone up and down once (so that lazy imports and connection
pools are already in the baseline). S3 is moto's S3-compatible server, run in its own process on the loopback
address so that the objects it holds are not counted; both libraries use ``Boto3ArtifactStore(bucket, client)``
with its defaults. The artifact is 256 MiB (16 MiB with ``--quick``). Only the S3 upload is reported as a metric:
Optuna copies the whole file into memory first, albacore streams it (boto3 still holds up to about ten 8 MiB
parts in flight). The other three operations stream in both libraries and are printed on stderr.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import uuid
from typing import Any

from _common import Metric, emit, parse_args

_SERVER = """
import sys
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()
server.stop()
"""


def _client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench", aws_secret_access_key="bench"
    )


def _store(lib: Any, where: str) -> Any:
    if where.startswith("http://"):
        endpoint, bucket = where.rsplit("/", 1)
        return lib.artifacts.Boto3ArtifactStore(bucket, _client(endpoint))
    return lib.artifacts.FileSystemArtifactStore(where)


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _measure(lib_name: str, where: str, source: str, operation: str, artifact_id: str, results: Any) -> None:
    """In a fresh process: warm up, then report (peak growth in MiB, artifact id) of one upload or download."""
    lib = importlib.import_module(lib_name)
    lib.logging.set_verbosity(lib.logging.WARNING)
    store = _store(lib, where)
    scratch = tempfile.mkdtemp()
    small = os.path.join(scratch, "small.bin")
    with open(small, "wb") as f:
        f.write(os.urandom(1 << 16))
    study = lib.create_study()
    trial = study.ask()
    warm = lib.artifacts.upload_artifact(artifact_store=store, file_path=small, study_or_trial=trial)
    lib.artifacts.download_artifact(artifact_store=store, file_path=os.path.join(scratch, "warm"), artifact_id=warm)
    before = _peak_kib()
    if operation == "upload":
        artifact_id = lib.artifacts.upload_artifact(artifact_store=store, file_path=source, study_or_trial=trial)
    else:
        lib.artifacts.download_artifact(
            artifact_store=store, file_path=os.path.join(scratch, "big"), artifact_id=artifact_id
        )
        os.remove(os.path.join(scratch, "big"))
    results.put(((_peak_kib() - before) / 1024, artifact_id))


def _run(lib_name: str, where: str, source: str, operation: str, artifact_id: str = "") -> tuple[float, str]:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=_measure, args=(lib_name, where, source, operation, artifact_id, results))
    process.start()
    process.join()
    if process.exitcode != 0:
        raise RuntimeError(f"the {operation} process of {lib_name} failed with exit code {process.exitcode}")
    growth, new_id = results.get(timeout=60)
    return float(growth), str(new_id)


def main() -> None:
    lib, quick, _ = parse_args(__doc__ or "")
    size_mib = 16 if quick else 256
    with tempfile.TemporaryDirectory() as directory:
        source = os.path.join(directory, "checkpoint.bin")
        with open(source, "wb") as f:
            for _ in range(size_mib):
                f.write(os.urandom(1 << 20))
        server = subprocess.Popen(
            [sys.executable, "-c", _SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        try:
            assert server.stdout is not None
            endpoint = f"http://127.0.0.1:{int(server.stdout.readline())}"
            bucket = f"bench-{uuid.uuid4().hex[:12]}"
            _client(endpoint).create_bucket(Bucket=bucket)
            s3 = f"{endpoint}/{bucket}"
            s3_up, s3_id = _run(lib.__name__, s3, source, "upload")
            s3_down, _ = _run(lib.__name__, s3, source, "download", s3_id)
        finally:
            server.communicate(b"", timeout=60)
        local = os.path.join(directory, "store")
        os.mkdir(local)  # Optuna's file-system store does not create its directory
        fs_up, fs_id = _run(lib.__name__, local, source, "upload")
        fs_down, _ = _run(lib.__name__, local, source, "download", fs_id)
    label = f"{size_mib} MiB artifact"
    # Streamed reads and file-system writes grow the peak by well under 1 MiB in both libraries (ratios of zeros
    # say nothing), so they are printed for the record and only the S3 upload is a results row.
    print(
        f"peak memory growth (MiB): S3 download {s3_down:g}, file-system upload {fs_up:g}, download {fs_down:g}",
        file=sys.stderr,
    )
    emit([Metric(f"S3 store (moto server), upload of a {label}: peak memory growth", s3_up, "MiB", "lower")])


if __name__ == "__main__":
    main()
