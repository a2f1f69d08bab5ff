import Foundation
import Testing
import UnlearnCore
import UnlearnData
import Unlearning
import _UnlearnTestSupport

struct ForgetSelectionTests {
  @Test func parsesEveryForm() throws {
    #expect(try ForgetSelection(parsing: "random:0.05") == .randomFraction(0.05))
    #expect(try ForgetSelection(parsing: "random:1%") == .randomFraction(0.01))
    #expect(try ForgetSelection(parsing: "random:50") == .randomCount(50))
    #expect(try ForgetSelection(parsing: "class:3") == .wholeClass("3"))
    #expect(try ForgetSelection(parsing: "ids:some/file.txt") == .idFile("some/file.txt"))
    for bad in ["random", "random:", "random:0", "random:1.5", "random:-3", "random:100%", "random:abc", "rows:3"] {
      #expect(throws: SelectionError.self, "\(bad)") { try ForgetSelection(parsing: bad) }
    }
  }

  @Test func selectsSeededRandomSamplesAClassOrAFile() throws {
    let data = try CSVLoader().load(path: TestData.bundled("digits.csv"))
    var a = SeededGenerator(seed: 4)
    var b = SeededGenerator(seed: 4)
    let first = try ForgetSelection.randomFraction(0.05).select(from: data, using: &a)
    #expect(first.count == Int((0.05 * Double(data.count)).rounded()))
    #expect(first == (try ForgetSelection.randomFraction(0.05).select(from: data, using: &b)))
    #expect(Set(first).count == first.count)

    var generator = SeededGenerator(seed: 5)
    let three = try ForgetSelection.wholeClass("3").select(from: data, using: &generator)
    #expect(three.count == data.classCounts[data.classNames.firstIndex(of: "3")!])
    #expect(throws: SelectionError.self) { try ForgetSelection.wholeClass("42").select(from: data, using: &generator) }
    #expect(throws: SelectionError.self) {
      try ForgetSelection.randomCount(data.count).select(from: data, using: &generator)
    }

    let path = NSTemporaryDirectory() + "unlearn-ids-\(UUID().uuidString).txt"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try "id\n7\n\n# a comment\n 9 \n".write(toFile: path, atomically: true, encoding: .utf8)
    #expect(try ForgetSelection.idFile(path).select(from: data, using: &generator) == ["7", "9"])
  }
}
