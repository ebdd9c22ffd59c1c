#!/usr/bin/python3
"""Writes the import fixtures under test/fixtures/import/ (see the README there).

Small fully connected models trained for a few hundred steps on a seeded synthetic problem
(6 features, 3 classes), then written the way real exporters write them:
  - torch.onnx.export of nn.Sequential MLPs (several activations, Dropout, Softmax/LogSoftmax at
    the end, a standardization module and BatchNorm1d in the graph, a regressor), and two models
    gs-compress must refuse (a residual connection);
  - small convolutional networks (random weights, batch-norm statistics made up) as torch.onnx.export
    writes them: batch norm folded (eval export) and kept (TrainingMode.PRESERVE), per-channel input
    normalization, pooling variants (ceil_mode, padding, count_include_pad), Conv1d with global
    average pooling, x.mean(dim=(2, 3)), a flat input reshaped inside the graph; and CNNs that must be
    refused (a Resize, two inputs); nn.SiLU (x * Sigmoid(x)) after convolutions and a Linear layer;
  - residual CNNs (group `residual`): an identity skip h + conv(h), and a small ResNet of torchvision's
    BasicBlock shape (an identity block and a strided block with a 1x1 convolution + BatchNorm2d
    shortcut), batch norm folded and kept;
  - CNNs with joins (group `concat`): SqueezeNet's Fire module and DenseNet's torch.cat([h, conv(h)]),
    and a small Inception block (three branches, one starting with max pooling), batch norm folded and kept;
    a small torchvision DenseNet (each dense layer concatenates every earlier tensor; needs python3-torchvision);
    SqueezeNet's convolutional classifier head (a 1x1 convolution per class, ReLU, global pooling);
  - the graphs tf2onnx (Keras Dense: MatMul + Add, Reshape, Identity) and skl2onnx (MLPClassifier /
    MLPRegressor in a Pipeline with StandardScaler: ai.onnx.ml Scaler, ZipMap, ArrayFeatureExtractor)
    produce, built with onnx.helper because those converters are not installable here;
  - a tfjs LayersModel as tensorflowjs_converter writes it from Keras (model.json with Keras layer
    names, InputLayer, Dense, BatchNormalization, Dropout, Activation, LeakyReLU; group1-shard1of1.bin).
Run with /usr/bin/python3 (Debian's python3-torch and python3-onnx). Tests never need Python.
"""
import gzip
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'import')
D, C = 6, 3
torch.manual_seed(0)
rng = np.random.default_rng(0)


def problem(n=600):
    x = rng.normal(size=(n, D)).astype(np.float32) * np.array([1, 2, 0.5, 3, 1, 1], np.float32) + np.array([0, 5, -1, 10, 0, 2], np.float32)
    w = rng.normal(size=(D, C)).astype(np.float32)
    z = ((x - x.mean(0)) / x.std(0)) @ w
    return x, z.argmax(1).astype(np.int64), (z[:, 0] * 2 + z[:, 1]).astype(np.float32)


X, Y, T = problem()
MEAN, STD = X.mean(0), X.std(0)


def train(model, steps=300, regression=False, scale_inputs=True):
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    xs = torch.from_numpy((X - MEAN) / STD if scale_inputs else X)
    for _ in range(steps):
        opt.zero_grad()
        out = model(xs)
        if regression:
            loss = torch.nn.functional.mse_loss(out[:, 0], torch.from_numpy(T))
        else:
            loss = torch.nn.functional.cross_entropy(out, torch.from_numpy(Y))
        loss.backward()
        opt.step()
    model.eval()
    return model


def export(model, name, shape=(1, D)):
    path = os.path.join(OUT, name)
    torch.onnx.export(model, torch.zeros(*shape), path, input_names=['input'], output_names=['output'],
                      dynamic_axes={'input': {0: 'batch'}, 'output': {0: 'batch'}}, opset_version=17)
    print('wrote', name, os.path.getsize(path), 'bytes')


class Standardize(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer('mean', torch.from_numpy(MEAN))
        self.register_buffer('std', torch.from_numpy(STD))

    def forward(self, x):
        return (x - self.mean) / self.std


class Residual(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(D, 8)
        self.b = torch.nn.Linear(8, 8)
        self.c = torch.nn.Linear(8, C)

    def forward(self, x):
        h = torch.relu(self.a(x))
        return self.c(h + torch.relu(self.b(h)))


def torch_fixtures():
    nn = torch.nn
    export(train(nn.Sequential(nn.Linear(D, 12), nn.ReLU(), nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, C))), 'torch-relu.onnx')
    m = train(nn.Sequential(nn.Flatten(), nn.Linear(D, 10), nn.Tanh(), nn.Dropout(0.2), nn.Linear(10, 8), nn.Sigmoid(), nn.Linear(8, C)))
    export(nn.Sequential(*m, nn.Softmax(dim=1)).eval(), 'torch-tanh-sigmoid-softmax.onnx')
    m = train(nn.Sequential(nn.Linear(D, 10), nn.GELU(), nn.Linear(10, 8), nn.LeakyReLU(0.1), nn.Linear(8, C)))
    export(nn.Sequential(*m, nn.LogSoftmax(dim=1)).eval(), 'torch-gelu-leaky-logsoftmax.onnx')
    # scaler in the graph: the model takes raw features; BatchNorm1d after the first Linear
    m = train(nn.Sequential(Standardize(), nn.Linear(D, 12), nn.BatchNorm1d(12), nn.ReLU(), nn.Linear(12, C), nn.Identity()),
              scale_inputs=False)
    export(m, 'torch-scaler-batchnorm.onnx')
    export(train(nn.Sequential(Standardize(), nn.Linear(D, 12), nn.ReLU(), nn.Linear(12, 1)), regression=True, scale_inputs=False),
           'torch-regressor.onnx')
    conv = nn.Sequential(nn.Conv1d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * (D - 2), C)).eval()
    export(conv, 'torch-conv1d-flatten.onnx', shape=(1, 1, D))
    export(Residual().eval(), 'refuse-residual.onnx')


