import UnlearnData

/// A forget request that cannot be carried out as given, and what to do about it.
public struct ForgetError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What kind of problem this is. New codes can be added without breaking callers.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    private enum Value: String, Hashable, Sendable {
      case emptyRequest = "empty_request"
      case duplicateID = "duplicate_id"
      case unknownID = "unknown_id"
      case alreadyForgotten = "already_forgotten"
      case wouldEmptyTrainingSet = "would_empty_training_set"
      case notErasable = "not_erasable"
    }
    private let value: Value
    private init(_ value: Value) { self.value = value }

    public static let emptyRequest = Code(.emptyRequest)
    public static let duplicateID = Code(.duplicateID)
    public static let unknownID = Code(.unknownID)
    public static let alreadyForgotten = Code(.alreadyForgotten)
    public static let wouldEmptyTrainingSet = Code(.wouldEmptyTrainingSet)
    public static let notErasable = Code(.notErasable)

    /// A stable machine-readable name, e.g. "unknown_id" (for JSON error bodies).
    public var description: String { value.rawValue }
  }

  public let code: Code
  /// The offending ids (at most the first few, for the message).
  public let ids: [SampleID]
  public let description: String

  static let shownIDs = 5

  static var emptyRequest: Self {
    .init(code: .emptyRequest, ids: [], description: "the forget request names no sample ids; pass at least one id")
  }

  static func duplicateID(_ id: SampleID, firstPosition: Int, secondPosition: Int) -> Self {
    .init(
      code: .duplicateID, ids: [id],
      description:
        "sample id '\(id)' appears twice in the request (entries \(firstPosition) and \(secondPosition)); "
        + "name each sample once")
  }

  static func unknownIDs(_ ids: [SampleID]) -> Self {
    .init(
      code: .unknownID, ids: Array(ids.prefix(shownIDs)),
      description:
        "\(ids.count) sample id\(ids.count == 1 ? " was" : "s were") never in the training set: \(list(ids)); "
        + "check the ids (they are the data's 'id' column, or the 0-based row number without one), "
        + "or pass --skip-absent to skip them")
  }

  static func alreadyForgotten(_ ids: [SampleID]) -> Self {
    .init(
      code: .alreadyForgotten, ids: Array(ids.prefix(shownIDs)),
      description:
        "\(ids.count) sample id\(ids.count == 1 ? " was" : "s were") already forgotten by an earlier request: "
        + "\(list(ids)); drop \(ids.count == 1 ? "it" : "them") from the request, or pass --skip-absent")
  }

  static func wouldEmptyTrainingSet(remaining: Int) -> Self {
    .init(
      code: .wouldEmptyTrainingSet, ids: [],
      description:
        "the request would remove all \(remaining) remaining training samples; a model needs at least one. "
        + "Delete the state instead")
  }

  /// A strategy-specific refusal (e.g. a public sample that is never a deletion target).
  public static func notErasable(_ ids: [SampleID], reason: String) -> Self {
    .init(code: .notErasable, ids: Array(ids.prefix(shownIDs)), description: "\(list(ids)): \(reason)")
  }

  private static func list(_ ids: [SampleID]) -> String {
    let shown = ids.prefix(shownIDs).map { "'\($0)'" }.joined(separator: ", ")
    return ids.count > shownIDs ? shown + " and \(ids.count - shownIDs) more" : shown
  }
}
