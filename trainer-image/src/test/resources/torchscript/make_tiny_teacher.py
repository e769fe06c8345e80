#!/usr/bin/env python3
"""Writes tiny_teacher.pt, a TorchScript module with the teacher signature v(x, 1000 t, cond),
without needing PyTorch installed: it emits the same zip archive torch.jit.save writes
(code/__torch__.py source, data.pkl pickle of the module, tensor storages under data/).

The module (what torch.jit.script would produce for this nn.Module):

    class TinyTeacher(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = torch.nn.Parameter(torch.tensor([0.5]))
            self.cond_bias = torch.nn.Parameter(torch.tensor([0.1, 0.2, 0.3, 0.0]))  # 3 classes + null
            self.time_weight = torch.nn.Parameter(torch.tensor([0.001]))
        def forward(self, x, t, cond):
            b = torch.index_select(self.cond_bias, 0, cond).reshape(-1, 1, 1, 1, 1)
            s = (t * self.time_weight).reshape(-1, 1, 1, 1, 1)
            return x * self.scale + b + s

Run: python3 make_tiny_teacher.py  (deterministic; the .pt beside it is its output).

`python3 make_tiny_teacher.py features` writes tiny_features.pt instead, a feature extractor
features(x) -> (N, D) for evaluation.features (the samples flattened and scaled):

    class TinyFeatures(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = torch.nn.Parameter(torch.tensor([2.0]))
        def forward(self, x):
            return torch.flatten(x, 1) * self.scale

`python3 make_tiny_teacher.py not-features` writes tiny_not_features.pt, which returns x * scale
itself, (N, C, D, H, W): a module whose output is not (N, D) features, for the bad-input tests.

`python3 make_tiny_teacher.py sparse` writes tiny_sparse_teacher.pt, a second-stage (appearance)
teacher with the sparse signature v(feats, coords, 1000 t, cond) of TORCHSCRIPT.md, "A sparse
(second-stage) teacher": feats (M, C) are the features of the batch's M occupied voxels, coords
(M, 4) int32 their (batch index, x, y, z), t (B,) and cond (B,) per sample; b = coords[:, 0]:

    class TinySparseTeacher(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = torch.nn.Parameter(torch.tensor([0.5]))
            self.cond_bias = torch.nn.Parameter(torch.tensor([0.1, 0.2, 0.3, 0.0]))  # 3 classes + null
            self.time_weight = torch.nn.Parameter(torch.tensor([0.001]))
            self.coord_weight = torch.nn.Parameter(torch.tensor([0.01]))
        def forward(self, feats, coords, t, cond):
            b = coords[:, 0]
            cb = self.cond_bias[cond[b]].reshape(-1, 1)
            s = (t[b] * self.time_weight).reshape(-1, 1)
            xyz = coords[:, 1:4].float().sum(1, keepdim=True)
            return feats * self.scale + cb + s + xyz * self.coord_weight

i.e. v = 0.5 feats + cond_bias[cond[b]] + 0.001 t[b] + 0.01 (x + y + z), per voxel and channel.

`python3 make_tiny_teacher.py sparse-wrong-shape` writes tiny_sparse_wrong_shape.pt, the same
module summing its output over the channels, (M, 1): not (M, C), for the bad-input tests.
"""
import io
import pickle
import struct
import sys
import types
import zipfile
from collections import OrderedDict

PARAMS = OrderedDict(
    scale=[0.5],
    cond_bias=[0.1, 0.2, 0.3, 0.0],
    time_weight=[0.001],
)

CODE = '''class TinyTeacher(Module):
  __parameters__ = ["scale", "cond_bias", "time_weight", ]
  __buffers__ = []
  scale : Tensor
  cond_bias : Tensor
  time_weight : Tensor
  training : bool
  def forward(self: __torch__.TinyTeacher,
    x: Tensor,
    t: Tensor,
    cond: Tensor) -> Tensor:
    cond_bias = self.cond_bias
    b = torch.reshape(torch.index_select(cond_bias, 0, cond), [-1, 1, 1, 1, 1])
    time_weight = self.time_weight
    s = torch.reshape(torch.mul(t, time_weight), [-1, 1, 1, 1, 1])
    scale = self.scale
    _0 = torch.add(torch.add(torch.mul(x, scale), b), s)
    return _0
'''


FEATURE_PARAMS = OrderedDict(scale=[2.0])

FEATURE_CODE = '''class TinyFeatures(Module):
  __parameters__ = ["scale", ]
  __buffers__ = []
  scale : Tensor
  training : bool
  def forward(self: __torch__.TinyFeatures,
    x: Tensor) -> Tensor:
    scale = self.scale
    _0 = torch.mul(torch.flatten(x, 1, -1), scale)
    return _0
'''


