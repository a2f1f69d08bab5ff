import CUnlearnBLAS
import UnlearnCore
import _UnlearnTestSupport

/// The triangular solves behind Newton removal's per-request cost: Uᵀ·X = B and U·X = B with an
/// n × n upper factor and m right-hand sides, `CholeskyFactorization`'s blocked substitution
/// against raw `cblas_dtrsm` on the same buffers, in one run, with one OpenBLAS thread.
///
/// n is the parameter count of the logistic models the Newton benchmark uses (digits: 650,
/// mnist5k: 7,850); m = 11 is a softmax sample's downdate (10 columns) plus the gradient. The
/// factor's upper triangle is n²/2 doubles, so "GB/s" is how fast the solve streams it.
enum TriangularSolveBenchmark {
  static func run(sizes: [Int], columns: [Int], threads: Int) throws {
    openblas_set_num_threads(Int32(threads))
    emit("# Triangular solves: blocked substitution vs cblas_dtrsm, \(threads) OpenBLAS thread(s)")
    emit("CPU: \(MachineDescription.summary)")
    emit("")
    emit("| n | m | solve | blocked ms | dtrsm ms | dtrsm / blocked | blocked GB/s of the triangle | reps |")
    emit("|---|---|---|---|---|---|---|---|")
    var generator = SeededGenerator(seed: 2026)
    for n in sizes {
      // A well-conditioned upper factor: unit-scale diagonal, small off-diagonal entries.
      var upper = Matrix(rows: n, columns: n)
      for i in 0..<n {
        upper[i, i] = Double.random(in: 1..<2, using: &generator)
        for j in (i + 1)..<n { upper[i, j] = Double.random(in: -0.5..<0.5, using: &generator) / Double(n) }
      }
      let factor = try CholeskyFactorization(validatingUpper: upper)
      for m in columns {
        let b = RandomMatrices.uniform(rows: n, columns: m, using: &generator)
        let repetitions = n > 4000 ? 5 : 50
        for transposed in [true, false] {
          log("triangular solve: n=\(n) m=\(m) \(transposed ? "Uᵀ" : "U")")
          var raw = b
          var blocked = b
          let (ours, theirs) = Measurement.interleaved(repetitions: repetitions) {
            blocked = transposed ? factor.solveTransposed(b) : factor.solveUpper(b)
          } _: {
            raw = b
            upper.withUnsafeBufferPointer { u in
              raw.withUnsafeMutableBufferPointer { x in
                cblas_dtrsm(
                  CblasRowMajor, CblasLeft, CblasUpper, transposed ? CblasTrans : CblasNoTrans, CblasNonUnit,
                  Int32(n), Int32(m), 1, u.baseAddress, Int32(n), x.baseAddress, Int32(m))
              }
            }
          }
          precondition(
            RandomMatrices.relativeDifference(blocked, raw) < 1e-10, "blocked and dtrsm solves disagree")
          let bytes = Double(n) * Double(n) / 2 * 8
          emit(
            "| \(n) | \(m) | \(transposed ? "Uᵀ·X = B" : "U·X = B") | \(format(ours.median * 1000, 2)) | "
              + "\(format(theirs.median * 1000, 2)) | \(format(theirs.median / ours.median))× | "
              + "\(format(bytes / ours.median / 1e9, 1)) | \(repetitions) |")
        }
      }
    }
  }
}
