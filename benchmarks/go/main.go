// lpj-go-baseline: an LPJ server (lpj/1, spec/lpj.md) written the way an implementer picks first in Go:
// the standard library only, a goroutine per connection, encoding/json to read every request and write
// every response.
//
//	22 00 00 00  {"in":"ping","params":"ireader 0"}     request: 4-octet length (little-endian), JSON
//	23 00 00 00  {"out":"pong","result":"ireader 0"}    response
//
// Every request is checked as the spec requires (UTF-8, no BOM, one JSON text, paired surrogate escapes,
// depth, "in" and "params" each exactly once) before it is answered, and the responses to one read go out
// in one write. README.md says what encoding/json does with each check and what this server adds.
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"unicode/utf8"
)

// maxBody is the largest body accepted, in octets (frame.max-size-minimum: 1 MiB).
const maxBody = 1 << 20

// maxDepth is encoding/json's own nesting limit: its scanner refuses the 10,001st nested [ or {.
const maxDepth = 10000

func main() {
	host := flag.String("host", "127.0.0.1", "address to listen on")
	port := flag.Int("port", 8080, "port (0: the kernel picks one)")
	flag.Parse()
	listener, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		fmt.Fprintf(os.Stderr, "lpj-go-baseline: cannot listen: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("lpj-go-baseline: listening on %s\n", listener.Addr())
	for {
		connection, err := listener.Accept()
		if err != nil {
			continue
		}
		go serve(connection)
	}
}

// serve reads, answers every whole frame in the buffer, and writes the answers in one write.
func serve(connection net.Conn) {
	defer connection.Close()
	var input, output []byte
	chunk := make([]byte, 4096) // bufio.Reader's default size
	for {
		count, err := connection.Read(chunk)
		if count == 0 || err != nil {
			return // end of stream: whole frames were answered; a cut frame gets nothing
		}
		input = append(input, chunk[:count]...)
		start, oversize := 0, false
		for len(input)-start >= 4 {
			length := int(binary.LittleEndian.Uint32(input[start:]))
			if length > maxBody {
				output = appendFrame(output, response{Out: "error", Result: refusal{Code: "frame-too-large",
					Message: fmt.Sprintf("frame length %d exceeds the limit of %d octets", length, maxBody),
					Rule:    "frame.oversize-close"}})
				oversize = true
				break
			}
			if len(input)-start-4 < length {
				break
			}
			output = answer(input[start+4:start+4+length], output)
			start += 4 + length
		}
		input = input[:copy(input, input[start:])]
		if len(output) > 0 {
			if _, err := connection.Write(output); err != nil {
				return
			}
			output = output[:0]
		}
		if oversize {
			return
		}
	}
}

type response struct {
	Out    string `json:"out"`
	Result any    `json:"result"`
}

type refusal struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Rule    string `json:"rule"`
	Offset  *int   `json:"offset,omitempty"`
}

// appendFrame appends value as a frame: a 4-octet little-endian length, then json.Marshal's text.
func appendFrame(output []byte, value any) []byte {
	body, err := json.Marshal(value)
	if err != nil {
		panic(err)
	}
	output = binary.LittleEndian.AppendUint32(output, uint32(len(body)))
	return append(output, body...)
}

func answer(body []byte, output []byte) []byte {
	method, params, failure := readRequest(body)
	if failure != nil {
		return appendFrame(output, response{Out: "error", Result: failure})
	}
	switch method {
	case "ping":
		return appendFrame(output, response{Out: "pong", Result: params})
	case "lpj.describe":
		return appendFrame(output, response{Out: "lpj.description", Result: map[string]any{
			"protocol": "lpj/1", "byteOrder": "little", "maxBody": maxBody, "maxDepth": maxDepth,
			"methods": []string{"lpj.describe", "ping"}, "server": "lpj-go-baseline/1.0 (encoding/json)",
			"duplicates": "last", "numbers": "text"}})
	default:
		return appendFrame(output, response{Out: "error", Result: refusal{Code: "unknown-method",
			Message: fmt.Sprintf("unknown method %q", method), Rule: "msg.unknown-method"}})
	}
}

func refuse(code, rule, message string, offset int) *refusal {
	r := &refusal{Code: code, Message: message, Rule: rule}
	if offset >= 0 {
		r.Offset = &offset
	}
	return r
}

