import Testing

@testable import UnlearnModels

/// The wire format against the examples of the Protocol Buffers encoding guide
/// (https://protobuf.dev/programming-guides/encoding/); ONNX Runtime reading whole exported models
/// is checked in Tests/Python/test_onnx_export.py.
struct ProtobufWriterTests {
  @Test func varintField() {
    var writer = ProtobufWriter()
    writer.integer(1, 150)
    #expect(writer.bytes == [0x08, 0x96, 0x01])
  }

  @Test func stringField() {
    var writer = ProtobufWriter()
    writer.string(2, "testing")
    #expect(writer.bytes == [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67])
  }

  @Test func packedRepeatedField() {
    var writer = ProtobufWriter()
    writer.packedIntegers(4, [3, 270, 86942])
    #expect(writer.bytes == [0x22, 0x06, 0x03, 0x8E, 0x02, 0x9E, 0xA7, 0x05])
  }

  @Test func nestedMessageIsLengthDelimited() {
    var writer = ProtobufWriter()
    writer.message(3) { $0.integer(1, 150) }
    #expect(writer.bytes == [0x1a, 0x03, 0x08, 0x96, 0x01])
  }

  @Test func negativeIntegersTakeTenBytes() {
    var writer = ProtobufWriter()
    writer.integer(1, -1)
    #expect(writer.bytes == [0x08] + [UInt8](repeating: 0xff, count: 9) + [0x01])
  }

  @Test func floatIsFixed32LittleEndian() {
    var writer = ProtobufWriter()
    writer.float(2, 1.0)
    #expect(writer.bytes == [0x15, 0x00, 0x00, 0x80, 0x3f])
  }
}
