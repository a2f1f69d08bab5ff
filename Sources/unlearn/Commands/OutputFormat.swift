import ArgumentParser
import Foundation

/// How a command writes its result to stdout.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text
  case json
  case markdown
}

/// Pretty, key-sorted JSON for stdout.
func jsonString(_ value: some Encodable) throws -> String {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
  return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// Writes a line to stderr.
func printToStandardError(_ message: String) {
  FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// A failure found while a command runs (not while parsing), printed as "Error: <message>", exit 1.
struct CommandError: Error, CustomStringConvertible {
  let description: String

  init(_ description: String) {
    self.description = description
  }
}

/// Checks before long work that a file can later be written at `path`.
enum OutputPath {
  static func checkWritable(_ path: String, option: String = "--out") throws {
    let folder = (path as NSString).deletingLastPathComponent
    guard FileManager.default.isWritableFile(atPath: folder.isEmpty ? "." : folder) else {
      throw CommandError("\(option): the folder '\(folder)' does not exist or is not writable")
    }
  }
}
