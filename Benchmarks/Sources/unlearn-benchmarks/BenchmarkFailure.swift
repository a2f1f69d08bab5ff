/// A benchmark whose run broke what it measures (it exits non-zero with this message).
struct BenchmarkFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
