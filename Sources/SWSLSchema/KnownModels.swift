import SWSLNetwork
/// The published ResNet family members, by the names torchvision and timm give them. A checkpoint
/// gets a name when its topology matches: the class count is not part of the match, so a
/// ResNet-50 fine-tuned to 10 classes is still `resnet50`.
enum KnownModels {
    /// Every known topology (with 1000 classes), by name.
    static let all: [ResNetArchitecture] = {
        let depths: [(Int, ResNetArchitecture.Block, [Int])] = [
            (18, .basic, [2, 2, 2, 2]), (26, .bottleneck, [2, 2, 2, 2]), (34, .basic, [3, 4, 6, 3]),
            (50, .bottleneck, [3, 4, 6, 3]), (101, .bottleneck, [3, 4, 23, 3]),
            (152, .bottleneck, [3, 8, 36, 3]), (200, .bottleneck, [3, 24, 36, 3]),
        ]
        func layers(_ depth: Int) -> [Int] { depths.first { $0.0 == depth }!.2 }
        var all: [ResNetArchitecture] = []
        for (depth, block, layers) in depths {
            all.append(reference("resnet\(depth)", block, layers))
            all.append(reference("resnet\(depth)d", block, layers, stem: .deep, avgDown: true))
        }
        for depth in [50, 101, 152] {
            all.append(reference("resnet\(depth)c", .bottleneck, layers(depth), stem: .deep))
        }
        for (depth, groups, width) in [(50, 32, 4), (101, 32, 4), (101, 32, 8), (101, 32, 16), (101, 32, 32), (101, 64, 4)] {
            all.append(reference("resnext\(depth)_\(groups)x\(width)d", .bottleneck, layers(depth),
                                 groups: groups, widthPerGroup: width))
        }
        for depth in [50, 101] {
            all.append(reference("wide_resnet\(depth)_2", .bottleneck, layers(depth), widthPerGroup: 128))
        }
        // timm's tiered-stem ResNet-Ds.
        for (name, block, layers) in [("resnet10t", ResNetArchitecture.Block.basic, [1, 1, 1, 1]),
                                      ("resnet14t", .bottleneck, [1, 1, 1, 1]), ("resnet26t", .bottleneck, [2, 2, 2, 2]),
                                      ("resnet50t", .bottleneck, [3, 4, 6, 3])] {
            all.append(reference(name, block, layers, stem: .tiered, avgDown: true))
        }
        return all
    }()

    /// The name of the known model with this topology, nil when there is none.
    static func name(for architecture: ResNetArchitecture) -> String? {
        var probe = architecture
        probe.name = nil
        probe.numClasses = 1000
        return all.first { var known = $0; known.name = nil; return known == probe }?.name
    }

    /// torchvision's widths (64, 128, 256, 512 planes) and stem (64 channels, or timm's 32-channel
    /// deep stem for the `c` and `d` variants, the `d` ones with average-pool shortcuts).
    private static func reference(_ name: String, _ block: ResNetArchitecture.Block, _ layers: [Int],
                                  stem: ResNetArchitecture.StemType = .single, avgDown: Bool = false, groups: Int = 1,
                                  widthPerGroup: Int = 64) -> ResNetArchitecture {
        let expansion = block == .bottleneck ? 4 : 1
        return ResNetArchitecture(
            name: name, block: block, layers: layers, widths: [64, 128, 256, 512].map { $0 * expansion },
            stemWidth: stem == .single ? 64 : 32, stemType: stem, groups: groups, widthPerGroup: widthPerGroup,
            avgDown: avgDown, numClasses: 1000)
    }
}
