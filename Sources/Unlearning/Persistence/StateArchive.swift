import Foundation
import UnlearnCore
import UnlearnData
import UnlearnModels

/// A strategy's persisted state: the strategy's name and named binary parts ("blobs"), written to
/// disk by `StateFile` or, part by part, by the store. Small structured parts are JSON blobs; large
/// numeric parts (features, parameters, factorizations) are raw little-endian Float64 blobs, so a
/// 60,000 × 784 training set costs its 376 MB once and no text conversion.
///
/// Two kinds of part are kept unencoded until someone asks for their bytes, because the store
/// writes neither with each version:
/// - a dataset's features (`setDataset`): the store keeps them one row per sample, so erasing a
///   sample deletes its row and rewrites nothing else;
/// - a cache (`setCache`): a part that `init(archive:)` can rebuild from the others (the Newton
///   factor). A state file keeps it; the store keeps it in memory only, because a cache built with
///   a sample is that sample's personal data and must not outlive its erasure on disk.
public struct StateArchive: Sendable {
  /// The strategy that wrote the state, as `--strategy` spells it.
  public var strategy: String
  /// Part names in the order they were added (the order they are written in).
  public private(set) var names: [String] = []
  private var blobs: [String: [UInt8]] = [:]
  /// Datasets whose features are not yet encoded, by dataset name (parts `name.json`, `name.features`):
  /// their sample count and how to make them (a training set with pending removals copies its
  /// remaining rows only when asked).
  private var datasets: [String: (count: Int, make: @Sendable () -> Dataset)] = [:]
  private var caches: [String: @Sendable () throws -> [UInt8]] = [:]

  public init(strategy: String) {
    self.strategy = strategy
  }

  /// The part holding dataset `name`'s features (`setDataset` also writes `name.json`).
  public static func featuresPart(ofDataset name: String) -> String { name + ".features" }

  /// The dataset whose features part is `part` ("training" for "training.features"), or nil.
  public static func dataset(ofFeaturesPart part: String) -> String? {
    part.hasSuffix(".features") ? String(part.dropLast(".features".count)) : nil
  }

  /// Whether `name` is a cache part (rebuildable, so the store does not persist it).
  public func isCache(_ name: String) -> Bool { caches[name] != nil }

  /// The part called `name` as it was set or read, or nil. Dataset features and caches that have
  /// not been encoded yet are nil here: `encodedBlob` encodes them.
  public func blob(_ name: String) -> [UInt8]? { blobs[name] }

  /// The bytes of the part called `name`, encoding dataset features and running a cache's builder
  /// when needed; nil when there is no such part.
  public func encodedBlob(_ name: String) throws -> [UInt8]? {
    if let bytes = blobs[name] { return bytes }
    if let make = caches[name] { return try make() }
    if let datasetName = Self.dataset(ofFeaturesPart: name), let dataset = datasets[datasetName] {
      return Self.bytes(of: dataset.make().features.elements)
    }
    return nil
  }

  /// Adds or replaces the blob called `name`.
  public mutating func setBlob(_ name: String, _ bytes: [UInt8]) {
    caches[name] = nil
    if blobs.updateValue(bytes, forKey: name) == nil, !names.contains(name) { names.append(name) }
  }

  /// Adds a cache part: `make` gives its bytes when a state file is written. `init(archive:)` must
  /// rebuild what it holds when the part is missing.
  public mutating func setCache(_ name: String, _ make: @escaping @Sendable () throws -> [UInt8]) {
    blobs[name] = nil
    if caches.updateValue(make, forKey: name) == nil, !names.contains(name) { names.append(name) }
  }

  /// The blob called `name`; a missing blob is a corrupted file.
  public func requiredBlob(_ name: String, path: String) throws -> [UInt8] {
    guard let bytes = try encodedBlob(name) else {
      throw ModelFileError.corrupted(path, "the \(strategy) state has no '\(name)' part")
    }
    return bytes
  }

  /// The blob called `name`, which must hold exactly `byteCount` bytes; anything else is a
  /// corrupted file.
  public func requiredBlob(_ name: String, byteCount: Int, path: String) throws -> [UInt8] {
    let bytes = try requiredBlob(name, path: path)
    guard bytes.count == byteCount else {
      throw ModelFileError.corrupted(path, "the '\(name)' part holds \(bytes.count) bytes, expected \(byteCount)")
    }
    return bytes
  }

  // MARK: Typed parts

  public mutating func setJSON(_ name: String, _ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    setBlob(name, Array(try encoder.encode(value)))
  }

