#!/usr/bin/env python3
"""Dense PyTorch peer of scripts/bench-regression.ts: the same MLP (ReLU hidden layers, linear
output) trained with Adam on nn.MSELoss() of the standardized target (inputs standardized with the
training split's statistics, as gs-compress does), on the same train/test files the bench wrote.
Prints one JSON line: test RMSE and R^2 in the target's units, parameters, training seconds.
Needs Debian's python3-torch; run with /usr/bin/python3. A measuring stick, not part of the product.
"""
import argparse, json, time

import numpy as np
import torch


def read(path):
    a = np.loadtxt(path, delimiter=",", dtype=np.float64)
    return a[:, :-1].astype(np.float32), a[:, -1].astype(np.float32)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--train", required=True); p.add_argument("--test", required=True)
    p.add_argument("--hidden", default="64,32"); p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch", type=int, default=32); p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.manual_seed(a.seed); np.random.seed(a.seed); torch.set_num_threads(1)
    xtr, ytr = read(a.train); xte, yte = read(a.test)
    mx, sx = xtr.mean(0), xtr.std(0); sx[sx == 0] = 1
    my, sy = ytr.mean(), ytr.std() or 1.0
    xtr_t = torch.from_numpy((xtr - mx) / sx); ytr_t = torch.from_numpy((ytr - my) / sy)
    sizes = [xtr.shape[1]] + [int(h) for h in a.hidden.split(",") if h] + [1]
    mods = []
    for i in range(len(sizes) - 1):
        mods.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2: mods.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*mods)
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    loss_fn = torch.nn.MSELoss()
    n = xtr.shape[0]
    t0 = time.time()
    for _ in range(a.epochs):
        perm = torch.randperm(n)
        for s in range(0, n, a.batch):
            idx = perm[s:s + a.batch]
            opt.zero_grad()
            loss = loss_fn(net(xtr_t[idx])[:, 0], ytr_t[idx])
            loss.backward(); opt.step()
    secs = time.time() - t0
    with torch.no_grad():
        pred = net(torch.from_numpy((xte - mx) / sx))[:, 0].numpy() * sy + my
    sse = float(((pred - yte) ** 2).sum()); sst = float(((yte - yte.mean()) ** 2).sum())
    print(json.dumps({"rmse": (sse / len(yte)) ** 0.5, "r2": 1 - sse / sst,
                      "params": sum(p.numel() for p in net.parameters()), "seconds": secs}))


if __name__ == "__main__":
    main()
