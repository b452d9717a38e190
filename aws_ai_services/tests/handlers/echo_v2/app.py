"""Echo, second release: multiplies instead of adding."""


def handler(event, context):
    product = 1
    for number in event.get("numbers", []):
        product *= number
    return {"total": product, "code": "v2"}
