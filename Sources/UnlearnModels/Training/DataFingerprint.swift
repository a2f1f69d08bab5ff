import UnlearnCore
import UnlearnData

/// Which data a model was trained on: the source file's hash and a hash of the exact sample ids
/// used (after any split), so a model can be matched to its data and a retrain checked against it.
public struct DataFingerprint: Sendable, Codable, Equatable {
  /// SHA-256 of the data file(s) as stored, in the order read.
  public let fileSHA256: [String]
  public let sampleCount: Int
  /// SHA-256 over the training sample ids, each followed by a newline, in training order.
  public let sampleIDsSHA256: String

  public init(fileSHA256: [String], trainingIDs: [SampleID]) {
    self.fileSHA256 = fileSHA256
    self.sampleCount = trainingIDs.count
    var hasher = SHA256()
    for id in trainingIDs { hasher.update(data: Array((id.rawValue + "\n").utf8)) }
    self.sampleIDsSHA256 = FileDigest.hexadecimal(hasher.finalize())
  }
}
