"""moto patch: an AWS managed IAM policy (``arn:aws:iam::aws:policy/...``) exists as soon as it is named.

moto knows AWS's managed policies (``moto/iam/aws_managed_policies.py``) but loads them only with
``MOTO_IAM_LOAD_MANAGED_POLICIES=true``: all ~1,600 of them, about 0.33 s for every account's IAM backend
(and again after each reset). Without it, ``AttachRolePolicy`` with
``arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`` fails with ``NoSuchEntity``. After
``install()`` (the ``cloudai.moto_patches`` entry point, idempotent) the one policy an ARN names is created
in that backend the first time a request names it (``GetPolicy``, ``GetPolicyVersion``,
``ListPolicyVersions``, ``Attach*Policy``, ``Detach*Policy``): the bundled data is parsed once per process
(~0.1 s), each policy then costs ~0.1 ms. An ARN moto's data does not know keeps AWS's ``NoSuchEntity``.
"""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from types import ModuleType
from typing import Any

from aws_ai_services.emulator.moto_patching import patch_method, when_imported

#: the backend methods whose first argument is a policy ARN
ARN_FIRST = (
    "get_policy",
    "attach_role_policy",
    "attach_group_policy",
    "attach_user_policy",
    "detach_role_policy",
    "detach_group_policy",
    "detach_user_policy",
)
_lock = threading.Lock()


def install() -> None:
    when_imported("moto.iam.models", _patch_backend)


def _patch_backend(module: ModuleType) -> None:
    def make(original: Any) -> Any:
        def with_managed_policy(self: Any, policy_arn: str, *args: Any, **kwargs: Any) -> Any:
            ensure_aws_managed_policy(self, module, policy_arn)
            return original(self, policy_arn, *args, **kwargs)

        return with_managed_policy

    for name in ARN_FIRST:
        patch_method(module.IAMBackend, name, make)


def ensure_aws_managed_policy(backend: Any, module: ModuleType, policy_arn: str) -> None:
    """Create the AWS managed policy ``policy_arn`` names in ``backend`` if moto's data knows it."""
    if not isinstance(policy_arn, str) or policy_arn in backend.managed_policies:
        return
    prefix = f"arn:{backend.partition}:iam::aws:policy/"
    if not policy_arn.startswith(prefix):
        return
    path, _, name = ("/" + policy_arn.removeprefix(prefix)).rpartition("/")
    data = _bundled_policies().get(name)
    if data is None or (data.get("Path") or "/") != path + "/":
        return
    with _lock:
        if policy_arn in backend.managed_policies:
            return
        policy = module.AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, data)
        backend.aws_managed_policies.append(policy)
        backend.managed_policies[policy.arn] = policy


@lru_cache(maxsize=1)
def _bundled_policies() -> dict[str, dict[str, Any]]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return json.loads(aws_managed_policies_data)  # type: ignore[no-any-return]
