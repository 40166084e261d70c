"""Small, valid, synthetic stand-ins for the user data paths the documentation shows.

The docs test (``tests/test_docs_commands.py``) runs every documented command; a command
such as ``gan-run domain=images model=dcgan data.path=~/faces`` needs *something* at
``~/faces``. This module is the mapping, one entry per documented path:

* ``~/NAME`` (a path in the user's home) -> ``<docs home>/NAME``: a scratch "home" made once
  per test process (the real ``$HOME`` is never read or written);
* a relative ``NAME`` (``poems.txt``, ``graph.npz``, ``rows.csv``) -> created in the
  command's scratch working directory;
* ``../shared/...`` -> the repository's ``../shared`` data when it is present; the command
  is skipped (cleanly, with the reason) when it is not.

Every entry builds the smallest input of the documented format that the domain accepts
(a few images, one-second tones, ten-line poems ...), deterministically. A documented
user path with no entry here makes the docs test fail with a message naming this file:
add a builder (or mark the command ``compose-only``) when you document a new path.
"""

from __future__ import annotations

import math
import wave
from pathlib import Path
from typing import Callable

import numpy as np

_RNG_SEED = 1234


def _rng(salt: int) -> np.random.Generator:
    return np.random.default_rng(_RNG_SEED + salt)


def _png(path: Path, array: np.ndarray) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array.astype(np.uint8)).save(path)


def _shape_image(size: int, kind: int, salt: int, channels: int = 3) -> np.ndarray:
    """A non-constant image: a filled disc, square or bar (by ``kind``) on a noisy background."""
    rng = _rng(salt)
    yy, xx = np.mgrid[0:size, 0:size] / size
    cx, cy = rng.uniform(0.35, 0.65, size=2)
    if kind % 3 == 0:
        mask = (xx - cx) ** 2 + (yy - cy) ** 2 < 0.08
    elif kind % 3 == 1:
        mask = (abs(xx - cx) < 0.25) & (abs(yy - cy) < 0.25)
    else:
        mask = abs(xx - cx) < 0.12
    base = rng.uniform(0, 60, size=(size, size, channels))
    colour = np.array([200, 80 + 40 * (kind % 3), 120])[:channels]
    img = base + mask[..., None] * colour
    return img[..., 0] if channels == 1 else img


def image_folder(root: Path, n: int = 16, size: int = 40) -> None:
    """A flat folder of RGB PNGs (``~/faces``, ``~/edges``, ``~/zebras``)."""
    for i in range(n):
        _png(root / f"img_{i:03d}.png", _shape_image(size, i, salt=i))


_CLASSES = ("aster", "bluebell", "crocus", "daisy", "iris", "lily", "poppy", "rose", "tulip", "violet")


def labelled_folders(root: Path, classes: tuple[str, ...] = _CLASSES, per_class: int = 3, size: int = 40) -> None:
    """One sub-folder per class (``data.labels_from_folders=true``); ten classes, so ``label=7`` exists."""
    for k, name in enumerate(classes):
        for i in range(per_class):
            _png(root / name / f"{name}_{i:02d}.png", _shape_image(size, k, salt=100 * k + i))


def side_by_side_pairs(root: Path, n_train: int = 6, n_test: int = 2, size: int = 32) -> None:
    """pix2pix's release layout: ``train/`` and ``test/`` images holding A | B side by side."""
    for split, n in (("train", n_train), ("test", n_test)):
        for i in range(n):
            b = _shape_image(size, i, salt=200 + i + (50 if split == "test" else 0))
            a = 255 - b  # any deterministic mapping A -> B will do for a smoke run
            _png(root / split / f"{i + 1}.png", np.concatenate([a, b], axis=1))


def unpaired_domains(root: Path, n: int = 6, size: int = 32) -> None:
    """CycleGAN's release layout: ``trainA/ trainB/ testA/ testB/``, unpaired (names differ, as in horse2zebra)."""
    for split, count in (("train", n), ("test", 2)):
        for side, kind in (("A", 0), ("B", 1)):
            for i in range(count):
                _png(root / f"{split}{side}" / f"{side.lower()}_{i:03d}.png", _shape_image(size, kind, salt=300 + 10 * kind + i))


