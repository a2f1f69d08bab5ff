import Foundation
import UnlearnCore
import UnlearnData

/// Unlearn's model file, format version 2: one self-describing file.
///
///     offset 0   8 bytes   magic "ULMODEL\n"
///     offset 8   UInt32    format version (little-endian), 2
///     offset 12  UInt64    metadata length m in bytes (little-endian)
///     offset 20  m bytes   metadata, UTF-8 JSON (`ModelFile.Metadata`): model kind and
///                          configuration, feature scaling, class and feature names, training-data
///                          fingerprint, training summary, the classifier's shape, and the parameter
///                          count and SHA-256 of the parameter bytes
///     offset 20+m          the flat parameter vector θ, Float64 little-endian
///     the last 32 bytes    SHA-256 of every byte before them
///
/// The closing digest covers the metadata too, so an edited class name or scaling is refused, not
/// loaded as a different model. Version 1 files (no closing digest; only the parameters were
/// checked) still load; `isUnsealedVersion1` lets a caller warn about them.
///
/// Reading checks each part in turn, so a truncated, corrupted or wrong-version file gives a
/// `ModelFileError` that says which. Writing is atomic: the bytes go to a temporary file in the
/// same folder, are flushed to disk, and the file is renamed over the target, so a crash leaves
/// either the old file or the new one, never half of one.
public enum ModelFile {
  public static let magic = Array("ULMODEL\n".utf8)
  public static let version: UInt32 = 2
  static let digestLength = 32

  /// Whether `bytes` are a version 1 model file, whose metadata no digest covers.
  public static func isUnsealedVersion1(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 12 && Array(bytes[..<magic.count]) == magic && UInt32(littleEndianBytes: bytes[8..<12]) == 1
  }

  /// The JSON part of a model file.
  struct Metadata: Codable {
    var configuration: ModelConfiguration
    var standardizer: Standardizer
    var classNames: [String]
    var featureNames: [String]?
    var fingerprint: DataFingerprint
    var summary: TrainingSummary
    var classifier: ClassifierShape
    var parameterCount: Int
    var parametersSHA256: String
  }

  /// What the classifier looks like, without its parameters.
  struct ClassifierShape: Codable {
    var kind: ModelKind
    var featureCount: Int
    var classCount: Int
    /// λ = 1/C.
    var regularization: Double?
    /// MLP: hidden layer widths.
    var hiddenLayers: [Int]?
  }

