"""The Python baseline of `npm run bench:compare` for text embeddings: FastAPI + onnxruntime + Hugging Face's Rust
`tokenizers`, serving all-MiniLM-L6-v2 the way sentence-transformers computes it (truncation to 256 tokens, padding to
the longest text of a request, mean pooling over the attention mask, L2 normalisation).

It speaks the OIP v2 text request Vernier accepts (a BYTES input of N strings, as JSON or the binary tensor extension,
answered with FP32 [N, 384]) and Text Embeddings Inference's `POST /embed`. An async endpoint calls `session.run`
directly (BASELINE_MODE=direct) or in the default thread executor (BASELINE_MODE=executor).

Run: MINILM_MODEL=models/all-minilm-l6-v2.onnx MINILM_TOKENIZER=models/all-minilm-l6-v2-tokenizer.json \
     gunicorn minilm_server:app -k uvicorn.workers.UvicornWorker -w 2 -b 127.0.0.1:8000
"""

import asyncio
import json
import os
import struct

import numpy as np
import onnxruntime as ort
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from oip_common import add_model_routes, error
from tokenizers import Tokenizer

MODEL_PATH = os.environ.get("MINILM_MODEL", "")
TOKENIZER_PATH = os.environ.get("MINILM_TOKENIZER", "")
MODEL_NAME = os.environ.get("MINILM_NAME", "all-minilm-l6-v2")
MAX_TOKENS = int(os.environ.get("MINILM_MAX_TOKENS", "256"))
MAX_ITEMS = int(os.environ.get("MINILM_MAX_ITEMS", "64"))
INTRA_OP_THREADS = int(os.environ.get("BASELINE_INTRA_OP_THREADS", "0"))
MODE = os.environ.get("BASELINE_MODE", "direct")
if not MODEL_PATH or not TOKENIZER_PATH:
    raise SystemExit("MINILM_MODEL and MINILM_TOKENIZER must name the .onnx file and its tokenizer.json")
if MODE not in ("direct", "executor"):
    raise SystemExit(f"BASELINE_MODE is '{MODE}', expected 'direct' or 'executor'")

options = ort.SessionOptions()
options.intra_op_num_threads = INTRA_OP_THREADS  # 0: onnxruntime's default, one thread per core
session = ort.InferenceSession(MODEL_PATH, options, providers=["CPUExecutionProvider"])
DIMENSIONS = session.get_outputs()[0].shape[-1]

tokenizer = Tokenizer.from_file(TOKENIZER_PATH)
# The file's own settings (truncation 128, fixed padding to 128) are not sentence-transformers' for this model.
tokenizer.enable_truncation(max_length=MAX_TOKENS)
tokenizer.no_padding()
untruncated = Tokenizer.from_file(TOKENIZER_PATH)
untruncated.no_truncation()
untruncated.no_padding()

METADATA = {
    "name": MODEL_NAME,
    "platform": "onnxruntime_onnx",
    "versions": ["1"],
    "inputs": [{"name": "text", "datatype": "BYTES", "shape": [-1]}],
    "outputs": [{"name": "embedding", "datatype": "FP32", "shape": [-1, DIMENSIONS]}],
}

app = FastAPI()
add_model_routes(app, MODEL_NAME, METADATA)


class BadRequest(Exception):
    def __init__(self, message, status=400, error_type="validation"):
        super().__init__(message)
        self.status = status
        self.error_type = error_type


