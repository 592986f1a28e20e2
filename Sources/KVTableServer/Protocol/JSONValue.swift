/// A parsed JSON document: the body of a DynamoDB request or response.
///
/// Requests are read by ``JSONParser``; responses are written by ``serialized()``, which emits
/// exactly the characters DynamoDB clients expect (no escaped slashes, integral numbers without
/// a fraction).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses a request body; anything but a JSON object is a `SerializationException`.
    static func parseObject(_ bytes: [UInt8]) throws(WireError) -> [String: JSONValue] {
        if bytes.isEmpty { return [:] }
        guard case .object(let object) = try JSONParser.parse(bytes) else {
            throw WireError.serialization("The request body must be a JSON object")
        }
        return object
    }

    /// The JSON text.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(to: &output)
        return output
    }

    private func write(to output: inout [UInt8]) {
        switch self {
        case .null:
            output += Array("null".utf8)
        case .bool(let flag):
            output += Array((flag ? "true" : "false").utf8)
        case .number(let number):
            if number.rounded() == number, abs(number) < 1e15 {
                output += Array(String(Int64(number)).utf8)
            } else {
                output += Array(String(number).utf8)
            }
        case .string(let text):
            JSONValue.writeString(text, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { output.append(UInt8(ascii: ",")) }
                element.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            // Sorted keys: stable output for tests and diffs.
            for (i, key) in members.keys.sorted().enumerated() {
                if i > 0 { output.append(UInt8(ascii: ",")) }
                JSONValue.writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                members[key]!.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += [0x5C, 0x22]
            case UInt8(ascii: "\\"): output += [0x5C, 0x5C]
            case 0x0A: output += [0x5C, UInt8(ascii: "n")]
            case 0x0D: output += [0x5C, UInt8(ascii: "r")]
            case 0x09: output += [0x5C, UInt8(ascii: "t")]
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output += [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
