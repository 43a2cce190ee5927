"""Encoders: trial batching is exact, an encoder model slices into trials, images are not scaled,
and an encoder + SEQL head learns a latent linear in the true position end to end."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from peql.fit.data import GroupedData
from peql.symbolic.latent_map import linear_map, transform
from peql.nn.encoders import conv1d, conv2d


def _reference_latent(enc, trial: int, images: torch.Tensor) -> torch.Tensor:
    """One trial's encoder computed alone with plain (ungrouped) layers."""
    conv, pool = (F.conv1d, F.max_pool1d) if enc.dims == 1 else (F.conv2d, F.max_pool2d)
    h = images.reshape(-1, 1, *enc.image_shape)
    for w, b in zip(enc.conv_w, enc.conv_b):
        h = conv(h, w[trial], b[trial], padding="same")
        if enc.options["conv_activation"] == "relu":
            h = torch.relu(h)
        h = pool(h, 2, 2, ceil_mode=True)
    h = h.flatten(1)
    for i, (w, b) in enumerate(zip(enc.dense_w, enc.dense_b)):
        h = h @ w[trial] + b[trial]
        if i < len(enc.dense_w) - 1:
            h = torch.relu(h)
    return (enc.gamma[trial] * h.squeeze(-1) + enc.beta[trial]).reshape(images.shape[:-enc.dims])


@pytest.mark.parametrize("build,shape", [(conv1d, (64,)), (conv2d, (8, 8)), (conv2d, (7, 9))])
def test_trial_batched_encoder_equals_each_trial_alone(build, shape):
    torch.manual_seed(0)
    enc = build(3, shape, {})
    enc.reset_parameters(torch.Generator().manual_seed(1))
    with torch.no_grad():
        enc.beta.copy_(torch.tensor([0.0, 0.5, -1.0]))
    images = torch.rand(5, 2, *shape)                          # 5 samples of 2 slots
    batched = enc(images.expand(3, *images.shape))             # (3, 5, 2)
    assert batched.shape == (3, 5, 2)
    for k in range(3):
        torch.testing.assert_close(batched[k], _reference_latent(enc, k, images), rtol=1e-5, atol=1e-5)
    assert not torch.allclose(batched[0], batched[1])          # trials are independent draws


def test_encoder_gradients_stay_in_their_trial():
    enc = conv1d(3, (32,), {"channels": [4, 8], "dense": [8]})
    enc.reset_parameters(torch.Generator().manual_seed(2))
    images = torch.rand(3, 6, 2, 32)
    z = enc(images)
    z[1].sum().backward()                                      # a loss on trial 1 only
    for p in enc.parameters():
        assert p.grad[0].abs().max() == 0 and p.grad[2].abs().max() == 0
        assert p.grad[1].abs().max() > 0


def test_encoder_rejects_wrong_image_shape_and_options():
    enc = conv1d(2, (64,), {})
    with pytest.raises(ValueError, match="images of shape"):
        enc(torch.rand(2, 3, 2, 32))
    with pytest.raises(ValueError, match="norm"):
        conv1d(2, (64,), {"norm": "group"})
    with pytest.raises(ValueError, match="unknown conv1d option"):
        conv1d(2, (64,), {"filters": 3})


def test_images_are_not_scaled_but_grouped():
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 4, size=(12, 2, 16)).astype(np.float32)
    param = np.repeat([1.0, 0.0, 2.0], 4)
    data = GroupedData(images, rng.normal(size=12), param, ["z1", "z2"])
    assert data.x.shape == (12, 2, 16)
    np.testing.assert_array_equal(data.scaling.x_scale, [1.0, 1.0])
    order = np.argsort(param, kind="stable")
    np.testing.assert_allclose(data.x.numpy(), images[order])


def test_transform_maps_latent_equation_to_true_inputs():
    line = {"slope": 0.5, "intercept": 0.3}
    expr = transform("2*z1 - 2*z2 + 0.7", ["z1", "z2"], ["psi1", "psi2"], line)
    assert expr.equals(__import__("sympy").sympify("psi1 - psi2 + 0.7"))
    m = linear_map(0.5 * np.arange(10.0) + 0.3 + 0 * np.arange(10.0), np.arange(10.0))
    assert m["slope"] == pytest.approx(0.5) and m["correlation"] == pytest.approx(1.0)


