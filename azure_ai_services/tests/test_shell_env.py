"""After ``eval "$(cloudai local env)"`` a fresh shell runs MLClient, DefaultAzureCredential and Blob code as
Microsoft's docs write it (the exports are all it needs: no custom credential, no package import)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from multi_cloud.local_cloud.cloud import LocalCloud
from multi_cloud.local_cloud.control import shell_exports

LEARNER_CODE = textwrap.dedent(
    """
    import os
    from azure.ai.ml import MLClient
    from azure.identity import DefaultAzureCredential
    from azure.storage.blob import BlobServiceClient

    credential = DefaultAzureCredential()
    token = credential.get_token("https://management.azure.com/.default")
    ml_client = MLClient(credential, "00000000-0000-0000-0000-000000000000", "rg", "ws")
    blobs = BlobServiceClient.from_connection_string(os.environ["AZURE_STORAGE_CONNECTION_STRING"])
    blobs.create_container("from-the-shell")
    print(bool(token.token), ml_client._base_url, [c.name for c in blobs.list_containers()])
    """
)


def test_learner_code_runs_after_eval_of_the_exports(
    azure_cloud: LocalCloud, azure_env: dict[str, str]
) -> None:
    exports = shell_exports(azure_cloud.env())
    clean = {key: os.environ[key] for key in ("PATH", "HOME") if key in os.environ}
    script = f'eval "$CLOUDAI_EXPORTS"\nexec {sys.executable} -c "$LEARNER_CODE"'
    done = subprocess.run(
        ["bash", "-c", script],
        env={**clean, "CLOUDAI_EXPORTS": exports, "LEARNER_CODE": LEARNER_CODE},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    has_token, base_url, containers = done.stdout.strip().split(" ", 2)
    assert has_token == "True"
    assert base_url.rstrip("/") == azure_env["CLOUDAI_AZURE_ENDPOINT"]
    assert containers == "['from-the-shell']"
