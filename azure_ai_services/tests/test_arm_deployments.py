"""ARM over the wire: resource groups (ResourceManagementClient), deployments (REST), what-if, errors."""

from __future__ import annotations

import copy
from typing import Any

import pytest

SUB, GROUP, LOCATION = "00000000-0000-0000-0000-000000000000", "rg-arm", "westeurope"
API = {"api-version": "2024-03-01"}

TEMPLATE: dict[str, Any] = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {
        "prefix": {"type": "string", "defaultValue": "Demo", "minLength": 2},
        "environment": {"type": "string", "allowedValues": ["dev", "prod"], "defaultValue": "dev"},
        "subnetCount": {"type": "int", "defaultValue": 2},
    },
    "variables": {
        "suffix": "[uniqueString(resourceGroup().id)]",
        "topicName": "[toLower(format('{0}-topic-{1}', parameters('prefix'), parameters('environment')))]",
        "isProd": "[equals(parameters('environment'), 'prod')]",
    },
    "resources": [
        {
            "type": "Microsoft.EventGrid/topics",
            "apiVersion": "2022-06-15",
            "name": "[variables('topicName')]",
            "location": "[resourceGroup().location]",
            "tags": {"tier": "[if(variables('isProd'), 'gold', 'bronze')]"},
            "properties": {"inputSchema": "EventGridSchema"},
        },
        {
            "type": "Microsoft.KeyVault/vaults/secrets",
            "apiVersion": "2023-07-01",
            "name": "[concat('kv', variables('suffix'), '/topic-endpoint')]",
            "dependsOn": [
                "[resourceId('Microsoft.EventGrid/topics', variables('topicName'))]",
            ],
            "properties": {"value": "[reference(variables('topicName')).endpoint]"},
        },
        {
            "type": "Microsoft.Storage/storageAccounts/blobServices/containers",
            "apiVersion": "2023-01-01",
            "name": "[format('st{0}/default/models-{1}', variables('suffix'), parameters('environment'))]",
            "properties": {"metadata": {"owner": "arm"}},
        },
        {
            "type": "Microsoft.Network/virtualNetworks/subnets",
            "apiVersion": "2023-09-01",
            "name": "[concat('vnet/subnet', copyIndex(1))]",
            "copy": {"name": "subnets", "count": "[parameters('subnetCount')]"},
            "properties": {"addressPrefix": "[format('10.0.{0}.0/24', copyIndex())]"},
        },
    ],
    "outputs": {
        "topicEndpoint": {
            "type": "string",
            "value": "[reference(resourceId('Microsoft.EventGrid/topics', variables('topicName'))).endpoint]",
        },
        "suffixLength": {"type": "int", "value": "[length(variables('suffix'))]"},
        "groupName": {"type": "string", "value": "[resourceGroup().name]"},
    },
}


@pytest.fixture
def client(azure_env: dict[str, str]) -> Any:
    from azure_ai_services.infrastructure.arm_templates import resource_client

    return resource_client(SUB)


@pytest.fixture
def arm(client: Any) -> Any:
    from azure_ai_services.infrastructure.arm_templates import ArmDeployments

    deployments = ArmDeployments(SUB, GROUP)
    deployments.ensure_group(LOCATION)
    return deployments


def url(*parts: str) -> str:
    import os

    base = os.environ["CLOUDAI_AZURE_ENDPOINT"].rstrip("/")
    return f"{base}/subscriptions/{SUB}/resourcegroups/{GROUP}/" + "/".join(parts)


def test_resource_groups_through_resource_management_client(client: Any) -> None:
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

    created = client.resource_groups.create_or_update("rg-one", {"location": "eastus", "tags": {"a": "1"}})
    assert (created.name, created.location, created.tags) == ("rg-one", "eastus", {"a": "1"})
    assert created.properties.provisioning_state == "Succeeded"
    assert client.resource_groups.check_existence("rg-one") is True
    assert client.resource_groups.check_existence("rg-none") is False
    assert client.resource_groups.get("RG-ONE").id == f"/subscriptions/{SUB}/resourceGroups/rg-one"
    assert [g.name for g in client.resource_groups.list()] == ["rg-one"]
    with pytest.raises(HttpResponseError) as moved:
        client.resource_groups.create_or_update("rg-one", {"location": "westus"})
    assert moved.value.error is not None and moved.value.error.code == "InvalidResourceGroupLocation"
    with pytest.raises(HttpResponseError) as bad:
        client.resource_groups.create_or_update("bad/name?", {"location": "westus"})
    assert bad.value.status_code in (400, 404)
    client.resource_groups.begin_delete("rg-one").result()
    with pytest.raises(ResourceNotFoundError) as gone:
        client.resource_groups.get("rg-one")
    assert gone.value.error is not None and gone.value.error.code == "ResourceGroupNotFound"
    names = [o.name for o in client.operations.list()]
    assert "Microsoft.Resources/deployments/write" in names