class Normalize(torch.nn.Module):
    """(x - mean[c]) / std[c] per input channel, as torchvision's Normalize does in a model."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1))
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1))

    def forward(self, x):
        return (x - self.mean) / self.std


def made_up_batchnorm(model):
    """Random running statistics and affine parameters, so that a wrong fold shows."""
    g = torch.Generator().manual_seed(5)
    for m in model.modules():
        if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=g) * 0.3)
            m.running_var.copy_(torch.rand(n, generator=g) * 1.5 + 0.3)
            with torch.no_grad():
                m.weight.copy_(torch.rand(n, generator=g) + 0.5)
                m.bias.copy_(torch.randn(n, generator=g) * 0.2)
    return model.eval()


def export_cnn(model, name, shape, training=None):
    path = os.path.join(OUT, name)
    kw = {} if training is None else {'training': training, 'do_constant_folding': False}
    torch.onnx.export(model, torch.rand(*shape), path, input_names=['input'], output_names=['output'],
                      dynamic_axes={'input': {0: 'batch'}, 'output': {0: 'batch'}}, opset_version=17, **kw)
    print('wrote', name, os.path.getsize(path), 'bytes')


class MeanHead(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3)
        self.head = torch.nn.Linear(4, 3)

    def forward(self, x):
        return self.head(torch.relu(self.conv(x)).mean(dim=(2, 3)))


class FlatInput(torch.nn.Module):
    """A flat [batch, 64] input scaled and reshaped to images inside the graph."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3)
        self.head = torch.nn.Linear(4 * 3 * 3, 3)

    def forward(self, x):
        x = ((x - 0.5) / 0.25).view(-1, 1, 8, 8)
        return self.head(torch.nn.functional.max_pool2d(torch.relu(self.conv(x)), 2).flatten(1))


class ResidualCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.b = torch.nn.Conv2d(4, 4, 3, padding=1)
        self.head = torch.nn.Linear(4 * 8 * 8, 3)

    def forward(self, x):
        h = torch.relu(self.a(x))
        return self.head(torch.relu(h + self.b(h)).flatten(1))


class BasicBlock(torch.nn.Module):
    """torchvision's ResNet BasicBlock: conv3x3-BN-ReLU-conv3x3-BN, plus the input (or its 1x1
    convolution + BN when the block changes channels or strides), ReLU after the sum."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        nn = torch.nn
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.b2(self.c2(torch.relu(self.b1(self.c1(x)))))
        return torch.relu(out + (x if self.down is None else self.down(x)))


def tiny_resnet():
    nn = torch.nn
    torch.manual_seed(4)
    return made_up_batchnorm(nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
        BasicBlock(4, 4, 1), BasicBlock(4, 8, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 3)))


def residual_fixtures():
    torch.manual_seed(3)
    export_cnn(ResidualCnn().eval(), 'torch-cnn-residual-identity.onnx', (1, 1, 8, 8))
    net = tiny_resnet()
    export_cnn(net, 'torch-resnet-bn-folded.onnx', (1, 1, 10, 10))
    export_cnn(net, 'torch-resnet-bn-kept.onnx', (1, 1, 10, 10), training=torch.onnx.TrainingMode.PRESERVE)


class Fire(torch.nn.Module):
    """SqueezeNet's Fire module: a 1x1 squeeze, then 1x1 and 3x3 expands concatenated."""

    def __init__(self, cin, squeeze, e1, e3):
        super().__init__()
        nn = torch.nn
        self.s = nn.Conv2d(cin, squeeze, 1)
        self.e1 = nn.Conv2d(squeeze, e1, 1)
        self.e3 = nn.Conv2d(squeeze, e3, 3, padding=1)

    def forward(self, x):
        s = torch.relu(self.s(x))
        return torch.cat([torch.relu(self.e1(s)), torch.relu(self.e3(s))], 1)


class FireDense(torch.nn.Module):
    """A Fire module, max pooling, then DenseNet's join of a tensor with a convolution of it."""

    def __init__(self):
        super().__init__()
        nn = torch.nn
        self.c0 = nn.Conv2d(1, 6, 3, padding=1)
        self.fire = Fire(6, 3, 4, 4)
        self.grow = nn.Conv2d(8, 4, 3, padding=1)
        self.head = nn.Linear(12 * 4 * 4, 3)

    def forward(self, x):
        h = torch.nn.functional.max_pool2d(self.fire(torch.relu(self.c0(x))), 2)
        h = torch.cat([h, torch.relu(self.grow(h))], 1)
        return self.head(h.flatten(1))


