import UnlearnCore

/// ARCANE's representative-data selection (Yan et al., IJCAI 2022, "representative data
/// selection"): inside a class, drop samples that repeat what an earlier one already shows.
///
/// Criterion — a sequential leader cover by direction: walk the class's samples in training
/// order; keep a sample unless the cosine similarity of its raw feature vector to a kept sample
/// is ≥ `threshold`. Zero vectors count as similar to each other only.
///
/// Why this rule: a sample's fate depends only on the samples kept before it, never on a skipped
/// one. So deleting a skipped sample leaves the selection exactly as a fresh selection on the
/// remaining samples would be — it costs no retraining, only the refresh that proves it — and
/// deleting a kept sample can change the selection only after its own position. ARCANE orders
/// samples by deletion likelihood (least likely first), so likely deletions are skipped more
/// often and fall in late blocks. `threshold` ≥ 1 keeps every sample that is not an exact
/// multiple of a kept one.
struct RepresentativeSelection: Sendable, Equatable {
  var threshold: Double

  /// Which of `rows` (rows of `features`, in training order) are kept.
  func kept(_ rows: [Int], of features: Matrix) -> [Bool] {
    let d = features.columns
    var directions: [Double] = []
    directions.reserveCapacity(rows.count * d)
    var keptZero = false
    var result = [Bool](repeating: false, count: rows.count)
    var unit = [Double](repeating: 0, count: d)
    for (position, row) in rows.enumerated() {
      var squaredNorm = 0.0
      for j in 0..<d {
        unit[j] = features[row, j]
        squaredNorm += unit[j] * unit[j]
      }
      if squaredNorm == 0 {
        result[position] = !keptZero
        keptZero = true
        continue
      }
      let scale = 1 / squaredNorm.squareRoot()
      for j in 0..<d { unit[j] *= scale }
      let covered = directions.withUnsafeBufferPointer { kept in
        unit.withUnsafeBufferPointer { candidate in
          var start = 0
          while start < kept.count {
            var similarity = 0.0
            for j in 0..<d { similarity += kept[start + j] * candidate[j] }
            if similarity >= threshold { return true }
            start += d
          }
          return false
        }
      }
      if !covered {
        result[position] = true
        directions.append(contentsOf: unit)
      }
    }
    return result
  }
}
