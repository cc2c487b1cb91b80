"""experiments/sresnet/sresnet_torch.py: a re-implementation, in plain PyTorch on the CPU, of the class
`SResnetNM` of the S-ResNet authors (Vicente-Sola, Manna, Kirkland, Di Caterina & Bihl, Neuromorph.
Comput. Eng. 2:044001, 2022; code VicenteAlex/Spiking_ResNet model.py), as ../shared/specs/learning.md
§6.2 and deep_learning_cpu.md §0 describe it. It exists so that the authors' checkpoints can be loaded
(convert_state_dict.py) and so that our layered network (experiments/layered/torch_net.py built from
make_config.py's JSON) can be checked against the original computation (tests/sresnet_convert.py).

Module names and nesting follow the authors' model.py (read at commit 13554659):
  conv1 (2 -> nFilters, 3x3, stride 2, pad 1), conv_list (ModuleList of the 6n+1 3x3 convs, conv_list[0]
  is conv1), bntt1 (the T BatchNorm2d of conv1) and bntt_list (ModuleList of per-conv ModuleLists of T
  BatchNorm2d, bntt_list[0] is bntt1), conv_resize_1 / conv_resize_2 (1x1 stride 2) with resize_bn_1 /
  resize_bn_2 (ModuleLists of T BatchNorm2d), conv1x1_list and bn_conv1x1_list (the same modules again),
  pool2 (AdaptiveAvgPool2d(1)) and fc (Linear(4 nFilters, classes, bias=False)).
Because the same modules are registered under two names, state_dict() holds both keys (conv1.weight and
conv_list.0.weight, ...), as the authors' checkpoints do, and load_state_dict accepts them.

Differences from the original, none of which changes the computation on CPU:
  - no .cuda(); membrane states are created from the first conv outputs (the original's img_size is
    only used for their shapes, so it is accepted and ignored);
  - the per-frame transforms.Resize([64, 64]) (bilinear, no antialias in torchvision 0.9) is
    F.interpolate(mode="bilinear", align_corners=False), and `resize=None` leaves the input as it is
    (used by the tests at 16 x 16, where the original would upsample);
  - the original's `bn.bias = None` loop over bntt_list sets an attribute of the ModuleList and has no
    effect, so it is left out: the BN biases are present and trained (learning.md §6.2).
Neuron: mem = leak*mem + BN_t(conv(x)); m = mem/th - 1; spike = [m > 0], dspike/dm = 0.3 max(0, 1-|m|);
mem -= th*spike with the reset detached. Residuals: at even i >= 2 out = spike + skip, skip = out (skip
first through conv_resize_k + resize_bn_k[t] at i = 2+2n and 2+4n); skip = spike at i = 0.
Output: sum over t of fc(pool2(out)) divided by num_steps. Input [N, T, 2, H, W]."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class SurrogateSpike(torch.autograd.Function):
    """Heaviside of m = mem/th - 1 (strict), triangular surrogate 0.3 max(0, 1 - |m|)."""

    @staticmethod
    def forward(ctx, m):
        ctx.save_for_backward(m)
        return (m > 0).to(m.dtype)

    @staticmethod
    def backward(ctx, g):
        m, = ctx.saved_tensors
        return g * 0.3 * torch.clamp(1.0 - m.abs(), min=0.0)


def _bntt(channels, steps):
    return nn.ModuleList([nn.BatchNorm2d(channels, eps=1e-4, momentum=0.1, affine=True) for _ in range(steps)])


class SResnetNM(nn.Module):
    def __init__(self, n, nFilters, num_steps, leak_mem=0.95, img_size=32, num_cls=10, resize=64):
        super().__init__()
        self.n, self.nFilters, self.num_steps, self.num_cls = n, nFilters, num_steps, num_cls
        self.leak_mem = leak_mem
        self.threshold = 1.0
        self.resize = resize
        self.img_size = img_size  # unused (see the header)

        self.conv1 = nn.Conv2d(2, nFilters, 3, stride=2, padding=1, bias=False)
        self.bntt1 = _bntt(nFilters, num_steps)
        convs, bns = [self.conv1], [self.bntt1]
        for block in range(3):
            ch = nFilters * 2 ** block
            for layer in range(2 * n):
                down = block > 0 and layer == 0
                convs.append(nn.Conv2d(ch // 2 if down else ch, ch, 3, stride=2 if down else 1, padding=1, bias=False))
                bns.append(_bntt(ch, num_steps))
        self.conv_list = nn.ModuleList(convs)
        self.bntt_list = nn.ModuleList(bns)
        self.conv_resize_1 = nn.Conv2d(nFilters, 2 * nFilters, 1, stride=2, padding=0, bias=False)
        self.resize_bn_1 = _bntt(2 * nFilters, num_steps)
        self.conv_resize_2 = nn.Conv2d(2 * nFilters, 4 * nFilters, 1, stride=2, padding=0, bias=False)
        self.resize_bn_2 = _bntt(4 * nFilters, num_steps)
        self.pool2 = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(4 * nFilters, num_cls, bias=False)
        self.conv1x1_list = nn.ModuleList([self.conv_resize_1, self.conv_resize_2])
        self.bn_conv1x1_list = nn.ModuleList([self.resize_bn_1, self.resize_bn_2])
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.xavier_uniform_(m.weight, gain=2)

    def forward(self, inp):
        x = inp.permute(1, 0, 2, 3, 4)  # [T, N, 2, H, W]
        N = x.shape[1]
        mem = [None] * len(self.conv_list)
        mem_fc = None
        resize_at = (2 + 2 * self.n, 2 + 4 * self.n)
        for t in range(x.shape[0]):
            out_prev = x[t]
            if self.resize is not None:
                out_prev = F.interpolate(out_prev, size=[self.resize, self.resize], mode="bilinear",
                                         align_corners=False)
            k = 0
            for i, conv in enumerate(self.conv_list):
                cur = self.bntt_list[i][t](conv(out_prev))
                mem[i] = cur if mem[i] is None else self.leak_mem * mem[i] + cur
                m = mem[i] / self.threshold - 1.0
                out = SurrogateSpike.apply(m)
                if i > 0 and i % 2 == 0:
                    if i in resize_at:
                        skip = self.bn_conv1x1_list[k][t](self.conv1x1_list[k](skip))
                        k += 1
                    out = out + skip
                    skip = out.clone()
                elif i == 0:
                    skip = out.clone()
                # detached reset by subtraction: the original builds it by boolean indexing
                mem[i] = mem[i] - (m > 0).to(m.dtype).detach() * self.threshold
                out_prev = out
            y = self.fc(self.pool2(out_prev).reshape(N, -1))
            mem_fc = y if mem_fc is None else mem_fc + y
        return mem_fc / self.num_steps
