import json
import logging
import os
import time

import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
COLD = {"invocations": 0, "pid": os.getpid()}


@app.route(route="hello/{name}", methods=["GET", "POST"])
def hello(req: func.HttpRequest) -> func.HttpResponse:
    COLD["invocations"] += 1
    name = req.route_params.get("name")
    logging.info("greeting %s", name)
    body = {
        "greeting": f"Hello, {name}!",
        "shout": req.params.get("shout"),
        "invocations": COLD["invocations"],
        "pid": COLD["pid"],
        "method": req.method,
        "echo": req.get_body().decode() or None,
        "site": os.environ.get("WEBSITE_SITE_NAME"),
    }
    return func.HttpResponse(json.dumps(body), mimetype="application/json")


@app.route(route="public", auth_level=func.AuthLevel.ANONYMOUS)
def public(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("open", status_code=202)


@app.route(route="boom", auth_level=func.AuthLevel.ANONYMOUS)
def boom(req: func.HttpRequest) -> func.HttpResponse:
    raise RuntimeError("the model file is missing")


@app.route(route="slow", auth_level=func.AuthLevel.ANONYMOUS)
def slow(req: func.HttpRequest) -> func.HttpResponse:
    time.sleep(float(req.params.get("seconds", "0")))
    return func.HttpResponse("done")


@app.blob_trigger(arg_name="blob", path="uploads/{name}.txt", connection="AzureWebJobsStorage")
@app.blob_output(arg_name="result", path="results/{name}.json", connection="AzureWebJobsStorage")
def count_words(blob: func.InputStream, result: func.Out[str]) -> None:
    text = blob.read().decode()
    logging.info("blob %s has %d bytes", blob.name, blob.length)
    result.set(json.dumps({"name": blob.name, "words": len(text.split()), "length": blob.length}))


@app.queue_trigger(arg_name="msg", queue_name="orders", connection="AzureWebJobsStorage")
@app.queue_output(arg_name="done", queue_name="orders-done", connection="AzureWebJobsStorage")
def process_order(msg: func.QueueMessage, done: func.Out[str]) -> None:
    order = msg.get_json()
    if order.get("fail"):
        raise ValueError(f"order {order['id']} cannot be processed")
    done.set(
        json.dumps(
            {"id": order["id"], "total": order["qty"] * order["price"], "dequeue_count": msg.dequeue_count}
        )
    )


@app.event_grid_trigger(arg_name="event")
@app.blob_output(arg_name="record", path="events/{subject}.json", connection="AzureWebJobsStorage")
def on_event(event: func.EventGridEvent, record: func.Out[str]) -> None:
    logging.info("event %s of type %s", event.id, event.event_type)
    record.set(json.dumps({"id": event.id, "type": event.event_type, "data": event.get_json()}))
