import Foundation
import Numerics
import Testing
import UnlearnCore
import Unlearning

/// The `unlearn` executable as a user runs it: exit codes, stdout, stderr.
struct CommandLineTests {
  struct Run {
    let status: Int32
    let standardOutput: String
    let standardError: String
  }

  /// The built `unlearn` beside the test bundle (both live in the same build folder).
  static let executable: String = {
    let runner = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for folder in [runner, runner.deletingLastPathComponent()] {
      let candidate = folder.appendingPathComponent("unlearn").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return runner.appendingPathComponent("unlearn").path
  }()

  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  let folder: String

  init() throws {
    folder = NSTemporaryDirectory() + "unlearn-cli-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  }

  /// Runs `unlearn` with `arguments` and waits for it. Its stderr goes to a file, not a second
  /// pipe: a child that filled a stderr pipe while stdout was being read would wait forever.
  func run(_ arguments: [String]) throws -> Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Self.executable)
    process.arguments = arguments
    process.currentDirectoryURL = Self.repository
    let output = Pipe()
    let errorPath = folder + "/stderr-" + UUID().uuidString
    guard FileManager.default.createFile(atPath: errorPath, contents: nil),
      let error = FileHandle(forWritingAtPath: errorPath)
    else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: errorPath]) }
    defer { try? FileManager.default.removeItem(atPath: errorPath) }
    process.standardOutput = output
    process.standardError = error
    try process.run()
    try error.close()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    if !process.waitForExit() {
      Issue.record("unlearn \(arguments.first ?? "") closed its output but did not exit within a minute")
      kill(process.processIdentifier, SIGKILL)
      process.waitForExit()
    }
    let errorData = FileManager.default.contents(atPath: errorPath) ?? Data()
    return Run(
      status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
      standardError: String(decoding: errorData, as: UTF8.self))
  }

  @Test func versionAndHelp() throws {
    #expect(try run(["--version"]).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    let help = try run(["--help"])
    #expect(help.status == 0)
    for command in ["data", "train", "evaluate", "predict"] { #expect(help.standardOutput.contains(command)) }
  }

  /// `train` and `compare` take exactly the options the strategies describe
  /// (`StrategyCatalog.descriptions`), each under its flag with the strategies' own help.
  @Test(arguments: ["train", "compare"]) func strategyOptionsAreTheDescribedOnes(command: String) throws {
    let help = try run([command, "--help"])
    #expect(help.status == 0, "\(help.standardError)")
    // ArgumentParser may wrap a long help line: compare with whitespace collapsed.
    let text = help.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    let listed = Set(
      text.matches(of: /(--[a-z][a-z-]*)/).map { String($0.output.1) })
    let described = Set(StrategyCatalog.options.map(\.flag))
    #expect(described.isSubset(of: listed), "not offered: \(described.subtracting(listed).sorted())")
    #expect(text.contains(StrategyCatalog.help(for: "--shards")))
    #expect(StrategyCatalog.help(for: "--shards") == "sisa, hybrid: the number of shards S. (default: 5)")
    // Every strategy option the CLI declares is described: one without a description would have
    // stopped `--help` above (`StrategyCatalog.help(for:)`).
  }

  @Test func inspectReportsShapeClassesAndChecksum() throws {
    let result = try run(["data", "inspect", "data/breast_cancer.csv", "--format", "json"])
    #expect(result.status == 0)
    let summary = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
    #expect(summary?["rows"] as? Int == 569)
    #expect(summary?["features"] as? Int == 30)
    #expect(summary?["ids_present"] as? Bool == false)
    #expect(result.standardOutput.contains("a89eb1744ae2f8247cc4254203e055ba941f4b6858a9d40888f1b7fff5007e52"))
  }

  @Test func trainPredictEvaluateRoundTrip() throws {
    let model = folder + "/cancer.ulm"
    let train = try run([
      "train", "--data", "data/breast_cancer.csv", "--test-fraction", "0.25", "--model", "logistic", "--seed", "3",
      "--out", model, "--format", "json", "--no-progress",
    ])
    #expect(train.status == 0, "\(train.standardError)")
    #expect(train.standardError.isEmpty)  // --no-progress
    let summary = try JSONSerialization.jsonObject(with: Data(train.standardOutput.utf8)) as? [String: Any]
    #expect(summary?["converged"] as? Bool == true)
    #expect((summary?["test_accuracy"] as? Double ?? 0) > 0.94)
    // The process's peak resident memory: at least the loaded data, well under a gigabyte here.
    let peak = summary?["peak_memory_bytes"] as? Int ?? 0
    #expect(peak > 100_000 && peak < 1 << 30, "peak_memory_bytes \(peak)")

    let predict = try run(["predict", "--model", model, "--data", "data/breast_cancer.csv"])
    #expect(predict.status == 0)
    let lines = predict.standardOutput.split(separator: "\n")
    #expect(lines.first == "id,label,p_0,p_1")
    #expect(lines.count == 570)
    let first = lines[1].split(separator: ",")
    #expect(first[0] == "0")
    #expect((Double(first[2])! + Double(first[3])!).isApproximatelyEqual(to: 1, absoluteTolerance: 1e-12))

    let evaluate = try run(["evaluate", "--model", model, "--data", "data/breast_cancer.csv", "--format", "json"])
    #expect(evaluate.status == 0)
    let metrics = try JSONSerialization.jsonObject(with: Data(evaluate.standardOutput.utf8)) as? [String: Any]
    #expect((metrics?["accuracy"] as? Double ?? 0) > 0.95)
    #expect((metrics?["confusion"] as? [[Int]])?.flatMap { $0 }.reduce(0, +) == 569)
  }

  @Test func badInputFailsWithALocatedMessage() throws {
    let csv = folder + "/bad.csv"
    try "a,b,label\n1,2,0\n1,x,1\n".write(toFile: csv, atomically: true, encoding: .utf8)
    let result = try run(["data", "inspect", csv])
    #expect(result.status == 1)
    #expect(result.standardError.contains("bad.csv:3:2 (column 'b'): non-numeric cell"))
  }

  @Test func usageErrorsExitWith64() throws {
    let both = try run([
      "train", "--data", "data/digits.csv", "--model", "logistic", "--test", "data/digits.csv",
      "--test-fraction", "0.2", "--out", folder + "/m.ulm",
    ])
    #expect(both.status == 64)
    #expect(both.standardError.contains("not both"))
    #expect(try run(["train", "--data", "data/digits.csv", "--model", "forest", "--out", "m"]).status == 64)
  }
}

