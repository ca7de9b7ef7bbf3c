"""The Python baseline of `npm run bench:compare`: FastAPI + onnxruntime, written the way such servers usually are.

An async endpoint calls `session.run` directly (BASELINE_MODE=direct, blocking the event loop while the model runs), or
hands it to the default thread executor (BASELINE_MODE=executor). It speaks the subset of the Open Inference Protocol v2
that `vernier bench` uses: health, model metadata, and infer with JSON tensors or the binary tensor extension.

Run: BASELINE_MODEL=models/mlp.onnx python -m uvicorn server:app --workers 2 --host 127.0.0.1 --port 8000
"""

import asyncio
import json
import os
from pathlib import Path

import numpy as np
import onnxruntime as ort
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from oip_common import add_model_routes, error

MODEL_PATH = os.environ.get("BASELINE_MODEL", "")
MODE = os.environ.get("BASELINE_MODE", "direct")
if not MODEL_PATH:
    raise SystemExit("BASELINE_MODEL must name an .onnx file")
if MODE not in ("direct", "executor"):
    raise SystemExit(f"BASELINE_MODE is '{MODE}', expected 'direct' or 'executor'")
MODEL_NAME = os.environ.get("BASELINE_MODEL_NAME") or Path(MODEL_PATH).stem

session = ort.InferenceSession(MODEL_PATH, providers=["CPUExecutionProvider"])

# Open Inference Protocol datatype <-> numpy dtype, for the types the demo models use and a few more.
DATATYPES = {
    "FP32": np.float32,
    "FP64": np.float64,
    "INT32": np.int32,
    "INT64": np.int64,
    "INT8": np.int8,
    "UINT8": np.uint8,
    "BOOL": np.bool_,
}
ORT_TYPES = {
    "tensor(float)": "FP32",
    "tensor(double)": "FP64",
    "tensor(int32)": "INT32",
    "tensor(int64)": "INT64",
    "tensor(int8)": "INT8",
    "tensor(uint8)": "UINT8",
    "tensor(bool)": "BOOL",
}
NUMPY_TO_DATATYPE = {np.dtype(v): k for k, v in DATATYPES.items()}


def tensor_metadata(arg):
    shape = [d if isinstance(d, int) and d >= 0 else -1 for d in arg.shape]
    return {"name": arg.name, "datatype": ORT_TYPES.get(arg.type, arg.type), "shape": shape}


METADATA = {
    "name": MODEL_NAME,
    "platform": "onnxruntime_onnx",
    "versions": ["1"],
    "inputs": [tensor_metadata(i) for i in session.get_inputs()],
    "outputs": [tensor_metadata(o) for o in session.get_outputs()],
}

app = FastAPI()
add_model_routes(app, MODEL_NAME, METADATA)


class BadRequest(Exception):
    pass


def read_inputs(body: bytes, header_length):
    """The input tensors of a JSON body, or of a binary-extension body whose JSON header is `header_length` bytes."""
    header = body if header_length is None else body[:header_length]
    try:
        request = json.loads(header)
    except ValueError as err:
        raise BadRequest(f"body is not JSON: {err}") from err
    offset = header_length or 0
    feeds = {}
    for raw in request.get("inputs") or []:
        name, shape, datatype = raw.get("name"), raw.get("shape"), raw.get("datatype")
        dtype = DATATYPES.get(datatype)
        if dtype is None:
            raise BadRequest(f"input '{name}': datatype '{datatype}' is not supported")
        size = (raw.get("parameters") or {}).get("binary_data_size")
        if size is not None:
            if header_length is None:
                raise BadRequest(f"input '{name}' has binary_data_size but no Inference-Header-Content-Length header")
            array = np.frombuffer(body, dtype=dtype, count=size // np.dtype(dtype).itemsize, offset=offset)
            offset += size
        else:
            array = np.asarray(raw.get("data"), dtype=dtype)
        try:
            feeds[name] = array.reshape(shape)
        except ValueError as err:
            raise BadRequest(f"input '{name}': data does not fit shape {shape}") from err
    if not feeds:
        raise BadRequest("request has no inputs")
    return feeds, request


def outputs_body(names, results, binary):
    outputs, blobs = [], []
    for name, value in zip(names, results):
        value = np.ascontiguousarray(value)
        entry = {"name": name, "datatype": NUMPY_TO_DATATYPE.get(value.dtype, str(value.dtype)), "shape": list(value.shape)}
        if binary:
            blob = value.tobytes()
            entry["parameters"] = {"binary_data_size": len(blob)}
            blobs.append(blob)
        else:
            entry["data"] = value.ravel().tolist()
        outputs.append(entry)
    return {"model_name": MODEL_NAME, "model_version": "1", "outputs": outputs}, blobs


@app.post("/v2/models/{name}/infer")
async def infer(name: str, request: Request):
    if name != MODEL_NAME:
        return error(404, f"model '{name}' not found")
    body = await request.body()
    header_length = request.headers.get("inference-header-content-length")
    try:
        feeds, parsed = read_inputs(body, int(header_length) if header_length else None)
    except BadRequest as err:
        return error(400, str(err))
    output_names = [o.name for o in session.get_outputs()]
    try:
        if MODE == "direct":
            results = session.run(output_names, feeds)
        else:
            results = await asyncio.get_running_loop().run_in_executor(None, session.run, output_names, feeds)
    except Exception as err:  # onnxruntime raises its own types for bad shapes
        return error(400, f"inference failed: {err}")
    binary = (parsed.get("parameters") or {}).get("binary_data_output") is True
    response, blobs = outputs_body(output_names, results, binary)
    if not binary:
        return JSONResponse(response)
    header = json.dumps(response).encode()
    return Response(
        header + b"".join(blobs),
        media_type="application/octet-stream",
        headers={"Inference-Header-Content-Length": str(len(header))},
    )
