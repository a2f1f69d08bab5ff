import UnlearnCore

/// The samples `RepresentativeSelection` has kept, in panels of eight: panel g holds kept rows
/// 8g…8g+7 interleaved by feature (entry 8j + lane is feature j of row 8g + lane), so one SIMD8
/// load reads feature j of eight kept rows, and a pass over a panel sums eight similarities with
/// eight independent accumulators where one row at a time waits on a single chain of additions.
/// Unused lanes of the last panel hold zeros and are never read back.
struct KeptPanels {
  static let width = 8

  let featureCount: Int
  private(set) var count = 0
  private var storage: [Double] = []

  init(featureCount: Int) {
    self.featureCount = featureCount
  }

  /// Appends row `row` of `features` as the next kept row.
  mutating func append(row: Int, of features: Matrix) {
    let lane = count % Self.width
    if lane == 0 { storage += [Double](repeating: 0, count: Self.width * featureCount) }
    let base = (count / Self.width) * Self.width * featureCount
    for j in 0..<featureCount { storage[base + j * Self.width + lane] = features[row, j] }
    count += 1
  }

  /// Whether some kept row k, in order, has dot ≥ threshold·√(keptNorm·norm) with
  ///
  ///     dot = Σ_j (w_j·(x_kj − μ_j))·c_j,   keptNorm = Σ_j (w_j·(x_kj − μ_j))·(x_kj − μ_j)
  ///
  /// summed over j in order, and keptNorm > 0: the rule of `RepresentativeSelection` with the
  /// candidate's centred features c (`candidate`), its weighted squared norm `norm`, the kept
  /// samples' mean μ and the weights w = 1/σ².
  func coversCandidate(
    _ candidate: [Double], norm: Double, threshold: Double, mean: [Double], weights: [Double]
  ) -> Bool {
    let d = featureCount
    return storage.withUnsafeBufferPointer { panels in
      candidate.withUnsafeBufferPointer { c in
        mean.withUnsafeBufferPointer { mu in
          weights.withUnsafeBufferPointer { w in
            var first = 0
            while first < count {
              let panel = UnsafeRawPointer(panels.baseAddress! + first * d)
              var dot = SIMD8<Double>(repeating: 0)
              var keptNorm = SIMD8<Double>(repeating: 0)
              for j in 0..<d {
                let x = panel.loadUnaligned(
                  fromByteOffset: j * Self.width * MemoryLayout<Double>.stride, as: SIMD8<Double>.self)
                let centred = x - SIMD8(repeating: mu[j])
                let weighted = SIMD8(repeating: w[j]) * centred
                dot += weighted * SIMD8(repeating: c[j])
                keptNorm += weighted * centred
              }
              for lane in 0..<min(Self.width, count - first)
              where keptNorm[lane] > 0 && dot[lane] >= threshold * (keptNorm[lane] * norm).squareRoot() {
                return true
              }
              first += Self.width
            }
            return false
          }
        }
      }
    }
  }
}