class Inception(torch.nn.Module):
    """GoogLeNet's block in small: 1x1 (c1); 1x1 (c2r) then 3x3 (c2); 3x3 max pooling then 1x1 (c3);
    BN-ReLU after each convolution; the outputs concatenated."""

    def __init__(self, cin, c1=3, c2r=2, c2=4, c3=2):
        super().__init__()
        nn = torch.nn
        cbr = lambda i, o, k: [nn.Conv2d(i, o, k, padding=k // 2, bias=False), nn.BatchNorm2d(o), nn.ReLU()]
        self.b1 = nn.Sequential(*cbr(cin, c1, 1))
        self.b2 = nn.Sequential(*cbr(cin, c2r, 1), *cbr(c2r, c2, 3))
        self.b3 = nn.Sequential(nn.MaxPool2d(3, 1, 1), *cbr(cin, c3, 1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b2(x), self.b3(x)], 1)


class SharedConv(torch.nn.Module):
    """One 1x1 convolution applied on two branches (batch norms at their initial statistics): torch writes the
    shared weights through Identity nodes, as it does for torchvision's GoogLeNet."""

    def __init__(self):
        super().__init__()
        nn = torch.nn
        self.c0 = nn.Conv2d(1, 4, 3, padding=1)
        self.c = nn.Conv2d(4, 4, 1)
        self.bn1 = nn.BatchNorm2d(4)
        self.bn2 = nn.BatchNorm2d(4)
        self.head = nn.Linear(8 * 8 * 8, 3)

    def forward(self, x):
        h = torch.relu(self.c0(x))
        pooled = torch.nn.functional.max_pool2d(h, 3, 1, 1)
        return self.head(torch.cat([torch.relu(self.bn1(self.c(h))), torch.relu(self.bn2(self.c(pooled)))], 1).flatten(1))


def concat_fixtures():
    """Joins: a Fire module and a DenseNet join (no batch norm); an Inception block, batch norm folded
    and kept; a convolution shared by two branches (Identity nodes of its weights); torchvision's DenseNet; SqueezeNet's head."""
    nn = torch.nn
    torch.manual_seed(6)
    export_cnn(FireDense().eval(), 'torch-cnn-fire-dense-concat.onnx', (1, 1, 8, 8))
    torch.manual_seed(7)
    net = made_up_batchnorm(nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(), Inception(4),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(9, 3)))
    export_cnn(net, 'torch-inception-bn-folded.onnx', (1, 1, 8, 8))
    export_cnn(net, 'torch-inception-bn-kept.onnx', (1, 1, 8, 8), training=torch.onnx.TrainingMode.PRESERVE)
    torch.manual_seed(8)
    export_cnn(SharedConv().eval(), 'torch-cnn-shared-conv-concat.onnx', (1, 1, 8, 8))
    # torchvision's DenseNet (python3-torchvision), small: each dense layer concatenates every earlier tensor
    import torchvision
    torch.manual_seed(9)
    dense = torchvision.models.DenseNet(growth_rate=4, block_config=(2, 2), num_init_features=8, bn_size=2, num_classes=3)
    first = dense.features.conv0
    dense.features.conv0 = torch.nn.Conv2d(1, first.out_channels, 7, stride=2, padding=3, bias=False)
    export_cnn(made_up_batchnorm(dense), 'torchvision-densenet-small.onnx', (1, 1, 16, 16))
    # SqueezeNet's classifier: no Linear layer, a 1x1 convolution of one channel per class, ReLU, pooled
    torch.manual_seed(10)
    nn = torch.nn
    squeeze = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2), nn.ReLU(), nn.MaxPool2d(3, 2, ceil_mode=True), Fire(8, 4, 6, 6),
                            nn.Dropout(0.5), nn.Conv2d(12, 3, 1), nn.ReLU(), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
    export_cnn(squeeze.eval(), 'torch-squeezenet-head.onnx', (1, 1, 16, 16))


class Upsampling(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 2, 3)
        self.head = torch.nn.Linear(2 * 12 * 12, 3)

    def forward(self, x):
        return self.head(torch.nn.functional.interpolate(torch.relu(self.conv(x)), scale_factor=2.0).flatten(1))


class TwoInputs(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(2, 2, 3)
        self.head = torch.nn.Linear(2 * 6 * 6, 3)

    def forward(self, x, y):
        return self.head(torch.relu(self.conv(torch.cat([x, y], 1))).flatten(1))


def cnn_fixtures():
    nn = torch.nn
    torch.manual_seed(3)
    body = made_up_batchnorm(nn.Sequential(
        Normalize([0.5, 0.4, 0.3], [0.25, 0.2, 0.3]),
        nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(8 * 2 * 2, 10), nn.ReLU(), nn.Dropout(0.3), nn.Linear(10, 4)))
    export_cnn(body, 'torch-cnn-bn-folded.onnx', (1, 3, 12, 12))
    export_cnn(body, 'torch-cnn-bn-kept.onnx', (1, 3, 12, 12), training=torch.onnx.TrainingMode.PRESERVE)
    pools = nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        nn.Conv2d(4, 4, 3, padding=1), nn.Tanh(), nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
        nn.Conv2d(4, 5, 1), nn.ReLU(), nn.AvgPool2d(2, padding=1, count_include_pad=True),
        nn.Flatten(), nn.Linear(5 * 2 * 2, 3), nn.LogSoftmax(dim=1)).eval()
    export_cnn(pools, 'torch-cnn-pool-variants.onnx', (1, 1, 13, 13))
    conv1d = nn.Sequential(
        nn.Conv1d(2, 4, 5, stride=2), nn.LeakyReLU(0.1), nn.Conv1d(4, 6, 3, dilation=2), nn.ReLU(),
        nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(6, 3), nn.Softmax(dim=1)).eval()
    export_cnn(conv1d, 'torch-conv1d-gap.onnx', (1, 2, 30))
    export_cnn(MeanHead().eval(), 'torch-cnn-mean-spatial.onnx', (1, 1, 8, 8))
    export_cnn(FlatInput().eval(), 'torch-cnn-flat-input.onnx', (1, 64))
    export_cnn(Upsampling().eval(), 'refuse-resize.onnx', (1, 1, 8, 8))
    path = os.path.join(OUT, 'refuse-two-inputs.onnx')
    torch.onnx.export(TwoInputs().eval(), (torch.rand(1, 1, 8, 8), torch.rand(1, 1, 8, 8)), path,
                      input_names=['a', 'b'], output_names=['output'], opset_version=17)
    print('wrote refuse-two-inputs.onnx', os.path.getsize(path), 'bytes')
    # nn.SiLU (swish): torch writes x * Sigmoid(x)
    torch.manual_seed(11)
    silu = made_up_batchnorm(nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.SiLU(), nn.MaxPool2d(2), nn.Conv2d(4, 6, 3), nn.SiLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 8), nn.SiLU(), nn.Linear(8, 3)))
    export_cnn(silu, 'torch-cnn-silu.onnx', (1, 1, 10, 10))


def fixed_batch_fixture():
    """The default torch.onnx.export: no input_names, no dynamic_axes, the default opset. The batch
    dimension of the input and output is then fixed at the example's 1 (what most users have)."""
    nn = torch.nn
    m = train(nn.Sequential(nn.Linear(D, 12), nn.ReLU(), nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, C)))
    path = os.path.join(OUT, 'torch-fixed-batch.onnx')
    torch.onnx.export(m, torch.zeros(1, D), path)
    print('wrote torch-fixed-batch.onnx', os.path.getsize(path), 'bytes')


class ReshapeThen(torch.nn.Module):
    """x.view(-1, *shape) followed by a Conv1d or an LSTM, then a Linear on the result (untrained)."""

    def __init__(self, kind):
        super().__init__()
        self.kind = kind
        if kind == 'conv':
            self.body = torch.nn.Conv1d(1, 2, 3)
            self.head = torch.nn.Linear(2 * (D - 2), C)
        else:
            self.body = torch.nn.LSTM(3, 4, batch_first=True)
            self.head = torch.nn.Linear(4, C)

    def forward(self, x):
        if self.kind == 'conv':
            return self.head(torch.relu(self.body(x.view(-1, 1, D))).flatten(1))
        out, _ = self.body(x.view(-1, 2, 3))
        return self.head(out[:, -1])


