"""Structural checks of a Dockerfile, its requirements and build context (a small hadolint, offline)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from multi_cloud.iac.findings import Finding

_SECRET_NAME = re.compile(r"(SECRET|PASSWORD|PASSWD|TOKEN|ACCESS_KEY|PRIVATE_KEY|API_KEY)", re.IGNORECASE)
_ROOT_USERS = {"root", "0"}
_REQUIREMENT_NAME = re.compile(r"[<>=!~ ;\[]")


@dataclass(frozen=True)
class Instruction:
    line: int
    keyword: str
    arguments: str


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions with their first line number; continuation lines joined, comments dropped."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # comments inside a continued instruction are ignored by Docker too
        if not pending:
            start = number
        pending.append(line[:-1].strip() if line.endswith("\\") else line)
        if not line.endswith("\\"):
            keyword, _, arguments = " ".join(part for part in pending if part).partition(" ")
            instructions.append(Instruction(start, keyword.upper(), arguments.strip()))
            pending = []
    if pending:
        keyword, _, arguments = " ".join(pending).partition(" ")
        instructions.append(Instruction(start, keyword.upper(), arguments.strip()))
    return instructions


def lint_dockerfile(text: str) -> list[Finding]:
    """Findings for a Dockerfile: pinned base, non-root USER, HEALTHCHECK, exec-form start, no secrets."""
    instructions = parse_dockerfile(text)
    froms = [i for i in instructions if i.keyword == "FROM"]
    if not froms:
        return [Finding("error", "from-missing", "no FROM instruction: start from a pinned base image")]
    findings = _check_bases(froms)
    final_stage = [i for i in instructions if i.line >= froms[-1].line]
    findings += _check_user(final_stage)
    findings += _check_healthcheck(final_stage)
    for instruction in instructions:
        findings += _check_instruction(instruction)
    if not any(i.keyword == "EXPOSE" for i in final_stage):
        findings.append(
            Finding("info", "expose-missing", "no EXPOSE: document the port the server listens on")
        )
    return findings


def _check_bases(froms: list[Instruction]) -> list[Finding]:
    findings: list[Finding] = []
    stages: set[str] = set()
    for instruction in froms:
        words = [w for w in instruction.arguments.split() if not w.startswith("--")]
        image = words[0] if words else ""
        where = f"line {instruction.line}"
        if len(words) >= 3 and words[1].lower() == "as":
            stages.add(words[2].lower())
        if not image or image.lower() in stages or image == "scratch":
            continue
        name, _, digest = image.partition("@")
        tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else ""
        if not tag and not digest:
            findings.append(
                Finding(
                    "error",
                    "base-unpinned",
                    f"{image} has no tag, so it means :latest; pin a version "
                    "such as python:3.11.7-slim-bookworm",
                    where,
                )
            )
        elif tag == "latest":
            findings.append(
                Finding(
                    "error",
                    "base-latest",
                    f"{image} uses :latest, which changes under you; pin a version "
                    "such as python:3.11.7-slim-bookworm",
                    where,
                )
            )
        if tag and tag != "latest" and not digest:
            findings.append(
                Finding(
                    "info",
                    "base-digest",
                    f"{image} is pinned by tag; pin by digest (image@sha256:...) for byte-identical rebuilds",
                    where,
                )
            )
    return findings


def _check_user(stage: list[Instruction]) -> list[Finding]:
    users = [i for i in stage if i.keyword == "USER"]
    if not users:
        return [
            Finding(
                "error",
                "user-missing",
                "no USER: the container runs as root; add a non-root user "
                "(useradd --uid 10001 app) and USER 10001",
            )
        ]
    last = users[-1]
    user = last.arguments.split(":", 1)[0].strip()
    where = f"line {last.line}"
    if user in _ROOT_USERS:
        return [Finding("error", "user-root", "the last USER is root; switch to a non-root user", where)]
    if user.startswith("$"):
        return [
            Finding("warning", "user-variable", f"USER {user} is a variable; make sure it is not root", where)
        ]
    if not user.isdigit():
        return [
            Finding(
                "info",
                "user-name",
                f"USER {user} is a name; a numeric uid lets Kubernetes' runAsNonRoot verify it",
                where,
            )
        ]
    return []


def _check_healthcheck(stage: list[Instruction]) -> list[Finding]:
    checks = [i for i in stage if i.keyword == "HEALTHCHECK"]
    if not checks:
        return [
            Finding(
                "error",
                "healthcheck-missing",
                "no HEALTHCHECK: add one that calls GET /ping so the "
                "orchestrator can replace a broken container",
            )
        ]
    if checks[-1].arguments.strip().upper() == "NONE":
        return [
            Finding(
                "error",
                "healthcheck-none",
                "HEALTHCHECK NONE disables health checks; call GET /ping",
                f"line {checks[-1].line}",
            )
        ]
    return []


def _check_instruction(instruction: Instruction) -> list[Finding]:
    keyword, arguments, where = instruction.keyword, instruction.arguments, f"line {instruction.line}"
    findings: list[Finding] = []
    if keyword in ("CMD", "ENTRYPOINT") and not arguments.startswith("["):
        findings.append(
            Finding(
                "warning",
                "shell-form",
                f"{keyword} in shell form runs under /bin/sh, which "
                'does not pass SIGTERM on; use the exec form ["python", ...]',
                where,
            )
        )
    if keyword == "ADD":
        if re.search(r"https?://", arguments):
            findings.append(
                Finding(
                    "warning",
                    "add-url",
                    "ADD of a URL is not verified or cached well; "
                    "download with a checksum in RUN, or COPY a vendored file",
                    where,
                )
            )
        else:
            findings.append(
                Finding("info", "add-copy", "prefer COPY for local files (ADD also unpacks)", where)
            )
    if keyword == "RUN":
        if re.search(r"\bpip3? install\b", arguments) and "--no-cache-dir" not in arguments:
            findings.append(
                Finding(
                    "warning",
                    "pip-cache",
                    "pip install without --no-cache-dir keeps the "
                    "download cache in the image; add --no-cache-dir",
                    where,
                )
            )
        if "apt-get install" in arguments and "/var/lib/apt/lists" not in arguments:
            findings.append(
                Finding(
                    "warning",
                    "apt-lists",
                    "apt-get install without removing "
                    "/var/lib/apt/lists/* leaves the package index in the layer",
                    where,
                )
            )
    if keyword in ("ENV", "ARG"):
        for name in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*=", arguments) or arguments.split()[:1]:
            if _SECRET_NAME.search(name):
                findings.append(
                    Finding(
                        "error",
                        "secret-in-image",
                        f"{keyword} {name} bakes a secret into "
                        "the image history; pass it at run time (ECS secrets, Secrets Manager, "
                        "IAM task roles)",
                        where,
                    )
                )
    return findings


def lint_requirements(text: str) -> list[Finding]:
    """Every requirement pinned with ``==`` (an unpinned one makes rebuilds differ)."""
    findings = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        if "==" not in line:
            name = _REQUIREMENT_NAME.split(line)[0]
            message = f"{line} is not pinned; write {name}==VERSION"
            findings.append(
                Finding("error", "requirement-unpinned", message, f"requirements.txt line {number}")
            )
    return findings


def lint_build_context(path: str | Path) -> list[Finding]:
    """The Dockerfile's findings, the requirements', and every COPY source present in the context."""
    root = Path(path)
    dockerfile = root / "Dockerfile"
    if not dockerfile.is_file():
        return [Finding("error", "dockerfile-missing", f"no Dockerfile in {root}")]
    text = dockerfile.read_text()
    findings = lint_dockerfile(text)
    if (root / "requirements.txt").is_file():
        findings += lint_requirements((root / "requirements.txt").read_text())
    for instruction in parse_dockerfile(text):
        if instruction.keyword not in ("COPY", "ADD") or "--from=" in instruction.arguments:
            continue
        sources = [w for w in instruction.arguments.split() if not w.startswith("--")][:-1]
        for source in sources:
            if "://" not in source and not list(root.glob(source.rstrip("/") or ".")):
                findings.append(
                    Finding(
                        "error",
                        "copy-missing",
                        f"{instruction.keyword} {source}: not in the build context; write it there first",
                        f"line {instruction.line}",
                    )
                )
    return findings
