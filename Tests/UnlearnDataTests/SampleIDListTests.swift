import Foundation
import Testing
import UnlearnData

struct SampleIDListTests {
  func write(_ text: String) throws -> String {
    let path = NSTemporaryDirectory() + "unlearn-idlist-\(UUID().uuidString).txt"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test func readsOneIDPerLineSkippingHeaderBlanksAndComments() throws {
    let path = try write("id\r\nalice\n\n# erased on request 17\n  bob  \n42")
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(try SampleIDList.load(path: path) == ["alice", "bob", "42"])
  }

  @Test func aRepeatedIDNamesBothLines() throws {
    let path = try write("a\nb\na\n")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let error = #expect(throws: DataError.self) { try SampleIDList.load(path: path) }
    #expect(error?.code == .duplicateID && error?.line == 3)
    #expect(error?.description.contains("line 1") == true)
  }

  @Test func anEmptyListOrMissingFileIsAnError() throws {
    let path = try write("id\n\n# nothing\n")
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect((#expect(throws: DataError.self) { try SampleIDList.load(path: path) })?.code == .emptyFile)
    #expect(
      (#expect(throws: DataError.self) { try SampleIDList.load(path: "/no/such/ids.txt") })?.code == .unreadableFile)
  }
}
