"""Drives zenlayer-sim with the official Zenlayer Python SDK (zenlayercloud-sdk-python).

Run by tests/sim_python_sdk.rs against a fresh simulator with the default state:

    python sim_sdk_check.py DOMAIN ACCESS_KEY_ID ACCESS_KEY_PASSWORD ACCESS_TOKEN

DOMAIN is host:port (served over plain http). Prints one JSON line per check,
{"check": ..., "expected": ..., "got": ..., "ok": ...}, and exits 1 if any check failed.
"""

import json
import sys
import time

import requests
from zenlayercloud.common.config import Config
from zenlayercloud.common.credential import Credential, TokenCredential
from zenlayercloud.common.excpetion.zenlayer_cloud_sdk_exception import ZenlayerCloudSdkException
from zenlayercloud.zec.v20250901 import models
from zenlayercloud.zec.v20250901.zec_client import ZecClient

DOMAIN, KEY_ID, PASSWORD, TOKEN = sys.argv[1:5]
FAILED = []


def report(check, expected, got):
    ok = expected == got
    print(json.dumps({"check": check, "expected": expected, "got": got, "ok": ok}), flush=True)
    if not ok:
        FAILED.append(check)


def client(credential=None):
    config = Config(scheme="http", domain=DOMAIN, request_timeout=10, rate_limit_max_retries=0)
    return ZecClient(credential or Credential(KEY_ID, PASSWORD), config)


def request(cls, **fields):
    req = cls()
    for name, value in fields.items():
        setattr(req, name, value)
    return req


def error_code(call):
    """The SDK's error code for a call expected to fail, or OK if it succeeded."""
    try:
        call()
        return "OK"
    except ZenlayerCloudSdkException as e:
        return e.code


zec = client()


def nic(nic_id):
    resp = zec.DescribeNetworkInterfaces(request(models.DescribeNetworkInterfacesRequest, nicIds=[nic_id]))
    return resp.dataSet[0] if resp.dataSet else None


def wait_nic(nic_id, status, timeout=10.0):
    deadline = time.time() + timeout
    seen = []
    while time.time() < deadline:
        current = nic(nic_id)
        if not seen or seen[-1] != current.status:
            seen.append(current.status)
        if current.status == status:
            return seen, current
        time.sleep(0.05)
    return seen, nic(nic_id)


# Listing: zones, instances, NICs, as the SDK deserialises them.
zones = zec.DescribeZones(models.DescribeZonesRequest()).zoneSet
report("list.zones", ["asia-east-1", "asia-east-1", "europe-west-1"], [z.regionId for z in zones])

instances = zec.DescribeInstances(request(models.DescribeInstancesRequest, zoneId="asia-east-1a"))
report("list.instances.totalCount", 3, instances.totalCount)
web1 = [i for i in instances.dataSet if i.instanceId == "ins-web-1"][0]
report("list.instances.status", "RUNNING", web1.status)
report("list.instances.nics", ["nic-web-1-primary", "nic-db-1"], [n.nicId for n in web1.nics])

nics = zec.DescribeNetworkInterfaces(
    request(models.DescribeNetworkInterfacesRequest, regionId="europe-west-1", nicType="Secondary"))
report("list.nics", ["nic-eu-app-1", "nic-eu-app-2", "nic-eu-db-1"], [n.nicId for n in nics.dataSet])
report("list.nics.unattached_instance", None, nics.dataSet[0].instanceId)
paged = zec.DescribeNetworkInterfaces(request(models.DescribeNetworkInterfacesRequest, pageSize=2, pageNum=1))
report("list.nics.paging", 2, len(paged.dataSet))

# Attach and detach, waiting for the asynchronous transitions.
attach = zec.AttachNetworkInterface(
    request(models.AttachNetworkInterfaceRequest, nicId="nic-app-1", instanceId="ins-web-1"))
report("attach.requestId", True, bool(attach.requestId))
seen, done = wait_nic("nic-app-1", "USED")
report("attach.transition", ["ATTACHING", "USED"], seen)
report("attach.instance", "ins-web-1", done.instanceId)

zec.DetachNetworkInterface(request(models.DetachNetworkInterfaceRequest, nicId="nic-app-1"))
seen, done = wait_nic("nic-app-1", "AVAILABLE")
report("detach.transition", ["DETACHING", "AVAILABLE"], seen)
report("detach.instance", None, done.instanceId)

