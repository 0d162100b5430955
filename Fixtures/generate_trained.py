"""Trains the trained fixture: a small ResNet on scikit-learn's digits, and writes its goldens.

    /work/venv/bin/python Fixtures/generate_trained.py     # ~30 s on 2 cores; torch and scikit-learn only

Random weights hide quantization problems (dead channels, tiny BatchNorm gammas, skewed activations
are what trained weights have), so int8 is held to the task accuracy of a trained model on a held-out
split. The network has torchvision's names and topology (BasicBlock ResNet, layers (1, 1, 1, 1),
widths (8, 16, 32, 64), stem 8, 1 input channel, 10 classes), built here in plain torch so that
neither torchvision nor timm is needed.

models/digits_resnet.trained.pth      torch.save(state_dict), zip format, after 30 epochs of Adam
golden/digits_test_x.npy              float32 [540, 1, 32, 32]: the held-out split (30%, stratified,
                                      seed 0), 8x8 digits / 16, bilinear to 32x32, (x - 0.5) / 0.5
golden/digits_test_labels.npy         float32 [540]: their labels
golden/digits_torch_logits.npy        float32 [540, 10]: PyTorch's logits for them (eval mode)
golden/digits_calibration_x.npy       float32 [64, 1, 32, 32]: the first 64 training images, for
                                      `convert --calibrate`
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

HERE = Path(__file__).resolve().parent


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class Bottleneck(nn.Module):
    def __init__(self, cin: int, planes: int, stride: int):
        super().__init__()
        cout = planes * 4
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class TinyResNet(nn.Module):
    def __init__(self, widths=(8, 16, 32, 64), layers=(1, 1, 1, 1), stem=8, bottleneck=False, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, stem, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        cin = stem
        block = Bottleneck if bottleneck else BasicBlock
        for i, w in enumerate(widths):
            blocks = []
            for j in range(layers[i]):
                blocks.append(block(cin, w, 2 if i > 0 and j == 0 else 1))
                cin = w * 4 if bottleneck else w
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        for i in range(4):
            x = getattr(self, f"layer{i + 1}")(x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def images(x: np.ndarray) -> torch.Tensor:
    t = torch.from_numpy(x.reshape(-1, 1, 8, 8).astype(np.float32) / 16)
    t = F.interpolate(t, size=(32, 32), mode="bilinear", align_corners=False)
    return (t - 0.5) / 0.5


def train_model(model: nn.Module, train: torch.Tensor, labels: torch.Tensor, weight_decay: float) -> None:
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=weight_decay)
    for epoch in range(30):
        model.train()
        order = torch.randperm(len(train))
        for start in range(0, len(train), 64):
            batch = order[start:start + 64]
            optimiser.zero_grad()
            loss = F.cross_entropy(model(train[batch]), labels[batch])
            loss.backward()
            optimiser.step()
    model.eval()


def main() -> None:
    torch.set_num_threads(2)
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.data, digits.target, test_size=0.3, stratify=digits.target, random_state=0)
    train, test = images(x_train), images(x_test)
    labels = torch.from_numpy(y_train).long()
    golden = HERE / "golden"
    # The second model: Bottleneck blocks (ResNet-50's), two blocks in the first stage (an identity
    # shortcut), a wider stem, no weight decay (larger weights and activation outliers).
    models = [("digits_resnet", "digits_torch_logits", dict(), 1e-4),
              ("digits_bottleneck", "digits_bottleneck_torch_logits",
               dict(layers=(2, 1, 1, 1), stem=16, bottleneck=True), 0.0)]
    for name, golden_name, shape, weight_decay in models:
        torch.manual_seed(0)
        model = TinyResNet(**shape)
        train_model(model, train, labels, weight_decay)
        with torch.no_grad():
            logits = model(test)
        accuracy = (logits.argmax(1).numpy() == y_test).mean()
        print(f"{name}: held-out accuracy {accuracy * 100:.2f}% on {len(y_test)} images")
        torch.save(model.state_dict(), HERE / "models" / f"{name}.trained.pth")
        np.save(golden / f"{golden_name}.npy", logits.numpy().astype("<f4"))
    np.save(golden / "digits_test_x.npy", test.numpy().astype("<f4"))
    np.save(golden / "digits_test_labels.npy", y_test.astype("<f4"))
    np.save(golden / "digits_calibration_x.npy", train[:64].numpy().astype("<f4"))


if __name__ == "__main__":
    main()
