"""Same weights in PyTorch and in our NumPy network: same logits, loss and gradients.

PyTorch is only needed here (and in the benchmark); the playground never imports it.
"""

from __future__ import annotations

import numpy as np
import pytest

from cnn_core.layers import SGD, Adam, MaxPool2D
from cnn_core.model import CNNClassifier, CNNConfig

torch = pytest.importorskip("torch", reason="PyTorch is optional: install it to run parity tests")


def torch_twin(model: CNNClassifier):
    """A PyTorch network holding `model`'s weights (float64, NCHW)."""
    cfg, net = model.config, dict(model.layers)
    layers = []
    for index in (1, 2):
        conv = net.get(f"conv{index}")
        if conv is None:
            continue
        twin = torch.nn.Conv2d(conv.in_channels, conv.n_kernels, conv.kernel_size, padding=conv.pad)
        twin.weight.data = torch.tensor(np.array(conv.params["W"]))
        twin.bias.data = torch.tensor(np.array(conv.params["b"]))
        layers += [twin, torch.nn.ReLU()]
    window = cfg.pool_window()
    pool = torch.nn.MaxPool2d if cfg.pool == "max" else torch.nn.AvgPool2d
    layers += [pool(window), torch.nn.Flatten()]
    dense = net["dense"]
    ph, pw, channels = cfg.layer_shapes()[-2][1]
    # Ours flattens (PH, PW, C); PyTorch flattens (C, PH, PW): reorder the dense rows.
    W = np.array(dense.params["W"]).reshape(ph, pw, channels, -1).transpose(2, 0, 1, 3)
    linear = torch.nn.Linear(W.shape[0] * ph * pw, W.shape[-1])
    linear.weight.data = torch.tensor(W.reshape(-1, W.shape[-1]).T.copy())
    linear.bias.data = torch.tensor(np.array(dense.params["b"]))
    return torch.nn.Sequential(*layers, linear).double()


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"padding": "valid", "kernel_size": 3, "pool_size": 2},
        {"pool": "avg", "pool_size": 2},
        {"conv_layers": 2, "n_kernels": 4, "n_kernels2": 3, "pool_size": 2},
    ],
)
def test_same_weights_same_logits_loss_and_gradients(changes):
    config = CNNConfig(**{"n_kernels": 6, **changes})
    model = CNNClassifier(config, random_state=2, dtype="float64")
    rng = np.random.default_rng(0)
    X = (rng.random((12, 8, 8)) > 0.6).astype(float)  # 0/1 drawings: ties happen
    y = np.array(["O", "X"] * 6)
    model.train_steps(X, y)  # builds the network
    twin = torch_twin(model)
    y_index = np.searchsorted(model.classes_, y)

    logits = model._logits(model._windows(X))
    loss = model._loss.forward(logits, y_index)
    model._backward(model._loss.backward())

    images = torch.tensor(X[:, None])
    their_logits = twin(images)
    their_loss = torch.nn.functional.cross_entropy(their_logits, torch.tensor(y_index))
    their_loss.backward()
    np.testing.assert_allclose(logits, their_logits.detach().numpy(), atol=1e-10)
    assert loss == pytest.approx(their_loss.item(), abs=1e-12)

    net = dict(model.layers)
    convs = [m for m in twin if isinstance(m, torch.nn.Conv2d)]
    for index, conv in enumerate(convs, start=1):
        ours = net[f"conv{index}"]
        np.testing.assert_allclose(ours.grads["W"], conv.weight.grad.numpy(), atol=1e-10)
        np.testing.assert_allclose(ours.grads["b"], conv.bias.grad.numpy(), atol=1e-10)
    linear = twin[-1]
    ph, pw, channels = config.layer_shapes()[-2][1]
    their_W = linear.weight.grad.numpy().T.reshape(channels, ph, pw, -1).transpose(1, 2, 0, 3)
    np.testing.assert_allclose(net["dense"].grads["W"], their_W.reshape(-1, 2), atol=1e-10)
    np.testing.assert_allclose(net["dense"].grads["b"], linear.bias.grad.numpy(), atol=1e-10)


def test_max_pool_ties_go_where_pytorch_sends_them():
    rng = np.random.default_rng(1)
    X = rng.integers(0, 3, size=(4, 6, 6, 2)).astype(float)  # many ties
    dY = rng.normal(size=(4, 3, 3, 2))
    layer = MaxPool2D(2)
    layer.forward(X)
    ours = layer.backward(dY)
    tensor = torch.tensor(np.moveaxis(X, -1, 1), requires_grad=True)
    out = torch.nn.functional.max_pool2d(tensor, 2)
    out.backward(torch.tensor(np.moveaxis(dY, -1, 1)))
    np.testing.assert_array_equal(ours, np.moveaxis(tensor.grad.numpy(), 1, -1))


@pytest.mark.parametrize("name", ["adam", "sgd"])
def test_optimiser_steps_match_pytorch(name):
    rng = np.random.default_rng(3)
    start = rng.normal(size=5)
    ours, grad = start.copy(), np.zeros(5)
    theirs = torch.tensor(start.copy(), requires_grad=True)
    if name == "adam":
        mine, reference = Adam([ours], [grad], lr=0.05), torch.optim.Adam([theirs], lr=0.05)
    else:
        mine = SGD([ours], [grad], lr=0.1, momentum=0.9)
        reference = torch.optim.SGD([theirs], lr=0.1, momentum=0.9)
    for _ in range(5):
        g = rng.normal(size=5)
        grad[...] = g
        mine.step()
        theirs.grad = torch.tensor(g)
        reference.step()
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)
