"""The regions of the SDK's table and their public ModelArts endpoints (huaweicloudsdkmodelarts 3.1.219)."""

REGION_IDS = (
    "cn-north-1",
    "cn-north-2",
    "cn-north-4",
    "cn-north-9",
    "cn-north-11",
    "cn-north-12",
    "cn-east-3",
    "cn-east-4",
    "cn-south-1",
    "cn-southwest-2",
    "cn-southwest-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "af-south-1",
    "af-north-1",
    "la-south-2",
    "la-north-2",
    "sa-brazil-1",
    "tr-west-1",
    "me-east-1",
)


def endpoint_for_region(region: str) -> str:
    """The region's public endpoint; ap-southeast-1 alone uses the .cn suffix."""
    if region not in REGION_IDS:
        raise ValueError(f"unknown region {region!r}")
    suffix = "myhuaweicloud.cn" if region == "ap-southeast-1" else "myhuaweicloud.com"
    return f"https://modelarts.{region}.{suffix}"
