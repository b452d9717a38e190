"""DBFS and the workspace tree over the wire with ``WorkspaceClient()``: upload, list, download, errors."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest

NOTEBOOK = b"# Databricks notebook source\nprint('hello')\n\n# COMMAND ----------\n\nx = 1\n"


@pytest.fixture
def workspace(azure_env: dict[str, str]) -> Any:
    from databricks.sdk import WorkspaceClient

    return WorkspaceClient()


def test_dbfs_upload_list_download_delete(workspace: Any) -> None:
    payload = bytes(range(256)) * 5000  # > 1 MB: several blocks each way
    workspace.dbfs.upload("dbfs:/lessons/data.bin", io.BytesIO(payload), overwrite=True)
    listed = workspace.dbfs.list("dbfs:/lessons")
    assert [(f.path, f.file_size, f.is_dir) for f in listed] == [("/lessons/data.bin", len(payload), False)]
    with workspace.dbfs.download("dbfs:/lessons/data.bin") as handle:
        assert handle.read() == payload
    workspace.dbfs.delete("dbfs:/lessons", recursive=True)
    assert not workspace.dbfs.exists("dbfs:/lessons/data.bin")


def test_dbfs_put_and_read_round_trip_base64(workspace: Any) -> None:
    workspace.dbfs.put("/tmp/hello.txt", contents=base64.b64encode(b"hello dbfs").decode(), overwrite=True)
    answer = workspace.dbfs.read("/tmp/hello.txt", offset=6, length=4)
    assert (answer.bytes_read, base64.b64decode(answer.data)) == (4, b"dbfs")


def test_dbfs_errors(workspace: Any) -> None:
    from databricks.sdk.errors import InvalidParameterValue, NotFound, ResourceAlreadyExists

    with pytest.raises(NotFound):
        workspace.dbfs.get_status("/no/such/file")
    with pytest.raises(InvalidParameterValue, match=r"\.\."):
        workspace.dbfs.put("/a/../../etc/passwd", contents="eA==")
    with pytest.raises(InvalidParameterValue, match="base64"):
        workspace.dbfs.put("/a.txt", contents="not base64!")
    workspace.dbfs.put("/a.txt", contents="eA==")
    with pytest.raises(ResourceAlreadyExists):
        workspace.dbfs.put("/a.txt", contents="eA==")


def test_workspace_notebooks_import_list_export(workspace: Any) -> None:
    from databricks.sdk.service.workspace import ImportFormat, Language, ObjectType

    workspace.workspace.mkdirs("/Users/learner@example.com/lessons")
    workspace.workspace.upload(
        "/Users/learner@example.com/lessons/train",
        NOTEBOOK,
        format=ImportFormat.SOURCE,
        language=Language.PYTHON,
    )
    workspace.workspace.import_(
        "/Users/learner@example.com/lessons/helper.py",
        content=base64.b64encode(b"X = 1\n").decode(),
        format=ImportFormat.AUTO,
    )
    listed = {o.path: o.object_type for o in workspace.workspace.list("/Users/learner@example.com/lessons")}
    assert listed == {
        "/Users/learner@example.com/lessons/helper.py": ObjectType.FILE,
        "/Users/learner@example.com/lessons/train": ObjectType.NOTEBOOK,
    }
    assert workspace.workspace.download("/Users/learner@example.com/lessons/train").read() == NOTEBOOK
    exported = workspace.workspace.export("/Users/learner@example.com/lessons/train")
    assert base64.b64decode(exported.content) == NOTEBOOK


def test_workspace_errors(workspace: Any) -> None:
    from databricks.sdk.errors import InvalidParameterValue, NotFound, ResourceAlreadyExists
    from databricks.sdk.service.workspace import ImportFormat, Language

    with pytest.raises(NotFound, match="parent folder"):
        workspace.workspace.upload(
            "/Users/nobody/x", NOTEBOOK, format=ImportFormat.SOURCE, language=Language.PYTHON
        )
    workspace.workspace.upload("/Shared/x", NOTEBOOK, format=ImportFormat.SOURCE, language=Language.PYTHON)
    with pytest.raises(ResourceAlreadyExists):
        workspace.workspace.upload(
            "/Shared/x", NOTEBOOK, format=ImportFormat.SOURCE, language=Language.PYTHON
        )
    with pytest.raises(InvalidParameterValue):
        workspace.workspace.import_("/Shared/y", content="eA==", format=ImportFormat.SOURCE)
    with pytest.raises(NotFound):
        workspace.workspace.get_status("/Shared/missing")