def refusal_fixtures():
    """Models whose refusal message must say what is wrong: a 3-D input fed straight to a Linear,
    a Conv1d or an LSTM after a Reshape, and a BatchNorm1d without running statistics."""
    nn = torch.nn
    export(nn.Sequential(nn.Linear(8, 4), nn.ReLU(), nn.Flatten(), nn.Linear(32, C)).eval(), 'refuse-3d-input.onnx', shape=(1, 8, 8))
    export(ReshapeThen('conv').eval(), 'torch-reshape-conv1d.onnx')
    export(ReshapeThen('lstm').eval(), 'refuse-reshape-lstm.onnx')
    bn = nn.Sequential(nn.Linear(D, 12), nn.BatchNorm1d(12, track_running_stats=False), nn.ReLU(), nn.Linear(12, C)).eval()
    # batch statistics need a known batch size, so this one has the fixed batch of its example
    path = os.path.join(OUT, 'refuse-batchnorm-batch-stats.onnx')
    torch.onnx.export(bn, torch.zeros(2, D), path, input_names=['input'], output_names=['output'], opset_version=17)
    print('wrote refuse-batchnorm-batch-stats.onnx', os.path.getsize(path), 'bytes')


def trained_mlp(hidden, regression=False):
    nn = torch.nn
    sizes = [D, *hidden, 1 if regression else C]
    mods = []
    for i in range(len(sizes) - 1):
        mods.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            mods.append(nn.ReLU())
    m = train(nn.Sequential(*mods), regression=regression)
    # kernels in [in, out] layout (tfjs Dense / MatMul)
    return [(l.weight.detach().numpy().T.copy(), l.bias.detach().numpy().copy()) for l in m if isinstance(l, nn.Linear)]


def save(model, name):
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, name))
    print('wrote', name, os.path.getsize(os.path.join(OUT, name)), 'bytes')


def tf2onnx_fixture():
    """Keras Sequential([Dense(10, relu), Dense(8, relu), Dense(3, softmax)]) as tf2onnx writes it:
    MatMul with the kernel initializer, Add of the bias (BiasAdd), Relu, a final Softmax, an Identity
    on the output, an input Reshape; weights and nodes carry TensorFlow names. Data scaled outside."""
    layers = trained_mlp([10, 8])
    nodes, inits = [], []
    inits.append(numpy_helper.from_array(np.array([-1, D], np.int64), 'const_fold_opt__12'))
    nodes.append(helper.make_node('Reshape', ['dense_input', 'const_fold_opt__12'], ['sequential/flatten/Reshape:0'], name='sequential/flatten/Reshape'))
    cur = 'sequential/flatten/Reshape:0'
    for i, (w, b) in enumerate(layers):
        tag = 'dense' if i == 0 else f'dense_{i}'
        inits.append(numpy_helper.from_array(w, f'sequential/{tag}/MatMul/ReadVariableOp:0'))
        inits.append(numpy_helper.from_array(b, f'sequential/{tag}/BiasAdd/ReadVariableOp:0'))
        nodes.append(helper.make_node('MatMul', [cur, f'sequential/{tag}/MatMul/ReadVariableOp:0'], [f'sequential/{tag}/MatMul:0'], name=f'sequential/{tag}/MatMul'))
        nodes.append(helper.make_node('Add', [f'sequential/{tag}/MatMul:0', f'sequential/{tag}/BiasAdd/ReadVariableOp:0'], [f'sequential/{tag}/BiasAdd:0'], name=f'sequential/{tag}/BiasAdd'))
        cur = f'sequential/{tag}/BiasAdd:0'
        act = 'Relu' if i < len(layers) - 1 else 'Softmax'
        nodes.append(helper.make_node(act, [cur], [f'sequential/{tag}/{act}:0'], name=f'sequential/{tag}/{act}'))
        cur = f'sequential/{tag}/{act}:0'
    nodes.append(helper.make_node('Identity', [cur], ['dense_2'], name='Identity'))
    graph = helper.make_graph(nodes, 'tf2onnx', [helper.make_tensor_value_info('dense_input', TensorProto.FLOAT, ['unk__20', D])],
                              [helper.make_tensor_value_info('dense_2', TensorProto.FLOAT, ['unk__21', C])], inits)
    model = helper.make_model(graph, producer_name='tf2onnx', producer_version='1.16.1 15c810', opset_imports=[helper.make_opsetid('', 13)])
    model.ir_version = 8
    save(model, 'tf2onnx-keras-mlp.onnx')