# Every documented refusal, from the matching bad request.
attach_cases = [
    ("nic-missing-1", "ins-web-1", "INVALID_NIC_NOT_FOUND"),
    ("nic-app-2", "ins-missing-1", "INVALID_INSTANCE_NOT_FOUND"),
    ("nic-eu-app-1", "ins-web-1", "INVALID_NIC_INSTANCE_REGION_MISMATCH"),
    ("nic-db-1", "ins-web-2", "INVALID_NIC_ATTACHED"),
    ("nic-pending-1", "ins-web-1", "INVALID_NIC_STATUS"),
    ("nic-app-2", "ins-stopped-1", "OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT"),
    ("nic-app-2", "ins-full-1", "INVALID_INSTANCE_NIC_LIMIT"),
]
for nic_id, instance_id, code in attach_cases:
    got = error_code(lambda: zec.AttachNetworkInterface(
        request(models.AttachNetworkInterfaceRequest, nicId=nic_id, instanceId=instance_id)))
    report("attach.%s" % code, code, got)

detach_cases = [
    ("nic-missing-1", "INVALID_NIC_NOT_FOUND"),
    ("nic-web-1-primary", "INVALID_NIC_PRIMARY_CANT_DETACH"),
    ("nic-app-2", "OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE"),
    ("nic-failed-1", "INVALID_NIC_STATUS"),
    ("nic-stopped-1-data", "OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT"),
]
for nic_id, code in detach_cases:
    got = error_code(lambda: zec.DetachNetworkInterface(
        request(models.DetachNetworkInterfaceRequest, nicId=nic_id)))
    report("detach.%s" % code, code, got)

# Parameter validation.
report("params.MISSING_PARAMETER", "MISSING_PARAMETER", error_code(
    lambda: zec.AttachNetworkInterface(request(models.AttachNetworkInterfaceRequest, nicId="nic-app-2"))))
report("params.INVALID_PARAMETER_TYPE", "INVALID_PARAMETER_TYPE", error_code(
    lambda: zec.DetachNetworkInterface(request(models.DetachNetworkInterfaceRequest, nicId=42))))
report("params.INVALID_PARAMETER_EXCEED_MAXIMUM.nicIds", "INVALID_PARAMETER_EXCEED_MAXIMUM", error_code(
    lambda: zec.DescribeNetworkInterfaces(request(
        models.DescribeNetworkInterfacesRequest, nicIds=["nic-%d" % i for i in range(101)]))))
report("params.INVALID_PARAMETER_EXCEED_MAXIMUM.pageSize", "INVALID_PARAMETER_EXCEED_MAXIMUM", error_code(
    lambda: zec.DescribeInstances(request(models.DescribeInstancesRequest, pageSize=1001))))

# Credentials.
report("auth.AUTHFAILURE_SIGNATURE_FAILURE", "AUTHFAILURE_SIGNATURE_FAILURE", error_code(
    lambda: client(Credential(KEY_ID, PASSWORD + "-wrong")).DescribeZones(models.DescribeZonesRequest())))
report("auth.unknown_key.AUTHFAILURE_SIGNATURE_FAILURE", "AUTHFAILURE_SIGNATURE_FAILURE", error_code(
    lambda: client(Credential("nobody", PASSWORD)).DescribeZones(models.DescribeZonesRequest())))
report("auth.token", "OK", error_code(
    lambda: client(TokenCredential(TOKEN)).DescribeZones(models.DescribeZonesRequest())))
report("auth.wrong_token.AUTHFAILURE_SIGNATURE_FAILURE", "AUTHFAILURE_SIGNATURE_FAILURE", error_code(
    lambda: client(TokenCredential(TOKEN + "-wrong")).DescribeZones(models.DescribeZonesRequest())))

# Injected faults, as the SDK reports them.
admin = "http://%s/_sim" % DOMAIN
for kind, code in [("429", "REQUEST_LIMIT_EXCEEDED"), ("503", "SERVICE_TEMPORARY_UNAVAILABLE"),
                   ("drop", "NETWORK_ERROR")]:
    requests.put(admin + "/faults", json={"rate": 1.0, "kinds": [kind], "maxFaults": 1}).raise_for_status()
    report("fault.%s" % kind, code, error_code(lambda: zec.DescribeZones(models.DescribeZonesRequest())))
requests.delete(admin + "/faults").raise_for_status()

sys.exit(1 if FAILED else 0)
