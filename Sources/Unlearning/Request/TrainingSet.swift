import UnlearnData

/// The training samples a state still holds, where they came from, and which were forgotten.
///
/// Strategies that retrain need the remaining samples; forgotten samples leave `data` entirely
/// (their rows are dropped, not masked), so nothing of them survives in a persisted state except
/// the salted hash of their id in the ledger.
public struct TrainingSet: Sendable, Equatable {
  /// The remaining samples, raw (unscaled) features, in their original order.
  public private(set) var data: Dataset
  /// SHA-256 of the file(s) the samples were read from.
  public let sourceSHA256: [String]
  public private(set) var forgotten: ForgottenSampleLedger

  public init(data: Dataset, sourceSHA256: [String], ledger: ForgottenSampleLedger = ForgottenSampleLedger()) {
    self.data = data
    self.sourceSHA256 = sourceSHA256
    self.forgotten = ledger
  }

  /// Where a request's ids are in `data`.
  public struct Resolution: Sendable, Equatable {
    /// Rows of `data` to forget, ascending.
    public let rows: [Int]
    /// Their ids, in row order.
    public let ids: [SampleID]
    /// Ids of the request that were skipped because they are absent (only with `skipsAbsentIDs`).
    public let skippedCount: Int
  }

  /// Finds the request's samples. Throws `ForgetError` for ids that were never trained on or were
  /// already forgotten (unless the request skips absent ids), and for a request that would leave
  /// no training samples.
  public func resolve(_ request: ForgetRequest) throws -> Resolution {
    let rowOf = Dictionary(uniqueKeysWithValues: data.ids.enumerated().map { ($1, $0) })
    var rows: [Int] = []
    var unknown: [SampleID] = []
    var alreadyForgotten: [SampleID] = []
    for id in request.ids {
      if let row = rowOf[id] {
        rows.append(row)
      } else if forgotten.contains(id) {
        alreadyForgotten.append(id)
      } else {
        unknown.append(id)
      }
    }
    if !request.skipsAbsentIDs {
      if !unknown.isEmpty { throw ForgetError.unknownIDs(unknown) }
      if !alreadyForgotten.isEmpty { throw ForgetError.alreadyForgotten(alreadyForgotten) }
    }
    if rows.count == data.count { throw ForgetError.wouldEmptyTrainingSet(remaining: data.count) }
    rows.sort()
    return Resolution(
      rows: rows, ids: rows.map { data.ids[$0] }, skippedCount: unknown.count + alreadyForgotten.count)
  }

  /// The rows of `data` that remain after forgetting `resolution`, ascending.
  public func remainingRows(after resolution: Resolution) -> [Int] {
    var keep = [Bool](repeating: true, count: data.count)
    for row in resolution.rows { keep[row] = false }
    return keep.indices.filter { keep[$0] }
  }

  /// Drops the resolved samples and records their ids in the ledger.
  public mutating func remove(_ resolution: Resolution) {
    data = data.subset(rows: remainingRows(after: resolution))
    forgotten.record(resolution.ids)
  }
}

extension StateArchive {
  /// Stores a training set as `name` (the dataset) and `name.ledger`.
  public mutating func setTrainingSet(_ name: String, _ set: TrainingSet) throws {
    try setDataset(name, set.data)
    try setJSON(name + ".provenance", TrainingSetProvenance(sourceSHA256: set.sourceSHA256, forgotten: set.forgotten))
  }

  public func trainingSet(_ name: String, path: String) throws -> TrainingSet {
    let provenance = try json(TrainingSetProvenance.self, name + ".provenance", path: path)
    return TrainingSet(
      data: try dataset(name, path: path), sourceSHA256: provenance.sourceSHA256, ledger: provenance.forgotten)
  }
}

struct TrainingSetProvenance: Codable {
  var sourceSHA256: [String]
  var forgotten: ForgottenSampleLedger
}