def test_deployment_creates_emulator_resources_in_dependency_order(
    arm: Any, azure_env: dict[str, str]
) -> None:
    from azure.identity import DefaultAzureCredential
    from azure.keyvault.secrets import SecretClient
    from azure.storage.blob import BlobServiceClient
    from azure_ai_services.emulator.arm.unique_string import unique_string

    deployment = arm.deploy("first", TEMPLATE, {"prefix": "Lab"})
    properties = deployment["properties"]
    assert properties["provisioningState"] == "Succeeded"
    assert properties["parameters"]["environment"] == {"type": "string", "value": "dev"}
    suffix = unique_string(f"/subscriptions/{SUB}/resourceGroups/{GROUP}")
    topic_id = (
        f"/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/Microsoft.EventGrid/topics/lab-topic-dev"
    )
    outputs = arm.outputs("first")
    assert outputs["suffixLength"] == 13 and outputs["groupName"] == GROUP
    topic = arm.session.get(
        url("providers/Microsoft.EventGrid/topics/lab-topic-dev"), params={"api-version": "2022-06-15"}
    ).json()
    assert topic["id"].lower() == topic_id.lower() and topic["tags"] == {"tier": "bronze"}
    assert outputs["topicEndpoint"] == topic["properties"]["endpoint"]
    secret = SecretClient(azure_env["AZURE_KEYVAULT_URL"], DefaultAzureCredential()).get_secret(
        "topic-endpoint"
    )
    assert secret.value == topic["properties"]["endpoint"]
    container = BlobServiceClient.from_connection_string(
        azure_env["AZURE_STORAGE_CONNECTION_STRING"]
    ).get_container_client("models-dev")
    assert container.get_container_properties().metadata == {"owner": "arm"}
    subnet = arm.session.get(
        url("providers/Microsoft.Network/virtualNetworks/vnet/subnets/subnet2"), params=API
    ).json()
    assert subnet["properties"] == {"addressPrefix": "10.0.1.0/24", "provisioningState": "Succeeded"}
    assert subnet["name"] == "vnet/subnet2"
    operations = arm.session.get(
        url("providers/Microsoft.Resources/deployments/first/operations"), params=API
    ).json()
    order = [o["properties"]["targetResource"]["resourceType"] for o in operations["value"]]
    assert order.index("Microsoft.EventGrid/topics") < order.index("Microsoft.KeyVault/vaults/secrets")
    assert len(properties["outputResources"]) == 5
    assert [d["name"] for d in arm.list()] == ["first"]
    assert suffix in [
        r["id"].split("/")[8][2:] for r in properties["outputResources"] if "/vaults/" in r["id"]
    ]


def test_unknown_function_fails_the_deployment_with_invalid_template(arm: Any) -> None:
    from azure_ai_services.infrastructure.arm_templates import DeploymentFailed

    template = copy.deepcopy(TEMPLATE)
    template["variables"]["topicName"] = "[toLowerCase(parameters('prefix'))]"
    with pytest.raises(DeploymentFailed) as failed:
        arm.deploy("broken", template)
    assert failed.value.code == "InvalidTemplate"
    assert "'toLowerCase'" in str(failed.value)
    recorded = arm.get("broken")["properties"]
    assert recorded["provisioningState"] == "Failed" and recorded["error"]["code"] == "InvalidTemplate"


def test_validate_checks_parameters_and_names_the_problem(arm: Any) -> None:
    checked = arm.validate("check", TEMPLATE, {"environment": "prod"})
    ids = [r["id"] for r in checked["properties"]["validatedResources"]]
    assert any(i.endswith("/topics/demo-topic-prod") for i in ids) and len(ids) == 5
    broken = copy.deepcopy(TEMPLATE)
    broken["resources"][2]["properties"]["metadata"]["owner"] = "[ownerOf('arm')]"
    for template, parameters, words in (
        (TEMPLATE, {"environment": "staging"}, "not part of the allowed value"),
        (TEMPLATE, {"subnetCount": "many"}, "Expected a value of type 'int'"),
        (TEMPLATE, {"prefix": "x"}, "minLength"),
        (TEMPLATE, {"colour": "red"}, "'colour'"),
        (broken, {}, "The template function 'ownerOf' is not valid"),
    ):
        response = arm.session.post(
            url("providers/Microsoft.Resources/deployments/check/validate"),
            params=API,
            json={
                "properties": {
                    "template": template,
                    "parameters": {k: {"value": v} for k, v in parameters.items()},
                    "mode": "Incremental",
                }
            },
        )
        assert response.status_code == 400
        assert (
            response.json()["error"]["code"] == "InvalidTemplate"
            and words in response.json()["error"]["message"]
        )


