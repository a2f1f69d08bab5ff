import Foundation
import Testing

@testable import UnlearnCore

/// When the executables restart with OpenBLAS settings, and what the CPU query answers.
struct OpenBLASSetupTests {
  func missing(_ current: String, _ supported: String?, threads: Int = 1, _ environment: [String: String] = [:])
    -> [String: String]
  {
    OpenBLASSetup.missingSettings(
      currentCore: current, supportedCore: supported, threads: threads, environment: environment)
  }

  @Test func setsTheKernelsOnlyAfterAFallbackTheUserDidNotChoose() {
    // Debian's 0.3.21 on an Emerald Rapids Xeon: Prescott although the CPU runs SkylakeX.
    #expect(missing("Prescott", "SkylakeX") == ["OPENBLAS_CORETYPE": "SkylakeX"])
    #expect(missing("Nehalem", "Haswell") == ["OPENBLAS_CORETYPE": "Haswell"])
    // OpenBLAS knew the CPU: nothing to do, even when another vector core would also run.
    #expect(missing("Haswell", "SkylakeX").isEmpty)
    #expect(missing("Zen", "Haswell").isEmpty)
    #expect(missing("SkylakeX", "SkylakeX").isEmpty)
    // The user's OPENBLAS_CORETYPE wins (and stops the restarted process from restarting again).
    #expect(missing("Prescott", "SkylakeX", ["OPENBLAS_CORETYPE": "Prescott"]).isEmpty)
    #expect(missing("Prescott", "SkylakeX", ["OPENBLAS_CORETYPE": ""]).isEmpty)
    // A CPU without AVX2 and FMA keeps what OpenBLAS chose.
    #expect(missing("Prescott", nil).isEmpty)
  }

  @Test func shortensTheIdleSpinOnlyWithThreadsAndNoChoiceOfTheUser() {
    #expect(missing("Haswell", "Haswell", threads: 2) == ["OPENBLAS_THREAD_TIMEOUT": "18"])
    #expect(missing("Haswell", "Haswell", threads: 1).isEmpty)
    #expect(missing("Haswell", "Haswell", threads: 2, ["OPENBLAS_THREAD_TIMEOUT": "28"]).isEmpty)
    #expect(missing("Haswell", "Haswell", threads: 2, ["GOTO_THREAD_TIMEOUT": "28"]).isEmpty)
    #expect(
      missing("Prescott", "SkylakeX", threads: 2)
        == ["OPENBLAS_CORETYPE": "SkylakeX", "OPENBLAS_THREAD_TIMEOUT": "18"])
  }

  /// The C feature query against the flags the kernel reports in /proc/cpuinfo.
  @Test func supportedCoreMatchesTheCPUFlags() throws {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return }
    let flags = Set(line.split(separator: " ").map(String.init))
    let expected: String?
    if flags.isSuperset(of: ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]) {
      expected = "SkylakeX"
    } else if flags.isSuperset(of: ["avx2", "fma"]) {
      expected = "Haswell"
    } else {
      expected = nil
    }
    #expect(OpenBLASSetup.supportedCore == expected)
    #expect(!OpenBLASSetup.currentCore.isEmpty)
  }
}
