/// Comparisons of logits.
enum Metrics {
    /// Cosine similarity of two vectors, in double.
    static func cosine(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            na += Double(x) * Double(x)
            nb += Double(y) * Double(y)
        }
        return dot / max((na * nb).squareRoot(), .leastNonzeroMagnitude)
    }

    /// Largest |a − b|.
    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    /// Index of the largest element.
    static func argmax(_ a: ArraySlice<Float>) -> Int {
        a.indices.max { a[$0] < a[$1] }! - a.startIndex
    }
}
