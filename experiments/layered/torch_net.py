"""experiments/layered/torch_net.py: a PyTorch model of a spikeq layered network, computing what
layers/CONFIG.md specifies from the same JSON config (`network.layers`), with the weights file of
CONFIG.md ("/layers/<name>/<param>"). It is the test oracle and the speed anchor of the C layers
(tests/layered_oracle.py, experiments/layered/bench_torch.py); the library never depends on it.

The module takes [T, N, C, H, W] (time-major, NCHW per step) and returns logits [N, classes].
Stateless layers run over the flattened [T*N, C, H, W] batch; per-step batchnorm (BNTT, as S-ResNet,
Vicente-Sola et al. 2022) is one nn.BatchNorm2d per step applied to slice [t]; lif is a loop over t
with a custom autograd surrogate. Importing this module has no side effects.

    model = build(config)                     # config: the dict of the JSON file
    logits = model(x)                         # x: [T, N, C, H, W]
    logits, outs = model(x, keep=True)        # outs: layer name -> output; model.membranes: lif h_t
    save_weights(model, "w.h5"); load_weights(model, "w.h5")
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

WEIGHTS_FORMAT = "spikeq-layered-weights"
WEIGHTS_VERSION = 1

KNOWN = {
    "conv2d": {"out_channels", "kernel", "stride", "padding", "bias", "init"},
    "linear": {"out_features", "bias", "init"},
    "avgpool": {"kernel", "stride", "padding"},
    "global_avgpool": set(),
    "batchnorm": {"per_step", "eps", "momentum", "affine"},
    "lif": {"beta", "tau", "dt", "threshold", "reset", "strict", "detach_reset", "surrogate"},
    "add": set(),
    "dropout": {"p"},
    "readout": {"mode", "beta"},
}


def _pair(v, what):
    if isinstance(v, (list, tuple)):
        if len(v) != 2:
            raise ValueError("%s: expected an int or [a, b], got %r" % (what, v))
        return int(v[0]), int(v[1])
    return int(v), int(v)


# ---------------------------------------------------------------------------------------------
# Layers. Every layer takes and returns [T, N, C, H, W] tensors, except readout ([N, F]).
# file_params() gives the tensors of the weights file in its layouts, load_file_params() takes them.

class Conv2d(nn.Conv2d):
    kind = "conv2d"

    def __init__(self, spec, in_channels):
        k = _pair(spec.get("kernel", 3), spec["name"] + ".kernel")
        super().__init__(in_channels, int(spec["out_channels"]), k,
                         stride=_pair(spec.get("stride", 1), spec["name"] + ".stride"),
                         padding=_pair(spec.get("padding", 0), spec["name"] + ".padding"),
                         bias=bool(spec.get("bias", False)))
        self.init_spec = spec.get("init", {"type": "kaiming_uniform"})

    def forward(self, x):
        T, N = x.shape[:2]
        y = super().forward(x.reshape((T * N,) + x.shape[2:]))
        return y.reshape((T, N) + y.shape[1:])

    def fans(self):
        rf = self.kernel_size[0] * self.kernel_size[1]
        return self.in_channels * rf, self.out_channels * rf

    def file_params(self):
        d = {"weight": self.weight}
        if self.bias is not None:
            d["bias"] = self.bias
        return d


class Linear(nn.Linear):
    kind = "linear"

    def __init__(self, spec, in_features):
        super().__init__(in_features, int(spec["out_features"]), bias=bool(spec.get("bias", False)))
        self.init_spec = spec.get("init", {"type": "kaiming_uniform"})

    def forward(self, x):
        # (C, H, W) flatten order of each sample, as torch.flatten(x, 1) on NCHW
        T, N = x.shape[:2]
        y = super().forward(x.reshape(T * N, -1))
        return y.reshape(T, N, -1, 1, 1)

    def fans(self):
        return self.in_features, self.out_features

    def file_params(self):
        d = {"weight": self.weight}
        if self.bias is not None:
            d["bias"] = self.bias
        return d


class AvgPool(nn.Module):
    kind = "avgpool"

    def __init__(self, spec):
        super().__init__()
        self.kernel = _pair(spec.get("kernel", 2), spec["name"] + ".kernel")
        self.stride = _pair(spec.get("stride", spec.get("kernel", 2)), spec["name"] + ".stride")
        self.padding = _pair(spec.get("padding", 0), spec["name"] + ".padding")

    def forward(self, x):
        T, N = x.shape[:2]
        y = F.avg_pool2d(x.reshape((T * N,) + x.shape[2:]), self.kernel, self.stride, self.padding,
                         ceil_mode=False, count_include_pad=True)
        return y.reshape((T, N) + y.shape[1:])


class GlobalAvgPool(nn.Module):
    kind = "global_avgpool"

    def forward(self, x):
        T, N = x.shape[:2]
        y = F.adaptive_avg_pool2d(x.reshape((T * N,) + x.shape[2:]), 1)
        return y.reshape((T, N) + y.shape[1:])


class BatchNormShared(nn.BatchNorm2d):
    """per_step false: one set of statistics over T*N*H*W, shared by all steps."""
    kind = "batchnorm"
    per_step = False

    def __init__(self, spec, channels):
        super().__init__(channels, eps=float(spec.get("eps", 1e-5)), momentum=float(spec.get("momentum", 0.1)),
                         affine=bool(spec.get("affine", True)))

    def forward(self, x):
        T, N = x.shape[:2]
        y = super().forward(x.reshape((T * N,) + x.shape[2:]))
        return y.reshape(x.shape)

    def file_params(self):
        d = {}
        if self.affine:
            d["gamma"], d["beta"] = self.weight.view(1, -1), self.bias.view(1, -1)
        d["running_mean"], d["running_var"] = self.running_mean.view(1, -1), self.running_var.view(1, -1)
        return d

    def file_grads(self):
        if not self.affine:
            return {}
        return {"gamma": _grad(self.weight).view(1, -1), "beta": _grad(self.bias).view(1, -1)}

    def load_file_params(self, d):
        with torch.no_grad():
            for fname, p in (("gamma", self.weight), ("beta", self.bias), ("running_mean", self.running_mean),
                             ("running_var", self.running_var)):
                if p is not None:
                    p.copy_(_as(d[fname], p.view(1, -1)).view(-1))

    def reset_bn(self):
        self.reset_parameters()


class BatchNormPerStep(nn.ModuleList):
    """per_step true (BNTT): step t normalises slice [t] with its own BatchNorm2d."""
    kind = "batchnorm"
    per_step = True

    def __init__(self, spec, channels, T):
        super().__init__([nn.BatchNorm2d(channels, eps=float(spec.get("eps", 1e-5)),
                                         momentum=float(spec.get("momentum", 0.1)),
                                         affine=bool(spec.get("affine", True))) for _ in range(T)])
        self.affine = bool(spec.get("affine", True))

    def forward(self, x):
        if x.shape[0] != len(self):
            raise ValueError("per-step batchnorm has %d steps, input has %d" % (len(self), x.shape[0]))
        return torch.stack([bn(x[t]) for t, bn in enumerate(self)])

    def file_params(self):
        d = {}
        if self.affine:
            d["gamma"] = torch.stack([bn.weight for bn in self])
            d["beta"] = torch.stack([bn.bias for bn in self])
        d["running_mean"] = torch.stack([bn.running_mean for bn in self])
        d["running_var"] = torch.stack([bn.running_var for bn in self])
        return d

    def file_grads(self):
        if not self.affine:
            return {}
        return {"gamma": torch.stack([_grad(bn.weight) for bn in self]),
                "beta": torch.stack([_grad(bn.bias) for bn in self])}

    def load_file_params(self, d):
        with torch.no_grad():
            for t, bn in enumerate(self):
                for fname, p in (("gamma", bn.weight), ("beta", bn.bias), ("running_mean", bn.running_mean),
                                 ("running_var", bn.running_var)):
                    if p is not None:
                        p.copy_(_as(d[fname], p.unsqueeze(0).expand(len(self), -1))[t])

    def reset_bn(self):
        for bn in self:
            bn.reset_parameters()


def surrogate_grad(x, sur):
    """g(x) of CONFIG.md, x = (h - threshold) / threshold."""
    kind = sur.get("type", "triangle")
    if kind == "triangle":
        a, w = float(sur.get("scale", 0.3)), float(sur.get("width", 1.0))
        return a * torch.clamp(1.0 - x.abs() / w, min=0.0)
    if kind == "sigmoid":
        alpha = float(sur.get("alpha", 4.0))
        s = torch.sigmoid(alpha * x)
        return alpha * s * (1.0 - s)
    if kind == "arctan":
        alpha = float(sur.get("alpha", 2.0))
        return alpha / (2.0 * (1.0 + (math.pi / 2.0 * alpha * x) ** 2))
    raise ValueError("unknown surrogate %r (triangle, sigmoid, arctan)" % kind)


class SpikeFn(torch.autograd.Function):
    """s = H(h - threshold) forward; ds/dh = g((h - threshold)/threshold) / threshold backward."""

    @staticmethod
    def forward(ctx, h, threshold, strict, sur):
        ctx.save_for_backward(h)
        ctx.threshold, ctx.sur = threshold, sur
        return (h > threshold).to(h.dtype) if strict else (h >= threshold).to(h.dtype)

    @staticmethod
    def backward(ctx, grad_s):
        h, = ctx.saved_tensors
        th = ctx.threshold
        return grad_s * surrogate_grad((h - th) / th, ctx.sur) / th, None, None, None


class LIF(nn.Module):
    kind = "lif"

    def __init__(self, spec):
        super().__init__()
        if "tau" in spec:
            self.beta = math.exp(-float(spec.get("dt", 1.0)) / float(spec["tau"]))
        else:
            self.beta = float(spec.get("beta", 0.9))
        self.threshold = float(spec.get("threshold", 1.0))
        self.reset = spec.get("reset", "subtract")
        if self.reset not in ("subtract", "zero"):
            raise ValueError("%s.reset: expected subtract or zero, got %r" % (spec["name"], self.reset))
        self.strict = bool(spec.get("strict", True))
        self.detach_reset = bool(spec.get("detach_reset", True))
        self.sur = dict(spec.get("surrogate", {"type": "triangle"}))
        surrogate_grad(torch.zeros(1), self.sur)  # an unknown type fails here, not in backward
        self.keep_h = None  # set to a list by LayeredNet(keep=True): h_t of every step

    def forward(self, x):
        u = torch.zeros_like(x[0])  # u_{-1} = 0
        out = []
        for t in range(x.shape[0]):
            h = self.beta * u + x[t]
            if self.keep_h is not None:
                self.keep_h.append(h.detach())
            s = SpikeFn.apply(h, self.threshold, self.strict, self.sur)
            # CONFIG.md: detach_reset treats the spike in the reset as a constant (SpikingJelly's
            # detach_reset): du/dh = 1 (subtract) or 1 - s_t (zero).
            sr = s.detach() if self.detach_reset else s
            u = h - self.threshold * sr if self.reset == "subtract" else h * (1 - sr)
            out.append(s)
        return torch.stack(out)


class Add(nn.Module):
    kind = "add"

    def forward(self, a, b):
        if a.shape != b.shape:
            raise ValueError("add: input shapes differ: %s and %s" % (tuple(a.shape), tuple(b.shape)))
        return a + b


class Dropout(nn.Module):
    """One Bernoulli(1-p) mask per sample and feature, held for all T steps. The C engine draws it
    from its counter-based RNG, so a test that compares the two sets `mask` (shape [N, C, H, W])."""
    kind = "dropout"

    def __init__(self, spec):
        super().__init__()
        self.p = float(spec.get("p", 0.5))
        self.mask = None
        self.generator = None

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        m = self.mask
        if m is None:
            m = torch.bernoulli(torch.full(x.shape[1:], 1.0 - self.p, dtype=x.dtype), generator=self.generator)
        return x * (m.to(x.dtype) / (1.0 - self.p)).unsqueeze(0)


class Readout(nn.Module):
    kind = "readout"

    def __init__(self, spec):
        super().__init__()
        self.mode = spec.get("mode", "mean")
        if self.mode not in ("mean", "sum", "last", "leaky"):
            raise ValueError("%s.mode: expected mean, sum, last or leaky, got %r" % (spec["name"], self.mode))
        self.beta = float(spec.get("beta", 0.9))

    def forward(self, x):
        T, N = x.shape[:2]
        x = x.reshape(T, N, -1)
        if self.mode == "mean":
            return x.mean(0)
        if self.mode == "sum":
            return x.sum(0)
        if self.mode == "last":
            return x[T - 1]
        v = x[0]
        for t in range(1, T):
            v = self.beta * v + x[t]
        return v


def _grad(p):
    return p.grad if p.grad is not None else torch.zeros_like(p)


def _as(a, like):
    t = torch.as_tensor(np.asarray(a), dtype=like.dtype)
    if tuple(t.shape) != tuple(like.shape):
        raise ValueError("weights file: shape %s, expected %s" % (tuple(t.shape), tuple(like.shape)))
    return t


# ---------------------------------------------------------------------------------------------

def normalise_layers(layers):
    """CONFIG.md defaults: name `<type><index>`, inputs the previous layer (the data for the first)."""
    out, names = [], set()
    for i, l in enumerate(layers):
        l = dict(l)
        kind = l.get("type")
        if kind not in KNOWN:
            raise ValueError("layer %d: unknown type %r" % (i, kind))
        l.setdefault("name", "%s%d" % (kind, i))
        name = l["name"]
        if not name or not all(c.isalnum() or c == "_" for c in name) or not name.isascii():
            raise ValueError("layer %d: bad name %r" % (i, name))
        if name in names or name == "input":
            raise ValueError("layer %d: duplicate name %r" % (i, name))
        unknown = set(l) - KNOWN[kind] - {"type", "name", "inputs"}
        if unknown:
            raise ValueError("layer %s: unknown parameters %s" % (name, sorted(unknown)))
        if "inputs" not in l:
            l["inputs"] = [out[-1]["name"]] if out else ["input"]
        for src in l["inputs"]:
            if src != "input" and src not in names:
                raise ValueError("layer %s: input %r is not an earlier layer" % (name, src))
        if len(l["inputs"]) != (2 if kind == "add" else 1):
            raise ValueError("layer %s: %d inputs" % (name, len(l["inputs"])))
        if kind == "readout" and i != len(layers) - 1:
            raise ValueError("readout must be the last layer")
        names.add(name)
        out.append(l)
    if not out or out[-1]["type"] != "readout":
        raise ValueError("the last layer must be a readout")
    return out


def input_shape_of(config):
    """(T, C, H, W) of the network input, from config["data"] as the C sample sets read it
    (encoders/sample_set.h): "tensors" from its file's /train (or /test) inputs [n][T][C][H][W];
    "idx" C = 1, 28 x 28; "dvs_emulated" and "dvs_folder" C = 2, size [32 and 128 (a DVS128)];
    T [10]. Any data section may also give T, channels and size (int or [H, W]) itself."""
    d = config.get("data", {})
    src = d.get("source")
    if src == "tensors" and not {"T", "size"} <= set(d):
        import h5py
        with h5py.File(d["file"], "r") as f:
            shape = (f["train/inputs"] if "train/inputs" in f else f["test/inputs"]).shape
        return tuple(int(v) for v in shape[1:])
    defaults = {"idx": (1, 28), "dvs_emulated": (2, 32), "dvs_folder": (2, 128)}.get(src, (2, None))
    size = d.get("size") or defaults[1]
    if size is None:
        raise ValueError("data: no size (and no source to take it from)")
    h, w = _pair(size, "data.size")
    return int(d.get("T", 10)), int(d.get("channels", defaults[0])), h, w


class LayeredNet(nn.Module):
    def __init__(self, layers, input_shape):
        super().__init__()
        self.specs = normalise_layers(layers)
        self.T, C, H, W = input_shape
        self.layers = nn.ModuleDict()
        self.shapes = {"input": (C, H, W)}
        for l in self.specs:
            name, kind = l["name"], l["type"]
            c, h, w = self.shapes[l["inputs"][0]]
            if kind == "conv2d":
                m = Conv2d(l, c)
                (kh, kw), (sh, sw), (ph, pw) = m.kernel_size, m.stride, m.padding
                shape = (m.out_channels, (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1)
            elif kind == "linear":
                m = Linear(l, c * h * w)
                shape = (m.out_features, 1, 1)
            elif kind == "avgpool":
                m = AvgPool(l)
                (kh, kw), (sh, sw), (ph, pw) = m.kernel, m.stride, m.padding
                shape = (c, (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1)
            elif kind == "global_avgpool":
                m, shape = GlobalAvgPool(), (c, 1, 1)
            elif kind == "batchnorm":
                m = BatchNormPerStep(l, c, self.T) if l.get("per_step", False) else BatchNormShared(l, c)
                shape = (c, h, w)
            elif kind == "lif":
                m, shape = LIF(l), (c, h, w)
            elif kind == "add":
                if self.shapes[l["inputs"][1]] != (c, h, w):
                    raise ValueError("add %s: shapes %s and %s" % (name, (c, h, w), self.shapes[l["inputs"][1]]))
                m, shape = Add(), (c, h, w)
            elif kind == "dropout":
                m, shape = Dropout(l), (c, h, w)
            else:
                m, shape = Readout(l), (c * h * w,)
            if min(shape) <= 0:
                raise ValueError("layer %s: empty output %s" % (name, shape))
            self.layers[name] = m
            self.shapes[name] = shape
        # after its last use a value is dropped (keep=False), as an engine frees its buffers
        self.last_use = {}
        for i, l in enumerate(self.specs):
            for src in l["inputs"]:
                self.last_use[src] = i
        self.membranes = {}

    def forward(self, x, keep=False):
        vals = {"input": x}
        self.membranes = {}
        for i, l in enumerate(self.specs):
            m = self.layers[l["name"]]
            if keep and isinstance(m, LIF):
                m.keep_h = []
            y = m(*[vals[s] for s in l["inputs"]])
            if keep and isinstance(m, LIF):
                self.membranes[l["name"]] = torch.stack(m.keep_h)
                m.keep_h = None
            vals[l["name"]] = y
            if not keep:
                for s in l["inputs"]:
                    if self.last_use[s] == i:
                        del vals[s]
        out = vals[self.specs[-1]["name"]]
        if keep:
            del vals["input"]
            return out, vals
        return out

    def param_layers(self):
        """(name, module) of the layers that appear in the weights file, in config order."""
        return [(l["name"], self.layers[l["name"]]) for l in self.specs
                if l["type"] in ("conv2d", "linear", "batchnorm")]

    def file_params(self):
        return {name: m.file_params() for name, m in self.param_layers()}

    def file_grads(self):
        out = {}
        for name, m in self.param_layers():
            if isinstance(m, (Conv2d, Linear)):
                out[name] = {k: _grad(v) for k, v in m.file_params().items()}
            elif m.affine:
                out[name] = m.file_grads()
        return out


def build(config, input_shape=None):
    """The model of config["network"]["layers"]; input_shape (T, C, H, W), default from config["data"]."""
    return LayeredNet(config["network"]["layers"], input_shape or input_shape_of(config))


def init_weights(model, seed):
    """A deterministic torch init following each layer's `init` (kaiming_uniform, xavier_uniform with
    gain, normal with std; bias U(+-1/sqrt(fan_in))); batchnorm gamma 1, beta 0, running 0 / 1.
    Not the C init's numbers (its RNG is its own): tests pass weights through files."""
    g = torch.Generator().manual_seed(int(seed))
    with torch.no_grad():
        for name, m in model.param_layers():
            if isinstance(m, (Conv2d, Linear)):
                fan_in, fan_out = m.fans()
                init = m.init_spec
                kind = init.get("type", "kaiming_uniform")
                if kind == "kaiming_uniform":
                    b = 1.0 / math.sqrt(fan_in)
                    m.weight.copy_((torch.rand(m.weight.shape, generator=g, dtype=torch.float64) * 2 - 1) * b)
                elif kind == "xavier_uniform":
                    b = float(init.get("gain", 1.0)) * math.sqrt(6.0 / (fan_in + fan_out))
                    m.weight.copy_((torch.rand(m.weight.shape, generator=g, dtype=torch.float64) * 2 - 1) * b)
                elif kind == "normal":
                    m.weight.copy_(torch.randn(m.weight.shape, generator=g, dtype=torch.float64)
                                   * float(init.get("std", 1.0)))
                else:
                    raise ValueError("%s.init: unknown type %r" % (name, kind))
                if m.bias is not None:
                    b = 1.0 / math.sqrt(fan_in)
                    m.bias.copy_((torch.rand(m.bias.shape, generator=g, dtype=torch.float64) * 2 - 1) * b)
            else:
                m.reset_bn()


