#!/usr/bin/env python3
"""Issue 24's fixtures: ResNet variants whose files say what they are, written by timm itself.

    /work/venv/bin/python Fixtures/generate_variants.py        (~5 s; after generate.py, whose helpers it uses)

Tiny timm ``ResNet``s (Bottleneck, layers (1, 1, 1, 1), channels (4, 6, 8, 12), stem width 4, 10 classes
unless said), BatchNorm statistics randomised as generate.py does, in ``models/variants/``:

* ``aa.state_dict.pth``: anti-aliased downsampling (``aa_layer=nn.AvgPool2d``, timm's ``resnetaa*``),
  ``torch.save(state_dict)``: the same names and shapes as the plain model, so a converter can only assume.
  ``aa.whole_module.pth``: the same model, ``torch.save(model)``: the pickle names its AvgPool2d modules.
* ``blur.whole_module.pth``: blur-pool downsampling (``aa_layer=timm.layers.BlurPool2d``, ``resnetblur*``).
* ``dilated.state_dict.pth`` / ``dilated.whole_module.pth``: ``output_stride=8`` (stages 3 and 4 dilated
  instead of strided, as torchvision's ``replace_stride_with_dilation``).
* ``dilated.traced.pt``, ``dilated.scripted.pt``, ``aa.traced.pt``: ``torch.jit.trace`` / ``torch.jit.script``
  archives of the same models (dilation only in their code; the anti-aliased pools as module classes).
* ``hub_resnetaa50/``: timm's ``save_for_hf`` of the anti-aliased model: ``config.json`` names it.
* ``one_logit.state_dict.pth``: the plain tiny model with one output (a binary classifier's head; its
  weights scaled by 40 and bias zeroed, so the output varies with the image as a trained head's does).
* ``tiered.state_dict.pth``: timm's tiered deep stem (``stem_type="deep_tiered"``: widths 3→24→32→64 in
  timm's resnet10t; here 3→3→4→8, avg-down shortcuts).

Goldens in ``golden/variants/``: ``NAME_logits.npy``, PyTorch's eval() logits of each model on
``golden/input_2x3x64x64.npy``; ``plain_logits.npy`` those of the plain model with the same weights (what
a converter that ignores the variant computes), so tests can tell the two apart.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402  (imports torchvision the way this venv needs)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from timm.layers import BlurPool2d  # noqa: E402
from timm.models.resnet import Bottleneck, ResNet  # noqa: E402

OUT = generate.ROOT / "models" / "variants"
GOLDEN = generate.ROOT / "golden" / "variants"
X = torch.from_numpy(np.load(generate.GOLDEN / "input_2x3x64x64.npy"))


def tiny(seed: int, num_classes: int = 10, **kwargs) -> nn.Module:
    torch.manual_seed(seed)
    model = ResNet(block=Bottleneck, layers=(1, 1, 1, 1), channels=(4, 6, 8, 12), stem_width=4,
                   stem_type=kwargs.pop("stem_type", "deep"), num_classes=num_classes, **kwargs)
    generate.randomise_and_calibrate(model)
    return model


def logits(model: nn.Module) -> np.ndarray:
    with torch.no_grad():
        return model(X).numpy().astype(np.float32)


def save(name: str, model: nn.Module, whole: bool = False) -> None:
    path = OUT / name
    torch.save(model if whole else model.state_dict(), path)
    # Proof: torch reads back what was written.
    back = torch.load(path, weights_only=False) if whole else torch.load(path, weights_only=True)
    state = back.state_dict() if whole else back
    for key, value in model.state_dict().items():
        assert torch.equal(state[key], value), f"{name}: {key} differs after torch.load"
    print(f"  {path.relative_to(generate.ROOT)}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    GOLDEN.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)

    aa = tiny(2401, aa_layer=nn.AvgPool2d)
    plain = tiny(2401)
    plain.load_state_dict(aa.state_dict())  # same tensors, plain computation
    save("aa.state_dict.pth", aa)
    save("aa.whole_module.pth", aa, whole=True)
    np.save(GOLDEN / "aa_logits.npy", logits(aa))
    np.save(GOLDEN / "plain_logits.npy", logits(plain))
    assert np.abs(logits(aa) - logits(plain)).max() > 1e-2, "the anti-aliased model must compute something else"

    blur = tiny(2402, aa_layer=BlurPool2d)
    save("blur.whole_module.pth", blur, whole=True)
    np.save(GOLDEN / "blur_logits.npy", logits(blur))

    dilated = tiny(2403, output_stride=8)
    save("dilated.state_dict.pth", dilated)
    save("dilated.whole_module.pth", dilated, whole=True)
    # TorchScript: traced (constants in the calls) and scripted (constants declared Final in each class).
    torch.jit.trace(dilated, X).save(str(OUT / "dilated.traced.pt"))
    torch.jit.script(dilated).save(str(OUT / "dilated.scripted.pt"))
    torch.jit.trace(aa, X).save(str(OUT / "aa.traced.pt"))
    for name in ("dilated.traced.pt", "dilated.scripted.pt", "aa.traced.pt"):
        loaded = torch.jit.load(str(OUT / name))
        reference = aa if name.startswith("aa") else dilated
        assert torch.allclose(loaded(X), reference(X)), f"{name} computes what the model does"
        print(f"  models/variants/{name}")
    np.save(GOLDEN / "dilated_logits.npy", logits(dilated))

    from timm.models._hub import save_for_hf
    hub = OUT / "hub_resnetaa50"
    aa.pretrained_cfg = {"architecture": "resnetaa50", "input_size": (3, 64, 64), "interpolation": "bilinear",
                         "crop_pct": 0.875, "mean": (0.485, 0.456, 0.406), "std": (0.229, 0.224, 0.225),
                         "num_classes": 10}
    save_for_hf(aa, str(hub), model_config={"architecture": "resnetaa50"}, safe_serialization=True)
    print(f"  {hub.relative_to(generate.ROOT)}/")

    one = tiny(2404, num_classes=1)
    with torch.no_grad():  # a head whose output varies with the image, as a trained binary classifier's does
        one.fc.weight.mul_(40.0)
        one.fc.bias.zero_()
    save("one_logit.state_dict.pth", one)
    np.save(GOLDEN / "one_logit_logits.npy", logits(one))

    tiered = tiny(2405, stem_type="deep_tiered", avg_down=True)
    save("tiered.state_dict.pth", tiered)
    np.save(GOLDEN / "tiered_logits.npy", logits(tiered))


if __name__ == "__main__":
    main()
