import CUnlearnBLAS
import CUnlearnKernels

#if canImport(Glibc)
  import Glibc
#endif

/// Which of OpenBLAS's kernel sets runs this process's linear algebra, and the remedy for the case
/// that costs the most.
///
/// A DYNAMIC_ARCH build of OpenBLAS (Debian's) picks its kernels once, when it loads, from the
/// CPU's family and model numbers. A release older than the CPU does not know the model and falls
/// back to its generic Prescott (SSE3) kernels: Debian 12's 0.3.21 on a Xeon of family 6, model 207
/// (Emerald Rapids) does, although the CPU runs the SkylakeX (AVX-512) kernels, and there the
/// softmax Hessian of mnist5k (55 `dsyrk` of 5,000 × 785) and its factorization take about twice
/// as long. `OPENBLAS_CORETYPE` overrides the choice, but only before the library loads; so
/// `restartIfFallenBack()` re-executes the program with it set, chosen from the CPU's features
/// (`unlearn_openblas_core_for_cpu`) rather than its model number.
public enum OpenBLASCore {
  /// The kernel set OpenBLAS chose (`openblas_get_corename`): "Haswell", "SkylakeX", "Prescott", ….
  public static var current: String { String(cString: openblas_get_corename()) }

  /// The best kernel set this CPU's features allow, "SkylakeX" (AVX-512) or "Haswell" (AVX2 + FMA);
  /// nil without AVX2 and FMA.
  public static var supported: String? { unlearn_openblas_core_for_cpu().map { String(cString: $0) } }

  /// Kernel sets that already use AVX2 and FMA: OpenBLAS knew the CPU.
  static let vectorCores: Set<String> = ["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids", "excavator"]

  /// The core to restart with: `supported`, when OpenBLAS fell back to a kernel set without AVX2 on
  /// a CPU that has it and the user did not choose one (`OPENBLAS_CORETYPE`, any value, wins —
  /// which is also how the restarted process knows not to restart again).
  static func replacement(current: String, supported: String?, chosen: String?) -> String? {
    guard chosen == nil, let supported, !vectorCores.contains(current.lowercased()) else { return nil }
    return supported
  }

  /// Re-executes this program, same arguments and environment plus `OPENBLAS_CORETYPE`, when
  /// OpenBLAS fell back below what the CPU runs; returns when it did not, or when the restart
  /// fails (the program then runs on the slower kernels). Call it first thing in `main`, before
  /// any thread starts or file opens: the new image replaces this one.
  public static func restartIfFallenBack() {
    #if os(Linux)
      let chosen = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
      guard let core = replacement(current: current, supported: supported, chosen: chosen) else { return }
      setenv("OPENBLAS_CORETYPE", core, 1)
      execv("/proc/self/exe", CommandLine.unsafeArgv)
      unsetenv("OPENBLAS_CORETYPE")
    #endif
  }
}