def save_weights(model, path, extra=None):
    """Writes the weights file of CONFIG.md: /layers/<name>/<param> float32, root attributes
    format and version. extra: optional {group path: {name: array}} written as well."""
    import h5py
    with h5py.File(path, "w") as f:
        f.attrs["format"] = WEIGHTS_FORMAT
        f.attrs["version"] = np.int64(WEIGHTS_VERSION)
        for name, params in model.file_params().items():
            g = f.create_group("layers/" + name)
            for k, v in params.items():
                g.create_dataset(k, data=v.detach().cpu().numpy().astype(np.float32))
        for gpath, d in (extra or {}).items():
            g = f.require_group(gpath)
            for k, v in d.items():
                g.create_dataset(k, data=v)


def load_weights(model, path, strict=True):
    """Reads a weights file into the model. strict: every parameter and running statistic of the
    model must be in the file, and the file must hold no layer the model lacks."""
    import h5py
    with h5py.File(path, "r") as f:
        fmt = f.attrs.get("format")
        if isinstance(fmt, bytes):
            fmt = fmt.decode()
        if fmt != WEIGHTS_FORMAT or int(f.attrs.get("version", -1)) != WEIGHTS_VERSION:
            raise ValueError("%s: not a %s version %d file" % (path, WEIGHTS_FORMAT, WEIGHTS_VERSION))
        layers = f.get("layers", {})
        own = dict(model.param_layers())
        if strict:
            extra = set(layers.keys()) - set(own)
            if extra:
                raise ValueError("%s: layers not in the model: %s" % (path, sorted(extra)))
        for name, m in own.items():
            want = m.file_params()
            if name not in layers:
                if strict:
                    raise ValueError("%s: no layer %s" % (path, name))
                continue
            g = layers[name]
            have = {k: g[k][()] for k in want if k in g}
            missing = set(want) - set(have)
            if missing:
                if strict:
                    raise ValueError("%s: layer %s lacks %s" % (path, name, sorted(missing)))
                for k in missing:
                    have[k] = want[k].detach().cpu().numpy()
            if isinstance(m, (Conv2d, Linear)):
                with torch.no_grad():
                    for k, p in want.items():
                        p.copy_(_as(have[k], p))
            else:
                m.load_file_params(have)


