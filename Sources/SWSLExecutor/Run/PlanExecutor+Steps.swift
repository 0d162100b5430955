import SWSLFormat

extension PlanExecutor {
    /// Runs one plan step over the whole batch, spread over the pool.
    func execute(_ step: PlanStep, schedule: Schedule, buffers: [AlignedFloats], layerInput: AlignedFloats) {
        func buffer(_ value: Int) -> UnsafeMutablePointer<Float> { buffers[schedule.buffers[value]].base }
        let batch = schedule.batch
        switch step {
        case .conv(let layer, let input, let residual, let output):
            if let observer {
                let count = schedule.shapes[input].count
                for image in 0..<batch { observer(layer.name, UnsafeBufferPointer(start: buffer(input) + image * count, count: count)) }
            }
            convolution(layer, from: schedule.shapes[input], batch: batch, layerInput: layerInput, input: buffer(input),
                        residual: residual.map(buffer), output: buffer(output), values: (input, output))
            if let outputObserver {
                let inputCount = schedule.shapes[input].count * batch
                let clipped = layer.isInteger ? layer.activationMax.map { range in
                    Double(UnsafeBufferPointer(start: buffer(input), count: inputCount).lazy.filter { $0 > range }.count)
                        / Double(max(inputCount, 1))
                } : nil
                outputObserver(PlanExecutor.LayerOutput(
                    layer: layer.name, values: UnsafeBufferPointer(start: buffer(output), count: schedule.shapes[output].count * batch),
                    batch: batch, clippedInputShare: clipped))
            }
        case .linear(let layer, let input, let output):
            if let observer {
                // [features][batch]: each image's features gathered from their stride.
                let features = buffer(input)
                for image in 0..<batch {
                    let own = (0..<layer.inChannels).map { features[$0 * batch + image] }
                    own.withUnsafeBufferPointer { observer(layer.name, $0) }
                }
            }
            // [features][batch] is one "image" of batch positions: a 1×1 convolution.
            let features = Schedule.Shape(channels: layer.inChannels, height: 1, width: batch)
            convolution(layer, from: features, batch: 1, layerInput: layerInput, input: buffer(input), residual: nil, output: buffer(output),
                        values: (input, output))
            if let outputObserver {
                outputObserver(PlanExecutor.LayerOutput(layer: layer.name,
                                                    values: UnsafeBufferPointer(start: buffer(output), count: layer.outChannels * batch),
                                                    batch: batch, clippedInputShare: nil))
            }
        case .maxPool(let kernel, let stride, let padding, let input, let output):
            let (from, to) = (schedule.shapes[input], schedule.shapes[output])
            let (source, target) = (buffer(input), buffer(output))
            perChannel(batch: batch, channels: from.channels) { image, channels in
                Kernels.maxPool(input: source + image * from.count, output: target + image * to.count, from: from,
                                to: to, kernel: kernel, stride: stride, padding: padding, channels: channels)
            }
        case .averagePool(let kernel, let stride, let input, let output):
            let (from, to) = (schedule.shapes[input], schedule.shapes[output])
            let (source, target) = (buffer(input), buffer(output))
            perChannel(batch: batch, channels: from.channels) { image, channels in
                Kernels.averagePool(input: source + image * from.count, output: target + image * to.count,
                                    from: from, to: to, kernel: kernel, stride: stride, channels: channels)
            }
        case .globalAveragePool(let input, let output):
            let from = schedule.shapes[input]
            let (source, target) = (buffer(input), buffer(output))
            perChannel(batch: batch, channels: from.channels) { image, channels in
                Kernels.globalAveragePool(input: source + image * from.count, output: target + image,
                                          plane: from.plane, stride: batch, channels: channels)
            }
        }
    }

