import Foundation
import Testing

@testable import UnlearnCore

/// When the executables restart on faster OpenBLAS kernels, and what the CPU query answers.
struct OpenBLASCoreTests {
  @Test func restartsOnlyFromAFallbackTheUserDidNotChoose() {
    // Debian's 0.3.21 on an Emerald Rapids Xeon: Prescott although the CPU runs SkylakeX.
    #expect(OpenBLASCore.replacement(current: "Prescott", supported: "SkylakeX", chosen: nil) == "SkylakeX")
    #expect(OpenBLASCore.replacement(current: "Nehalem", supported: "Haswell", chosen: nil) == "Haswell")
    // OpenBLAS knew the CPU: nothing to do, even when another vector core would also run.
    #expect(OpenBLASCore.replacement(current: "Haswell", supported: "SkylakeX", chosen: nil) == nil)
    #expect(OpenBLASCore.replacement(current: "Zen", supported: "Haswell", chosen: nil) == nil)
    #expect(OpenBLASCore.replacement(current: "SkylakeX", supported: "SkylakeX", chosen: nil) == nil)
    // The user's OPENBLAS_CORETYPE wins (and stops the restarted process from restarting again).
    #expect(OpenBLASCore.replacement(current: "Prescott", supported: "SkylakeX", chosen: "Prescott") == nil)
    #expect(OpenBLASCore.replacement(current: "Prescott", supported: "SkylakeX", chosen: "") == nil)
    // A CPU without AVX2 and FMA keeps what OpenBLAS chose.
    #expect(OpenBLASCore.replacement(current: "Prescott", supported: nil, chosen: nil) == nil)
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
    #expect(OpenBLASCore.supported == expected)
    #expect(!OpenBLASCore.current.isEmpty)
  }
}