# ---------------------------------------------------------------------------------------------
# Training pieces of CONFIG.md "Training", as torch.optim does them.

def make_optimizer(model, training):
    o = dict(training["optimizer"])
    kind = o.get("type", "sgd")
    params = list(model.parameters())
    if kind == "sgd":
        return torch.optim.SGD(params, lr=float(o["lr"]), momentum=float(o.get("momentum", 0.0)),
                               dampening=float(o.get("dampening", 0.0)),
                               weight_decay=float(o.get("weight_decay", 0.0)), nesterov=bool(o.get("nesterov", False)))
    betas = tuple(float(b) for b in o.get("betas", [0.9, 0.999]))
    cls = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}.get(kind)
    if cls is None:
        raise ValueError("optimizer.type: expected sgd, adam or adamw, got %r" % kind)
    return cls(params, lr=float(o.get("lr", 1e-3)), betas=betas, eps=float(o.get("eps", 1e-8)),
               weight_decay=float(o.get("weight_decay", 0.0)))


def lr_at(training, epoch):
    """The learning rate of epoch `epoch` (0-based) under training["schedule"]."""
    lr = float(training["optimizer"].get("lr", 1e-3))
    s = training.get("schedule", {"type": "constant"})
    kind = s.get("type", "constant")
    if kind == "constant":
        return lr
    if kind == "multistep":
        k = sum(1 for m in s["milestones"] if m <= epoch)
        return lr * float(s.get("gamma", 0.1)) ** k
    if kind == "cosine":
        eta_min = float(s.get("eta_min", 0.0))
        return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * epoch / float(s["t_max"]))) / 2
    raise ValueError("schedule.type: expected constant, multistep or cosine, got %r" % kind)


def set_lr(optimizer, lr):
    for g in optimizer.param_groups:
        g["lr"] = lr


def loss_fn(logits, labels, kind="cross_entropy"):
    if kind == "cross_entropy":
        return F.cross_entropy(logits, labels)
    if kind == "mse":
        return F.mse_loss(logits, F.one_hot(labels, logits.shape[1]).to(logits.dtype))
    raise ValueError("loss: expected cross_entropy or mse, got %r" % kind)