def skl2onnx_fixture(regression):
    """Pipeline([('scaler', StandardScaler()), ('mlp', MLPClassifier((10,)) or MLPRegressor((10,)))]) as
    skl2onnx writes it: ai.onnx.ml Scaler (offset = mean, scale = 1/std), Cast, MatMul + Add + Relu,
    then for the classifier Softmax -> ZipMap for output_probability and ArgMax -> ArrayFeatureExtractor
    of the class labels for output_label; for the regressor MatMul + Add -> variable."""
    layers = trained_mlp([10], regression=regression)
    nodes, inits = [], []
    nodes.append(helper.make_node('Scaler', ['float_input'], ['variable'], name='Scaler', domain='ai.onnx.ml',
                                  offset=MEAN.astype(float).tolist(), scale=(1 / STD).astype(float).tolist()))
    nodes.append(helper.make_node('Cast', ['variable'], ['cast_input'], name='Cast', to=TensorProto.FLOAT))
    cur = 'cast_input'
    for i, (w, b) in enumerate(layers):
        inits.append(numpy_helper.from_array(w, f'coefficient{"" if i == 0 else i}'))
        inits.append(numpy_helper.from_array(b.reshape(1, -1), f'intercepts{"" if i == 0 else i}'))
        nodes.append(helper.make_node('MatMul', [cur, inits[-2].name], [f'mul_result{i}'], name=f'MatMul{i}'))
        nodes.append(helper.make_node('Add', [f'mul_result{i}', inits[-1].name], [f'add_result{i}'], name=f'Add{i}'))
        cur = f'add_result{i}'
        if i < len(layers) - 1:
            nodes.append(helper.make_node('Relu', [cur], [f'next_activations{i}'], name=f'Relu{i}'))
            cur = f'next_activations{i}'
    opsets = [helper.make_opsetid('', 15), helper.make_opsetid('ai.onnx.ml', 1)]
    if regression:
        nodes.append(helper.make_node('Identity', [cur], ['variable1'], name='Identity'))
        outputs = [helper.make_tensor_value_info('variable1', TensorProto.FLOAT, [None, 1])]
        name = 'skl2onnx-mlpregressor.onnx'
    else:
        classes = np.array([10, 20, 30], np.int64)
        inits.append(numpy_helper.from_array(classes, 'classes'))
        nodes.append(helper.make_node('Softmax', [cur], ['out_activations_result'], name='Softmax', axis=1))
        nodes.append(helper.make_node('ArgMax', ['out_activations_result'], ['argmax_output'], name='ArgMax', axis=1))
        nodes.append(helper.make_node('ArrayFeatureExtractor', ['classes', 'argmax_output'], ['array_feature_extractor_result'],
                                      name='ArrayFeatureExtractor', domain='ai.onnx.ml'))
        inits.append(numpy_helper.from_array(np.array([-1], np.int64), 'shape_tensor'))
        nodes.append(helper.make_node('Reshape', ['array_feature_extractor_result', 'shape_tensor'], ['reshaped_result'], name='Reshape'))
        nodes.append(helper.make_node('Cast', ['reshaped_result'], ['label'], name='Cast1', to=TensorProto.INT64))
        nodes.append(helper.make_node('Identity', ['label'], ['output_label'], name='Identity'))
        nodes.append(helper.make_node('ZipMap', ['out_activations_result'], ['output_probability'], name='ZipMap', domain='ai.onnx.ml',
                                      classlabels_int64s=classes.tolist()))
        prob_type = onnx.TypeProto()
        prob_type.sequence_type.elem_type.map_type.key_type = TensorProto.INT64
        prob_type.sequence_type.elem_type.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
        outputs = [helper.make_tensor_value_info('output_label', TensorProto.INT64, [None]),
                   helper.make_value_info('output_probability', prob_type)]
        name = 'skl2onnx-mlpclassifier.onnx'
    graph = helper.make_graph(nodes, 'pipeline', [helper.make_tensor_value_info('float_input', TensorProto.FLOAT, [None, D])], outputs, inits)
    model = helper.make_model(graph, producer_name='skl2onnx', producer_version='1.16.0', opset_imports=opsets)
    model.ir_version = 8
    save(model, name)


def tfjs_fixture():
    """Keras Sequential([InputLayer((6,)), Dense(12, relu), BatchNormalization(), Dropout(0.1),
    Dense(8), Activation('tanh'), Dense(6), LeakyReLU(0.2), Dense(3, softmax)]) as tensorflowjs_converter
    writes it (Keras 2 layer names and configs, weights in group1-shard1of1.bin in manifest order).
    Weights from a torch model of the same shape; BatchNormalization statistics are made up but fixed."""
    nn = torch.nn
    m = train(nn.Sequential(nn.Linear(D, 12), nn.ReLU(), nn.Linear(12, 8), nn.Tanh(), nn.Linear(8, 6), nn.LeakyReLU(0.2), nn.Linear(6, C)))
    lin = [l for l in m if isinstance(l, nn.Linear)]
    gamma = (1 + 0.1 * rng.normal(size=12)).astype(np.float32)
    beta = (0.1 * rng.normal(size=12)).astype(np.float32)
    mmean = (0.2 * rng.normal(size=12)).astype(np.float32)
    mvar = (1 + 0.3 * rng.random(size=12)).astype(np.float32)
    weights = [
        ('dense/kernel', lin[0].weight.detach().numpy().T), ('dense/bias', lin[0].bias.detach().numpy()),
        ('batch_normalization/gamma', gamma), ('batch_normalization/beta', beta),
        ('batch_normalization/moving_mean', mmean), ('batch_normalization/moving_variance', mvar),
        ('dense_1/kernel', lin[1].weight.detach().numpy().T), ('dense_1/bias', lin[1].bias.detach().numpy()),
        ('dense_2/kernel', lin[2].weight.detach().numpy().T), ('dense_2/bias', lin[2].bias.detach().numpy()),
        ('dense_3/kernel', lin[3].weight.detach().numpy().T), ('dense_3/bias', lin[3].bias.detach().numpy()),
    ]

    def dense(name, units, act, bias=True):
        return {'class_name': 'Dense', 'config': {'name': name, 'trainable': True, 'dtype': 'float32', 'units': units, 'activation': act,
                                                  'use_bias': bias, 'kernel_initializer': {'class_name': 'GlorotUniform', 'config': {'seed': None}},
                                                  'bias_initializer': {'class_name': 'Zeros', 'config': {}}, 'kernel_regularizer': None,
                                                  'bias_regularizer': None, 'activity_regularizer': None, 'kernel_constraint': None, 'bias_constraint': None}}

    layers = [
        {'class_name': 'InputLayer', 'config': {'batch_input_shape': [None, D], 'dtype': 'float32', 'sparse': False, 'ragged': False, 'name': 'input_1'}},
        dense('dense', 12, 'relu'),
        {'class_name': 'BatchNormalization', 'config': {'name': 'batch_normalization', 'trainable': True, 'dtype': 'float32', 'axis': [1],
                                                        'momentum': 0.99, 'epsilon': 0.001, 'center': True, 'scale': True}},
        {'class_name': 'Dropout', 'config': {'name': 'dropout', 'trainable': True, 'dtype': 'float32', 'rate': 0.1, 'noise_shape': None, 'seed': None}},
        dense('dense_1', 8, 'linear'),
        {'class_name': 'Activation', 'config': {'name': 'activation', 'trainable': True, 'dtype': 'float32', 'activation': 'tanh'}},
        dense('dense_2', 6, 'linear'),
        {'class_name': 'LeakyReLU', 'config': {'name': 'leaky_re_lu', 'trainable': True, 'dtype': 'float32', 'alpha': 0.2}},
        dense('dense_3', C, 'softmax'),
    ]
    # BatchNormalization after the ReLU: an affine map of the hidden units, folded into the next Dense
    model = {'format': 'layers-model', 'generatedBy': 'keras v2.15.0', 'convertedBy': 'TensorFlow.js Converter v4.22.0',
             'modelTopology': {'keras_version': '2.15.0', 'backend': 'tensorflow',
                               'model_config': {'class_name': 'Sequential', 'config': {'name': 'sequential', 'layers': layers}}},
             'weightsManifest': [{'paths': ['group1-shard1of1.bin'], 'weights': [{'name': n, 'shape': list(a.shape), 'dtype': 'float32'} for n, a in weights]}]}
    write_tfjs('tfjs-bn-after-relu', model, weights)
    # BatchNormalization after a linear Dense, folded into that Dense: Dense(linear) -> BatchNormalization -> Activation('relu')
    layers2 = [layers[0], dense('dense', 12, 'linear'), layers[2],
               {'class_name': 'Activation', 'config': {'name': 'activation_relu', 'trainable': True, 'dtype': 'float32', 'activation': 'relu'}},
               *layers[3:]]
    model2 = dict(model, modelTopology=dict(model['modelTopology'], model_config={'class_name': 'Sequential', 'config': {'name': 'sequential', 'layers': layers2}}))
    write_tfjs('tfjs-keras-mlp', model2, weights)


