import UnlearnCore

/// ARCANE's representative-data selection (Yan et al., IJCAI 2022, "representative data
/// selection"): inside a class, drop samples that repeat what an earlier one already shows.
///
/// Rule — a sequential leader cover on standardized features: walk the class's samples in
/// training order. The first `floor` samples are always kept. After them, a sample is skipped when
/// the cosine similarity of its standardized features to some kept sample's is ≥ `threshold`,
/// where standardizing uses the mean μ and standard deviation σ of the samples kept so far
///
///     similarity(x, k) = cos(z(x), z(k)),   z(v)_j = (v_j − μ_j) / σ_j   (features with σ_j = 0 dropped).
///
/// Why this rule:
/// - A sample's fate depends only on its position and on the samples kept before it, never on a
///   skipped one: so deleting a skipped sample leaves the selection exactly as a fresh selection on
///   the remaining samples would be — it costs no retraining, only the refresh that proves it —
///   and deleting a kept sample can change the selection only after its own position.
/// - Invariant to a common offset and to each feature's scale: on raw vectors, features sharing a
///   large positive offset (pixel intensities of 80–130) make every pair ≥ 0.95 similar, and one
///   feature on a large scale decides every similarity; a class then kept a handful of samples.
/// - The floor keeps every class trainable whatever the data: min(`floor`, class size) samples.
///
/// ARCANE orders samples by deletion likelihood (least likely first), so likely deletions are
/// skipped more often and fall in late blocks. `threshold` ≥ 1 keeps every sample that is not a
/// positive multiple of a kept one in standardized coordinates.
///
/// States written before this rule (no floor in their settings) keep the rule they were trained
/// with, cosine similarity of raw feature vectors, so their blocks and checkpoints still match.
struct RepresentativeSelection: Sendable, Equatable {
  var threshold: Double
  /// Samples of a class always kept, the first ones in training order; nil selects the rule of
  /// states written before it (raw cosine, no floor).
  var floor: Int? = Self.defaultFloor

  static let defaultFloor = 50

  /// Which of `rows` (rows of `features`, in training order) are kept.
  ///
  /// Each candidate is compared with every kept sample, so a class costs O(n·kept·d): the kept rows
  /// sit in `KeptPanels`, eight to a panel, and one pass computes eight similarities at once, each
  /// lane summing its own row over the features in order — the same sums, to the bit, as one row
  /// at a time (`referenceKept`, which the tests compare it with).
  func kept(_ rows: [Int], of features: Matrix) -> [Bool] {
    select(rows, of: features, panelled: true)
  }

  /// `kept` comparing one kept row at a time: the definition the panels must reproduce exactly.
  func referenceKept(_ rows: [Int], of features: Matrix) -> [Bool] {
    select(rows, of: features, panelled: false)
  }

  private func select(_ rows: [Int], of features: Matrix, panelled: Bool) -> [Bool] {
    guard let floor else { return rawCosineKept(rows, of: features) }
    let d = features.columns
    var result = [Bool](repeating: false, count: rows.count)
    var keptRows: [Int] = []
    var panels = panelled ? KeptPanels(featureCount: d) : nil
    // Running mean and sum of squared deviations (Welford) of the kept samples.
    var mean = [Double](repeating: 0, count: d)
    var squares = [Double](repeating: 0, count: d)
    var weights = [Double](repeating: 0, count: d)
    var candidate = [Double](repeating: 0, count: d)
    func keep(_ position: Int, _ row: Int) {
      result[position] = true
      keptRows.append(row)
      panels?.append(row: row, of: features)
      let count = Double(keptRows.count)
      for j in 0..<d {
        let value = features[row, j]
        let delta = value - mean[j]
        mean[j] += delta / count
        squares[j] += delta * (value - mean[j])
      }
    }
    // The rule for one kept row, as `KeptPanels.coversCandidate` states it.
    func covers(_ keptRow: Int, norm: Double) -> Bool {
      var dot = 0.0
      var keptNorm = 0.0
      for j in 0..<d {
        let centred = features[keptRow, j] - mean[j]
        dot += weights[j] * centred * candidate[j]
        keptNorm += weights[j] * centred * centred
      }
      return keptNorm > 0 && dot >= threshold * (keptNorm * norm).squareRoot()
    }
    for (position, row) in rows.enumerated() {
      if position < floor {
        keep(position, row)
        continue
      }
      // 1/σ_j² with the kept samples' statistics; a feature constant among them carries no direction.
      let count = Double(keptRows.count)
      for j in 0..<d {
        let variance = squares[j] / count
        weights[j] = variance > 1e-24 * (1 + mean[j] * mean[j]) ? 1 / variance : 0
      }
      var candidateNorm = 0.0
      for j in 0..<d {
        candidate[j] = features[row, j] - mean[j]
        candidateNorm += weights[j] * candidate[j] * candidate[j]
      }
      let covered =
        candidateNorm > 0
        && (panels.map {
          $0.coversCandidate(candidate, norm: candidateNorm, threshold: threshold, mean: mean, weights: weights)
        } ?? keptRows.contains { covers($0, norm: candidateNorm) })
      if !covered { keep(position, row) }
    }
    return result
  }

  /// The rule of states written before the standardized one: cosine similarity of raw feature
  /// vectors to every kept sample, no floor; zero vectors are similar to each other only.
  private func rawCosineKept(_ rows: [Int], of features: Matrix) -> [Bool] {
    let d = features.columns
    var directions: [Double] = []
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
      var covered = false
      var start = 0
      while start < directions.count && !covered {
        var similarity = 0.0
        for j in 0..<d { similarity += directions[start + j] * unit[j] }
        covered = similarity >= threshold
        start += d
      }
      if !covered {
        result[position] = true
        directions.append(contentsOf: unit)
      }
    }
    return result
  }
}
