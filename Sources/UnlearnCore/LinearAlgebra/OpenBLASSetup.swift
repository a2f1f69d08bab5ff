import CUnlearnBLAS
import CUnlearnKernels

#if canImport(Glibc)
  import Glibc
#endif

/// Two OpenBLAS settings that only take effect before the library loads, and the restart that
/// applies them.
///
/// Kernels: a DYNAMIC_ARCH build of OpenBLAS (Debian's) picks its kernels once, when it loads, from
/// the CPU's family and model numbers. A release older than the CPU does not know the model and
/// falls back to its generic Prescott (SSE3) kernels: Debian 12's 0.3.21 does on a Xeon of family 6,
/// model 207 (Emerald Rapids), whose AVX-512 runs the SkylakeX kernels several times faster than
/// Prescott's (`unlearn-benchmarks gemm`). `OPENBLAS_CORETYPE` sets the kernels,
/// chosen here from the CPU's features (`unlearn_openblas_core_for_cpu`), not its model number.
///
/// Idle threads: after each threaded call, OpenBLAS's worker threads spin for 2^28 cycles (about
/// 0.1 s) before they sleep, and a spinning worker takes the core that Unlearn's own threaded
/// kernel (`BlockSymmetricProduct`) would run on, which then waits for it. `OPENBLAS_THREAD_TIMEOUT`
/// = 18 (2^18 cycles, about 0.1 ms) lets them sleep first.
///
/// `restartIfNeeded()` re-executes the program with what is missing set; a variable the user set,
/// to any value, is left alone.
public enum OpenBLASSetup {
  /// The kernel set OpenBLAS chose (`openblas_get_corename`): "Haswell", "SkylakeX", "Prescott", ….
  public static var currentCore: String { String(cString: openblas_get_corename()) }

  /// The best kernel set this CPU's features allow, "SkylakeX" (AVX-512) or "Haswell" (AVX2 + FMA);
  /// nil without AVX2 and FMA.
  public static var supportedCore: String? { unlearn_openblas_core_for_cpu().map { String(cString: $0) } }

  /// Kernel sets that already use AVX2 and FMA: OpenBLAS knew the CPU.
  static let vectorCores: Set<String> = ["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids", "excavator"]

  /// The spin before an idle worker sleeps, as log₂ of cycles.
  static let threadTimeout = "18"

  /// The variables to set before OpenBLAS loads again: `OPENBLAS_CORETYPE` when it fell back to
  /// kernels without AVX2 on a CPU that has them, `OPENBLAS_THREAD_TIMEOUT` when it runs more than
  /// one thread; neither when the user set it (which is also how the restarted process knows not
  /// to restart again).
  static func missingSettings(
    currentCore: String, supportedCore: String?, threads: Int, environment: [String: String]
  ) -> [String: String] {
    var settings: [String: String] = [:]
    if environment["OPENBLAS_CORETYPE"] == nil, let supportedCore, !vectorCores.contains(currentCore.lowercased()) {
      settings["OPENBLAS_CORETYPE"] = supportedCore
    }
    if threads > 1 && environment["OPENBLAS_THREAD_TIMEOUT"] == nil && environment["GOTO_THREAD_TIMEOUT"] == nil {
      settings["OPENBLAS_THREAD_TIMEOUT"] = threadTimeout
    }
    return settings
  }

  /// Re-executes this program, same arguments and environment plus `missingSettings`, when any is
  /// missing; returns when none is, or when the restart fails (the program then runs as OpenBLAS
  /// set itself up). Call it first thing in `main`, before any thread starts or file opens: the
  /// new image replaces this one. `threads`: the most the program will ask OpenBLAS for, when it
  /// changes the count itself (`openblas_set_num_threads`); by default the count it has.
  public static func restartIfNeeded(threads: Int? = nil) {
    #if os(Linux)
      var environment: [String: String] = [:]
      for name in ["OPENBLAS_CORETYPE", "OPENBLAS_THREAD_TIMEOUT", "GOTO_THREAD_TIMEOUT"] {
        if let value = getenv(name) { environment[name] = String(cString: value) }
      }
      let settings = missingSettings(
        currentCore: currentCore, supportedCore: supportedCore, threads: max(threads ?? 0, BLAS.threadCount),
        environment: environment)
      guard !settings.isEmpty else { return }
      for (name, value) in settings { setenv(name, value, 1) }
      execv("/proc/self/exe", CommandLine.unsafeArgv)
      for name in settings.keys { unsetenv(name) }
    #endif
  }
}
