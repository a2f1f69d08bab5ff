import Foundation

/// The process's peak resident memory so far, as the kernel counts it (`getrusage`, `ru_maxrss`,
/// kilobytes on Linux): data loading and training included, what `/usr/bin/time -v` reports.
enum PeakMemory {
  static func residentBytes() -> Int? {
    var usage = rusage()
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return nil }
    return Int(usage.ru_maxrss) * 1024
  }
}
