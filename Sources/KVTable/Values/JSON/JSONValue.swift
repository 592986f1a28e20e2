#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A JSON document: the body of a DynamoDB request or response, an item in DynamoDB JSON.
///
/// `parse(_:)` (from text or bytes) reads one (validating UTF-8 and bounding nesting); ``serialized()`` writes
/// exactly the characters DynamoDB clients expect (no escaped slashes, integral numbers without
/// a fraction, object members sorted by the UTF-8 bytes of their names so output is stable).
///
/// Numbers are `Double`s: DynamoDB's protocol carries attribute numbers as *strings*
/// (`{"N": "1.5"}`), so only counts and limits travel as JSON numbers.
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number (written without a fraction when it is integral and below 10¹⁵ in magnitude;
    /// NaN and infinity, which JSON cannot express, are written as `null`).
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object: member names to values (when parsed, a repeated name keeps its last value).
    case object([String: JSONValue])

    /// Parses JSON text.
    ///
    /// - Throws: ``JSONSyntaxError`` naming what is wrong and the byte offset.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        try JSONParser.parse(Array(bytes))
    }

    /// Parses JSON text.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    /// The JSON text as a `String`.
    public var text: String { String(decoding: serialized(), as: UTF8.self) }

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
            if !number.isFinite {
                // JSON has no NaN or infinity (and the parser never makes one); writing `null`,
                // as JavaScript does, keeps the output parseable.
                output += Array("null".utf8)
            } else if number.rounded() == number, abs(number) < 1e15 {
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
            // Sorted keys: stable output for tests and diffs; by UTF-8 bytes, as DynamoDB
            // orders strings (Swift's `<` would equate composed and decomposed characters).
            for (i, key) in members.keys.sorted(by: { bytesLess($0.utf8, $1.utf8) }).enumerated() {
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