def test_request_errors_use_arm_codes(arm: Any) -> None:
    deployments = "providers/Microsoft.Resources/deployments"
    missing = arm.session.get(url(deployments, "nope"), params=API)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "DeploymentNotFound")
    no_template = arm.session.put(
        url(deployments, "x"), params=API, json={"properties": {"mode": "Incremental"}}
    )
    assert (no_template.status_code, no_template.json()["error"]["code"]) == (400, "InvalidRequestContent")
    bad_mode = arm.session.put(
        url(deployments, "x"), params=API, json={"properties": {"template": TEMPLATE, "mode": "Full"}}
    )
    assert (
        bad_mode.json()["error"]["code"] == "InvalidRequestContent"
        and "'Full'" in bad_mode.json()["error"]["message"]
    )
    no_version = arm.session.get(url(deployments, "x"))
    assert no_version.json()["error"]["code"] == "MissingApiVersionParameter"
    other_group = arm.session.get(url(deployments).replace(GROUP, "rg-missing"), params=API)
    assert (other_group.status_code, other_group.json()["error"]["code"]) == (404, "ResourceGroupNotFound")
    cycle = {
        "resources": [
            {
                "type": "Microsoft.Network/publicIPAddresses",
                "apiVersion": "2023-09-01",
                "name": "a",
                "dependsOn": ["b"],
            },
            {
                "type": "Microsoft.Network/publicIPAddresses",
                "apiVersion": "2023-09-01",
                "name": "b",
                "dependsOn": ["a"],
            },
        ]
    }
    circular = arm.session.post(
        url(deployments, "c/validate"), params=API, json={"properties": {"template": cycle}}
    )
    assert (
        circular.json()["error"]["code"] == "InvalidTemplate"
        and "Circular dependency" in circular.json()["error"]["message"]
    )


def test_what_if_and_complete_mode(arm: Any) -> None:
    template = copy.deepcopy(TEMPLATE)
    changes = {c["resourceId"].rsplit("/", 1)[-1]: c["changeType"] for c in arm.what_if("w", template)}
    assert set(changes.values()) == {"Create"} and len(changes) == 5
    arm.deploy("w", template)
    unchanged = arm.what_if("w", template)
    assert {c["changeType"] for c in unchanged} == {"NoChange"}, [c.get("delta") for c in unchanged]
    template["resources"][0]["tags"]["tier"] = "silver"
    modified = [c for c in arm.what_if("w", template) if c["changeType"] == "Modify"]
    assert [d["path"] for d in modified[0]["delta"]] == ["tags.tier"]
    assert modified[0]["delta"][0]["before"] == "bronze" and modified[0]["delta"][0]["after"] == "silver"
    smaller = copy.deepcopy(TEMPLATE)
    smaller["parameters"]["subnetCount"]["defaultValue"] = 1
    incremental = {c["resourceId"].rsplit("/", 1)[-1]: c["changeType"] for c in arm.what_if("w", smaller)}
    assert incremental["subnet2"] == "Ignore"
    complete = {
        c["resourceId"].rsplit("/", 1)[-1]: c["changeType"]
        for c in arm.what_if("w", smaller, mode="Complete")
    }
    assert complete["subnet2"] == "Delete" and complete["subnet1"] == "NoChange"
    arm.deploy("w", smaller, mode="Complete")
    gone = arm.session.get(
        url("providers/Microsoft.Network/virtualNetworks/vnet/subnets/subnet2"), params=API
    )
    assert gone.status_code == 404
    assert arm.session.get(
        url("providers/Microsoft.Network/virtualNetworks/vnet/subnets/subnet1"), params=API
    ).ok


def test_deleting_the_group_deletes_what_was_deployed(arm: Any, client: Any) -> None:
    arm.deploy("d", TEMPLATE)
    topic = url("providers/Microsoft.EventGrid/topics/demo-topic-dev")
    assert arm.session.get(topic, params={"api-version": "2022-06-15"}).ok
    direct = url("providers/Microsoft.EventGrid/topics/made-directly")
    made = arm.session.put(direct, params={"api-version": "2022-06-15"}, json={"location": LOCATION})
    assert made.status_code == 201
    arm.delete_group()
    assert arm.session.get(direct, params={"api-version": "2022-06-15"}).status_code == 404
    assert arm.session.get(topic, params={"api-version": "2022-06-15"}).status_code == 404
    assert client.resource_groups.check_existence(GROUP) is False


