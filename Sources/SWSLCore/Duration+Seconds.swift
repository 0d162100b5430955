extension Duration {
    /// The duration in seconds, as a Double (for timings and reports).
    public var inSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
