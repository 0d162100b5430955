#!/usr/bin/env python3
"""Writes Sources/SWSLFormat/ImageNetClasses.swift from torchvision's category list.

Run with the fixture venv: /work/venv/bin/python scripts/imagenet-classes.py
The list is read from torchvision/models/_meta.py as data (no torchvision import needed).
"""
import ast, importlib.util, json, os

spec = importlib.util.find_spec("torchvision")
meta = os.path.join(os.path.dirname(spec.origin), "models", "_meta.py")
tree = ast.parse(open(meta).read())
names = next(ast.literal_eval(node.value) for node in tree.body
             if isinstance(node, ast.Assign) and node.targets[0].id == "_IMAGENET_CATEGORIES")
assert len(names) == 1000
out = ["/// The 1000 ImageNet class names in index order, as torchvision ships them",
       "/// (`torchvision.models._meta._IMAGENET_CATEGORIES`, torchvision 0.28). Generated; do not edit.",
       "public enum ImageNetClasses {",
       "    public static let names: [String] = ["]
out += ["        " + json.dumps(n, ensure_ascii=False) + "," for n in names]
out += ["    ]", "}"]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
open(os.path.join(root, "Sources/SWSLFormat/ImageNetClasses.swift"), "w").write("\n".join(out) + "\n")
