"""Latency of the built-in teacher in the machine's own PyTorch, eager mode.

The same network as mdt's FlowTransformer (trainer-image/.../model/FlowTransformer.java and
TransformerTrunk.java), written again in PyTorch and loaded with the artifact's weights
(weights.safetensors, linears stored (in, out)); outputs are not compared with mdt's. It times
what mdt serve's X-Generation-Ms times: guided Euler sampling of one shape (each step one network
evaluation over 2 rows, conditional and null class), and one such step alone.

usage: python3 teacher_eager.py MODEL_DIR DEVICE STEPS RUNS  -> one JSON line on stdout
"""

import json
import math
import struct
import sys
import time

import torch
import torch.nn.functional as F

TIME_FREQ_DIM = 256
SIGMA_MIN = 1e-5


def load_safetensors(path, device):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        if meta["dtype"] != "F32":
            raise SystemExit(f"{name}: dtype {meta['dtype']}, only F32 is read")
        start, end = meta["data_offsets"]
        t = torch.frombuffer(bytearray(data[base + start : base + end]), dtype=torch.float32)
        out[name] = t.reshape(meta["shape"]).to(device)
    return out


def pos_embedding(grid, width, device):
    k = width // 6
    emb = torch.zeros(grid**3, width)
    freqs = torch.tensor([10000.0 ** (-i / k) for i in range(k)])
    coords = torch.stack(
        torch.meshgrid(*(torch.arange(grid, dtype=torch.float32),) * 3, indexing="ij"), -1
    ).reshape(-1, 3)
    for axis in range(3):
        arg = coords[:, axis : axis + 1] * freqs
        emb[:, axis * 2 * k : axis * 2 * k + k] = torch.sin(arg)
        emb[:, axis * 2 * k + k : axis * 2 * k + 2 * k] = torch.cos(arg)
    return emb.to(device)


class Teacher:
    def __init__(self, model_dir, device):
        card = json.load(open(f"{model_dir}/model.json"))
        m = card["model"]
        if card["kind"] != "flow-transformer" or m.get("convChannels", 0) != 0:
            raise SystemExit(f"only a dense flow-transformer without stem, got {card['kind']}")
        self.w = load_safetensors(f"{model_dir}/{card['weights']}", device)
        self.p, self.width, self.depth = m["patchSize"], m["width"], m["depth"]
        self.heads, self.classes = m["heads"], m["numClasses"]
        self.res, self.channels = m["resolution"], m["channels"]
        self.grid = self.res // self.p
        self.cfg = card["sampler"]["cfgStrength"]
        self.pos = pos_embedding(self.grid, self.width, device)
        half = TIME_FREQ_DIM // 2
        self.freqs = torch.exp(-math.log(10000) * torch.arange(half) / half).to(device)[None]

    def lin(self, x, name):
        return x @ self.w[name + ".weight"] + self.w[name + ".bias"]

    def ln(self, h):
        return F.layer_norm(h, (self.width,), eps=1e-6)

    def velocity(self, x, t1000, cond):
        n, c, g, p = x.shape[0], self.channels, self.grid, self.p
        tokens = (
            x.reshape(n, c, g, p, g, p, g, p)
            .permute(0, 2, 4, 6, 1, 3, 5, 7)
            .reshape(n, g**3, c * p**3)
        )
        h = self.lin(tokens, "input_layer") + self.pos
        args = t1000.float().reshape(-1, 1) * self.freqs
        temb = self.lin(F.silu(self.lin(torch.cat([args.cos(), args.sin()], 1), "t_embedder.mlp.0")), "t_embedder.mlp.2")
        sc = F.silu(temb + self.w["cond_embedder.weight"][cond])
        hd = self.width // self.heads
        for i in range(self.depth):
            b = f"blocks.{i}."
            m = self.lin(sc, b + "adaLN_modulation").reshape(n, 1, 6 * self.width).chunk(6, 2)
            a = self.ln(h) * (m[1] + 1) + m[0]
            qkv = self.lin(a, b + "attn.to_qkv").reshape(n, -1, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
            s = (qkv[0] @ qkv[1].transpose(-1, -2)) / math.sqrt(hd)
            o = (s.softmax(-1) @ qkv[2]).transpose(1, 2).reshape(n, -1, self.width)
            h = h + self.lin(o, b + "attn.to_out") * m[2]
            f = self.lin(F.gelu(self.lin(self.ln(h) * (m[4] + 1) + m[3], b + "mlp.fc1")), b + "mlp.fc2")
            h = h + f * m[5]
        m = self.lin(sc, "final_layer.adaLN_modulation").reshape(n, 1, 2 * self.width).chunk(2, 2)
        out = self.lin(self.ln(h) * (m[1] + 1) + m[0], "final_layer.linear")
        data = (
            out.reshape(n, g, g, g, c, p, p, p)
            .permute(0, 4, 1, 5, 2, 6, 3, 7)
            .reshape(n, c, self.res, self.res, self.res)
        )
        t = (t1000.float() / 1000).reshape(n, 1, 1, 1, 1)
        sigma = (t * (1 - SIGMA_MIN) + SIGMA_MIN).clamp_min(1e-3)
        noise = (x - data * (1 - t)) / sigma
        return noise * (1 - SIGMA_MIN) - data

    def guided_step(self, x, t, t_next, cls):
        n = x.shape[0]
        t1000 = torch.full((2 * n,), t * 1000, device=x.device)
        cond = torch.cat([cls, torch.full_like(cls, self.classes)])
        v = self.velocity(torch.cat([x, x]), t1000, cond)
        v = v[:n] * (1 + self.cfg) - v[n:] * self.cfg
        return x + (t_next - t) * v

    def sample(self, steps, cls, gen):
        x = torch.randn(cls.shape[0], self.channels, self.res, self.res, self.res, device=cls.device, generator=gen)
        for i in range(steps):
            x = self.guided_step(x, 1 - i / steps, 1 - (i + 1) / steps, cls)
        return x


def timed(fn, device, runs):
    def sync():
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    fn()
    sync()
    ms = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        sync()
        ms.append((time.perf_counter() - t0) * 1000)
    ms.sort()
    return ms[len(ms) // 2]


def main():
    model_dir, device, steps, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.set_grad_enabled(False)
    m = Teacher(model_dir, device)
    cls = torch.tensor([1], device=device)
    gen = torch.Generator(device=device).manual_seed(1)
    x = torch.randn(1, m.channels, m.res, m.res, m.res, device=device, generator=gen)
    step_ms = timed(lambda: m.guided_step(x, 0.5, 0.46, cls), device, runs * steps)
    sample_ms = timed(lambda: m.sample(steps, cls, gen), device, runs)
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "device": device,
                "steps": steps,
                "median_ms_per_guided_step": round(step_ms, 3),
                "median_ms_per_sample": round(sample_ms, 3),
                "median_ms_per_evaluation_in_sample": round(sample_ms / steps, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
