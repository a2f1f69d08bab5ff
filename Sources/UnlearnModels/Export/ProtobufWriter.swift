/// Protocol Buffers wire format, the part ONNX files need: varints, length-delimited fields and
/// nested messages (https://protobuf.dev/programming-guides/encoding/).
///
/// ONNX's schema uses a handful of message types whose fields we write in order; a writer of our
/// own is about 60 lines, where swift-protobuf would add its runtime package and the generated
/// ONNX types to every fresh build, whose time is already most of a new user's first ten minutes.
struct ProtobufWriter {
  private(set) var bytes: [UInt8] = []

  /// Wire types: 0 varint, 2 length-delimited.
  private mutating func key(_ field: Int, wireType: Int) {
    varint(UInt64(field << 3 | wireType))
  }

  private mutating func varint(_ value: UInt64) {
    var value = value
    while value >= 0x80 {
      bytes.append(UInt8(value & 0x7f) | 0x80)
      value >>= 7
    }
    bytes.append(UInt8(value))
  }

  /// An int32, int64 or enum field (negative values take ten bytes, as protobuf encodes them).
  mutating func integer(_ field: Int, _ value: Int64) {
    key(field, wireType: 0)
    varint(UInt64(bitPattern: value))
  }

  mutating func bytes(_ field: Int, _ value: [UInt8]) {
    key(field, wireType: 2)
    varint(UInt64(value.count))
    bytes += value
  }

  mutating func string(_ field: Int, _ value: String) {
    bytes(field, Array(value.utf8))
  }

  mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
    var nested = ProtobufWriter()
    build(&nested)
    bytes(field, nested.bytes)
  }

  /// A packed repeated int64 field.
  mutating func packedIntegers(_ field: Int, _ values: [Int64]) {
    var nested = ProtobufWriter()
    for value in values { nested.varint(UInt64(bitPattern: value)) }
    bytes(field, nested.bytes)
  }

  /// A 32-bit float field (wire type 5).
  mutating func float(_ field: Int, _ value: Float) {
    key(field, wireType: 5)
    withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
  }
}