  /// The file's bytes for `model`.
  public static func encode(_ model: TrainedModel) throws -> [UInt8] {
    let parameters: [Double]
    let shape: ClassifierShape
    switch model.classifier {
    case .logistic(let logistic):
      parameters = logistic.parameters
      shape = ClassifierShape(
        kind: .logistic, featureCount: logistic.featureCount, classCount: logistic.classCount,
        regularization: logistic.regularization)
    case .mlp(let network):
      parameters = network.parameters
      shape = ClassifierShape(
        kind: .mlp, featureCount: network.featureCount, classCount: network.classCount,
        regularization: network.regularization, hiddenLayers: Array(network.widths.dropFirst().dropLast()))
    }
    let parameterBytes = parameters.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
    let metadata = Metadata(
      configuration: model.configuration, standardizer: model.standardizer, classNames: model.classNames,
      featureNames: model.featureNames, fingerprint: model.fingerprint, summary: model.summary, classifier: shape,
      parameterCount: parameters.count, parametersSHA256: FileDigest.hexadecimal(SHA256.hash(data: parameterBytes)))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = Array(try encoder.encode(metadata))
    var bytes = magic
    bytes += withUnsafeBytes(of: version.littleEndian, Array.init)
    bytes += withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init)
    bytes += json
    bytes += parameterBytes
    bytes += Array(SHA256.hash(data: bytes))
    return bytes
  }

  /// Reads a model from `bytes`; `path` names the file in errors.
  public static func decode(_ bytes: [UInt8], path: String) throws -> TrainedModel {
    guard bytes.count >= magic.count, Array(bytes[..<magic.count]) == magic else {
      throw ModelFileError.notAModelFile(path, "its first bytes are not the ULMODEL magic")
    }
    guard bytes.count >= 20 else {
      throw ModelFileError.truncated(path, "\(bytes.count) bytes, the header alone needs 20")
    }
    let fileVersion = UInt32(littleEndianBytes: bytes[8..<12])
    guard fileVersion == version || fileVersion == 1 else {
      throw ModelFileError.unsupportedVersion(
        path, "format version \(fileVersion), this build reads versions 1 and \(version)")
    }
    // Version 2 ends in a digest of everything before it; the structure is checked first, so a
    // truncated file is reported as truncated rather than as not matching its digest.
    let contentEnd = bytes.count - (fileVersion == version ? digestLength : 0)
    guard contentEnd >= 20 else {
      throw ModelFileError.truncated(
        path, "\(bytes.count) bytes, the header and digest alone need \(20 + digestLength)")
    }
    let metadataLength = UInt64(littleEndianBytes: bytes[12..<20])
    guard metadataLength <= UInt64(contentEnd - 20) else {
      throw ModelFileError.truncated(path, "metadata needs \(metadataLength) bytes, \(contentEnd - 20) remain")
    }
    let parametersStart = 20 + Int(metadataLength)
    let metadata: Metadata
    do {
      metadata = try JSONDecoder().decode(Metadata.self, from: Data(bytes[20..<parametersStart]))
    } catch {
      throw ModelFileError.corrupted(path, "metadata is not valid: \(error)")
    }
    let expectedEnd = parametersStart + 8 * metadata.parameterCount
    guard contentEnd >= expectedEnd else {
      throw ModelFileError.truncated(
        path, "\(metadata.parameterCount) parameters need \(expectedEnd) bytes, the file has \(contentEnd)")
    }
    guard contentEnd == expectedEnd else {
      throw ModelFileError.corrupted(path, "\(contentEnd - expectedEnd) unexpected bytes after the parameters")
    }
    if fileVersion == version,
      Array(SHA256.hash(data: bytes[..<contentEnd])) != Array(bytes[contentEnd...])
    {
      throw ModelFileError.corrupted(
        path, "its content does not match its SHA-256: it was changed or damaged after it was written")
    }
    let parameterBytes = bytes[parametersStart..<contentEnd]
    guard FileDigest.hexadecimal(SHA256.hash(data: Array(parameterBytes))) == metadata.parametersSHA256 else {
      throw ModelFileError.corrupted(path, "the parameters do not match their SHA-256")
    }
    let parameters = (0..<metadata.parameterCount).map { index in
      let start = parametersStart + 8 * index
      return Double(bitPattern: UInt64(littleEndianBytes: bytes[start..<(start + 8)]))
    }
    let classifier = try Self.classifier(metadata.classifier, parameters: parameters, path: path)
    return TrainedModel(
      configuration: metadata.configuration, standardizer: metadata.standardizer, classNames: metadata.classNames,
      featureNames: metadata.featureNames, fingerprint: metadata.fingerprint, classifier: classifier,
      summary: metadata.summary)
  }

  /// The classifier of shape `description`, holding `parameters`, once the shape is checked.
  private static func classifier(_ description: ClassifierShape, parameters: [Double], path: String) throws
    -> TrainedClassifier
  {
    switch description.kind {
    case .logistic:
      guard let regularization = description.regularization, regularization > 0,
        description.classCount >= 2, description.featureCount >= 0
      else { throw ModelFileError.corrupted(path, "the logistic model's shape is invalid") }
      var model = LogisticRegression(
        featureCount: description.featureCount, classCount: description.classCount,
        inverseRegularization: 1 / regularization)
      guard model.parameterCount == parameters.count else {
        throw ModelFileError.corrupted(
          path, "\(parameters.count) parameters for a model that has \(model.parameterCount)")
      }
      model.parameters = parameters
      return .logistic(model)
    case .mlp:
      guard let regularization = description.regularization, regularization > 0,
        let hidden = description.hiddenLayers, hidden.allSatisfy({ $0 > 0 }),
        description.classCount >= 2, description.featureCount > 0
      else { throw ModelFileError.corrupted(path, "the MLP's shape is invalid") }
      var generator = SeededGenerator(seed: 0)
      var network = MLP(
        featureCount: description.featureCount, hiddenLayers: hidden,
        classCount: description.classCount, inverseRegularization: 1 / regularization, using: &generator)
      guard network.parameterCount == parameters.count else {
        throw ModelFileError.corrupted(
          path, "\(parameters.count) parameters for a network that has \(network.parameterCount)")
      }
      network.parameters = parameters
      return .mlp(network)
    }
  }

  /// Reads the model file at `path`.
  public static func read(from path: String) throws -> TrainedModel {
    let bytes: [UInt8]
    do {
      bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
      throw ModelFileError.unreadable(
        path, FileManager.default.fileExists(atPath: path) ? "read failed" : "no such file")
    }
    return try decode(bytes, path: path)
  }

  /// Writes `model` to `path` atomically (temporary file, flush, rename).
  public static func write(_ model: TrainedModel, to path: String) throws {
    try AtomicFile.write(try encode(model), to: path)
  }
}

extension FixedWidthInteger {
  /// The integer whose little-endian bytes are `bytes` (exactly `bitWidth / 8` of them).
  public init(littleEndianBytes bytes: ArraySlice<UInt8>) {
    precondition(bytes.count == Self.bitWidth / 8, "need \(Self.bitWidth / 8) bytes, got \(bytes.count)")
    self = bytes.reversed().reduce(0) { $0 << 8 | Self($1) }
  }
}
