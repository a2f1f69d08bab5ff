import Foundation
import UnlearnCore

/// Wall-clock timing with repetitions: the median is reported, so one slow outlier (a page fault,
/// another process) does not move the figure.
struct Measurement {
  let seconds: [Double]

  var median: Double {
    let sorted = seconds.sorted()
    return sorted.count % 2 == 1
      ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
  }

  var repetitions: Int { seconds.count }

  /// Runs `body` once to warm up, then `repetitions` timed times.
  static func run(repetitions: Int, warmUp: Bool = true, _ body: () throws -> Void) rethrows -> Measurement {
    if warmUp { try body() }
    var seconds: [Double] = []
    for _ in 0..<repetitions {
      let start = ContinuousClock.now
      try body()
      seconds.append((ContinuousClock.now - start).seconds)
    }
    return Measurement(seconds: seconds)
  }

  /// Times two bodies in alternation (first, second, second, first, …) after one warm-up each, so
  /// drift in the machine's speed (another process, frequency changes) hits both alike.
  static func interleaved(
    repetitions: Int, _ first: () -> Void, _ second: () -> Void
  ) -> (first: Measurement, second: Measurement) {
    first()
    second()
    var firstSeconds: [Double] = []
    var secondSeconds: [Double] = []
    for repetition in 0..<repetitions {
      let order = repetition.isMultiple(of: 2) ? [0, 1] : [1, 0]
      for which in order {
        let start = ContinuousClock.now
        which == 0 ? first() : second()
        let seconds = (ContinuousClock.now - start).seconds
        if which == 0 { firstSeconds.append(seconds) } else { secondSeconds.append(seconds) }
      }
    }
    return (Measurement(seconds: firstSeconds), Measurement(seconds: secondSeconds))
  }
}

/// The machine, as a benchmark report should state it.
enum MachineDescription {
  static var cpuModel: String {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
    let line = info.split(separator: "\n").first { $0.hasPrefix("model name") }
    return line.map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) }
      ?? "unknown"
  }

  /// The CPU and the OpenBLAS kernel set this process runs on (see `OpenBLASSetup`).
  static var summary: String { "\(cpuModel), OpenBLAS kernels \(OpenBLASSetup.currentCore)" }

  static var hasAVX512: Bool {
    (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.contains("avx512f") ?? false
  }
}

/// Writes a result line to stdout at once (unbuffered), so each table row shows up as soon as it is
/// measured, even when stdout is a file.
func emit(_ line: String) {
  FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Writes a line to stderr (progress), keeping stdout for the results.
func log(_ message: String) {
  FileHandle.standardError.write(Data((message + "\n").utf8))
}

func format(_ value: Double, _ digits: Int = 2) -> String {
  String(format: "%.\(digits)f", value)
}
