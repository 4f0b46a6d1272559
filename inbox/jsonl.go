package inbox

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// maxLine bounds one JSON Lines record; a 10 MB message body still fits.
const maxLine = 64 << 20

// LineError is an invalid line of a JSON Lines file: FILE:LINE: field "x": problem.
type LineError struct {
	File string
	Line int
	Err  error
	Raw  []byte // the line as read, so rejected lines can be written out untouched
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }

func (e *LineError) Unwrap() error { return e.Err }

// wireMessage mirrors Message with created_at as text, so a bad time gets our own error.
type wireMessage struct {
	Channel      string          `json:"channel"`
	Account      string          `json:"account"`
	ID           json.RawMessage `json:"id"`
	Conversation string          `json:"conversation"`
	Kind         string          `json:"kind"`
	Direction    string          `json:"direction"`
	Author       *Author         `json:"author"`
	Text         string          `json:"text"`
	Subject      string          `json:"subject"`
	CreatedAt    string          `json:"created_at"`
	InReplyTo    json.RawMessage `json:"in_reply_to"`
	URL          string          `json:"url"`
	Agent        string          `json:"agent"`
	Rating       int             `json:"rating"`
	AppVersion   string          `json:"app_version"`
	Language     string          `json:"language"`
	wireRestore                  // what export adds (jsonl_restore.go)
}

// DecodeMessage reads one JSON object in the import format and checks it.
func DecodeMessage(data []byte) (Message, error) {
	var w wireMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&w); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return Message{}, &FieldError{te.Field, fmt.Sprintf("want a %s, got %s", te.Type, te.Value)}
		}
		return Message{}, fmt.Errorf("not a JSON object: %v", err)
	}
	if dec.More() {
		return Message{}, errors.New("more than one JSON value on the line")
	}
	id, err := idString("id", w.ID)
	if err != nil {
		return Message{}, err
	}
	parent, err := idString("in_reply_to", w.InReplyTo)
	if err != nil {
		return Message{}, err
	}
	m := Message{
		Channel: w.Channel, Account: w.Account, ID: id, Conversation: w.Conversation, Kind: Kind(w.Kind),
		Direction: Direction(w.Direction), Author: w.Author, Text: w.Text, Subject: w.Subject, InReplyTo: parent, URL: w.URL, Agent: w.Agent,
		Rating: w.Rating, AppVersion: w.AppVersion, Language: w.Language,
	}
	if w.CreatedAt != "" {
		t, err := time.Parse(time.RFC3339Nano, w.CreatedAt)
		if err != nil {
			return Message{}, &FieldError{"created_at", fmt.Sprintf("%q is not an RFC 3339 time (like 2026-11-20T10:00:00Z)", w.CreatedAt)}
		}
		m.CreatedAt = t
	}
	m.Normalize()
	if m.Restore, err = w.restore(m.Direction); err != nil {
		return Message{}, err
	}
	if err := m.Validate(); err != nil {
		return Message{}, err
	}
	return m, nil
}

// idString accepts a channel id given as a JSON string or number.
func idString(field string, raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	return "", &FieldError{field, "want a string or a number, got " + string(raw)}
}

// ReadJSONL calls fn for every non-blank line of r with the decoded message or a
// *LineError. It stops early only if fn returns an error or r fails.
//
// Lines may end in LF, CRLF or CR alone (as old Mac editors and some exports write them),
// and a UTF-8 byte order mark at the start of the file is dropped.
func ReadJSONL(r io.Reader, file string, fn func(line int, m Message, lerr *LineError) error) error {
	br := bufio.NewReaderSize(&crReader{r: r}, 1<<20)
	for n := 1; ; n++ {
		line, err := readLine(br)
		if n == 1 {
			line = bytes.TrimPrefix(line, []byte("\ufeff"))
		}
		if len(bytes.TrimSpace(line)) > 0 {
			m, derr := DecodeMessage(line)
			var lerr *LineError
			if derr != nil {
				lerr = &LineError{File: file, Line: n, Err: derr, Raw: append([]byte(nil), line...)}
			}
			if ferr := fn(n, m, lerr); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s:%d: %w", file, n, err)
		}
	}
}

func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxLine {
			return nil, fmt.Errorf("line longer than %d bytes", maxLine)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return bytes.TrimRight(buf, "\r\n"), err
	}
}

// crReader turns line ends of CR alone into LF, and leaves CRLF as it is, as it reads:
// a file of CR-only lines is read line by line, not as one line of the whole file.
type crReader struct {
	r       io.Reader
	afterCR bool // the last byte read was a CR, now an LF: an LF right after it is dropped
}

func (c *crReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n == 0 {
		return 0, err
	}
	if bytes.IndexByte(p[:n], '\r') < 0 && !(c.afterCR && p[0] == '\n') {
		c.afterCR = false
		return n, err
	}
	w := 0
	for _, b := range p[:n] {
		switch {
		case b == '\r':
			p[w], c.afterCR = '\n', true
			w++
		case b == '\n' && c.afterCR:
			c.afterCR = false // the LF of a CRLF
		default:
			p[w], c.afterCR = b, false
			w++
		}
	}
	return w, err
}
