// swift-tools-version: 6.0
// An application that embeds the .swm runtime: depends on the SWMRuntime library alone (no converter).
//   swift run --package-path Examples/Classify classify MODEL.swm IMAGE
import PackageDescription

let package = Package(
    name: "Classify",
    dependencies: [.package(name: "swsl-convert", path: "../..")],
    targets: [
        .executableTarget(name: "classify", dependencies: [.product(name: "SWMRuntime", package: "swsl-convert")]),
    ]
)
