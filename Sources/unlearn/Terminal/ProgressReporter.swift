import Foundation
import UnlearnCore

#if canImport(Glibc)
  import Glibc
#endif

/// Progress on stderr: a redrawn line on a terminal (at most 10 redraws a second), plain lines
/// (at most one a second) when stderr is a pipe or a file, nothing with `--no-progress`.
final class ProgressReporter {
  private let isEnabled: Bool
  private let isTerminal: Bool
  private let label: String
  private let clock = ContinuousClock()
  private let start: ContinuousClock.Instant
  private var lastDraw: ContinuousClock.Instant?
  private var drewOnTerminal = false

  init(label: String, enabled: Bool) {
    self.label = label
    self.isEnabled = enabled
    self.isTerminal = isatty(STDERR_FILENO) == 1
    self.start = clock.now
  }

  var elapsedSeconds: Double {
    (clock.now - start).seconds
  }

  /// Reports progress; `fraction` (0…1) adds a bar and an ETA when the total is known.
  func update(fraction: Double?, _ message: String, force: Bool = false) {
    guard isEnabled else { return }
    let now = clock.now
    let interval: Duration = isTerminal ? .milliseconds(100) : .seconds(1)
    if !force, let lastDraw, now - lastDraw < interval { return }
    lastDraw = now
    var line = "\(label) \(message)  \(Self.clockTime(elapsedSeconds))"
    if let fraction, fraction > 0 {
      let clamped = min(max(fraction, 0), 1)
      if isTerminal {
        let width = 24
        let filled = Int(Double(width) * clamped)
        line =
          "\(label) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] "
          + "\(message)  \(Self.clockTime(elapsedSeconds))"
      }
      if clamped < 1 { line += "  ETA \(Self.clockTime(elapsedSeconds * (1 - clamped) / clamped))" }
    }
    if isTerminal {
      FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
      drewOnTerminal = true
    } else {
      FileHandle.standardError.write(Data((line + "\n").utf8))
    }
  }

  /// Ends the progress display with a final line.
  func finish(_ message: String) {
    guard isEnabled else { return }
    let line = "\(message) in \(Self.clockTime(elapsedSeconds))"
    FileHandle.standardError.write(Data(((drewOnTerminal ? "\r\u{1B}[2K" : "") + line + "\n").utf8))
  }

  static func clockTime(_ seconds: Double) -> String {
    if seconds < 60 { return String(format: "%.1fs", seconds) }
    let total = Int(seconds.rounded())
    return total < 3600
      ? String(format: "%dm%02ds", total / 60, total % 60)
      : String(format: "%dh%02dm", total / 3600, total % 3600 / 60)
  }
}
