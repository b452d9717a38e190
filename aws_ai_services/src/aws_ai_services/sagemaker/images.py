"""ECR URIs of the SageMaker scikit-learn framework containers (training and inference)."""

from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path

from multi_cloud.core.errors import ConfigurationError

SKLEARN_VERSION = "1.2-1"
SKLEARN_REPOSITORY = "sagemaker-scikit-learn"

#: AWS's registry accounts for the sklearn images (the same for training and inference)
SKLEARN_REGISTRIES = {
    "us-east-1": "683313688378",
    "us-east-2": "257758044811",
    "us-west-2": "246618743249",
    "eu-west-1": "141502667606",
    "eu-central-1": "492215442770",
    "ap-southeast-1": "121021644041",
}


def sklearn_image_uri(region: str, *, version: str = SKLEARN_VERSION) -> str:
    """e.g. ``683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3``."""
    account = SKLEARN_REGISTRIES.get(region) or _sdk_registries(version).get(region)
    if not account:
        raise ConfigurationError(
            f"no SageMaker scikit-learn image is known for region {region!r}. Pick a region where "
            "SageMaker runs (CLOUDAI_AWS__REGION), or install the sagemaker SDK for its full image table.",
            provider="aws",
        )
    domain = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"{account}.dkr.ecr.{region}.{domain}/{SKLEARN_REPOSITORY}:{version}-cpu-py3"


@lru_cache(maxsize=4)
def _sdk_registries(version: str) -> dict[str, str]:
    """The sagemaker SDK's own image table, read without importing the (slow) SDK."""
    spec = importlib.util.find_spec("sagemaker")
    for location in (spec.submodule_search_locations or []) if spec else []:
        for candidate in ("core/image_uri_config/sklearn.json", "image_uri_config/sklearn.json"):
            path = Path(location, candidate)
            if path.is_file():
                versions = json.loads(path.read_text())["training"]["versions"]
                registries: dict[str, str] = versions.get(version, {}).get("registries", {})
                return registries
    return {}


MODEL_MONITOR_REPOSITORY = "sagemaker-model-monitor-analyzer"
#: AWS's registry accounts for the Model Monitor analyzer image
MODEL_MONITOR_REGISTRIES = {
    "us-east-1": "156813124566",
    "us-east-2": "777275614652",
    "us-west-2": "159807026194",
    "eu-west-1": "468650794304",
    "eu-central-1": "048819808253",
    "ap-southeast-1": "245545462676",
}


def model_monitor_image_uri(region: str) -> str:
    """e.g. ``156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer``."""
    account = MODEL_MONITOR_REGISTRIES.get(region)
    if not account:
        raise ConfigurationError(
            f"no SageMaker Model Monitor image is known for region {region!r}; pick one of "
            f"{', '.join(MODEL_MONITOR_REGISTRIES)} (CLOUDAI_AWS__REGION)",
            provider="aws",
        )
    return f"{account}.dkr.ecr.{region}.amazonaws.com/{MODEL_MONITOR_REPOSITORY}"
