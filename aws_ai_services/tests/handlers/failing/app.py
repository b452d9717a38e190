"""Fails inside a helper, so the stack trace has two frames."""


def validate(order):
    if order.get("quantity", 0) <= 0:
        raise ValueError(f"quantity must be positive, got {order.get('quantity')}")
    return order


def handler(event, context):
    print("validating", event)
    return validate(event)