def write_tfjs(name, model, weights):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'model.json'), 'w') as f:
        json.dump(model, f)
    with open(os.path.join(d, 'group1-shard1of1.bin'), 'wb') as f:
        for _, a in weights:
            f.write(np.ascontiguousarray(a, np.float32).tobytes())
    print('wrote', name)


def read_idx(path):
    """An IDX file, plain or gzip-compressed (PATH or PATH.gz)."""
    if not os.path.exists(path) and os.path.exists(path + '.gz'):
        with gzip.open(path + '.gz', 'rb') as f:
            data = f.read()
    else:
        with open(path, 'rb') as f:
            data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def mnist_model(idx_dir, out, epochs=3):
    """A PyTorch 784-256-128-10 ReLU MLP trained on MNIST (pixels / 255, as gs-compress reads IDX
    files) with Adam (lr 1e-3, batch 128) for a few epochs, exported with torch.onnx.export."""
    nn = torch.nn
    x = torch.from_numpy(read_idx(os.path.join(idx_dir, 'train-images-idx3-ubyte')).reshape(-1, 784).astype(np.float32) / 255)
    y = torch.from_numpy(read_idx(os.path.join(idx_dir, 'train-labels-idx1-ubyte')).astype(np.int64))
    xt = torch.from_numpy(read_idx(os.path.join(idx_dir, 't10k-images-idx3-ubyte')).reshape(-1, 784).astype(np.float32) / 255)
    yt = torch.from_numpy(read_idx(os.path.join(idx_dir, 't10k-labels-idx1-ubyte')).astype(np.int64))
    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    for epoch in range(epochs):
        perm = torch.randperm(x.shape[0])
        for i in range(0, x.shape[0], 128):
            idx = perm[i:i + 128]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(m(x[idx]), y[idx]).backward()
            opt.step()
        with torch.no_grad():
            acc = (m(xt).argmax(1) == yt).float().mean().item()
        print(f'mnist epoch {epoch + 1}: test accuracy {acc:.4f}')
    m.eval()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    torch.onnx.export(m, torch.zeros(1, 784), out, input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}}, opset_version=17)
    print('wrote', out, os.path.getsize(out), 'bytes')


# ---- trained convolutional fixtures (group cnn-trained): the graph forms real exports add ----


def image_problem(n=600, shape=(1, 8, 8)):
    """Seeded images whose class is which of three fixed patterns (plus noise) they hold, as raw
    values around 100 +- 50 so that the models' own in-graph scaling matters."""
    g = np.random.default_rng(1)
    pats = g.normal(size=(C,) + shape).astype(np.float32)
    y = g.integers(0, C, size=n)
    x = pats[y] + 0.8 * g.normal(size=(n,) + shape).astype(np.float32)
    return (100 + 50 * x).astype(np.float32), y.astype(np.int64)


class Scale(torch.nn.Module):
    """(x - 100) / 50 in the graph: Sub and Div by constants before the first layer."""

    def forward(self, x):
        return (x - 100.0) / 50.0


def train_cnn(model, x, y, steps=200):
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    xs, ys = torch.from_numpy(x), torch.from_numpy(y)
    model.train()
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(xs), ys).backward()
        opt.step()
    model.eval()
    return model


class Flat2Image(torch.nn.Module):
    """A flat 64-value input reshaped to 1 x 8 x 8 images inside the graph."""

    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        return self.body(x.view(-1, 1, 8, 8))


class GeluMeanHead(torch.nn.Module):
    """x.mean(dim=(2, 3)) (ReduceMean over the spatial axes) between the convolutions and the Linear."""

    def __init__(self, convs, head):
        super().__init__()
        self.convs = convs
        self.head = head

    def forward(self, x):
        return self.head(self.convs(x).mean(dim=(2, 3)))


class ViewFlatten(torch.nn.Module):
    """x.view(x.size(0), -1) before the Linear, as many hand-written CNNs flatten."""

    def forward(self, x):
        return x.view(x.size(0), -1)


