"""Model artifacts in moto's S3, read by the servers: straight from moto's backend when it runs in this
process, else over HTTP; a missing object is NotFound naming the URI."""

from __future__ import annotations

from multi_cloud.core.errors import NotFound
from multi_cloud.core.uris import split_uri
from multi_cloud.emulation.serving.model_cache import MODEL_CACHE, LoadedModel, ModelCache

from aws_ai_services.emulator.control_plane import ControlPlane
from aws_ai_services.emulator.moto_state import MotoS3, S3Missing


class Artifacts:
    """Load ``model.tar.gz`` artifacts of one account and region through the shared model cache."""

    def __init__(
        self, control_plane: ControlPlane, account_id: str, region: str, cache: ModelCache = MODEL_CACHE
    ) -> None:
        self.control_plane = control_plane
        self.account_id = account_id
        self.region = region
        self.cache = cache

    def load(self, uri: str) -> LoadedModel:
        """The model in the artifact; NotFound when it is missing, InvalidArgument when it is not a model."""
        if self.control_plane.in_process():
            s3 = MotoS3(self.account_id)
            try:
                version = s3.etag(uri)
            except S3Missing as exc:
                raise NotFound(f"model artifact {uri} does not exist ({exc})") from exc
            return self.cache.load(uri, version, lambda: s3.get(uri))
        client = self.control_plane.client("s3", self.region)
        bucket, key = split_uri(uri, scheme="s3")
        try:
            version = str(client.head_object(Bucket=bucket, Key=key)["ETag"])
        except client.exceptions.ClientError as exc:
            raise NotFound(f"model artifact {uri} does not exist ({exc})") from exc
        return self.cache.load(uri, version, lambda: client.get_object(Bucket=bucket, Key=key)["Body"].read())
