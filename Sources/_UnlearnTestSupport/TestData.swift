import Foundation

/// Where the tests find real data: the repository's bundled `data/` folder and the team's shared
/// datasets beside the repository (`../shared/data`, as CI lays it out), or wherever the
/// environment variable `UNLEARN_SHARED_DATA` points (CI points it at an empty folder once to prove
/// that a clone without the shared data passes, skipping what needs it).
public enum TestData {
  /// The repository root, found from this file's place in it.
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// A file in the repository's `data/` folder, e.g. `bundled("digits.csv")`.
  public static func bundled(_ name: String) -> String {
    repository.appendingPathComponent("data").appendingPathComponent(name).path
  }

  /// Whether `../shared/data` holds `name`: a clone without the team's shared data skips the tests
  /// that read it (`@Test(.enabled(if: TestData.hasShared(...), "..."))`).
  public static func hasShared(_ name: String) -> Bool {
    FileManager.default.fileExists(atPath: shared(name))
  }

  /// A file in `../shared/data`, e.g. `shared("fashion-mnist/t10k-images-idx3-ubyte.gz")`.
  public static func shared(_ name: String) -> String {
    sharedRoot.appendingPathComponent(name).path
  }

  static var sharedRoot: URL {
    if let root = ProcessInfo.processInfo.environment["UNLEARN_SHARED_DATA"], !root.isEmpty {
      return URL(fileURLWithPath: root)
    }
    return repository.deletingLastPathComponent().appendingPathComponent("shared/data")
  }
}
