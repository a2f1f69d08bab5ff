/// A dense matrix of `Double`, stored row-major in one contiguous array.
///
/// Element (i, j) lives at `elements[i * columns + j]`; there are no strides and no views, so a
/// `Matrix` is always a value: copying it copies the numbers (lazily, through the array's
/// copy-on-write). BLAS and LAPACK see the storage only inside `BLAS` and `LAPACK`, through
/// `withUnsafe(Mutable)BufferPointer`, with the leading dimension equal to `columns`.
///
/// Shapes are programmer facts, not data: a mismatch traps with a message naming both shapes.
public struct Matrix: Equatable, Hashable, Sendable {
  /// The number of rows.
  public let rows: Int
  /// The number of columns.
  public let columns: Int
  /// The entries, row after row (`rows * columns` of them).
  @inlinable public var elements: [Double] { storage }

  /// The storage behind `elements`; its count never changes after initialization.
  @usableFromInline var storage: [Double]

  /// A `rows × columns` matrix with every entry equal to `value`.
  public init(rows: Int, columns: Int, repeating value: Double = 0) {
    precondition(rows >= 0 && columns >= 0, "Matrix shape must be non-negative, got \(rows)×\(columns)")
    self.rows = rows
    self.columns = columns
    self.storage = Array(repeating: value, count: rows * columns)
  }

  /// A `rows × columns` matrix over the given row-major entries.
  public init(rows: Int, columns: Int, elements: [Double]) {
    precondition(rows >= 0 && columns >= 0, "Matrix shape must be non-negative, got \(rows)×\(columns)")
    precondition(
      elements.count == rows * columns,
      "Matrix \(rows)×\(columns) needs \(rows * columns) elements, got \(elements.count)")
    self.rows = rows
    self.columns = columns
    self.storage = elements
  }

  /// A matrix from an array of equally long rows.
  public init(_ rowArrays: [[Double]]) {
    let columns = rowArrays.first?.count ?? 0
    for (index, row) in rowArrays.enumerated() {
      precondition(row.count == columns, "Row \(index) has \(row.count) entries, expected \(columns)")
    }
    self.init(rows: rowArrays.count, columns: columns, elements: rowArrays.flatMap { $0 })
  }

  /// The `n × n` identity.
  public static func identity(_ n: Int) -> Matrix {
    var matrix = Matrix(rows: n, columns: n)
    for i in 0..<n { matrix[i, i] = 1 }
    return matrix
  }

  /// Whether the matrix is square.
  public var isSquare: Bool { rows == columns }

  /// The entry in row `row`, column `column` (both 0-based).
  @inlinable
  public subscript(row: Int, column: Int) -> Double {
    get {
      precondition(
        row >= 0 && row < rows && column >= 0 && column < columns,
        "Index (\(row), \(column)) outside a \(rows)×\(columns) matrix")
      return storage[row * columns + column]
    }
    set {
      precondition(
        row >= 0 && row < rows && column >= 0 && column < columns,
        "Index (\(row), \(column)) outside a \(rows)×\(columns) matrix")
      storage[row * columns + column] = newValue
    }
  }

  /// A copy of row `index`.
  public func row(_ index: Int) -> [Double] {
    precondition(index >= 0 && index < rows, "Row \(index) outside a matrix with \(rows) rows")
    return Array(elements[(index * columns)..<((index + 1) * columns)])
  }

  /// A copy of column `index`.
  public func column(_ index: Int) -> [Double] {
    precondition(index >= 0 && index < columns, "Column \(index) outside a matrix with \(columns) columns")
    return (0..<rows).map { elements[$0 * columns + index] }
  }

  /// The matrix made of the given rows, in the given order (rows may repeat).
  public func selectingRows(_ indices: some Sequence<Int>) -> Matrix {
    let chosen = Array(indices)
    for index in chosen {
      precondition(index >= 0 && index < rows, "Row \(index) outside a matrix with \(rows) rows")
    }
    // One exact allocation and one memcpy per row (growing an array row by row reallocates and
    // page-faults repeatedly).
    let width = columns
    guard width > 0 else { return Matrix(rows: chosen.count, columns: 0) }
    let selected = [Double](unsafeUninitializedCapacity: chosen.count * width) { target, initialized in
      storage.withUnsafeBufferPointer { source in
        for (position, index) in chosen.enumerated() {
          (target.baseAddress! + position * width).initialize(
            from: source.baseAddress! + index * width, count: width)
        }
      }
      initialized = chosen.count * width
    }
    return Matrix(rows: chosen.count, columns: columns, elements: selected)
  }

  /// The transpose, as a new matrix. O(rows · columns).
  public func transposed() -> Matrix {
    var result = Matrix(rows: columns, columns: rows)
    elements.withUnsafeBufferPointer { source in
      result.storage.withUnsafeMutableBufferPointer { target in
        for i in 0..<rows {
          for j in 0..<columns { target[j * rows + i] = source[i * columns + j] }
        }
      }
    }
    return result
  }

  /// Transposes a square matrix in place.
  public mutating func transpose() {
    precondition(isSquare, "transpose() in place needs a square matrix, got \(rows)×\(columns)")
    for i in 0..<rows {
      for j in (i + 1)..<columns {
        storage.swapAt(i * columns + j, j * columns + i)
      }
    }
  }

  /// For each row, the column of its largest entry (the first one on ties).
  public func indicesOfRowMaxima() -> [Int] {
    (0..<rows).map { row in
      var best = 0
      for column in 1..<Swift.max(columns, 1) where self[row, column] > self[row, best] { best = column }
      return best
    }
  }

  /// The largest absolute entry (0 for an empty matrix).
  public var maxAbsoluteValue: Double {
    elements.reduce(0) { Swift.max($0, Swift.abs($1)) }
  }

  /// The Frobenius norm, √(Σ a_ij²), computed without overflow by BLAS `nrm2`.
  public var frobeniusNorm: Double { BLAS.nrm2(elements) }

  /// Whether every entry is finite (no NaN, no ±∞).
  public var isFinite: Bool { elements.allSatisfy(\.isFinite) }

  /// Calls `body` with the row-major storage.
  @inlinable
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R {
    try storage.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with the mutable row-major storage; `body` must not change its count.
  @inlinable
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<Double>) throws -> R
  ) rethrows -> R {
    try storage.withUnsafeMutableBufferPointer(body)
  }
}

extension Matrix: CustomStringConvertible {
  public var description: String {
    let shown = (0..<Swift.min(rows, 6)).map { i in
      (0..<Swift.min(columns, 6)).map { j in "\(self[i, j])" }.joined(separator: " ")
        + (columns > 6 ? " …" : "")
    }
    return "Matrix \(rows)×\(columns)\n" + shown.joined(separator: "\n") + (rows > 6 ? "\n…" : "")
  }
}
