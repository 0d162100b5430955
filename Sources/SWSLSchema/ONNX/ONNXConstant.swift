import SWSLCore

/// A tensor the graph holds as an initializer or a `Constant` node, under the value name it has there.
struct ONNXConstant {
    let source: String
    let tensor: Tensor
}
