import UnlearnData

/// The training samples a state still holds, where they came from, and which were forgotten.
///
/// Strategies that retrain need the remaining samples; forgotten samples leave `data` entirely
/// (their rows are dropped, not masked), so nothing of them survives in a persisted state except
/// the salted hash of their id in the ledger.
///
/// Removal is usually immediate (`remove(_:)` compacts the rows). A strategy whose per-request
/// cost must not include copying the remaining samples (Newton removal serves one deletion in
/// well under a millisecond on small data) can defer it: `remove(_:compacting: false)` marks the
/// rows as removed in `storage` and `compact()` drops them later, all at once. While removals are
/// pending, `data` is still exactly the remaining samples — built on each access, O(n·d) — and
/// `resolve` answers in rows of `storage`.
public struct TrainingSet: Sendable {
  /// The samples as of the last compaction, rows removed since then included.
  public private(set) var storage: Dataset
  /// SHA-256 of the file(s) the samples were read from.
  public let sourceSHA256: [String]
  public private(set) var forgotten: ForgottenSampleLedger
  /// Per row of `storage`, whether it was removed since the last compaction; nil when none was.
  public private(set) var pendingRemovals: [Bool]?
  /// The row of `storage` holding each id (removed rows' ids included until the next compaction).
  private var rowOf: [SampleID: Int]
  private var pendingCount = 0

  public init(data: Dataset, sourceSHA256: [String], ledger: ForgottenSampleLedger = ForgottenSampleLedger()) {
    self.storage = data
    self.sourceSHA256 = sourceSHA256
    self.forgotten = ledger
    self.rowOf = Self.rows(of: data)
  }

  private static func rows(of data: Dataset) -> [SampleID: Int] {
    data.ids.offsets()
  }

  /// The remaining samples, raw (unscaled) features, in their original order. Free when no
  /// removal is pending; otherwise a copy of the remaining rows of `storage`.
  public var data: Dataset {
    pendingCount == 0 ? storage : storage.subset(rows: remainingStorageRows)
  }

  /// The number of remaining samples.
  public var count: Int { storage.count - pendingCount }

  /// The number of removals waiting for `compact()`.
  public var pendingRemovalCount: Int { pendingCount }

  /// Rows of `storage` that remain, ascending (all of them when no removal is pending).
  public var remainingStorageRows: [Int] {
    guard let pendingRemovals else { return Array(0..<storage.count) }
    return pendingRemovals.indices.filter { !pendingRemovals[$0] }
  }

  /// Where a request's ids are in `storage` (in `data` too when no removal is pending).
  public struct Resolution: Sendable, Equatable {
    /// Rows of `storage` to forget, ascending.
    public let rows: [Int]
    /// Their ids, in row order.
    public let ids: [SampleID]
    /// Ids of the request that were skipped because they are absent (only with `skipsAbsentIDs`).
    public let skippedCount: Int
  }

  /// Finds the request's samples. Throws `ForgetError` for ids that were never trained on or were
  /// already forgotten (unless the request skips absent ids), and for a request that would leave
  /// no training samples. O(request size).
  public func resolve(_ request: ForgetRequest) throws -> Resolution {
    var rows: [Int] = []
    var unknown: [SampleID] = []
    var alreadyForgotten: [SampleID] = []
    for id in request.ids {
      if let row = rowOf[id], pendingRemovals?[row] != true {
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
    if rows.count == count { throw ForgetError.wouldEmptyTrainingSet(remaining: count) }
    rows.sort()
    return Resolution(
      rows: rows, ids: rows.map { storage.ids[$0] }, skippedCount: unknown.count + alreadyForgotten.count)
  }

  /// The rows of `storage` that remain after forgetting `resolution`, ascending.
  public func remainingRows(after resolution: Resolution) -> [Int] {
    var keep = pendingRemovals.map { $0.map { !$0 } } ?? [Bool](repeating: true, count: storage.count)
    for row in resolution.rows { keep[row] = false }
    return keep.indices.filter { keep[$0] }
  }

  /// Removes the resolved samples and records their ids in the ledger. With `compacting` (the
  /// default) their rows leave `storage` now; without, they are marked and leave at `compact()`.
  public mutating func remove(_ resolution: Resolution, compacting: Bool = true) {
    forgotten.record(resolution.ids)
    var pending = pendingRemovals ?? [Bool](repeating: false, count: storage.count)
    pendingRemovals = nil  // so `pending` is the only reference and is changed in place
    for row in resolution.rows where !pending[row] {
      pending[row] = true
      pendingCount += 1
    }
    pendingRemovals = pendingCount == 0 ? nil : pending
    if compacting { compact() }
  }

  /// Drops the rows removed since the last compaction from `storage`. O(n·d) when any are pending.
  public mutating func compact() {
    guard pendingCount > 0 else { return }
    storage = data
    rowOf = Self.rows(of: storage)
    pendingRemovals = nil
    pendingCount = 0
  }
}

extension TrainingSet: Equatable {
  /// Equal when the remaining samples, their source and the ledger are, however compacted.
  public static func == (lhs: TrainingSet, rhs: TrainingSet) -> Bool {
    lhs.sourceSHA256 == rhs.sourceSHA256 && lhs.forgotten == rhs.forgotten && lhs.data == rhs.data
  }
}

extension StateArchive {
  /// Stores a training set as `name` (the dataset) and `name.ledger`.
  public mutating func setTrainingSet(_ name: String, _ set: TrainingSet) throws {
    // The remaining rows are copied only if the features are asked for (the store does not ask).
    let rows = set.remainingStorageRows
    let storage = set.storage
    try setDataset(
      name,
      listing: StoredDataset(
        name: storage.name, ids: rows.map { storage.ids[$0] }, labels: rows.map { storage.labels[$0] },
        featureCount: storage.featureCount, featureNames: storage.featureNames, classNames: storage.classNames,
        idOrigin: storage.idOrigin),
      make: { set.data })
    try setJSON(name + ".provenance", TrainingSetProvenance(sourceSHA256: set.sourceSHA256, forgotten: set.forgotten))
  }

  public func trainingSet(_ name: String, path: String) throws -> TrainingSet {
    let provenance = try json(TrainingSetProvenance.self, name + ".provenance", path: path)
    return TrainingSet(
      data: try dataset(name, path: path), sourceSHA256: provenance.sourceSHA256, ledger: provenance.forgotten)
  }
}

extension StateArchive {
  /// Rewrites the salt of every training set's ledger in the archive with `transform` (the store
  /// seals salts with its key before writing and unseals them after reading).
  public mutating func mapLedgerSalts(_ transform: (String) throws -> String) throws {
    for name in names where name.hasSuffix(".provenance") {
      var provenance = try json(TrainingSetProvenance.self, name, path: "the state")
      provenance.forgotten = provenance.forgotten.withSalt(try transform(provenance.forgotten.salt))
      try setJSON(name, provenance)
    }
  }
}

struct TrainingSetProvenance: Codable {
  var sourceSHA256: [String]
  var forgotten: ForgottenSampleLedger
}