def test_template_functions_evaluate_as_arm_does(arm: Any) -> None:
    # 52p2c4jfs43ig: uniqueString of these inputs as Bicep computed it (a public repository's test fixture)
    group_id = "/subscriptions/00000000-0000-4000-8000-000000000084/resourceGroups/rg-p84"
    known = f"[uniqueString('{group_id}', 'p84fixture')]"
    template = {
        "parameters": {"names": {"type": "array", "defaultValue": ["a", "b", "c"]}},
        "variables": {"greeting": "[format('{0}, {1}!', 'Hello', toUpper('arm'))]"},
        "resources": [],
        "outputs": {
            "known": {"type": "string", "value": known},
            "greeting": {"type": "string", "value": "[variables('greeting')]"},
            "count": {"type": "int", "value": "[length(parameters('names'))]"},
            "joined": {"type": "array", "value": "[concat(parameters('names'), createArray('d'))]"},
            "choice": {"type": "string", "value": "[if(equals('A', 'a'), 'case-insensitive', 'exact')]"},
            "sub": {"type": "string", "value": "[subscription().subscriptionId]"},
            "id": {"type": "string", "value": "[resourceId('Microsoft.Storage/storageAccounts', 'st1')]"},
            "escaped": {"type": "string", "value": "[[not an expression]"},
            "quote": {"type": "string", "value": "[concat('it''s', ' ', string(add(40, 2)))]"},
        },
    }
    outputs = arm.deploy("functions", template) and arm.outputs("functions")
    assert outputs == {
        "known": "52p2c4jfs43ig",
        "greeting": "Hello, ARM!",
        "count": 3,
        "joined": ["a", "b", "c", "d"],
        "choice": "case-insensitive",
        "sub": SUB,
        "id": f"/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/Microsoft.Storage/storageAccounts/st1",
        "escaped": "[not an expression]",
        "quote": "it's 42",
    }


def test_deployments_reach_long_running_emulator_apis(arm: Any) -> None:
    """An Azure ML online endpoint (an LRO in the emulator) and a Logic App workflow, from one template."""
    template = {
        "resources": [
            {
                "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
                "apiVersion": "2024-04-01",
                "name": "ws/scoring",
                "location": "[resourceGroup().location]",
                "identity": {"type": "SystemAssigned"},
                "properties": {"authMode": "Key"},
            },
            {
                "type": "Microsoft.Logic/workflows",
                "apiVersion": "2019-05-01",
                "name": "nightly",
                "location": "[resourceGroup().location]",
                "properties": {
                    "state": "Enabled",
                    "definition": {
                        "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
                        "contentVersion": "1.0.0.0",
                        "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"schema": {}}}},
                        "actions": {},
                    },
                },
            },
        ],
        "outputs": {
            "endpointState": {
                "type": "string",
                "value": "[reference(resourceId('Microsoft.MachineLearningServices/workspaces/"
                "onlineEndpoints', 'ws', 'scoring'), '2024-04-01').provisioningState]",
            },
        },
    }
    assert arm.outputs(arm.deploy("ml", template)["name"]) == {"endpointState": "Succeeded"}
    workflow = arm.session.get(
        url("providers/Microsoft.Logic/workflows/nightly"), params={"api-version": "2019-05-01"}
    )
    assert workflow.ok and workflow.json()["properties"]["state"] == "Enabled"


def test_malformed_templates_are_invalid_template_not_server_errors(arm: Any) -> None:
    deployments = "providers/Microsoft.Resources/deployments"
    for template in (
        {"resources": "none"},
        {"parameters": ["a"], "resources": []},
        {"parameters": {"a": "string"}, "resources": []},
        {"resources": [], "outputs": {"x": {"type": "int", "value": "[add('one', 1)]"}}},
        {
            "resources": [
                {
                    "type": "Microsoft.Network/publicIPAddresses",
                    "apiVersion": "2023-09-01",
                    "name": "[concat(']",
                }
            ]
        },
        {"resources": [{"name": "no-type"}]},
    ):
        answer = arm.session.post(
            url(deployments, "m/validate"), params=API, json={"properties": {"template": template}}
        )
        if template.get("outputs"):  # outputs are evaluated when deploying
            from azure_ai_services.infrastructure.arm_templates import DeploymentFailed

            with pytest.raises(DeploymentFailed) as failed:
                arm.deploy("m", template)
            assert failed.value.code == "InvalidTemplate" and "'add'" in str(failed.value)
            continue
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == "InvalidTemplate", answer.text