extension CommandLineTests {
  /// One class, or one row: a clear error and exit 1 for every model kind and strategy — never a
  /// trap (SIGILL).
  @Test(arguments: [
    ["--model", "logistic"], ["--model", "mlp"], ["--model", "logistic", "--strategy", "newton"],
    ["--model", "mlp", "--strategy", "sisa"],
  ])
  func tooLittleDataIsAnErrorNotACrash(model: [String]) throws {
    let oneClass = folder + "/one-class.csv"
    try "a,b,label\n1,2,0\n3,4,0\n5,6,0\n".write(toFile: oneClass, atomically: true, encoding: .utf8)
    let oneRow = folder + "/one-row.csv"
    try "a,b,label\n1,2,0\n".write(toFile: oneRow, atomically: true, encoding: .utf8)
    for file in [oneClass, oneRow] {
      let result = try run(["train", "--data", file, "--out", folder + "/m.out", "--no-progress"] + model)
      #expect(result.status == 1, "\(model) \(file): \(result.standardError)")
      #expect(result.standardError.contains("too little data to train on"), "\(result.standardError)")
    }
    let compare = try run([
      "compare", "--train", oneClass, "--model", "logistic", "--strategies", "retrain", "--forget", "random:1",
    ])
    #expect(compare.status == 1 && compare.standardError.contains("too little data"), "\(compare.standardError)")
  }
}

extension CommandLineTests {
  /// A wide file under a memory limit: newton (P² Hessian; training writes the factor without
  /// forming H⁻¹, so 2·P² doubles) is refused before training with the
  /// figure and the alternatives; retrain, whose memory grows with the data, trains.
  @Test func wideFileOverTheMemoryLimitIsRefusedBeforeTraining() throws {
    let wide = folder + "/wide.csv"
    var generator = SeededGenerator(seed: 4)
    var lines = [((0..<3000).map { "f\($0)" } + ["label"]).joined(separator: ",")]
    for row in 0..<30 {
      lines.append(((0..<3000).map { _ in String(generator.next() % 10) } + [String(row % 2)]).joined(separator: ","))
    }
    try lines.joined(separator: "\n").write(toFile: wide, atomically: true, encoding: .utf8)
    let refused = try run([
      "train", "--data", wide, "--model", "logistic", "--strategy", "newton", "--out", folder + "/w.uls",
      "--max-memory", "100", "--no-progress",
    ])
    #expect(refused.status == 1, "\(refused.standardError)")
    #expect(
      refused.standardError.contains("needs about 137 MiB") && refused.standardError.contains("--max-memory"),
      "\(refused.standardError)")
    #expect(!FileManager.default.fileExists(atPath: folder + "/w.uls"))
    let retrain = try run([
      "train", "--data", wide, "--model", "logistic", "--strategy", "retrain", "--out", folder + "/r.uls",
      "--max-memory", "100", "--no-progress",
    ])
    #expect(retrain.status == 0, "\(retrain.standardError)")
  }
}
