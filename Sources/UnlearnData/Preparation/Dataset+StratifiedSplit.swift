import UnlearnCore

extension Dataset {
  /// A seeded train/test split that keeps each class's share in both parts.
  ///
  /// For each class c with n_c samples (in class order), its rows are shuffled by Fisher–Yates
  /// with `generator` and the first t_c = round(n_c · testFraction) go to the test part, clamped so
  /// that a class with at least two samples has at least one on each side and a single-sample class
  /// stays in training. Both parts keep the file's row order. The same seed gives the same split.
  public func stratifiedSplit(
    testFraction: Double, using generator: inout some RandomNumberGenerator
  ) -> (train: Dataset, test: Dataset) {
    precondition(testFraction > 0 && testFraction < 1, "testFraction must be in (0, 1), got \(testFraction)")
    var rowsByClass = [[Int]](repeating: [], count: classCount)
    for (row, label) in labels.enumerated() { rowsByClass[label].append(row) }
    var trainRows: [Int] = []
    var testRows: [Int] = []
    for var rows in rowsByClass where !rows.isEmpty {
      rows.fisherYatesShuffle(using: &generator)
      let wanted = Int((Double(rows.count) * testFraction).rounded())
      let testCount = rows.count < 2 ? 0 : min(max(wanted, 1), rows.count - 1)
      testRows += rows[..<testCount]
      trainRows += rows[testCount...]
    }
    return (subset(rows: trainRows.sorted()), subset(rows: testRows.sorted()))
  }
}