SPARSE_PARAMS = OrderedDict(
    scale=[0.5],
    cond_bias=[0.1, 0.2, 0.3, 0.0],
    time_weight=[0.001],
    coord_weight=[0.01],
)

SPARSE_CODE = '''class TinySparseTeacher(Module):
  __parameters__ = ["scale", "cond_bias", "time_weight", "coord_weight", ]
  __buffers__ = []
  scale : Tensor
  cond_bias : Tensor
  time_weight : Tensor
  coord_weight : Tensor
  training : bool
  def forward(self: __torch__.TinySparseTeacher,
    feats: Tensor,
    coords: Tensor,
    t: Tensor,
    cond: Tensor) -> Tensor:
    b = torch.select(coords, 1, 0)
    cond_bias = self.cond_bias
    cb = torch.reshape(torch.index_select(cond_bias, 0, torch.index_select(cond, 0, b)), [-1, 1])
    time_weight = self.time_weight
    s = torch.reshape(torch.mul(torch.index_select(t, 0, b), time_weight), [-1, 1])
    xyz = torch.sum(torch.to(torch.slice(coords, 1, 1, 4), 6), [1], True)
    coord_weight = self.coord_weight
    scale = self.scale
    _0 = torch.add(torch.add(torch.add(torch.mul(feats, scale), cb), s), torch.mul(xyz, coord_weight))
    return _0
'''


def fake_global(module, name, kind="class"):
    """A Python object that pickles as GLOBAL 'module name' (modules registered in sys.modules)."""
    mod = sys.modules.get(module)
    if mod is None:
        mod = types.ModuleType(module)
        sys.modules[module] = mod
    if kind == "class":
        obj = type(name, (object,), {"__module__": module})
    else:
        def obj(*args):
            raise RuntimeError("never called")
        obj.__module__ = module
        obj.__name__ = name
    obj.__qualname__ = name
    setattr(mod, name, obj)
    return obj


TorchModule = fake_global("__torch__", "TinyTeacher")
FeatureModule = fake_global("__torch__", "TinyFeatures")
SparseModule = fake_global("__torch__", "TinySparseTeacher")
FloatStorage = fake_global("torch", "FloatStorage")
rebuild_tensor_v2 = fake_global("torch._utils", "_rebuild_tensor_v2", kind="function")


class Storage:
    def __init__(self, key, values):
        self.key, self.values = key, values


class Tensor:
    def __init__(self, storage):
        self.storage = storage

    def __reduce__(self):
        n = len(self.storage.values)
        # storage, storage_offset, size, stride, requires_grad, backward_hooks
        return (rebuild_tensor_v2, (self.storage, 0, (n,), (1,), True, OrderedDict()))


class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", FloatStorage, obj.key, "cpu", len(obj.values))
        return None


def main(which="teacher"):
    if which == "features":
        write("tiny_features.pt", FeatureModule, FEATURE_PARAMS, FEATURE_CODE)
    elif which == "not-features":
        write("tiny_not_features.pt", FeatureModule, FEATURE_PARAMS,
              FEATURE_CODE.replace("torch.flatten(x, 1, -1)", "x"))
    elif which == "sparse":
        write("tiny_sparse_teacher.pt", SparseModule, SPARSE_PARAMS, SPARSE_CODE)
    elif which == "sparse-wrong-shape":
        write("tiny_sparse_wrong_shape.pt", SparseModule, SPARSE_PARAMS,
              SPARSE_CODE.replace("    return _0", "    return torch.sum(_0, [1], True)"))
    else:
        write("tiny_teacher.pt", TorchModule, PARAMS, CODE)


def write(out, cls, params, code):
    storages = [Storage(str(i), v) for i, v in enumerate(params.values())]
    module = cls.__new__(cls)
    state = {"training": True}
    for name, storage in zip(params, storages):
        state[name] = Tensor(storage)
    module.__dict__.update(state)

    data = io.BytesIO()
    Pickler(data, protocol=2).dump(module)
    constants = io.BytesIO()
    pickle.Pickler(constants, protocol=2).dump(())

    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as z:
        def put(name, payload):
            info = zipfile.ZipInfo("archive/" + name, date_time=(1980, 1, 1, 0, 0, 0))
            z.writestr(info, payload)

        put("data.pkl", data.getvalue())
        put("code/__torch__.py", code)
        put("constants.pkl", constants.getvalue())
        for s in storages:
            put("data/" + s.key, struct.pack("<%df" % len(s.values), *s.values))
        put("version", "3\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
