"""Where tasks and nodes run: the default VPC's subnets and a security group open to the VPC only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from multi_cloud.core.errors import NotFound

from aws_ai_services.errors import aws_errors


@dataclass(frozen=True)
class Network:
    vpc_id: str
    cidr: str
    subnet_ids: tuple[str, ...]
    security_group_id: str


def default_network(ec2: Any, security_group_name: str, port: int, *, max_subnets: int = 3) -> Network:
    """The default VPC's default subnets and security group ``security_group_name`` (created if missing).

    The group admits ``port`` from the VPC's own CIDR only: a model server sits behind a load balancer or
    is called from inside the VPC, never from 0.0.0.0/0.
    """
    with aws_errors("ec2.describe_vpcs"):
        vpcs = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
    if not vpcs:
        raise NotFound(
            "this region has no default VPC: create one (aws ec2 create-default-vpc) or pass your own "
            "subnets and security group",
            provider="aws",
            operation="ec2.describe_vpcs",
        )
    vpc_id, cidr = vpcs[0]["VpcId"], vpcs[0]["CidrBlock"]
    with aws_errors("ec2.describe_subnets"):
        subnets = ec2.describe_subnets(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default-for-az", "Values": ["true"]}]
        )["Subnets"]
    subnet_ids = tuple(sorted(s["SubnetId"] for s in subnets)[:max_subnets])
    group_id = _ensure_security_group(ec2, security_group_name, vpc_id, cidr, port)
    return Network(vpc_id, cidr, subnet_ids, group_id)


def _ensure_security_group(ec2: Any, name: str, vpc_id: str, cidr: str, port: int) -> str:
    with aws_errors("ec2.describe_security_groups"):
        found = ec2.describe_security_groups(
            Filters=[{"Name": "group-name", "Values": [name]}, {"Name": "vpc-id", "Values": [vpc_id]}]
        )["SecurityGroups"]
    if found:
        return str(found[0]["GroupId"])
    with aws_errors("ec2.create_security_group"):
        group_id = str(
            ec2.create_security_group(
                GroupName=name, Description=f"{name}: port {port} from the VPC", VpcId=vpc_id
            )["GroupId"]
        )
        ec2.authorize_security_group_ingress(
            GroupId=group_id,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": port,
                    "ToPort": port,
                    "IpRanges": [{"CidrIp": cidr, "Description": "model server, from inside the VPC"}],
                }
            ],
        )
    return group_id


def delete_security_group(ec2: Any, group_id: str) -> bool:
    try:
        with aws_errors("ec2.delete_security_group"):
            ec2.delete_security_group(GroupId=group_id)
    except NotFound:
        return False
    return True
