import CUnlearnBLAS

/// The one door to OpenBLAS's CBLAS for `Matrix` and `[Double]`.
///
/// Every routine works on row-major storage (`CblasRowMajor`, leading dimension = `columns`).
/// Operand shapes are checked before the call and a mismatch traps with both shapes in the message:
/// a wrong shape is a bug in the caller, never a property of the data.
///
/// Threads: OpenBLAS uses `OPENBLAS_NUM_THREADS` threads (all cores if unset). Results are
/// reproducible bit for bit with one thread; with more, reduction order may change the last bits.
public enum BLAS {
  /// The threads OpenBLAS runs on (`openblas_get_num_threads`): `OPENBLAS_NUM_THREADS`, else the
  /// cores. Unlearn's own memory-bound kernels use as many.
  public static var threadCount: Int { Int(openblas_get_num_threads()) }

  // MARK: Level 3

  /// General matrix product `C ← α·op(A)·op(B) + β·C` (`dgemm`). O(m·n·k).
  ///
  /// `op(X)` is `Xᵀ` when `transposeA`/`transposeB` is set, else `X`; `C` must be `op(A).rows × op(B).columns`.
  public static func gemm(
    _ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false,
    alpha: Double = 1, beta: Double = 0, into c: inout Matrix
  ) {
    let (m, k) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
    let (kB, n) = transposeB ? (b.columns, b.rows) : (b.rows, b.columns)
    precondition(
      k == kB,
      "gemm: op(A) is \(m)×\(k) but op(B) is \(kB)×\(n); inner dimensions must agree")
    precondition(
      c.rows == m && c.columns == n,
      "gemm: C is \(c.rows)×\(c.columns), expected \(m)×\(n)")
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
      c.withUnsafeMutableBufferPointer { cBuffer in
        for index in cBuffer.indices { cBuffer[index] = beta == 0 ? 0 : beta * cBuffer[index] }
      }
      return
    }
    a.withUnsafeBufferPointer { aBuffer in
      b.withUnsafeBufferPointer { bBuffer in
        c.withUnsafeMutableBufferPointer { cBuffer in
          // A one-column or one-row C is a matrix-vector product: `dgemv` skips the packing
          // `dgemm` does (on a 569×31 logistic batch the packing was most of the product).
          if n == 1 {
            // c = α·op(A)·b + β·c; op(B) is k×1, contiguous in either storage.
            cblas_dgemv(
              CblasRowMajor, cblasTranspose(transposeA), Int32(a.rows), Int32(a.columns),
              alpha, aBuffer.baseAddress, Int32(max(a.columns, 1)),
              bBuffer.baseAddress, 1, beta, cBuffer.baseAddress, 1)
            return
          }
          if m == 1 {
            // cᵀ = α·op(B)ᵀ·aᵀ + β·cᵀ; op(A) is 1×k, contiguous in either storage.
            cblas_dgemv(
              CblasRowMajor, cblasTranspose(!transposeB), Int32(b.rows), Int32(b.columns),
              alpha, bBuffer.baseAddress, Int32(max(b.columns, 1)),
              aBuffer.baseAddress, 1, beta, cBuffer.baseAddress, 1)
            return
          }
          cblas_dgemm(
            CblasRowMajor, cblasTranspose(transposeA), cblasTranspose(transposeB),
            Int32(m), Int32(n), Int32(k),
            alpha, aBuffer.baseAddress, Int32(max(a.columns, 1)),
            bBuffer.baseAddress, Int32(max(b.columns, 1)),
            beta, cBuffer.baseAddress, Int32(max(n, 1)))
        }
      }
    }
  }

  /// The product `op(A)·op(B)` as a new matrix.
  public static func product(
    _ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false
  ) -> Matrix {
    var c = Matrix(rows: transposeA ? a.columns : a.rows, columns: transposeB ? b.rows : b.columns)
    gemm(a, b, transposeA: transposeA, transposeB: transposeB, into: &c)
    return c
  }

  /// Symmetric rank-k update `C ← α·op(A)·op(A)ᵀ + β·C` (`dsyrk`). O(n²·k), half of `gemm`'s flops.
  ///
  /// Without `transpose`, `op(A) = A` (n×k) and `C = α·A·Aᵀ + β·C`; with it, `op(A) = Aᵀ` and
  /// `C = α·Aᵀ·A + β·C` (the Gram matrix of A's columns, the shape of a Hessian `Xᵀ·D·X`).
  /// BLAS writes only the upper triangle; this wrapper mirrors it so `C` is returned fully symmetric
  /// (the strict lower triangle of the input `C` is ignored, as BLAS ignores it).
  public static func syrk(
    _ a: Matrix, transpose: Bool = false, alpha: Double = 1, beta: Double = 0, into c: inout Matrix
  ) {
    let (n, k) = transpose ? (a.columns, a.rows) : (a.rows, a.columns)
    precondition(
      c.rows == n && c.columns == n,
      "syrk: C is \(c.rows)×\(c.columns), expected \(n)×\(n) for op(A) of shape \(n)×\(k)")
    guard n > 0 else { return }
    a.withUnsafeBufferPointer { aBuffer in
      c.withUnsafeMutableBufferPointer { cBuffer in
        if k == 0 {
          for i in 0..<n {
            for j in i..<n { cBuffer[i * n + j] = beta == 0 ? 0 : beta * cBuffer[i * n + j] }
          }
        } else {
          cblas_dsyrk(
            CblasRowMajor, CblasUpper, cblasTranspose(transpose),
            Int32(n), Int32(k), alpha, aBuffer.baseAddress, Int32(max(a.columns, 1)),
            beta, cBuffer.baseAddress, Int32(n))
        }
        for i in 0..<n {
          for j in (i + 1)..<n { cBuffer[j * n + i] = cBuffer[i * n + j] }
        }
      }
    }
  }

  // MARK: Level 2

  /// Matrix-vector product `y ← α·op(A)·x + β·y` (`dgemv`). O(m·n).
  public static func gemv(
    _ a: Matrix, _ x: [Double], transpose: Bool = false,
    alpha: Double = 1, beta: Double = 0, into y: inout [Double]
  ) {
    let (m, n) = transpose ? (a.columns, a.rows) : (a.rows, a.columns)
    precondition(x.count == n, "gemv: op(A) is \(m)×\(n) but x has \(x.count) entries")
    precondition(y.count == m, "gemv: op(A) is \(m)×\(n) but y has \(y.count) entries")
    guard m > 0 else { return }
    guard n > 0 else {
      for index in y.indices { y[index] = beta == 0 ? 0 : beta * y[index] }
      return
    }
    a.withUnsafeBufferPointer { aBuffer in
      x.withUnsafeBufferPointer { xBuffer in
        y.withUnsafeMutableBufferPointer { yBuffer in
          cblas_dgemv(
            CblasRowMajor, cblasTranspose(transpose), Int32(a.rows), Int32(a.columns),
            alpha, aBuffer.baseAddress, Int32(max(a.columns, 1)),
            xBuffer.baseAddress, 1, beta, yBuffer.baseAddress, 1)
        }
      }
    }
  }

  /// The product `op(A)·x` as a new vector.
  public static func product(_ a: Matrix, _ x: [Double], transpose: Bool = false) -> [Double] {
    var y = [Double](repeating: 0, count: transpose ? a.columns : a.rows)
    gemv(a, x, transpose: transpose, into: &y)
    return y
  }

  // MARK: Level 1

  /// `y ← α·x + y` (`daxpy`). O(n).
  public static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
    precondition(x.count == y.count, "axpy: x has \(x.count) entries, y has \(y.count)")
    guard !x.isEmpty else { return }
    x.withUnsafeBufferPointer { xBuffer in
      y.withUnsafeMutableBufferPointer { yBuffer in
        cblas_daxpy(Int32(x.count), alpha, xBuffer.baseAddress, 1, yBuffer.baseAddress, 1)
      }
    }
  }

  /// The dot product `xᵀy` (`ddot`). O(n).
  public static func dot(_ x: [Double], _ y: [Double]) -> Double {
    precondition(x.count == y.count, "dot: x has \(x.count) entries, y has \(y.count)")
    guard !x.isEmpty else { return 0 }
    return x.withUnsafeBufferPointer { xBuffer in
      y.withUnsafeBufferPointer { yBuffer in
        cblas_ddot(Int32(x.count), xBuffer.baseAddress, 1, yBuffer.baseAddress, 1)
      }
    }
  }

  /// The Euclidean norm `‖x‖₂` (`dnrm2`, scaled so it neither overflows nor underflows). O(n).
  public static func nrm2(_ x: [Double]) -> Double {
    guard !x.isEmpty else { return 0 }
    return x.withUnsafeBufferPointer { cblas_dnrm2(Int32(x.count), $0.baseAddress, 1) }
  }

  /// `x ← α·x` (`dscal`). O(n).
  public static func scal(_ alpha: Double, _ x: inout [Double]) {
    guard !x.isEmpty else { return }
    x.withUnsafeMutableBufferPointer { cblas_dscal(Int32($0.count), alpha, $0.baseAddress, 1) }
  }

  private static func cblasTranspose(_ transpose: Bool) -> CBLAS_TRANSPOSE {
    transpose ? CblasTrans : CblasNoTrans
  }
}