def test_shift_moves_images_by_whole_pixels_with_zero_fill():
    enc = conv2d(1, (4, 5), {"shift": 1})
    img = torch.arange(20.0).reshape(1, 1, 4, 5)
    grid = img[0, 0]
    lowest, highest, middle = (enc._translate(img, torch.tensor([[u]]))[0, 0]
                               for u in ([0.0, 0.0], [0.99, 0.99], [0.5, 0.5]))
    torch.testing.assert_close(lowest[1:, 1:], grid[:-1, :-1])       # moved down and right by one
    assert lowest[0].abs().sum() == 0 and lowest[:, 0].abs().sum() == 0
    torch.testing.assert_close(highest[:-1, :-1], grid[1:, 1:])      # up and left
    assert highest[-1].abs().sum() == 0 and highest[:, -1].abs().sum() == 0
    torch.testing.assert_close(middle, grid)                         # offset 0
    # A (states, steps) series shifts along time only, every channel alike.
    from peql.nn.encoders import series1d
    series = torch.arange(12.0).reshape(1, 2, 6)
    moved = series1d(1, (2, 6), {"shift": 2})._translate(series, torch.tensor([[0.0]]))
    torch.testing.assert_close(moved[0, :, 2:], series[0, :, :-2])
    assert moved[0, :, :2].abs().sum() == 0


def test_augmentation_draws_follow_seed_and_step_and_only_touch_training():
    from peql.fit.sampler import Sampler
    from peql.fit.trainer import Trainer
    from peql.nn.encoded import EncodedModel
    from peql.nn.mlp import MLPNet
    from peql.nn.base import ModelContext

    rng = np.random.default_rng(0)
    data = GroupedData(rng.uniform(0, 1, size=(40, 2, 8, 8)).astype(np.float32), rng.normal(size=40),
                       np.zeros(40), ["z1", "z2"])
    enc = conv2d(2, (8, 8), {"shift": 1, "pixel_noise": 0.1, "channels": [4, 4], "dense": [8]})
    enc.reset_parameters(torch.Generator().manual_seed(0))
    model = EncodedModel(enc, MLPNet(ModelContext(2, ["z1", "z2"], options={"hidden": [8]})))
    assert model.augment_shape((2, 8, 8)) == (2, 2 + 64)
    sampler = Sampler(data, 2, 10, None, [], seed=3, augment_shape=model.augment_shape((2, 8, 8)))
    a, b, again = sampler.draw(5), sampler.draw(6), Sampler(
        data, 2, 10, None, [], seed=3, augment_shape=(2, 66)).draw(5)
    assert a.augment.shape == (*a.idx.shape, 2, 66)
    torch.testing.assert_close(a.augment, again.augment)             # a resumed run draws the same
    assert not torch.allclose(a.augment, b.augment)
    trainer = Trainer(model, data)
    plain = Trainer(model, data).loss_terms(type(a)(a.idx, a.group, a.t, a.noise, None))[0]
    assert not torch.allclose(trainer.loss_terms(a)[0], plain)       # training sees perturbed images
    x, y = data.batch(a.idx)                                         # the forward pass itself never augments
    torch.testing.assert_close((model(x, None, a.t)[0] - y).pow(2).flatten(1).mean(1), plain)
    with pytest.raises(ValueError, match="shift must be a whole number"):
        conv2d(1, (8, 8), {"shift": 0.5})


def test_batch_norm_latent_standardises_in_training_and_uses_running_averages_after():
    enc = conv1d(2, (16,), {"norm": "batch", "channels": [4, 4], "dense": [8]})
    enc.reset_parameters(torch.Generator().manual_seed(0))
    with torch.no_grad():
        enc.gamma.copy_(torch.tensor([2.0, 0.5]))
        enc.beta.copy_(torch.tensor([1.0, -1.0]))
    images = torch.rand(2, 50, 16)
    raw = conv1d(2, (16,), {"norm": "none", "channels": [4, 4], "dense": [8]})
    raw.load_state_dict({k: v for k, v in enc.state_dict().items() if not k.startswith("running")})
    z_raw = raw(images)
    z = enc(images)                                           # training mode: batch statistics
    var = z_raw.var(1, unbiased=False)
    expected = (z_raw - z_raw.mean(1, keepdim=True)) / torch.sqrt(var + 1e-3).unsqueeze(1)
    torch.testing.assert_close(z, enc.gamma.unsqueeze(1) * expected + enc.beta.unsqueeze(1))
    torch.testing.assert_close(enc.running_mean, 0.01 * z_raw.mean(1).detach())
    enc.eval()                                                # evaluation: running averages, per sample
    alone = enc(images[:, :1])
    torch.testing.assert_close(alone, enc(images)[:, :1])
    expected = (z_raw[:, :1] - enc.running_mean.unsqueeze(1)) / torch.sqrt(enc.running_var.unsqueeze(1) + 1e-3)
    torch.testing.assert_close(alone, enc.gamma.unsqueeze(1) * expected + enc.beta.unsqueeze(1))
    assert "running_mean" not in conv1d(1, (16,), {}).state_dict()  # other norms keep their layout
