#!/usr/bin/python3
"""experiments/sresnet/make_config.py: writes the spikeq layered-network config (layers/CONFIG.md) of
the S-ResNet `SResnetNM` of Vicente-Sola et al. 2022 (../shared/specs/learning.md §6.2; authors' code
VicenteAlex/Spiking_ResNet model.py and train.py).

Network, 6n+1 3x3 convs indexed i = 0..6n (no bias, xavier_uniform gain 2), each followed by a BNTT
batchnorm (per step, eps 1e-4, momentum 0.1, affine: the original's attempt to drop the BN bias is a
no-op) and a LIF (beta = leak 0.8744, threshold 1, strict, reset by subtraction, detached, triangle
surrogate 0.3 of half-width 1):
  conv0: 2 -> F, stride 2; stage s = 0, 1, 2 holds convs 1+2ns .. 2n+2ns with F*2^s channels, the first
  conv of stages 1 and 2 with stride 2;
  residuals ("spike addition"): skip = lif0; at every even i >= 2, add<i> = lif<i> + skip, skip = add<i>;
  at i = 2+2n and 2+4n the skip first goes through skip_conv<i> (1x1, stride 2) and skip_bn<i> (BNTT);
  the conv after an add reads the add; pool (global average), fc (Linear 4F -> classes, no bias, xavier
  gain 2), readout mean (the original's mem_fc / num_steps).
Layer names: conv<i>, bn<i>, lif<i>, add<i>, skip_conv<i>, skip_bn<i>, pool, fc, readout
(convert_state_dict.py maps the authors' state_dict onto them).

Training (train.py defaults and README command): SGD lr 0.026844, momentum 0.9, weight decay 1e-4,
cross entropy; the original divides the lr by 10 at the end of epoch e when e == E*0.7, E*0.8 or E*0.9
(exact float equality, so only for E where those are integers): MultiStepLR milestones e+1, i.e.
[50, 57, 64] for 70 epochs. --training-json entries replace these defaults (key by key, at the top level
of "training").

usage: make_config.py [--n 6] [--filters 32] [--T 50] [--size 64] [--classes 10] [--batch 21]
                      [--eval-batch 2*batch] [--epochs 70] [--seed 0] [--no-drop-last]
                      [--data-json '{...}'] [--training-json '{...}'] -o OUT.json"""
import argparse
import json
import sys

LEAK = 0.8744


def resize_points(n):
    return (2 + 2 * n, 2 + 4 * n)


def layer(kind, name, inputs, params=None):
    d = {"type": kind, "name": name, "inputs": inputs}
    d.update(params or {})
    return d


def layers(n, filters, classes):
    conv_init = {"type": "xavier_uniform", "gain": 2.0}
    bn = {"per_step": True, "eps": 1e-4, "momentum": 0.1, "affine": True}
    lif = {"beta": LEAK, "threshold": 1.0, "reset": "subtract", "strict": True, "detach_reset": True,
           "surrogate": {"type": "triangle", "scale": 0.3, "width": 1.0}}
    out = []
    prev, skip = "input", None
    for i in range(6 * n + 1):
        stage = 0 if i == 0 else (i - 1) // (2 * n)
        ch = filters * 2 ** stage
        stride = 2 if i == 0 or (stage > 0 and (i - 1) % (2 * n) == 0) else 1
        out.append(layer("conv2d", "conv%d" % i, [prev], {"out_channels": ch, "kernel": 3, "stride": stride,
                                                          "padding": 1, "bias": False, "init": conv_init}))
        out.append(layer("batchnorm", "bn%d" % i, ["conv%d" % i], bn))
        out.append(layer("lif", "lif%d" % i, ["bn%d" % i], lif))
        prev = "lif%d" % i
        if i == 0:
            skip = prev
        elif i % 2 == 0:
            if i in resize_points(n):
                out.append(layer("conv2d", "skip_conv%d" % i, [skip], {"out_channels": ch, "kernel": 1, "stride": 2,
                                                                       "padding": 0, "bias": False, "init": conv_init}))
                out.append(layer("batchnorm", "skip_bn%d" % i, ["skip_conv%d" % i], bn))
                skip = "skip_bn%d" % i
            out.append(layer("add", "add%d" % i, [prev, skip]))
            prev = skip = "add%d" % i
    out.append(layer("global_avgpool", "pool", [prev]))
    out.append(layer("linear", "fc", ["pool"], {"out_features": classes, "bias": False, "init": conv_init}))
    out.append(layer("readout", "readout", ["fc"], {"mode": "mean"}))
    return out


def milestones(epochs):
    # train.py's adjust_learning_rate: /10 after epoch e (0-based) when e == epochs * d
    return [int(epochs * d) + 1 for d in (0.7, 0.8, 0.9) if epochs * d == int(epochs * d)]


def training(args):
    t = {"epochs": args.epochs, "batch": args.batch, "eval_batch": args.eval_batch or 2 * args.batch,
         "drop_last": args.drop_last, "seed": args.seed, "loss": "cross_entropy",
         "optimizer": {"type": "sgd", "lr": 0.026844, "momentum": 0.9, "weight_decay": 1e-4},
         "schedule": {"type": "multistep", "milestones": milestones(args.epochs), "gamma": 0.1}}
    t.update(json.loads(args.training_json) if args.training_json else {})
    return t


def config(args):
    data = json.loads(args.data_json) if args.data_json else {}
    for key, v in (("T", args.T), ("size", args.size)):
        if data.setdefault(key, v) != v:
            raise SystemExit("make_config.py: data.%s is %r, --%s is %r" % (key, data[key], key, v))
    return {"data": data, "network": {"layers": layers(args.n, args.filters, args.classes)},
            "training": training(args)}


def dumps(cfg):
    """JSON with one line per layer, so that a diff of two configs reads layer by layer."""
    lines = ["{", ' "data": %s,' % json.dumps(cfg["data"]), ' "network": {"layers": [']
    lines += ["  %s," % json.dumps(l) for l in cfg["network"]["layers"]]
    lines[-1] = lines[-1][:-1]
    lines += [" ]},", ' "training": %s' % json.dumps(cfg["training"]), "}"]
    return "\n".join(lines) + "\n"


def parse(argv):
    p = argparse.ArgumentParser(description="spikeq config of the S-ResNet SResnetNM")
    p.add_argument("--n", type=int, default=6)
    p.add_argument("--filters", type=int, default=32)
    p.add_argument("--T", type=int, default=50)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--batch", type=int, default=21)
    p.add_argument("--eval-batch", type=int, default=0)
    p.add_argument("--epochs", type=int, default=70)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-drop-last", dest="drop_last", action="store_false")
    p.add_argument("--data-json", default="")
    p.add_argument("--training-json", default="")
    p.add_argument("-o", "--output", required=True)
    return p.parse_args(argv)


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    cfg = config(args)
    with open(args.output, "w") as f:
        f.write(dumps(cfg))
    return cfg


if __name__ == "__main__":
    main()