class ConvLstm(torch.nn.Module):
    """A Conv1d whose output is transposed to time-major rows for an LSTM (refused naming the LSTM)."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv1d(2, 4, 3)
        self.lstm = torch.nn.LSTM(4, 5, batch_first=True)
        self.head = torch.nn.Linear(5, C)

    def forward(self, x):
        out, _ = self.lstm(torch.relu(self.conv(x)).transpose(1, 2))
        return self.head(out[:, -1])



def cnn_trained_fixtures():
    """Small CNNs trained on seeded 1 x 8 x 8 pattern images (2 x 16 for Conv1d), each scaling its raw
    input in the graph, in the graph forms torch.onnx.export writes for x.view(x.size(0), -1),
    ZeroPad2d with a dynamic batch, a ceil-mode MaxPool, GELU and x.mean(dim=(2, 3)); and two refusals."""
    nn = torch.nn
    x, y = image_problem()
    img = (1, 1, 8, 8)
    body = nn.Sequential(Scale(), nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.2), ViewFlatten(), nn.Linear(4 * 3 * 3, C))
    export(train_cnn(Flat2Image(body), x.reshape(-1, 64), y), 'torch-cnn-view-flatten.onnx', shape=(1, 64))
    m = train_cnn(nn.Sequential(Scale(), nn.Conv2d(1, 4, 3, stride=2, padding=(1, 2)), nn.ReLU(), nn.ZeroPad2d((1, 0, 1, 0)),
                                nn.MaxPool2d(2), nn.Conv2d(4, 5, 2), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True), nn.Flatten(),
                                nn.Linear(5, C), nn.LogSoftmax(dim=1)), x, y)
    export(m, 'torch-cnn-zeropad-ceil.onnx', shape=img)
    m = train_cnn(GeluMeanHead(nn.Sequential(Scale(), nn.Conv2d(1, 6, 3, padding=1), nn.GELU(), nn.Conv2d(6, 8, 3)), nn.Linear(8, C)), x, y)
    export(m, 'torch-cnn-gelu-mean.onnx', shape=img)
    x1, y1 = image_problem(shape=(2, 16))
    m = train_cnn(nn.Sequential(Scale(), nn.Conv1d(2, 6, 5, padding=2), nn.BatchNorm1d(6), nn.LeakyReLU(0.1),
                                nn.MaxPool1d(2), nn.Conv1d(6, 8, 3, stride=2, dilation=2), nn.ReLU(), nn.Flatten(),
                                nn.Linear(8 * 2, C)), x1, y1)
    export(m, 'torch-cnn-conv1d-bn.onnx', shape=(1, 2, 16))
    export(ConvLstm().eval(), 'refuse-cnn-lstm.onnx', shape=(1, 2, 16))


def mobilenet_fixtures():
    """ReLU6 (Clip(0, 6) in ONNX) in a small trained CNN with batch norm folded by the eval export; a
    Hardtanh(-1, 1), a Clip to another range, that must be refused naming its Clip; a trained
    MobileNet-like CNN (depthwise + pointwise blocks with ReLU6), batch norm folded and kept; a
    grouped convolution that is not depthwise (refused); an MLP with ReLU6."""
    nn = torch.nn
    torch.manual_seed(6)
    x, y = image_problem()
    img = (1, 1, 8, 8)
    m = train_cnn(nn.Sequential(Scale(), nn.Conv2d(1, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU6(), nn.MaxPool2d(2),
                                nn.Conv2d(6, 8, 3), nn.ReLU6(), nn.Flatten(), nn.Linear(8 * 2 * 2, C)), x, y)
    export(m, 'torch-cnn-relu6.onnx', shape=img)
    export(nn.Sequential(nn.Conv2d(1, 4, 3), nn.Hardtanh(-1, 1), nn.Flatten(), nn.Linear(4 * 6 * 6, C)).eval(), 'refuse-hardtanh.onnx', shape=img)
    # MobileNet-style blocks: depthwise 3x3 (groups = channels), BN, ReLU6, pointwise 1x1, BN, ReLU6
    def block(cin, cout, stride):
        return [nn.Conv2d(cin, cin, 3, stride=stride, padding=1, groups=cin), nn.BatchNorm2d(cin), nn.ReLU6(),
                nn.Conv2d(cin, cout, 1), nn.BatchNorm2d(cout), nn.ReLU6()]
    m = train_cnn(nn.Sequential(Scale(), nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU6(), *block(8, 12, 1),
                                nn.MaxPool2d(2), *block(12, 16, 2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, C)), x, y)
    export_cnn(m, 'torch-mobilenet-bn-folded.onnx', img)
    export_cnn(m, 'torch-mobilenet-bn-kept.onnx', img, training=torch.onnx.TrainingMode.PRESERVE)
    grouped = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Conv2d(4, 8, 3, groups=2), nn.ReLU(), nn.Flatten(),
                            nn.Linear(8 * 4 * 4, C)).eval()
    export_cnn(grouped, 'refuse-grouped-conv.onnx', img)
    # ReLU6 in a fully connected network (the MLP importer's Clip), trained on the raw features so that it clips at 6
    mlp = train(nn.Sequential(nn.Linear(D, 10), nn.ReLU6(), nn.Linear(10, 8), nn.ReLU(), nn.Linear(8, C)), scale_inputs=False)
    export(mlp, 'torch-mlp-relu6.onnx')


def mnist_cnn(idx_dir, out, epochs=None, arch='lenet', label='mnist cnn'):
    """A PyTorch CNN trained on MNIST (pixels / 255, as gs-compress reads IDX files) with Adam (lr 1e-3):
    arch 'lenet' (default; one epoch, batch 128) = (x - 0.1307) / 0.3081 inside the graph, Conv(8, 5x5) BN
    ReLU MaxPool(2), Conv(16, 5x5) BN ReLU MaxPool(2), Flatten, Linear(256, 64) ReLU, Linear(64, 10),
    exported in eval mode (batch norm folded into the convolutions); arch 'bn' (two epochs, batch 64) =
    Conv2d(1,16,3,p1) BN ReLU MaxPool2 Conv2d(16,32,3,p1) BN ReLU MaxPool2 Flatten Linear(1568,128) ReLU
    Linear(128,10) (the Fashion-MNIST net of the benchmarks) with the batch norm kept (TrainingMode.PRESERVE);
    arch 'small' = Conv2d(1,8,3) ReLU MaxPool2 Conv2d(8,16,3) ReLU MaxPool2 Flatten Linear(400,32) ReLU
    Linear(32,10); arch 'resnet' = Conv2d(1,8,3,p1) BN ReLU, BasicBlock(8,8), BasicBlock(8,16,stride 2),
    BasicBlock(16,32,stride 2) (torchvision's block: 1x1 conv + BN shortcut where the shape changes),
    AdaptiveAvgPool2d(1), Linear(32,10), batch norm folded (eval export); arch 'inception' =
    Conv2d(1,16,3,p1) BN ReLU MaxPool2, Inception(16: 16, 16->24, 8) MaxPool2, Inception(48: 24, 24->32, 16),
    AdaptiveAvgPool2d(1), Linear(72,10), batch norm folded (eval export)."""
    nn = torch.nn
    epochs = epochs or (1 if arch == 'lenet' else 2)
    batch = 128 if arch == 'lenet' else 64

    class Norm(nn.Module):
        def forward(self, x):
            return (x - 0.1307) / 0.3081

    x = torch.from_numpy(read_idx(os.path.join(idx_dir, 'train-images-idx3-ubyte')).reshape(-1, 1, 28, 28).astype(np.float32) / 255)
    y = torch.from_numpy(read_idx(os.path.join(idx_dir, 'train-labels-idx1-ubyte')).astype(np.int64))
    xt = torch.from_numpy(read_idx(os.path.join(idx_dir, 't10k-images-idx3-ubyte')).reshape(-1, 1, 28, 28).astype(np.float32) / 255)
    yt = torch.from_numpy(read_idx(os.path.join(idx_dir, 't10k-labels-idx1-ubyte')).astype(np.int64))
    torch.manual_seed(0)
    if arch == 'lenet':
        m = nn.Sequential(Norm(), nn.Conv2d(1, 8, 5), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 5), nn.BatchNorm2d(16),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 64), nn.ReLU(), nn.Linear(64, 10))
    elif arch == 'bn':
        m = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
    elif arch == 'inception':
        m = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
                          Inception(16, 16, 16, 24, 8), nn.MaxPool2d(2), Inception(48, 24, 24, 32, 16),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(72, 10))
    elif arch == 'resnet':
        m = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
                          BasicBlock(8, 8, 1), BasicBlock(8, 16, 2), BasicBlock(16, 32, 2),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))
    else:
        m = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(16 * 5 * 5, 32), nn.ReLU(), nn.Linear(32, 10))
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    for epoch in range(epochs):
        m.train()
        perm = torch.randperm(x.shape[0])
        for i in range(0, x.shape[0], batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(m(x[idx]), y[idx]).backward()
            opt.step()
        m.eval()
        with torch.no_grad():
            acc = (m(xt).argmax(1) == yt).float().mean().item()
        print(f'{label} epoch {epoch + 1}: test accuracy {acc:.4f}')
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    torch.onnx.export(m, torch.zeros(1, 1, 28, 28), out, input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}}, opset_version=17,
                      training=torch.onnx.TrainingMode.PRESERVE if arch == 'bn' else torch.onnx.TrainingMode.EVAL,
                      do_constant_folding=arch != 'bn')
    if arch == 'bn':
        kept = sum(n.op_type == 'BatchNormalization' for n in onnx.load(out).graph.node)
        if kept != 2:
            sys.exit(f'{out}: expected 2 BatchNormalization nodes in the export, found {kept}')
    print('wrote', out, os.path.getsize(out), 'bytes')


def fashion_cnn(idx_dir, out, epochs=3):
    """The Fashion-MNIST net of the import report (scripts/import-report.ts --only fashion):
    c16k3p1-bn-m2-c32k3p1-bn-m2-f128, i.e. arch 'bn' of mnist_cnn, trained `epochs` epochs (Adam lr 1e-3,
    batch 64, torch seed 0) on the IDX files in idx_dir (plain or .gz; the report passes a folder holding
    the first rows of Fashion-MNIST's training file and its whole test file), exported with its two
    BatchNormalization nodes kept."""
    mnist_cnn(idx_dir, out, epochs=epochs, arch='bn', label='fashion cnn')


if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] in ('-h', '--help'):
        print(__doc__ or '')
        print('Usage: scripts/make-import-fixtures.py            write test/fixtures/import\n'
              '       scripts/make-import-fixtures.py GROUP...   only these groups (torch, tf2onnx, skl2onnx, tfjs, fixed-batch, refusals, cnn, residual, concat, cnn-trained, mobilenet)\n'
              '       scripts/make-import-fixtures.py --mnist IDX_DIR OUT.onnx\n'
              '       scripts/make-import-fixtures.py --mnist-cnn IDX_DIR OUT.onnx [lenet|bn|small|resnet|inception [EPOCHS]]\n'
              '       scripts/make-import-fixtures.py --fashion-cnn IDX_DIR OUT.onnx [EPOCHS]')
        sys.exit(0)
    if len(sys.argv) in (4, 5, 6) and sys.argv[1] == '--mnist-cnn':
        # scripts/make-import-fixtures.py --mnist-cnn IDX_DIR OUT.onnx [lenet|bn|small|resnet|inception [EPOCHS]]
        mnist_cnn(sys.argv[2], sys.argv[3], arch=sys.argv[4] if len(sys.argv) >= 5 else 'lenet',
                  epochs=int(sys.argv[5]) if len(sys.argv) == 6 else None)
        sys.exit(0)
    if len(sys.argv) in (4, 5) and sys.argv[1] == '--fashion-cnn':
        # scripts/make-import-fixtures.py --fashion-cnn IDX_DIR OUT.onnx [EPOCHS] (used by scripts/import-report.ts)
        fashion_cnn(sys.argv[2], sys.argv[3], epochs=int(sys.argv[4]) if len(sys.argv) == 5 else 3)
        sys.exit(0)
    if len(sys.argv) == 4 and sys.argv[1] == '--mnist':
        # scripts/make-import-fixtures.py --mnist IDX_DIR OUT.onnx (used by scripts/import-report.ts)
        mnist_model(sys.argv[2], sys.argv[3])
        sys.exit(0)
    # scripts/make-import-fixtures.py [GROUP...]: all groups, or only the ones named
    groups = {'torch': torch_fixtures, 'tf2onnx': tf2onnx_fixture, 'skl2onnx': lambda: (skl2onnx_fixture(False), skl2onnx_fixture(True)),
              'tfjs': tfjs_fixture, 'fixed-batch': fixed_batch_fixture, 'refusals': refusal_fixtures, 'cnn': cnn_fixtures,
              'residual': residual_fixtures, 'concat': concat_fixtures, 'cnn-trained': cnn_trained_fixtures, 'mobilenet': mobilenet_fixtures}
    unknown = [g for g in sys.argv[1:] if g not in groups]
    if unknown:
        sys.exit(f'unknown fixture group {unknown[0]}; expected one of {", ".join(groups)}')
    os.makedirs(OUT, exist_ok=True)
    for name in sys.argv[1:] or list(groups):
        groups[name]()
    sys.exit(0)
