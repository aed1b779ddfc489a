"""Tests for engine.trainer: batch modes and epochs, determinism, dropout, divergence, early
stopping, reset, explicit parameters, hyper-parameter patches and the history record."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.errors import SpecError
from engine.history import History

#: backprop against central differences of the dropout-masked cost
TOL = 1e-7
H = 1e-6
#: ten samples whose first input is the sample's index, so a batch row names its sample
X10 = [[float(i), 0.1 * (-1) ** i] for i in range(10)]
Y10 = [[math.sin(i)] for i in range(10)]


@pytest.fixture
def ten(make_trainer):
    """``ten(**fields)``: the small regression net on ten identifiable samples."""
    def make(**fields):
        return make_trainer(data={"X": X10, "Y": Y10}, **fields)
    return make


def batch_ids(trainer, t):
    Xb = trainer._batch(t)[0]
    return Xb[:, 0].astype(int).tolist()


# ------------------------------------------------------------------ batch modes


@pytest.mark.parametrize(("batch_size", "per_epoch"), [(None, 1), (10, 1), (1, 10), (3, 4),
                                                       (4, 3), (5, 2), (9, 2)])
def test_steps_per_epoch_is_ceil_n_over_k(ten, batch_size, per_epoch):
    t = ten(batch_size=batch_size)
    assert t.steps_per_epoch == per_epoch == math.ceil(10 / (batch_size or 10))
    steps = 2 * per_epoch + 1
    t.step(steps)
    assert t.summary()["step"] == steps
    assert t.summary()["epoch"] == steps // per_epoch == (3 if per_epoch == 1 else 2)


@pytest.mark.parametrize("batch_size", [1, 3, 4, 7])
def test_every_epoch_visits_each_sample_exactly_once(ten, batch_size):
    t = ten(batch_size=batch_size, seed=5)
    per_epoch = t.steps_per_epoch
    orders = []
    for epoch in range(3):
        batches = [batch_ids(t, epoch * per_epoch + j) for j in range(per_epoch)]
        sizes = [len(b) for b in batches]
        assert sizes == [batch_size] * (per_epoch - 1) + [10 - batch_size * (per_epoch - 1)]
        order = [i for b in batches for i in b]
        assert sorted(order) == list(range(10))
        orders.append(order)
    assert orders[0] != orders[1] != orders[2]  # reshuffled every epoch


def test_changing_the_batch_size_keeps_completed_epochs_and_starts_a_new_one(ten):
    t = ten(batch_size=3, seed=2)
    t.step(7)  # 4 steps per epoch: one completed epoch and 3 steps into the next
    assert t.epoch == 1
    t.update_hyper({"batch_size": 4})
    assert t.epoch == 1 and t.steps_per_epoch == 3
    batches = [batch_ids(t, 7 + j) for j in range(3)]  # the new epoch starts at step 7
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(i for b in batches for i in b) == list(range(10))
    t.step(2)
    assert t.epoch == 1
    t.step(1)
    assert t.epoch == 2 and t.summary()["epoch"] == 2
    t.update_hyper({"batch_size": None})
    t.step(1)
    assert t.epoch == 3 and batch_ids(t, 11) == list(range(10))


def test_step_reports_how_many_updates_it_did(ten):
    t = ten(batch_size=5)
    s = t.step(4)
    assert s["steps_done"] == 4 == len(s["step_losses"]) and s["step"] == 4
    assert t.step(0)["steps_done"] == 0


def test_full_batch_uses_the_whole_training_set_in_order(ten):
    t = ten()
    for step in range(3):
        assert batch_ids(t, step) == list(range(10))


def test_a_different_seed_gives_a_different_order_and_the_same_seed_the_same(ten):
    a, b, c = ten(batch_size=3, seed=1), ten(batch_size=3, seed=2), ten(batch_size=3, seed=1)
    order = [batch_ids(a, s) for s in range(4)]
    assert order != [batch_ids(b, s) for s in range(4)]
    assert order == [batch_ids(c, s) for s in range(4)]


def test_mini_batch_step_is_sgd_on_that_batch(ten):
    t = ten(batch_size=3, seed=4, optimizer={"name": "sgd", "learning_rate": 0.2})
    for _ in range(5):
        Xb, Yb, masks = t._batch(t.t)
        assert masks is None
        before, bw = t.theta.copy(), t.backward(Xb, Yb)
        summary = t.step(1)
        np.testing.assert_allclose(t.theta, before - 0.2 * bw["grad"], rtol=1e-13, atol=1e-16)
        assert summary["step_losses"] == [pytest.approx(bw["loss"], rel=1e-14)]


def test_full_batch_step_losses_are_the_training_loss_before_each_update(ten):
    t = ten()
    expected = []
    for _ in range(4):
        expected.append(t.forward()["loss"])
        t.step(1)
    t2 = ten()
    assert t2.step(4)["step_losses"] == expected


def test_training_is_bit_for_bit_deterministic(ten):
    spec = {"batch_size": 3, "seed": 9, "dropout": 0.3,
            "optimizer": {"name": "adam", "learning_rate": 0.01}}
    a, b, c = ten(**spec), ten(**spec), ten(**spec)
    a.step(25)
    b.step(25)
    for _ in range(25):
        c.step(1)
    np.testing.assert_array_equal(a.theta, b.theta)
    np.testing.assert_array_equal(a.theta, c.theta)
    assert not np.array_equal(a.theta, a.initial_theta)
    other = ten(**{**spec, "seed": 10})
    other.step(25)
    assert not np.array_equal(a.theta, other.theta)


# ----------------------------------------------------------------------- dropout


def test_dropout_masks_are_inverted_and_hidden_only(make_trainer):
    X = np.random.default_rng(0).normal(size=(400, 2)).tolist()
    Y = [[0.0]] * 400
    t = make_trainer(layers=[2, 50, 40, 1], activations=["tanh", "relu", "linear"],
                     data={"X": X, "Y": Y}, dropout=[0.25, 0.6])
    _, _, masks = t._batch(0)
    assert len(masks) == 3 and masks[2] is None  # the output layer is never dropped
    for mask, p, width in ((masks[0], 0.25, 50), (masks[1], 0.6, 40)):
        assert mask.shape == (400, width)
        assert set(np.unique(mask).tolist()) == {0.0, 1.0 / (1.0 - p)}
        assert np.mean(mask > 0) == pytest.approx(1 - p, abs=0.02)
        assert np.mean(mask) == pytest.approx(1.0, abs=0.04)  # inverted: E[mask] = 1
    masks_again = t._batch(0)[2]
    np.testing.assert_array_equal(masks[0], masks_again[0])  # masks come from [seed, 1, t]
    assert not np.array_equal(masks[0], t._batch(1)[2][0])


def test_forward_backward_and_metrics_use_no_dropout(make_trainer):
    t = make_trainer(dropout=0.5)
    W1, W2 = t.net.W
    b1, b2 = t.net.b
    X, Y = t.data.X, t.data.Y
    out = np.tanh(X @ W1.T + b1) @ W2.T + b2
    expected = 0.5 * np.mean(np.sum((out - Y) ** 2, axis=1))
    fw = t.forward()
    np.testing.assert_allclose(fw["activations"][-1], out, rtol=1e-14)
    assert fw["loss"] == pytest.approx(expected, rel=1e-14)
    assert t.backward()["loss"] == fw["loss"] == t.metrics()["loss"]
    t.step(3)
    assert t.last_masks is not None and np.any(t.last_masks[0] == 0)
    assert t.forward()["loss"] == t.forward()["loss"] == t.metrics()["loss"]


@pytest.mark.parametrize("reg", [{}, {"l2": 0.3, "l1": 0.1}])
@pytest.mark.parametrize("hidden", ["tanh", "sigmoid", "leaky_relu"])
def test_dropout_step_is_the_gradient_of_the_masked_cost(make_trainer, hidden, reg, rel_error):
    t = make_trainer(layers=[2, 5, 4, 1], activations=[hidden, hidden, "linear"],
                     dropout=[0.4, 0.3], batch_size=4, seed=3, regularization=reg,
                     optimizer={"name": "sgd", "learning_rate": 0.1})
    t.step(2)  # mid-epoch, so the batch is a proper subset
    Xb, Yb, masks = t._batch(t.t)
    assert any(np.any(m == 0) for m in masks[:2])

    def masked_cost():
        zs, acts = t.net.forward(Xb, masks)
        return t._cost_from(zs[-1], acts[-1], Yb)

    theta = t.theta
    numeric = np.empty_like(theta)
    for i in range(theta.size):
        old = theta[i]
        theta[i] = old + H
        plus = masked_cost()
        theta[i] = old - H
        minus = masked_cost()
        theta[i] = old
        numeric[i] = (plus - minus) / (2 * H)
    before = theta.copy()
    summary = t.step(1)
    for used, expected in zip(t.last_masks, masks, strict=True):
        np.testing.assert_array_equal(used, expected)
    grad = (before - t.theta) / 0.1
    assert rel_error(numeric, grad) < TOL
    assert summary["step_losses"][0] == pytest.approx(masked_cost_at(t, before, Xb, Yb, masks),
                                                      rel=1e-14)


def masked_cost_at(t, theta, Xb, Yb, masks):
    saved = t.theta.copy()
    t.theta[...] = theta
    zs, acts = t.net.forward(Xb, masks)
    cost = t._cost_from(zs[-1], acts[-1], Yb)
    t.theta[...] = saved
    return cost


# -------------------------------------------------------------------- divergence


def linear_blowup(make_trainer):
    return make_trainer(layers=[2, 3, 3, 1], activations=["linear"] * 3,
                        optimizer={"name": "sgd", "learning_rate": 1e6})


def test_divergence_keeps_the_last_finite_parameters(make_trainer):
    t = linear_blowup(make_trainer)
    summary = t.step(100)
    assert summary["status"] == t.status == "diverged"
    assert summary["diverged_at_step"] == t.diverged_at_step == t.t + 1
    assert 0 < t.t < 100
    assert np.isfinite(t.theta).all()
    assert len(summary["step_losses"]) == summary["steps_done"] == t.t
    for key in ("loss", "accuracy", "validation_loss", "validation_accuracy", "learning_rate"):
        assert summary[key] is None or math.isfinite(summary[key])
    # the same run stopped one update earlier ends exactly there, still healthy ...
    twin = linear_blowup(make_trainer)
    for _ in range(t.t):
        assert twin.step(1)["status"] == "ok"
    np.testing.assert_array_equal(twin.theta, t.theta)
    # ... and its next update is the one that diverges
    assert twin.step(1)["diverged_at_step"] == t.diverged_at_step
    np.testing.assert_array_equal(twin.theta, t.theta)
    assert np.isfinite(t.forward()["loss"])


def test_after_divergence_steps_are_no_ops_until_reset_or_patch(make_trainer):
    t = linear_blowup(make_trainer)
    t.step(100)
    theta, step, history = t.theta.copy(), t.t, len(t.history.points)
    again = t.step(5)
    assert again["step_losses"] == [] and again["steps_done"] == 0
    assert again["status"] == "diverged"
    np.testing.assert_array_equal(t.theta, theta)
    assert t.t == step and len(t.history.points) == history
    # a tiny learning rate clears the status and training continues from the kept θ
    t.update_hyper({"optimizer": {"learning_rate": 1e-200}})
    assert t.summary()["status"] == "ok" and t.diverged_at_step is None
    resumed = t.step(2)
    assert resumed["status"] == "ok" and t.t == step + 2 and len(resumed["step_losses"]) == 2
    # reset() restores the initial parameters and replays the run
    t.reset()
    assert t.status == "ok" and t.t == 0 and t.diverged_at_step is None
    np.testing.assert_array_equal(t.theta, t.initial_theta)
    np.testing.assert_array_equal(t.theta, linear_blowup(make_trainer).theta)


def test_divergence_is_not_reported_for_a_stable_learning_rate(make_trainer):
    t = make_trainer(layers=[2, 3, 3, 1], activations=["linear"] * 3,
                     optimizer={"name": "sgd", "learning_rate": 0.01})
    first = t.forward()["loss"]
    s = t.step(200)
    assert s["status"] == "ok" and s["diverged_at_step"] is None and s["step"] == 200
    assert s["loss"] < first


# ---------------------------------------------------------------- early stopping


def expected_stop(val_after, per_epoch, patience):
    """The early-stopping rule written out: (stop step, best step) from the validation losses
    val_after[s] at θ after s updates, checked at the end of every epoch."""
    best, best_step, since = None, None, 0
    for s in range(per_epoch, len(val_after), per_epoch):
        if best is None or val_after[s] < best:
            best, best_step, since = val_after[s], s, 0
        else:
            since += 1
            if since >= patience:
                return s, best_step
    raise AssertionError("the run never stopped")


@pytest.mark.parametrize(("batch_size", "patience"), [(None, 3), (2, 2)])
@pytest.mark.parametrize("restore", [True, False])
def test_early_stopping_stops_after_patience_and_restores_the_best(make_trainer, batch_size,
                                                                   patience, restore):
    X, Y = make_trainer().data.X.tolist(), make_trainer().data.Y.tolist()
    # validation targets of the opposite sign: validation loss falls, then rises
    data = {"X": X, "Y": Y, "X_val": X, "Y_val": [[-y[0]] for y in Y]}
    optimizer = {"name": "sgd", "learning_rate": 0.03}
    twin = make_trainer(data=data, batch_size=batch_size, optimizer=optimizer)
    thetas, val_after = [twin.theta.copy()], [twin.metrics()["validation_loss"]]
    for _ in range(60):
        twin.step(1)
        thetas.append(twin.theta.copy())
        val_after.append(twin.metrics()["validation_loss"])
    stop, best = expected_stop(val_after, twin.steps_per_epoch, patience)
    assert best > twin.steps_per_epoch  # the validation loss did fall first

    t = make_trainer(data=data, batch_size=batch_size, optimizer=optimizer,
                     early_stopping={"patience": patience, "restore_best": restore})
    summary = t.step(60)
    assert summary["early_stopped"] is True and summary["best_step"] == best
    assert t.t == summary["step"] == summary["steps_done"] == stop
    np.testing.assert_array_equal(t.theta, thetas[best] if restore else thetas[stop])
    assert summary["validation_loss"] == pytest.approx(val_after[best if restore else stop],
                                                       rel=1e-14)
    assert t.step(5)["step"] == stop  # stopped: further steps do nothing
    t.update_hyper({"early_stopping": None})
    assert t.step(1)["step"] == stop + 1


def test_early_stopping_without_validation_data_never_stops(make_trainer):
    t = make_trainer(early_stopping={"patience": 1})
    assert t.step(30)["early_stopped"] is False and t.t == 30


# ------------------------------------------------------------------- modification


def test_reset_replays_the_same_run(make_trainer):
    t = make_trainer(optimizer={"name": "momentum", "learning_rate": 0.05}, batch_size=4)
    t.step(7)
    after7 = t.theta.copy()
    t.reset()
    assert t.t == 0 and len(t.history.points) == 1
    np.testing.assert_array_equal(t.theta, t.initial_theta)
    np.testing.assert_array_equal(t.optimizer.state["v"], 0.0)
    t.step(7)
    np.testing.assert_array_equal(t.theta, after7)


def test_set_parameters_replaces_theta_and_keeps_step_and_state(make_trainer):
    t = make_trainer(optimizer={"name": "momentum", "learning_rate": 0.05})
    t.step(3)
    v = t.optimizer.state["v"].copy()
    params = [{"W": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], "b": [0.1, 0.2, 0.3]},
              {"W": [[-1.0, 0.5, 0.25]], "b": [2.0]}]
    t.set_parameters(params)
    np.testing.assert_array_equal(t.theta, [1, 2, 3, 4, 5, 6, -1, 0.5, 0.25, 0.1, 0.2, 0.3, 2])
    assert t.parameters() == params and t.t == 3
    np.testing.assert_array_equal(t.optimizer.state["v"], v)
    assert t.history.points[-1]["step"] == 3
    np.testing.assert_array_equal(t.history.points[-1]["theta"], t.theta)
    assert t.metrics()["loss"] == t.forward()["loss"]
    with pytest.raises(SpecError) as err:
        t.set_parameters([{"W": [[1.0, 2.0]], "b": [0.0]}, params[1]])
    assert err.value.field == "parameters[0].W"
    np.testing.assert_array_equal(t.theta[:6], [1, 2, 3, 4, 5, 6])  # unchanged


def test_a_rejected_patch_changes_nothing(make_trainer):
    t = make_trainer(batch_size=2)
    spec = t.spec
    with pytest.raises(SpecError) as err:
        t.update_hyper({"batch_size": 7})
    assert err.value.field == "batch_size"
    assert t.spec == spec and t.batch_size == 2 and t.steps_per_epoch == 3
    with pytest.raises(SpecError) as err:
        t.update_hyper({"optimizer": {"momentum": 0.5}})
    assert err.value.field == "optimizer.momentum"  # sgd has no momentum
    assert t.spec == spec


def test_patching_init_reinitializes_and_restarts(make_trainer):
    t = make_trainer()
    t.step(3)
    t.update_hyper({"init": {"seed": 2}})
    assert t.t == 0 and t.spec["init"]["seed"] == 2
    np.testing.assert_array_equal(t.theta, make_trainer(init={"scheme": "normal", "scale": 0.8,
                                                              "seed": 2}).theta)


# ---------------------------------------------------------------------- history


def test_history_records_theta_and_loss_at_each_step(make_trainer):
    t = make_trainer()
    expected = []
    for _ in range(5):
        expected.append((t.theta.copy(), t.forward()["loss"]))
        t.step(1)
    t.step(1)  # records θ_5 before its update
    points = t.history.points
    assert [p["step"] for p in points] == [0, 1, 2, 3, 4, 5]
    for p, (theta, loss) in zip(points, expected, strict=False):
        np.testing.assert_array_equal(p["theta"], theta)
        assert p["loss"] == pytest.approx(loss, rel=1e-15)


def test_history_halves_itself_when_full():
    h = History(3, capacity=4)
    for step in range(9):
        if h.due(step):
            h.record(step, np.full(3, float(step)), loss=float(step))
    assert h.stride == 4
    assert [p["step"] for p in h.points] == [0, 4, 8]
    np.testing.assert_array_equal(h.thetas(), [[0.0] * 3, [4.0] * 3, [8.0] * 3])
    assert h.series("loss") == [0.0, 4.0, 8.0]
    assert History(10).capacity == 1000 and History(10**6).capacity == 50
