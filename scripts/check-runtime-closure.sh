#!/usr/bin/env bash
# Fails when a converter target or a heavy library enters the closure of the embeddable runtime
# (SWMRuntime, and libswm's SWMCInterface): the checkpoint readers, the schema, the transform, the
# pipeline, ONNX, libzip, protobuf-c or libcrypto. Reads the targets from `swift package describe`.
set -euo pipefail
cd "$(dirname "$0")/.."
swift package describe --type json 2>/dev/null | python3 -c '
import json, sys
targets = {t["name"]: t for t in json.load(sys.stdin)["targets"]}
forbidden = {"SWSLCheckpoint", "SWSLSchema", "SWSLTransform", "SWSLPipeline", "CTransform", "CSampleImages",
             "CONNX", "CLibzip", "CProtobufC", "CLibcrypto", "swsl-convert"}
status = 0
for root in ("SWMRuntime", "SWMCInterface"):
    seen, stack = set(), [root]
    while stack:
        name = stack.pop()
        for dep in targets[name].get("target_dependencies", []):
            if dep not in seen:
                seen.add(dep)
                stack.append(dep)
    heavy = sorted(seen & forbidden)
    below = ", ".join(sorted(seen))
    print(f"{root}: {len(seen)} targets below it: {below}")
    if heavy:
        print(f"FAIL: {root} depends on {heavy}")
        status = 1
sys.exit(status)
'
