/// A model or strategy-state file that cannot be read or written, and what to do about it.
public struct ModelFileError: Error, Sendable, CustomStringConvertible {
  private enum Kind: Sendable {
    case unreadable, notAModelFile, unsupportedVersion, truncated, corrupted, unwritable
  }

  private let kind: Kind
  public let path: String
  public let detail: String

  private init(_ kind: Kind, path: String, detail: String) {
    self.kind = kind
    self.path = path
    self.detail = detail
  }

  public static func unreadable(_ path: String, _ detail: String) -> Self {
    .init(.unreadable, path: path, detail: detail)
  }
  public static func notAModelFile(_ path: String, _ detail: String) -> Self {
    .init(.notAModelFile, path: path, detail: detail)
  }
  public static func unsupportedVersion(_ path: String, _ detail: String) -> Self {
    .init(.unsupportedVersion, path: path, detail: detail)
  }
  public static func truncated(_ path: String, _ detail: String) -> Self {
    .init(.truncated, path: path, detail: detail)
  }
  public static func corrupted(_ path: String, _ detail: String) -> Self {
    .init(.corrupted, path: path, detail: detail)
  }
  public static func unwritable(_ path: String, _ detail: String) -> Self {
    .init(.unwritable, path: path, detail: detail)
  }

  public var isTruncated: Bool { kind == .truncated }
  public var isCorrupted: Bool { kind == .corrupted }
  public var isUnsupportedVersion: Bool { kind == .unsupportedVersion }
  public var isNotAModelFile: Bool { kind == .notAModelFile }

  public var description: String {
    switch kind {
    case .unreadable: return "\(path): cannot read the file (\(detail)); check the path"
    case .notAModelFile:
      return
        "\(path): not an Unlearn model or state file (\(detail)); pass a file written by 'unlearn train' or 'unlearn forget'"
    case .unsupportedVersion:
      return "\(path): \(detail); retrain the model with this version of unlearn or use the version that wrote it"
    case .truncated:
      return "\(path): the file is truncated (\(detail)); it was cut short, retrain or copy it again"
    case .corrupted: return "\(path): the file is corrupted (\(detail)); retrain or copy it again"
    case .unwritable: return "\(path): cannot write the file (\(detail)); check the folder exists and is writable"
    }
  }
}