// readRequest makes steps 1 to 5 of spec section 4. encoding/json replaces ill-formed UTF-8 and lone
// surrogate escapes with U+FFFD instead of refusing them, so both are checked here first.
func readRequest(body []byte) (string, any, *refusal) {
	if len(body) == 0 {
		return "", nil, refuse("invalid-json", "frame.zero-length", "empty body", 0)
	}
	if !utf8.Valid(body) {
		return "", nil, utf8Refusal(body)
	}
	if bytes.HasPrefix(body, []byte{0xef, 0xbb, 0xbf}) {
		return "", nil, refuse("invalid-json", "body.no-bom", "a body must not begin with a byte order mark", 0)
	}
	if !json.Valid(body) {
		return "", nil, jsonRefusal(body)
	}
	if at := loneSurrogate(body); at >= 0 {
		return "", nil, refuse("invalid-json", "body.no-lone-surrogates", "a surrogate escape that is not part of a pair", at)
	}
	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.UseNumber()
	if token, _ := decoder.Token(); token != json.Delim('{') {
		return "", nil, refuse("invalid-request", "body.object", "the body is not an object", -1)
	}
	var method, params any
	seenMethod, seenParams, duplicated := false, false, ""
	for decoder.More() {
		token, err := decoder.Token()
		if err != nil {
			return "", nil, refuse("invalid-json", "body.json-text", err.Error(), -1)
		}
		var value any
		if err := decoder.Decode(&value); err != nil { // every member is read whole, unknown ones too
			return "", nil, refuse("invalid-json", "body.json-text", err.Error(), -1)
		}
		switch token.(string) {
		case "in":
			if seenMethod && duplicated == "" {
				duplicated = "in"
			}
			method, seenMethod = value, true
		case "params":
			if seenParams && duplicated == "" {
				duplicated = "params"
			}
			params, seenParams = value, true
		}
	}
	if duplicated != "" {
		return "", nil, refuse("invalid-request", "msg.duplicate-members", fmt.Sprintf("member %q appears more than once", duplicated), -1)
	}
	name, isString := method.(string)
	switch {
	case !seenMethod:
		return "", nil, refuse("invalid-request", "msg.request", `no "in" member`, -1)
	case !seenParams:
		return "", nil, refuse("invalid-request", "msg.request", `no "params" member`, -1)
	case !isString:
		return "", nil, refuse("invalid-request", "msg.request", `"in" is not a string`, -1)
	}
	return name, params, nil
}

// utf8Refusal: the first ill-formed sequence starts at S; invalid-utf8 there unless the JSON text already
// fails before S (body.utf8.precedence), which the scanner tells by reading the well-formed prefix.
func utf8Refusal(body []byte) *refusal {
	start := 0
	for start < len(body) {
		r, size := utf8.DecodeRune(body[start:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		start += size
	}
	if prefix := body[:start]; !json.Valid(prefix) {
		if r := jsonRefusal(prefix); *r.Offset < start {
			return r
		}
	}
	return refuse("invalid-utf8", "body.utf8", "the body is not well-formed UTF-8", start)
}

// jsonRefusal: encoding/json's syntax error, at the offset its scanner reports.
func jsonRefusal(body []byte) *refusal {
	var ignored json.RawMessage
	err := json.Unmarshal(body, &ignored)
	var syntax *json.SyntaxError
	offset := len(body)
	if errors.As(err, &syntax) {
		offset = int(syntax.Offset)
		if err.Error() != "unexpected end of JSON input" && offset > 0 {
			offset-- // the scanner counts the octet it refused
		}
	}
	message, rule := "not a JSON text", "body.json-text"
	if err != nil {
		message = err.Error()
	}
	if message == "exceeded max depth" {
		message, rule = fmt.Sprintf("nesting depth exceeds %d", maxDepth), "body.nesting-limit"
	}
	return refuse("invalid-json", rule, message, offset)
}

// loneSurrogate returns the offset of the first \uXXXX escape from D800 to DFFF that is not part of a
// pair, or -1. The body is a valid JSON text, so every backslash begins an escape inside a string.
func loneSurrogate(body []byte) int {
	for i := bytes.IndexByte(body, '\\'); i >= 0 && i < len(body); {
		if body[i+1] != 'u' {
			i = next(body, i+2)
			continue
		}
		value := hex4(body[i+2 : i+6])
		switch {
		case value >= 0xdc00 && value <= 0xdfff:
			return i
		case value >= 0xd800 && value <= 0xdbff:
			j := i + 6
			if j+6 > len(body) || body[j] != '\\' || body[j+1] != 'u' {
				return i
			}
			if low := hex4(body[j+2 : j+6]); low < 0xdc00 || low > 0xdfff {
				return i
			}
			i = next(body, j+6)
		default:
			i = next(body, i+6)
		}
	}
	return -1
}

func next(body []byte, from int) int {
	if at := bytes.IndexByte(body[from:], '\\'); at >= 0 {
		return from + at
	}
	return -1
}

func hex4(digits []byte) int {
	value, _ := strconv.ParseUint(string(digits), 16, 32)
	return int(value)
}

