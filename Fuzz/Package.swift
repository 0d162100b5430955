// swift-tools-version: 6.0
// libFuzzer targets for every reader. Build and run with Fuzz/run.sh (needs clang's fuzzer runtime,
// which the Swift toolchain ships on Linux). Kept out of the main package so its builds stay plain.
import PackageDescription

let targets = ["FuzzPickle", "FuzzZip", "FuzzTar", "FuzzONNX", "FuzzSafetensors", "FuzzSWM", "FuzzNPY"]

let package = Package(
    name: "swsl-fuzz",
    dependencies: [.package(name: "swsl-convert", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [
            .product(name: "SWSLCheckpoint", package: "swsl-convert"),
            .product(name: "SWSLFormat", package: "swsl-convert"),
            .product(name: "SWSLExecutor", package: "swsl-convert"),
            .product(name: "SWSLPipeline", package: "swsl-convert"),
            .product(name: "SWSLSchema", package: "swsl-convert"),
        ]),
    ] + targets.map { name in
        .executableTarget(name: name, dependencies: ["FuzzSupport"])
    }
)