def embed(texts, normalize=True):
    """Mean-pooled (and by default L2-normalised) embeddings, float32 [len(texts), DIMENSIONS]."""
    encodings = tokenizer.encode_batch(texts) if len(texts) > 1 else [tokenizer.encode(texts[0])]
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, enc in enumerate(encodings):
        ids[row, : len(enc.ids)] = enc.ids
        mask[row, : len(enc.ids)] = 1
    (hidden,) = session.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
    weights = mask[..., None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    if not normalize:
        return pooled
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


async def run_model(texts, normalize=True):
    if MODE == "direct":
        return embed(texts, normalize)
    return await asyncio.get_running_loop().run_in_executor(None, embed, texts, normalize)


def checked_texts(texts):
    if len(texts) == 0:
        raise BadRequest("`inputs` cannot be empty", 400, "empty")
    if len(texts) > MAX_ITEMS:
        raise BadRequest(f"batch size {len(texts)} > maximum allowed batch size {MAX_ITEMS}", 413)
    return texts


def bytes_elements(blob, count):
    """The strings of a binary BYTES tensor: each a 4-byte little-endian length, then that many UTF-8 bytes."""
    out, offset = [], 0
    while offset < len(blob):
        if offset + 4 > len(blob):
            raise BadRequest("BYTES tensor ends inside a length prefix")
        (size,) = struct.unpack_from("<I", blob, offset)
        offset += 4
        if offset + size > len(blob):
            raise BadRequest("BYTES tensor element runs past the end of its data")
        try:
            out.append(blob[offset : offset + size].decode("utf-8"))
        except UnicodeDecodeError as err:
            raise BadRequest(f"BYTES element {len(out)} is not UTF-8: {err}") from err
        offset += size
    if len(out) != count:
        raise BadRequest(f"BYTES tensor holds {len(out)} elements, its shape says {count}")
    return out


def infer_texts(body, header_length):
    """The texts of an OIP v2 infer body: JSON, or binary-extension with a JSON header of `header_length` bytes."""
    header = body if header_length is None else body[:header_length]
    try:
        request = json.loads(header)
    except ValueError as err:
        raise BadRequest(f"body is not JSON: {err}") from err
    inputs = request.get("inputs") or []
    if len(inputs) != 1 or inputs[0].get("name") != "text" or inputs[0].get("datatype") != "BYTES":
        raise BadRequest("expected one input 'text' of datatype BYTES")
    raw = inputs[0]
    shape = raw.get("shape")
    if not (isinstance(shape, list) and len(shape) == 1 and isinstance(shape[0], int)):
        raise BadRequest(f"input 'text': shape {shape} is not [N]")
    size = (raw.get("parameters") or {}).get("binary_data_size")
    if size is not None:
        if header_length is None:
            raise BadRequest("input 'text' has binary_data_size but no Inference-Header-Content-Length header")
        texts = bytes_elements(body[header_length : header_length + size], shape[0])
    else:
        texts = raw.get("data")
        if not (isinstance(texts, list) and all(isinstance(t, str) for t in texts)):
            raise BadRequest("input 'text': data must be an array of strings")
        if len(texts) != shape[0]:
            raise BadRequest(f"input 'text': {len(texts)} strings, shape says {shape[0]}")
    return checked_texts(texts), request


@app.post("/v2/models/{name}/infer")
async def infer(name: str, request: Request):
    if name != MODEL_NAME:
        return error(404, f"model '{name}' not found")
    body = await request.body()
    header_length = request.headers.get("inference-header-content-length")
    try:
        texts, parsed = infer_texts(body, int(header_length) if header_length else None)
    except BadRequest as err:
        return error(400, str(err))
    embeddings = await run_model(texts)
    output = {"name": "embedding", "datatype": "FP32", "shape": list(embeddings.shape)}
    response = {"model_name": MODEL_NAME, "model_version": "1", "outputs": [output]}
    if (parsed.get("parameters") or {}).get("binary_data_output") is not True:
        output["data"] = embeddings.ravel().tolist()
        return JSONResponse(response)
    blob = embeddings.astype("<f4").tobytes()
    output["parameters"] = {"binary_data_size": len(blob)}
    header = json.dumps(response).encode()
    return Response(header + blob, media_type="application/octet-stream", headers={"Inference-Header-Content-Length": str(len(header))})


# TEI's error body and statuses: validation 413, empty 400, unparsable body 422.
def tei_error(status, message, error_type="validation"):
    return JSONResponse({"error": message, "error_type": error_type}, status_code=status)


@app.post("/embed")
async def tei_embed(request: Request):
    """Text Embeddings Inference's /embed: {"inputs": str | [str], "normalize": bool, "truncate": bool} -> [[float]]."""
    try:
        body = json.loads(await request.body())
    except ValueError as err:
        return tei_error(422, f"body is not JSON: {err}", "deserialize")
    inputs = body.get("inputs") if isinstance(body, dict) else None
    texts = [inputs] if isinstance(inputs, str) else inputs
    if not (isinstance(texts, list) and all(isinstance(t, str) for t in texts)):
        return tei_error(422, "`inputs` must be a string or an array of strings", "deserialize")
    try:
        checked_texts(texts)
    except BadRequest as err:
        return tei_error(err.status, str(err), err.error_type)
    if not body.get("truncate", False):
        for text in texts:
            count = len(untruncated.encode(text).ids)
            if count > MAX_TOKENS:
                return tei_error(413, f"Input validation error: `inputs` must have less than {MAX_TOKENS} tokens. Given: {count}")
    embeddings = await run_model(texts, body.get("normalize", True) is not False)
    return JSONResponse(embeddings.tolist())
