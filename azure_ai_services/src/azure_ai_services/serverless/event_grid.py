"""Event Grid custom topics and subscriptions through ARM; publishing with ``EventGridPublisherClient``."""

from __future__ import annotations

from typing import Any

from azure_ai_services.serverless.arm import arm_session, raise_for_azure, resource_manager

API_VERSION = "2022-06-15"
PROVIDER = "Microsoft.EventGrid"


class EventGridTopics:
    """Topics, their keys and publishers, webhook and Azure Function subscriptions, delivery metrics."""

    def __init__(self, subscription_id: str, resource_group: str, credential: Any = None) -> None:
        self.arm = arm_session(credential)
        self.base = (
            f"{resource_manager()}/subscriptions/{subscription_id}/resourceGroups/{resource_group}"
            f"/providers/{PROVIDER}/topics"
        )

    def _call(self, method: str, path: str = "", **kwargs: Any) -> Any:
        params = {"api-version": API_VERSION, **kwargs.pop("params", {})}
        return raise_for_azure(self.arm.request(method, f"{self.base}{path}", params=params, **kwargs))

    def create(self, name: str, location: str = "westeurope", schema: str = "EventGridSchema") -> Any:
        return self._call(
            "PUT", f"/{name}", json={"location": location, "properties": {"inputSchema": schema}}
        )

    def names(self) -> list[str]:
        return [topic["name"] for topic in self._call("GET")["value"]]

    def publisher(self, name: str) -> Any:
        from azure.core.credentials import AzureKeyCredential
        from azure.eventgrid import EventGridPublisherClient

        endpoint = self._call("GET", f"/{name}")["properties"]["endpoint"]
        key = self._call("POST", f"/{name}/listKeys")["key1"]
        return EventGridPublisherClient(endpoint, AzureKeyCredential(key))

    def subscribe(self, topic: str, name: str, destination: dict[str, Any], **properties: Any) -> Any:
        path = f"/{topic}/providers/{PROVIDER}/eventSubscriptions/{name}"
        return self._call("PUT", path, json={"properties": {"destination": destination, **properties}})

    def subscribe_function(self, topic: str, name: str, function_id: str, **properties: Any) -> Any:
        destination = {"endpointType": "AzureFunction", "properties": {"resourceId": function_id}}
        return self.subscribe(topic, name, destination, **properties)

    def subscribe_webhook(self, topic: str, name: str, url: str, **properties: Any) -> Any:
        destination = {"endpointType": "WebHook", "properties": {"endpointUrl": url}}
        return self.subscribe(topic, name, destination, **properties)

    def metrics(self, topic: str) -> dict[str, float]:
        """Azure Monitor's totals for the topic: published, matched, delivered, failed attempts, dropped."""
        answer = self._call(
            "GET", f"/{topic}/providers/Microsoft.Insights/metrics", params={"api-version": "2018-01-01"}
        )
        return {
            m["name"]["value"]: sum(p.get("total", 0) for s in m["timeseries"] for p in s["data"])
            for m in answer["value"]
        }

    def delete(self, name: str) -> None:
        self._call("DELETE", f"/{name}")
