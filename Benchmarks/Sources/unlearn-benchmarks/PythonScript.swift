import Foundation

/// Runs one of the Python baseline scripts beside this package (Benchmarks/*.py) and decodes the
/// JSON object it prints.
enum PythonScript {
  /// The decoded output, or nil (with the reason) when Python exits with an error.
  static func run<Result: Decodable>(
    _ name: String, arguments: [String], threads: Int, as type: Result.Type
  ) throws -> (result: Result?, failure: String?) {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent(name).path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script] + arguments
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_NUM_THREADS"] = String(threads)
    environment["OMP_NUM_THREADS"] = String(threads)
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      return (nil, "python3 \(name) exited with \(process.terminationStatus)")
    }
    return (try JSONDecoder().decode(Result.self, from: data), nil)
  }
}
