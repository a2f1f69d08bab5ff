import UnlearnData

/// A request to forget training samples, named by their ids.
///
/// A request is a set: naming an id twice is an error (it usually means the id list was built
/// wrongly). By default every id must be a sample the state was trained on and has not forgotten
/// yet; with `skipsAbsentIDs` the absent ones are skipped and counted in the report instead.
public struct ForgetRequest: Sendable, Equatable {
  public let ids: [SampleID]
  /// Skip ids that are not (or no longer) in the training set instead of failing.
  public let skipsAbsentIDs: Bool

  /// Throws `ForgetError` for an empty request or a repeated id.
  public init(ids: [SampleID], skippingAbsentIDs: Bool = false) throws {
    guard !ids.isEmpty else { throw ForgetError.emptyRequest }
    var firstPosition: [SampleID: Int] = [:]
    for (position, id) in ids.enumerated() {
      if let first = firstPosition.updateValue(position, forKey: id) {
        throw ForgetError.duplicateID(id, firstPosition: first + 1, secondPosition: position + 1)
      }
    }
    self.ids = ids
    self.skipsAbsentIDs = skippingAbsentIDs
  }
}
