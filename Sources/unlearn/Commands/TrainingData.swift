import UnlearnCore
import UnlearnData

/// The training and (optional) test sets a command works on, read and split as the user asked.
struct TrainingData {
  let train: Dataset
  let test: Dataset?
  /// SHA-256 of the file(s) the training data came from.
  let fileSHA256: [String]

  /// Reads `data`; the test set is `test` (classes aligned to the training data), or a stratified
  /// `testFraction` of `data` split with `seed`, or none.
  static func load(
    data: String, test: String?, testFraction: Double?, seed: UInt64, options: DatasetOptions
  ) throws -> TrainingData {
    let source = try options.file(data, labelsPath: options.labels)
    let full = try source.load()
    let fileSHA256 = try source.files.map { try FileDigest.sha256(ofFileAt: $0) }
    if let test {
      let testSet = try options.file(test).load().aligningClasses(to: full.classNames)
      guard testSet.featureCount == full.featureCount else {
        throw DataError.featureCountMismatch(test, expected: full.featureCount, found: testSet.featureCount)
      }
      try full.checkTrainable()
      return TrainingData(train: full, test: testSet, fileSHA256: fileSHA256)
    }
    if let testFraction {
      var generator = SeededGenerator(seed: seed)
      try full.checkTrainable()
      let (train, held) = full.stratifiedSplit(testFraction: testFraction, using: &generator)
      try train.checkTrainable()
      return TrainingData(train: train, test: held, fileSHA256: fileSHA256)
    }
    try full.checkTrainable()
    return TrainingData(train: full, test: nil, fileSHA256: fileSHA256)
  }
}
