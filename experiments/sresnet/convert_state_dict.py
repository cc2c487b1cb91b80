#!/usr/bin/python3
"""experiments/sresnet/convert_state_dict.py: maps a state_dict of the S-ResNet authors' `SResnetNM`
(VicenteAlex/Spiking_ResNet, or our sresnet_torch.py, which has the same keys) onto the layered-network
weights file (layers/CONFIG.md) of the config that make_config.py writes for the same n, filters, T:
  conv_list.<i>.weight                      -> /layers/conv<i>/weight
  bntt_list.<i>.<t>.{weight, bias, running_mean, running_var}
                                            -> /layers/bn<i>/{gamma, beta, running_mean, running_var}[t]
  conv_resize_1.weight, resize_bn_1.<t>.*   -> skip_conv<2+2n>, skip_bn<2+2n>   (and _2 -> 2+4n)
  fc.weight                                 -> /layers/fc/weight
The aliases (conv1, bntt1, conv1x1_list, bn_conv1x1_list) must agree with these keys; num_batches_tracked
is not part of the weights file. The file accepts a bare state_dict or the authors' checkpoint dict
({'global_step', 'state_dict', 'accuracy'}, train.py).

usage: convert_state_dict.py STATE_DICT.pt CONFIG.json OUT.h5"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "layered"))
import torch_net  # noqa: E402

ALIASES = (("conv1.", "conv_list.0."), ("bntt1.", "bntt_list.0."), ("conv1x1_list.0.", "conv_resize_1."),
           ("conv1x1_list.1.", "conv_resize_2."), ("bn_conv1x1_list.0.", "resize_bn_1."),
           ("bn_conv1x1_list.1.", "resize_bn_2."))


def canonical(sd):
    """The state_dict without its aliases (checked equal to what they alias) and num_batches_tracked."""
    out = {}
    for k, v in sd.items():
        if k.endswith("num_batches_tracked"):
            continue
        for alias, target in ALIASES:
            if k.startswith(alias):
                k2 = target + k[len(alias):]
                if k2 in sd and not torch.equal(sd[k2], v):
                    raise ValueError("state_dict: %s differs from %s" % (k, k2))
                k = None if k2 in sd else k2
                break
        if k is not None:
            out[k] = v
    return out


def convert(sd, model):
    """Copies the state_dict into a torch_net model built from make_config's config."""
    sd = canonical(sd)
    n_conv = sum(1 for k in sd if k.startswith("conv_list.") and k.endswith(".weight"))
    if (n_conv - 1) % 6:
        raise ValueError("state_dict: %d convs in conv_list, expected 6n+1" % n_conv)
    n = (n_conv - 1) // 6
    T = model.T
    maps = [("conv_list.%d." % i, "conv%d" % i, "bntt_list.%d." % i, "bn%d" % i) for i in range(n_conv)]
    maps += [("conv_resize_1.", "skip_conv%d" % (2 + 2 * n), "resize_bn_1.", "skip_bn%d" % (2 + 2 * n)),
             ("conv_resize_2.", "skip_conv%d" % (2 + 4 * n), "resize_bn_2.", "skip_bn%d" % (2 + 4 * n))]
    used = set()
    layers = dict(model.param_layers())
    if set(layers) != {m[1] for m in maps} | {m[3] for m in maps} | {"fc"}:
        raise ValueError("config layers %s do not match an S-ResNet with n = %d" % (sorted(layers), n))

    def take(key):
        used.add(key)
        return sd[key]

    with torch.no_grad():
        for conv_key, conv_name, bn_key, bn_name in maps:
            layers[conv_name].weight.copy_(take(conv_key + "weight"))
            bns = layers[bn_name]
            steps = sum(1 for k in sd if k.startswith(bn_key) and k.endswith(".running_mean"))
            if steps != T or not bns.per_step:
                raise ValueError("%s: %d BN steps in the state_dict, the config has T = %d" % (bn_key, steps, T))
            bns.load_file_params({f: torch.stack([take("%s%d.%s" % (bn_key, t, k)) for t in range(T)])
                                  for f, k in (("gamma", "weight"), ("beta", "bias"), ("running_mean", "running_mean"),
                                               ("running_var", "running_var"))})
        layers["fc"].weight.copy_(take("fc.weight"))
    left = set(sd) - used
    if left:
        raise ValueError("state_dict entries not converted: %s" % sorted(left)[:8])
    return model


def load_state_dict(path):
    sd = torch.load(path, map_location="cpu")
    if isinstance(sd, dict) and "state_dict" in sd:
        sd = sd["state_dict"]
    return sd


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    sd_path, cfg_path, out = argv
    with open(cfg_path) as f:
        cfg = json.load(f)
    model = convert(load_state_dict(sd_path), torch_net.build(cfg))
    torch_net.save_weights(model, out)


if __name__ == "__main__":
    main()
