"""Engine speed: training steps and loss-surface grids on TensorFlow Playground's nets.

Run: .venv/bin/python bench/bench_engine.py   (numbers go to stdout; see docs/performance.md)
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import engine
from engine.heatmap import neuron_heatmaps
from engine.surface import loss_surface

LARGEST = {"layers": [2, 8, 8, 8, 8, 8, 8, 1], "activations": ["tanh"] * 7, "loss": "quadratic",
           "dataset": {"name": "spiral", "samples": 500, "noise": 0.1, "seed": 1,
                       "validation_fraction": 0.0},
           "optimizer": {"name": "sgd", "learning_rate": 0.03}}
DEFAULT = {**LARGEST, "layers": [2, 4, 2, 1], "activations": ["tanh"] * 3}


def numpy_loop_step(Ws, bs, X, Y, eta):
    """A bare NumPy full-batch step (forward, backward, SGD update): the reference."""
    acts = [X]
    for W, b in zip(Ws, bs, strict=True):
        acts.append(np.tanh(acts[-1] @ W.T + b))
    m = X.shape[0]
    delta = (acts[-1] - Y) * (1 - acts[-1] ** 2)
    for l in range(len(Ws) - 1, -1, -1):
        gW = delta.T @ acts[l] / m
        gb = delta.sum(axis=0) / m
        if l:
            delta = (delta @ Ws[l]) * (1 - acts[l] ** 2)
        Ws[l] -= eta * gW
        bs[l] -= eta * gb


def time_per_call(fn, repeat, number):
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return statistics.median(samples)


def main() -> None:
    tr = engine.create(LARGEST)
    t = time_per_call(lambda: tr.step(1), 30, 100)
    t_many = time_per_call(lambda: tr.step(2000), 5, 1) / 2000
    Ws = [W.copy() for W in tr.net.W]
    bs = [b.copy() for b in tr.net.b]
    ref = time_per_call(lambda: numpy_loop_step(Ws, bs, tr.data.X, tr.data.Y, 0.03), 30, 100)
    print("largest net 2-8x6-1, 500 samples, full batch:")
    print(f"  Trainer.step(1) per step:      {t * 1e3:.3f} ms")
    print(f"  Trainer.step(2000) per step:   {t_many * 1e3:.3f} ms")
    print(f"  bare NumPy loop per step:      {ref * 1e3:.3f} ms")
    mb = engine.create({**LARGEST, "batch_size": 10})
    spe = mb.steps_per_epoch
    t_mb = time_per_call(lambda: mb.step(spe), 5, 1)
    print(f"  batch size 10: {spe / t_mb:.0f} steps/s ({t_mb * 1e3:.1f} ms per epoch of {spe})")
    for res in (25, 50):
        dt = time_per_call(lambda res=res: neuron_heatmaps(tr, res), 20, 10)
        print(f"largest net: every neuron's heatmap at {res}x{res}: {dt * 1e3:.2f} ms")
    for name, spec in (("largest", LARGEST), ("default 2-4-2-1", DEFAULT)):
        tr = engine.create(spec)
        tr.step(20)
        for kind, plane in (("random", {"kind": "random", "seed": 0}),
                            ("parameters", {"kind": "parameters",
                                            "params": [{"layer": 1, "name": "W", "index": [0, 1]},
                                                       {"layer": 2, "name": "b", "index": [0]}]})):
            for res in (31, 101):
                def run(tr=tr, plane=plane, res=res):
                    return loss_surface(tr, plane, 1.0, res)

                dt = time_per_call(run, 3, 1)
                print(f"{name}: {res}x{res} surface ({kind} plane): {dt * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
