"""Stage a training job's container: input channels from S3, and the code the request names.

Two ways a request names its code, both as SageMaker's containers read them:
- framework script mode (the SKLearn/PyTorch estimators, the AWS docs' boto3 examples): the
  ``sagemaker_program`` and ``sagemaker_submit_directory`` hyperparameters (JSON-encoded) name the entry
  point inside a ``sourcedir.tar.gz`` in S3; the other hyperparameters, JSON-decoded, become ``--name value``;
- the SageMaker Python SDK 3.x ``ModelTrainer`` + ``SourceCode``: a ``code`` channel with the source and an
  ``sm_drivers`` channel whose ``sourcecode.json`` names ``entry_script`` (or a ``command``); its driver
  scripts use absolute ``/opt/ml`` paths, so the local cloud does what they do instead of running them.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multi_cloud.emulation.jobs.archives import unpack_model
from multi_cloud.emulation.jobs.layout import ContainerLayout

from aws_ai_services.emulator.moto_state import MotoS3, S3Missing

FRAMEWORK_PREFIX = "sagemaker_"
SDK_DRIVERS_CHANNEL = "sm_drivers"
SDK_CODE_CHANNEL = "code"


class StagingError(Exception):
    """The job cannot start: SageMaker reports these as ``ClientError`` (input) or ``AlgorithmError``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind

    @property
    def reason(self) -> str:
        return f"{self.kind}: {self}"


@dataclass(frozen=True)
class Program:
    """What to run once the container is staged."""

    #: ``python <entry_point> --hp value ...`` (fork-server friendly) when set
    entry_point: Path | None
    #: a shell command (SDK 3.x ``SourceCode.command``) otherwise
    command: list[str] = field(default_factory=list)
    hyperparameters: Mapping[str, Any] = field(default_factory=dict)
    extra_env: Mapping[str, str] = field(default_factory=dict)


def decode_value(text: str) -> Any:
    """What the training container does with each stored value: JSON when it parses, else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def stage_channels(
    s3: MotoS3, description: Mapping[str, Any], layout: ContainerLayout, role: str
) -> list[str]:
    """Copy each S3 channel under ``input/data/<channel>/`` (File mode); an empty channel is a ClientError."""
    names: list[str] = []
    for channel in description.get("InputDataConfig") or []:
        name = channel["ChannelName"]
        source = channel.get("DataSource", {}).get("S3DataSource")
        if source is None:
            raise StagingError("ClientError", f"channel {name!r}: only S3 data sources are emulated locally")
        uri = source["S3Uri"]
        target = layout.channel(name)
        target.mkdir(parents=True, exist_ok=True)
        try:
            copied = _copy_prefix(s3, uri, target)
        except S3Missing:
            copied = 0
        if not copied:
            bucket = uri.split("/")[2] if uri.count("/") >= 2 else uri
            raise StagingError(
                "ClientError",
                f'No S3 objects found under S3 URL "{uri}" given in input data source. Please ensure '
                "that the bucket exists in the selected region, that objects exist under that S3 prefix, "
                f'and that the role "{role}" has "s3:ListBucket" permissions on bucket "{bucket}".',
            )
        names.append(name)
    return names


def _copy_prefix(s3: MotoS3, uri: str, target: Path) -> int:
    """Every object under the prefix, at its path relative to the prefix (as SageMaker lays channels out)."""
    prefix = uri.removeprefix("s3://").partition("/")[2]
    copied = 0
    for key, data in s3.objects(uri):
        relative = key[len(prefix) :].lstrip("/") or key.rsplit("/", 1)[-1]
        path = (target / relative).resolve()
        if target.resolve() not in path.parents:
            continue  # a key with ".." never escapes the channel directory
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        copied += 1
    return copied


def resolve_program(s3: MotoS3, description: Mapping[str, Any], layout: ContainerLayout) -> Program:
    """The entry point (and its arguments) the request names, with its code unpacked under ``code/``."""
    stored = description.get("HyperParameters") or {}
    decoded = {name: decode_value(value) for name, value in stored.items()}
    program, submit_dir = decoded.get("sagemaker_program"), decoded.get("sagemaker_submit_directory")
    if program:
        return _framework_program(s3, str(program), str(submit_dir or ""), decoded, layout)
    if (layout.channel(SDK_DRIVERS_CHANNEL) / "sourcecode.json").is_file():
        return _sdk_program(layout, stored)
    raise StagingError(
        "AlgorithmError",
        "this job names no code the local cloud can run. Use framework script mode (the sagemaker_program "
        "and sagemaker_submit_directory hyperparameters, as the SKLearn estimator sets them) or the "
        "SageMaker Python SDK's ModelTrainer with a SourceCode; built-in algorithm images are not emulated "
        "(see the fidelity table in aws_ai_services/README.md)",
    )


def _framework_program(
    s3: MotoS3, program: str, submit_dir: str, decoded: Mapping[str, Any], layout: ContainerLayout
) -> Program:
    code_dir = layout.root / "code"
    if submit_dir.startswith("s3://"):
        try:
            archive = s3.get(submit_dir)
        except S3Missing as exc:
            raise StagingError(
                "ClientError", f"the source archive sagemaker_submit_directory={submit_dir} is missing: {exc}"
            ) from exc
        try:
            unpack_model(archive, code_dir)
        except Exception as exc:  # noqa: BLE001 - any unreadable archive is the request's problem
            raise StagingError(
                "ClientError", f"{submit_dir} is not a readable .tar.gz archive: {exc}"
            ) from exc
    elif submit_dir.startswith("file://"):
        raise StagingError(
            "ClientError", f"sagemaker_submit_directory {submit_dir} is local; upload it to S3"
        )
    entry = code_dir / program
    if not entry.is_file():
        found = sorted(str(p.relative_to(code_dir)) for p in code_dir.rglob("*") if p.is_file())[:10]
        raise StagingError(
            "AlgorithmError",
            f"No such file or directory: entry point {program!r} is not in the source archive "
            f"(it holds: {', '.join(found) or 'nothing'})",
        )
    user = {k: v for k, v in decoded.items() if not k.startswith(FRAMEWORK_PREFIX)}
    return Program(entry_point=entry, hyperparameters=user, extra_env={"SM_USER_ENTRY_POINT": program})


def _sdk_program(layout: ContainerLayout, stored: Mapping[str, str]) -> Program:
    source = json.loads((layout.channel(SDK_DRIVERS_CHANNEL) / "sourcecode.json").read_text())
    code_dir = layout.channel(SDK_CODE_CHANNEL)
    hyperparameters = {name: decode_value(value) for name, value in stored.items()}
    extra = {"SM_SOURCE_DIR": str(code_dir), "SM_PYTHON_CMD": sys.executable}
    command = source.get("command")
    if command:
        args = [str(a) for a in source.get("args") or []]
        line = " ".join([command, *map(shlex.quote, args)])
        return Program(entry_point=None, command=["/bin/sh", "-c", line], hyperparameters={}, extra_env=extra)
    entry_script = source.get("entry_script") or ""
    entry = code_dir / entry_script
    if not entry_script.endswith(".py") or not entry.is_file():
        raise StagingError(
            "AlgorithmError",
            f"entry_script {entry_script!r} is not a Python file in the code channel "
            "(the local cloud runs .py entry scripts and commands)",
        )
    extra["SM_ENTRY_SCRIPT"] = entry_script
    return Program(entry_point=entry, hyperparameters=hyperparameters, extra_env=extra)
