import CUnlearnBLAS
import UnlearnCore
import _UnlearnTestSupport

/// GFLOP/s of `BLAS.gemm` against raw `cblas_dgemm` on the same buffers and the naive Swift triple
/// loop, for n × n matrices, with OpenBLAS limited to 1 and then 2 threads in the same run.
///
/// A product of two n × n matrices costs 2n³ flops. The naive kernel is single-threaded, so it is
/// measured once per n and shown in both thread rows.
enum GemmBenchmark {
  static func run(sizes: [Int], threadCounts: [Int]) {
    emit("# gemm: C = A·B, n × n, Double")
    emit("CPU: \(MachineDescription.summary) (AVX-512: \(MachineDescription.hasAVX512 ? "yes" : "no"))")
    emit("OpenBLAS: \(String(cString: openblas_get_config()))")
    emit("")
    emit(
      "| threads | n | naive GFLOP/s | raw OpenBLAS GFLOP/s | BLAS.gemm GFLOP/s | wrapper / raw | wrapper / naive | reps |"
    )
    emit("|---|---|---|---|---|---|---|---|")
    let originalThreads = openblas_get_num_threads()
    defer { openblas_set_num_threads(originalThreads) }
    var generator = SeededGenerator(seed: 2026)
    var naiveRates: [Int: Double] = [:]
    for threads in threadCounts {
      openblas_set_num_threads(Int32(threads))
      for n in sizes {
        let a = RandomMatrices.uniform(rows: n, columns: n, using: &generator)
        let b = RandomMatrices.uniform(rows: n, columns: n, using: &generator)
        let flops = 2 * Double(n) * Double(n) * Double(n)
        let repetitions = max(3, min(50, Int(2e10 / flops)))
        if naiveRates[n] == nil {
          log("gemm: naive n=\(n)")
          let naive = Measurement.run(repetitions: n >= 1024 ? 1 : 3, warmUp: n < 1024) {
            _ = NaiveLinearAlgebra.product(a, b)
          }
          naiveRates[n] = flops / naive.median / 1e9
        }
        log("gemm: threads=\(threads) n=\(n), \(repetitions) repetitions")
        var c = Matrix(rows: n, columns: n)
        var raw = [Double](repeating: 0, count: n * n)
        let (wrapper, measuredRaw) = Measurement.interleaved(repetitions: repetitions) {
          BLAS.gemm(a, b, into: &c)
        } _: {
          a.withUnsafeBufferPointer { aBuffer in
            b.withUnsafeBufferPointer { bBuffer in
              raw.withUnsafeMutableBufferPointer { cBuffer in
                cblas_dgemm(
                  CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1,
                  aBuffer.baseAddress, Int32(n), bBuffer.baseAddress, Int32(n), 0, cBuffer.baseAddress, Int32(n))
              }
            }
          }
        }
        precondition(raw == c.elements, "raw and wrapped gemm disagree")
        let wrapperRate = flops / wrapper.median / 1e9
        let rawRate = flops / measuredRaw.median / 1e9
        let naiveRate = naiveRates[n]!
        emit(
          "| \(threads) | \(n) | \(format(naiveRate)) | \(format(rawRate, 1)) | \(format(wrapperRate, 1)) | "
            + "\(format(wrapperRate / rawRate)) | \(format(wrapperRate / naiveRate, 0))× | \(repetitions) |")
      }
    }
    emit("")
    emit(
      "Rates are medians over the repetitions shown, wrapper and raw timed in alternation after one warm-up\neach; naive: median of 3 runs after a warm-up (1 run, no warm-up, at n = 1024)."
    )
  }
}
