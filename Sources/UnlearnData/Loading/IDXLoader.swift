import UnlearnCore

/// Loads MNIST-style IDX files, plain or gzipped, into a `Dataset`.
///
/// An IDX file is a 4-byte magic (two zero bytes, a type code, the number of dimensions d), d
/// big-endian `UInt32` sizes, then the values row-major. Only unsigned bytes (type 0x08) occur in
/// MNIST and Fashion-MNIST and only they are accepted. The images file is `count × rows × columns`
/// (flattened to `rows·columns` features, raw 0–255 values); the labels file is 1-dimensional with
/// the same count. Sample ids are the 0-based image index. A short header, a body shorter or longer
/// than the header promises, or a damaged gzip stream is a `DataError` naming the file and byte.
public struct IDXLoader: Sendable {
  public init() {}

  /// Loads an images file and its labels file.
  public func load(imagesPath: String, labelsPath: String) throws -> Dataset {
    let images = try IDXArray(path: imagesPath)
    let labels = try IDXArray(path: labelsPath)
    guard images.shape.count >= 2 else {
      throw DataError(
        .badHeader, file: imagesPath, column: 3, expected: "an images file with at least 2 dimensions",
        found: "\(images.shape.count) dimension(s)", hint: "Is this the labels file?")
    }
    guard labels.shape.count == 1 else {
      throw DataError(
        .badHeader, file: labelsPath, column: 3, expected: "a 1-dimensional labels file",
        found: "\(labels.shape.count) dimensions", hint: "Is this the images file?")
    }
    let count = images.shape[0]
    guard labels.shape[0] == count else {
      throw DataError(
        .badHeader, file: labelsPath, column: 4, expected: "\(count) labels, one per image in \(imagesPath)",
        found: "\(labels.shape[0])")
    }
    let featureCount = images.shape.dropFirst().reduce(1, *)
    let features = images.values.withUnsafeBufferPointer { bytes in
      [Double](unsafeUninitializedCapacity: bytes.count) { target, initialized in
        for index in bytes.indices { target[index] = Double(bytes[index]) }
        initialized = bytes.count
      }
    }
    let classes = ClassLabels(integers: labels.values.map(Int.init))
    return try Dataset(
      name: imagesPath,
      ids: (0..<count).map { SampleID(row: $0) },
      features: Matrix(rows: count, columns: featureCount, elements: features),
      labels: classes.indices,
      classNames: classes.names,
      idOrigin: .rowNumber)
  }

  /// The labels file that goes with an images file by the MNIST naming convention
  /// (`…-images-idx3-ubyte[.gz]` → `…-labels-idx1-ubyte[.gz]`), or nil if the name does not follow it.
  public static func labelsPath(forImagesPath path: String) -> String? {
    guard let range = path.range(of: "images-idx3", options: .backwards) else { return nil }
    return path.replacingCharacters(in: range, with: "labels-idx1")
  }
}

/// One IDX array of unsigned bytes: its shape and values.
struct IDXArray {
  let shape: [Int]
  let values: [UInt8]

  init(path: String) throws {
    let bytes = try FileContents.gunzippedBytes(of: path)
    guard bytes.count >= 4 else {
      throw DataError.truncatedFile(
        path, offset: bytes.count, expected: "a 4-byte IDX magic number", found: "\(bytes.count) bytes")
    }
    guard bytes[0] == 0, bytes[1] == 0, bytes[2] == 0x08, bytes[3] >= 1 else {
      let magic = bytes[0..<4].map { String($0, radix: 16, uppercase: true) }.joined(separator: " ")
      throw DataError(
        .badHeader, file: path, column: 0,
        expected: "IDX magic 00 00 08 <dimensions> (unsigned bytes)", found: magic,
        hint: "Pass an MNIST-format IDX file, gzipped or not")
    }
    let dimensions = Int(bytes[3])
    let headerSize = 4 + 4 * dimensions
    guard bytes.count >= headerSize else {
      throw DataError.truncatedFile(
        path, offset: bytes.count, expected: "a \(headerSize)-byte header for \(dimensions) dimensions",
        found: "\(bytes.count) bytes")
    }
    let shape = (0..<dimensions).map { dimension in
      bytes[(4 + 4 * dimension)..<(8 + 4 * dimension)].reduce(0) { $0 << 8 | Int($1) }
    }
    // A damaged header can name sizes whose product does not fit in an Int.
    let bodySize = shape.reduce(Optional(1)) { size, dimension in
      size.flatMap { size in
        let (product, overflow) = size.multipliedReportingOverflow(by: dimension)
        return overflow ? nil : product
      }
    }
    guard let bodySize, bytes.count - headerSize == bodySize else {
      let shapeText = shape.map(String.init).joined(separator: "×")
      throw DataError.truncatedFile(
        path, offset: bytes.count, expected: "\(bodySize.map(String.init) ?? "more") data bytes for shape \(shapeText)",
        found: "\(bytes.count - headerSize)")
    }
    self.shape = shape
    self.values = Array(bytes[headerSize...])
  }
}
