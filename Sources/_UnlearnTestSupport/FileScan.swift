import Foundation

/// Byte-level scans of a folder's files, for the tests that check erased data is on no disk.
public enum FileScan {
  /// Names of the files directly in `folder` whose bytes contain `needle`.
  public static func files(holding needle: [UInt8], in folder: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.filter { name in
      guard let data = FileManager.default.contents(atPath: folder + "/" + name) else { return false }
      return data.range(of: Data(needle)) != nil
    }
  }
}