def _wav(path: Path, samples: np.ndarray, rate: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes(pcm.tobytes())


def _tone(rate: int, seconds: float, freq: float, salt: int) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    noise = _rng(salt).normal(0, 0.05, size=t.shape)
    return 0.6 * np.sin(2 * math.pi * freq * t) * np.exp(-3 * t) + noise


def wav_folder(root: Path, n: int = 8, rate: int = 16000, seconds: float = 0.5, pattern: str = "hit_{i:02d}.wav") -> None:
    """A folder of mono 16-bit WAVs: decaying tones with a little noise."""
    for i in range(n):
        _wav(root / pattern.format(i=i, label=i % 3), _tone(rate, seconds, 110.0 * (1 + i % 4), salt=400 + i), rate)


def labelled_wav_folders(root: Path, per_class: int = 4) -> None:
    """``root/<label>/*.wav`` (``data.labels=folder``)."""
    for k, name in enumerate(("kick", "snare", "hat")):
        for i in range(per_class):
            _wav(root / name / f"{name}_{i}.wav", _tone(16000, 0.5, 60.0 * (1 + 3 * k), salt=500 + 10 * k + i), 16000)


_CHARS = "春眠不觉晓处闻啼鸟夜来风雨声花落知多少白日依山尽黄河入海流欲穷千里目更上一层楼"


def poems(path: Path, n: int = 40, salt: int = 0) -> None:
    """Five-character quatrains, one poem per line (24 tokens with the marks)."""
    rng = _rng(600 + salt)
    lines = []
    for _ in range(n):
        verses = ["".join(rng.choice(list(_CHARS), size=5)) for _ in range(4)]
        lines.append(f"{verses[0]}，{verses[1]}。{verses[2]}，{verses[3]}。")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def midi_folder(root: Path, n: int = 4, seconds: float = 30.0) -> None:
    """Melodies of quarter notes (long enough for several 32 x 0.4 s windows)."""
    import pretty_midi

    for i in range(n):
        rng = _rng(700 + i)
        pm = pretty_midi.PrettyMIDI(initial_tempo=120)
        inst = pretty_midi.Instrument(program=0)
        t, pitch = 0.0, 60 + i
        while t < seconds:
            pitch = int(np.clip(pitch + rng.integers(-3, 4), 48, 84))
            inst.notes.append(pretty_midi.Note(velocity=90, pitch=pitch, start=t, end=t + 0.45))
            t += 0.5
        pm.instruments.append(inst)
        root.mkdir(parents=True, exist_ok=True)
        pm.write(str(root / f"tune_{i}.mid"))


def _graph_edges(n: int = 80, extra: int = 120) -> np.ndarray:
    """A connected undirected graph: a random spanning tree plus random chords."""
    rng = _rng(800)
    edges = {(int(rng.integers(0, v)), v) for v in range(1, n)}
    while len(edges) < n - 1 + extra:
        u, v = sorted(int(x) for x in rng.choice(n, size=2, replace=False))
        edges.add((u, v))
    return np.array(sorted(edges))


def graph_npz(path: Path) -> None:
    """The NetGAN/graph2gauss CSR layout (``adj_data``, ``adj_indices``, ``adj_indptr``, ``adj_shape``)."""
    import scipy.sparse as sp

    edges = _graph_edges()
    n = int(edges.max()) + 1
    adj = sp.coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n)).tocsr()
    adj = (adj + adj.T).tocsr()
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, adj_data=adj.data, adj_indices=adj.indices, adj_indptr=adj.indptr, adj_shape=np.array(adj.shape))


def edge_list(path: Path) -> None:
    """One ``u v`` per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# u v\n" + "".join(f"{u} {v}\n" for u, v in _graph_edges()))


def rows_csv(path: Path, n: int = 200) -> None:
    """Two numeric columns with a header (the tutorial plugin's format)."""
    rng = _rng(900)
    angle = rng.uniform(0, 2 * math.pi, size=n)
    pts = np.stack([np.cos(angle), np.sin(angle)], axis=1) * 2 + rng.normal(0, 0.1, size=(n, 2))
    path.write_text("x,y\n" + "".join(f"{x:.5f},{y:.5f}\n" for x, y in pts))


#: documented path -> builder(path). Keys are exactly as written in the Markdown.
INPUTS: dict[str, Callable[[Path], None]] = {
    "~/faces": lambda p: image_folder(p, size=72),
    "~/my-labelled-photos": labelled_folders,
    "~/flowers": lambda p: labelled_folders(p, size=72),
    "~/facades": side_by_side_pairs,
    "~/edges": lambda p: image_folder(p, n=3, size=32),
    "~/horse2zebra": unpaired_domains,
    "~/zebras": lambda p: image_folder(p, n=3, size=32),
    "~/drum-samples": wav_folder,
    "~/sounds/drums": labelled_wav_folders,
    "~/fsdd/recordings": lambda p: wav_folder(p, n=10, rate=8000, pattern="{label}_synth_{i}.wav"),
    "~/poems.txt": poems,
    "~/poems_test.txt": lambda p: poems(p, n=10, salt=1),
    "poems.txt": poems,
    "~/midi": midi_folder,
    "~/midi/nottingham": midi_folder,
    "~/graphs/citeseer.npz": graph_npz,
    "~/graphs/edges.txt": edge_list,
    "graph.npz": graph_npz,
    "rows.csv": rows_csv,
}
