import SWSLCore
@testable import SWSLCheckpoint

/// Edits of ONNX checkpoints for error tests: a node inserted, an attribute changed.
extension Checkpoint {
    /// The graph with `nodes`, `inputs` or `outputs` replaced (each kept when nil).
    func replacing(nodes: [ONNXNode]? = nil, inputs: [ONNXValueInfo]? = nil, outputs: [ONNXValueInfo]? = nil) -> Checkpoint {
        var copy = self
        let g = graph!
        copy.graph = ONNXGraph(nodes: nodes ?? g.nodes, inputs: inputs ?? g.inputs, outputs: outputs ?? g.outputs,
                               initializerNames: g.initializerNames, opsetImports: g.opsetImports, irVersion: g.irVersion,
                               producerName: g.producerName, producerVersion: g.producerVersion, metadata: g.metadata)
        return copy
    }

    /// The graph input named `name` with dims `dims`.
    func settingInput(_ name: String, dims: [ONNXDim]) -> Checkpoint {
        replacing(inputs: graph!.inputs.map { v in v.name == name ? ONNXValueInfo(name: v.name, elementType: v.elementType, dims: dims) : v })
    }

    private func replacingNodes(_ nodes: [ONNXNode]) -> Checkpoint { replacing(nodes: nodes) }

    /// The first node of this operator (after skipping `skip` of them).
    func node(_ op: String, skip: Int = 0) -> ONNXNode {
        graph!.nodes.filter { $0.opType == op }[skip]
    }

    /// A node named `name` reading `value`, whose output replaces `value` for every other reader.
    func inserting(_ op: String, named name: String, after value: String, inputs extra: [String] = []) -> Checkpoint {
        let renamed = value + "_" + name
        var nodes = graph!.nodes.map { node in
            ONNXNode(name: node.name, opType: node.opType, domain: node.domain,
                     inputs: node.inputs.map { $0 == value ? renamed : $0 }, outputs: node.outputs, attributes: node.attributes)
        }
        let at = nodes.firstIndex { $0.outputs.contains(value) }.map { $0 + 1 } ?? 0
        nodes.insert(ONNXNode(name: name, opType: op, domain: "", inputs: [value] + extra, outputs: [renamed], attributes: []), at: at)
        return replacingNodes(nodes)
    }

    /// A node reading only `inputs`, whose output nobody reads.
    func adding(_ op: String, named name: String, inputs: [String]) -> Checkpoint {
        replacingNodes(graph!.nodes + [ONNXNode(name: name, opType: op, domain: "", inputs: inputs, outputs: [name + "_out"],
                                                attributes: [])])
    }

    /// The index of the first node of this operator (after skipping `skip` of them).
    func index(of op: String, skip: Int = 0) -> Int {
        graph!.nodes.indices.filter { graph!.nodes[$0].opType == op }[skip]
    }

    /// Node `at` with attribute `key` set to `value` (for graphs whose nodes have no names).
    func setting(_ key: String, _ value: ONNXAttribute, onNodeAt at: Int) -> Checkpoint {
        var nodes = graph!.nodes
        let node = nodes[at]
        nodes[at] = ONNXNode(name: node.name, opType: node.opType, domain: node.domain, inputs: node.inputs,
                             outputs: node.outputs, attributes: node.attributes.filter { $0.0 != key } + [(key, value)])
        return replacingNodes(nodes)
    }

    /// A `Constant` node holding `value` first in the graph, and node `name` reading `inputs`.
    func withConstant(_ value: Tensor, named constant: String, feeding name: String, inputs: [String]) -> Checkpoint {
        var nodes = graph!.nodes.map { node in
            node.name != name ? node : ONNXNode(name: node.name, opType: node.opType, domain: node.domain, inputs: inputs,
                                               outputs: node.outputs, attributes: node.attributes)
        }
        nodes.insert(ONNXNode(name: constant, opType: "Constant", domain: "", inputs: [], outputs: [constant],
                              attributes: [("value", .tensor(value))]), at: 0)
        return replacingNodes(nodes)
    }

    /// Node `name` reading `inputs` instead of its own.
    func replacing(_ name: String, inputs: [String]) -> Checkpoint {
        replacingNodes(graph!.nodes.map { node in
            guard node.name == name else { return node }
            return ONNXNode(name: node.name, opType: node.opType, domain: node.domain, inputs: inputs, outputs: node.outputs,
                            attributes: node.attributes)
        })
    }

    /// Node `name` with attribute `key` set to `value`.
    func setting(_ key: String, _ value: ONNXAttribute, onNode name: String) -> Checkpoint {
        replacingNodes(graph!.nodes.map { node in
            guard node.name == name else { return node }
            return ONNXNode(name: node.name, opType: node.opType, domain: node.domain, inputs: node.inputs, outputs: node.outputs,
                            attributes: node.attributes.filter { $0.0 != key } + [(key, value)])
        })
    }
}