    /// One convolution over `batch` images of shape `from`, split into tasks for the pool; `values`
    /// are the plan's numbers of its input and output.
    private func convolution(_ layer: ConvLayer, from: Schedule.Shape, batch: Int, layerInput: AlignedFloats,
                             input: UnsafeMutablePointer<Float>,
                             residual: UnsafeMutablePointer<Float>?, output: UnsafeMutablePointer<Float>,
                             values: (input: Int, output: Int)) {
        let descriptor = layer.descriptor(height: from.height, width: from.width, kernels: kernels)
        let out = layer.outputSize(height: from.height, width: from.width)
        let outCount = layer.outChannels * out.height * out.width
        let tasks = ConvTask.split(
            batch: batch, groups: layer.groups, rowsPerGroup: layer.rowsPerGroup, columns: out.height * out.width,
            threads: threads, panelRows: Kernels.panelRows(integer: layer.isInteger),
            panelColumns: Kernels.tileColumns(kernels, integer: layer.isInteger),
            cost: Kernels.splitCost(descriptor))
        let workspaces = self.workspaces
        // Each image's input prepared once where the path needs it (quantized quads for integer
        // arithmetic, then on small planes their packed panels; a zero-bordered copy for the direct float
        // kernels), stage after stage; threads share out each stage's pieces.
        let perImage = Kernels.preparedBytes(descriptor)
        let prepared = perImage > 0 ? UnsafeMutableRawPointer(layerInput.base) : nil
        var scales: [Float] = [], biases: [[Float]] = []
        if let prepared {
            var zeroPoints = [Int](repeating: 0, count: batch)
            if layer.isInteger {
                if layer.signedInput {
                    (scales, zeroPoints, biases) = signedInputQuantization(layer, input: input, count: from.count, batch: batch)
                } else {
                    scales = inputScales(layer, input: input, count: from.count, batch: batch, known: valueMaxima[values.input])
                }
            }
            let steps = scales
            for stage in 0..<Kernels.prepareStages(descriptor) {
                let pieces = Kernels.preparePieces(descriptor, stage: stage)
                let parts = max(1, min(pieces, 4 * ((threads + batch - 1) / batch)))
                let ranges = ConvTask.even(pieces, parts)
                pool.parallelFor(batch * parts) { index, _ in
                    let image = index / parts
                    Kernels.prepare(descriptor, stage: stage, input: input + image * from.count,
                                    prepared: prepared + image * perImage, inverse: steps.isEmpty ? 0 : 1 / steps[image],
                                    zeroPoint: zeroPoints[image], pieces: ranges[index % parts])
                }
            }
        }
        let taskMaxima = UnsafeMutableBufferPointer<Float>.allocate(capacity: tasks.count)
        defer { taskMaxima.deallocate() }
        let biasPointers = biases.map { bias in
            let copy = UnsafeMutablePointer<Float>.allocate(capacity: bias.count)
            copy.initialize(from: bias, count: bias.count)
            return copy
        }
        defer { biasPointers.forEach { $0.deallocate() } }
        let steps = scales
        pool.parallelFor(tasks.count) { index, worker in
            let task = tasks[index]
            var descriptor = descriptor
            if !steps.isEmpty { descriptor.input_scale = steps[task.image] }
            if !biasPointers.isEmpty { descriptor.post_bias = UnsafePointer(biasPointers[task.image]) }
            taskMaxima[index] = Kernels.execute(descriptor, input: input + task.image * from.count,
                                                prepared: prepared.map { UnsafeRawPointer($0 + task.image * perImage) },
                                                residual: residual.map { UnsafePointer($0 + task.image * outCount) },
                                                output: output + task.image * outCount, task: task,
                                                workspace: workspaces[worker].base)
        }
        // Integer convolutions report what they wrote: the next layer's range without another pass.
        guard layer.isInteger else { return }
        var maxima = [Float](repeating: -.infinity, count: batch)
        for (index, task) in tasks.enumerated() { maxima[task.image] = max(maxima[task.image], taskMaxima[index]) }
        valueMaxima[values.output] = maxima
    }

    /// Quantization steps of an integer layer's input, one per image: the calibrated range, or the
    /// image's own maximum (inputs are non-negative; `known` when the producing layer tracked it, else
    /// measured here), over the activation levels.
    private func inputScales(_ layer: ConvLayer, input: UnsafeMutablePointer<Float>, count: Int, batch: Int,
                             known: [Float]?) -> [Float] {
        let levels = Float(layer.activationLevels)
        if let range = layer.activationMax { return [Float](repeating: range / levels, count: batch) }
        if let known, known.count == batch {
            return known.map { peak in peak > 0 && peak.isFinite ? peak / levels : 1 }
        }
        let pieces = max(1, min(count / 4096, (threads + batch - 1) / batch))
        let ranges = ConvTask.even(count, pieces)
        let maxima = UnsafeMutableBufferPointer<Float>.allocate(capacity: batch * pieces)
        defer { maxima.deallocate() }
        pool.parallelFor(batch * pieces) { index, _ in
            let range = ranges[index % pieces]
            maxima[index] = Kernels.maxValue(input + (index / pieces) * count + range.lowerBound, count: range.count)
        }
        return (0..<batch).map { image in
            let peak = maxima[image * pieces..<(image + 1) * pieces].max() ?? 0
            return peak > 0 && peak.isFinite ? peak / levels : 1
        }
    }

    /// Quantization of a signed input (the first stem convolution's), per image: the step and zero
    /// point that map the image's own range (widened to hold 0.0) onto the activation levels, and the
    /// post-bias with the zero point's contribution taken out, `bias − scale × step × zero × Σ weights`.
    private func signedInputQuantization(_ layer: ConvLayer, input: UnsafeMutablePointer<Float>, count: Int,
                                         batch: Int) -> ([Float], [Int], [[Float]]) {
        let levels = Float(layer.activationLevels)
        var scales: [Float] = [], zeros: [Int] = [], biases: [[Float]] = []
        let out = layer.outChannels
        let weightScale = layer.scale.map { Array(UnsafeBufferPointer(start: $0.base, count: out)) } ?? [Float](repeating: 1, count: out)
        let bias = layer.postBias.map { Array(UnsafeBufferPointer(start: $0.base, count: out)) } ?? [Float](repeating: 0, count: out)
        let sums = layer.quadWeights?.rowSums ?? []
        for image in 0..<batch {
            let (low, high) = Kernels.minMax(input + image * count, count: count)
            let lo = min(low.isFinite ? low : 0, 0), hi = max(high.isFinite ? high : 0, 0)
            let step = hi > lo ? (hi - lo) / levels : 1
            let zero = Int((-lo / step).rounded(.toNearestOrEven)).clamped(0, Int(levels))
            biases.append((0..<out).map { m in
                Float(Double(bias[m]) - Double(weightScale[m]) * Double(step) * Double(zero) * Double(sums[m]))
            })
            scales.append(step)
            zeros.append(zero)
        }
        return (scales, zeros, biases)
    }

    /// Runs `body(image, channels)` over every image, cutting channels so every thread has work.
    private func perChannel(batch: Int, channels: Int, _ body: (Int, Range<Int>) -> Void) {
        let pieces = max(1, min(channels, (threads + batch - 1) / batch))
        let ranges = ConvTask.even(channels, pieces)
        pool.parallelFor(batch * pieces) { index, _ in
            body(index / pieces, ranges[index % pieces])
        }
    }
}

extension Int {
    /// `self` limited to `low...high`.
    func clamped(_ low: Int, _ high: Int) -> Int { Swift.min(Swift.max(self, low), high) }
}