  public func json<T: Decodable>(_ type: T.Type, _ name: String, path: String) throws -> T {
    do {
      return try JSONDecoder().decode(type, from: Data(try requiredBlob(name, path: path)))
    } catch let error as ModelFileError {
      throw error
    } catch {
      throw ModelFileError.corrupted(path, "the '\(name)' part is not valid: \(error)")
    }
  }

  public mutating func setDoubles(_ name: String, _ values: [Double]) {
    setBlob(name, Self.bytes(of: values))
  }

  public func doubles(_ name: String, count: Int, path: String) throws -> [Double] {
    Self.doubles(from: try requiredBlob(name, byteCount: 8 * count, path: path))
  }

  /// A trained model, stored as a whole model file (`ModelFile`) with its own checks.
  public mutating func setModel(_ name: String, _ model: TrainedModel) throws {
    setBlob(name, try ModelFile.encode(model))
  }

  public func model(_ name: String, path: String) throws -> TrainedModel {
    try ModelFile.decode(try requiredBlob(name, path: path), path: "\(path) (part '\(name)')")
  }

  /// A dataset: its small parts as JSON (`name.json`), its features as Float64 (`name.features`,
  /// encoded only when asked for).
  public mutating func setDataset(_ name: String, _ dataset: Dataset) throws {
    try setDataset(name, listing: StoredDataset(dataset), make: { dataset })
  }

  /// A dataset described by `listing` whose samples `make` gives when they are needed.
  mutating func setDataset(_ name: String, listing: StoredDataset, make: @escaping @Sendable () -> Dataset) throws {
    try setJSON(name + ".json", listing)
    let part = Self.featuresPart(ofDataset: name)
    blobs[part] = nil
    datasets[name] = (listing.ids.count, make)
    if !names.contains(part) { names.append(part) }
  }

  /// The number of samples of the dataset called `name`, without decoding or copying it.
  public func sampleCount(ofDataset name: String, path: String) throws -> Int {
    if let dataset = datasets[name] { return dataset.count }
    return try json(StoredDataset.self, name + ".json", path: path).ids.count
  }

  public func dataset(_ name: String, path: String) throws -> Dataset {
    if let dataset = datasets[name] { return dataset.make() }
    let stored = try json(StoredDataset.self, name + ".json", path: path)
    let elements = try doubles(
      Self.featuresPart(ofDataset: name), count: stored.ids.count * stored.featureCount, path: path)
    guard stored.labels.count == stored.ids.count,
      stored.labels.allSatisfy({ $0 >= 0 && $0 < stored.classNames.count }),
      stored.featureNames.map({ $0.count == stored.featureCount }) ?? true
    else { throw ModelFileError.corrupted(path, "the stored dataset '\(name)' is inconsistent") }
    do {
      return try Dataset(
        name: stored.name, ids: stored.ids,
        features: Matrix(rows: stored.ids.count, columns: stored.featureCount, elements: elements),
        labels: stored.labels, featureNames: stored.featureNames, classNames: stored.classNames,
        idOrigin: stored.idOrigin)
    } catch {
      throw ModelFileError.corrupted(path, "the stored dataset '\(name)' is invalid: \(error)")
    }
  }

  // MARK: Float64 bytes

  /// Little-endian Float64 bytes (the in-memory layout on every platform Unlearn supports).
  static func bytes(of values: [Double]) -> [UInt8] {
    assert(1.littleEndian == 1, "Unlearn state files assume a little-endian machine")
    return values.withUnsafeBytes { Array($0) }
  }

  static func doubles(from bytes: [UInt8]) -> [Double] {
    let count = bytes.count / 8
    return [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
      bytes.withUnsafeBytes { source in
        UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: source[..<(8 * count)]))
      }
      initialized = count
    }
  }
}

/// The small parts of a `Dataset` (everything except the features).
struct StoredDataset: Codable {
  var name: String
  var ids: [SampleID]
  var labels: [Int]
  var featureCount: Int
  var featureNames: [String]?
  var classNames: [String]
  var idOrigin: Dataset.IDOrigin

  init(
    name: String, ids: [SampleID], labels: [Int], featureCount: Int, featureNames: [String]?, classNames: [String],
    idOrigin: Dataset.IDOrigin
  ) {
    self.name = name
    self.ids = ids
    self.labels = labels
    self.featureCount = featureCount
    self.featureNames = featureNames
    self.classNames = classNames
    self.idOrigin = idOrigin
  }

  init(_ dataset: Dataset) {
    name = dataset.name
    ids = dataset.ids
    labels = dataset.labels
    featureCount = dataset.featureCount
    featureNames = dataset.featureNames
    classNames = dataset.classNames
    idOrigin = dataset.idOrigin
  }
}
