package sources

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlScanner is a small streaming tokenizer for the XML of workbook parts:
// start and end tags with their local names and attributes, and character
// data with entities resolved as encoding/xml resolves them (line ends
// normalized to \n, CDATA taken as text). It knows nothing of DTDs and
// does not check that tags balance; the readers built on it need neither.
// Slices it returns are valid until the next call.
type xmlScanner struct {
	r    io.Reader
	buf  []byte
	pos  int
	end  int
	eof  bool
	err  error
	text []byte // scratch for resolved character data
}

type xmlKind int

const (
	xmlStart xmlKind = iota + 1
	xmlEnd
	xmlText
)

type xmlToken struct {
	kind  xmlKind
	name  []byte // local name (prefix dropped) of a tag
	attrs []byte // raw attributes of a start tag
	empty bool   // a start tag closed in place (<f/>)
	text  []byte // character data, resolved
}

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{r: r, buf: make([]byte, 256<<10)}
}

// fill reads more input, keeping buf[pos:end]; it reports whether any
// was added.
func (s *xmlScanner) fill() bool {
	if s.eof {
		return false
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	if s.end == len(s.buf) {
		s.buf = append(s.buf, make([]byte, len(s.buf))...)
	}
	n, err := s.r.Read(s.buf[s.end:])
	s.end += n
	if err != nil {
		s.eof = true
		if err != io.EOF {
			s.err = err
		}
	}
	return n > 0 || !s.eof
}

// upTo returns the offset from pos of the first occurrence of sep,
// reading as needed; -1 at the end of input.
func (s *xmlScanner) upTo(sep []byte, from int) int {
	for {
		if i := bytes.Index(s.buf[s.pos+from:s.end], sep); i >= 0 {
			return from + i
		}
		from = max(0, s.end-s.pos-len(sep)+1)
		if !s.fill() {
			return -1
		}
	}
}

var errXMLTruncated = errors.New("XML ends in the middle of a tag")

// next returns the next token; io.EOF at the end.
func (s *xmlScanner) next() (xmlToken, error) {
	for {
		if s.pos >= s.end && !s.fill() {
			if s.err != nil {
				return xmlToken{}, s.err
			}
			return xmlToken{}, io.EOF
		}
		if s.buf[s.pos] != '<' {
			i := s.upTo([]byte("<"), 0)
			if i < 0 {
				i = s.end - s.pos
			}
			raw := s.buf[s.pos : s.pos+i]
			s.pos += i
			return xmlToken{kind: xmlText, text: s.resolve(raw)}, nil
		}
		// A markup construct: make sure enough is buffered to tell which.
		for s.end-s.pos < 9 && s.fill() {
		}
		rest := s.buf[s.pos:s.end]
		switch {
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			i := s.upTo([]byte("]]>"), 9)
			if i < 0 {
				return xmlToken{}, errXMLTruncated
			}
			text := s.crlf(s.buf[s.pos+9 : s.pos+i])
			s.pos += i + 3
			return xmlToken{kind: xmlText, text: text}, nil
		case bytes.HasPrefix(rest, []byte("<!--")):
			i := s.upTo([]byte("-->"), 4)
			if i < 0 {
				return xmlToken{}, errXMLTruncated
			}
			s.pos += i + 3
			continue
		case bytes.HasPrefix(rest, []byte("<?")), bytes.HasPrefix(rest, []byte("<!")):
			i := s.upTo([]byte(">"), 2)
			if i < 0 {
				return xmlToken{}, errXMLTruncated
			}
			s.pos += i + 1
			continue
		}
		i := s.tagEnd()
		if i < 0 {
			return xmlToken{}, errXMLTruncated
		}
		tag := s.buf[s.pos+1 : s.pos+i]
		s.pos += i + 1
		if len(tag) > 0 && tag[0] == '/' {
			name, _ := splitTag(tag[1:])
			return xmlToken{kind: xmlEnd, name: name}, nil
		}
		empty := len(tag) > 0 && tag[len(tag)-1] == '/'
		if empty {
			tag = tag[:len(tag)-1]
		}
		name, attrs := splitTag(tag)
		return xmlToken{kind: xmlStart, name: name, attrs: attrs, empty: empty}, nil
	}
}

// tagEnd finds the '>' closing the tag at pos, skipping quoted attribute
// values.
func (s *xmlScanner) tagEnd() int {
	var quote byte
	for i := 1; ; i++ {
		for s.pos+i >= s.end {
			if !s.fill() {
				return -1
			}
		}
		c := s.buf[s.pos+i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i
		}
	}
}

// splitTag splits "x:row r="1"" into the local name and the attributes.
func splitTag(tag []byte) (name, attrs []byte) {
	i := bytes.IndexAny(tag, " \t\r\n")
	if i < 0 {
		name = tag
	} else {
		name, attrs = tag[:i], tag[i:]
	}
	if j := bytes.IndexByte(name, ':'); j >= 0 {
		name = name[j+1:]
	}
	return name, attrs
}

// attr returns the resolved value of the attribute with local name key;
// ok is false when the tag has none.
func (s *xmlScanner) attr(attrs []byte, key string) (string, bool) {
	for len(attrs) > 0 {
		attrs = bytes.TrimLeft(attrs, " \t\r\n")
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 {
			return "", false
		}
		name := bytes.TrimRight(attrs[:eq], " \t\r\n")
		if j := bytes.IndexByte(name, ':'); j >= 0 {
			name = name[j+1:]
		}
		rest := bytes.TrimLeft(attrs[eq+1:], " \t\r\n")
		if len(rest) == 0 || rest[0] != '"' && rest[0] != '\'' {
			return "", false
		}
		q := rest[0]
		end := bytes.IndexByte(rest[1:], q)
		if end < 0 {
			return "", false
		}
		val := rest[1 : 1+end]
		attrs = rest[2+end:]
		if string(name) == key {
			return attrValue(val), true
		}
	}
	return "", false
}

// attrValue resolves entities and turns white space into spaces, as an
// XML parser does for attribute values.
func attrValue(raw []byte) string {
	if bytes.IndexByte(raw, '&') < 0 && !bytes.ContainsAny(raw, "\t\r\n") {
		return string(raw)
	}
	var sc xmlScanner
	v := sc.resolve(raw)
	for i, c := range v {
		if c == '\t' || c == '\n' {
			v[i] = ' '
		}
	}
	return string(v)
}

// crlf normalizes line ends in raw to \n.
func (s *xmlScanner) crlf(raw []byte) []byte {
	if bytes.IndexByte(raw, '\r') < 0 {
		return raw
	}
	out := s.text[:0]
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '\r' {
			out = append(out, '\n')
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			continue
		}
		out = append(out, c)
	}
	s.text = out
	return out
}

// resolve replaces entity and character references and normalizes line
// ends. An unknown or malformed reference is kept as written.
func (s *xmlScanner) resolve(raw []byte) []byte {
	if bytes.IndexByte(raw, '&') < 0 {
		return s.crlf(raw)
	}
	out := s.text[:0]
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case '\r':
			out = append(out, '\n')
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			continue
		case '&':
			semi := bytes.IndexByte(raw[i:], ';')
			if semi > 1 {
				if r, ok := entity(raw[i+1 : i+semi]); ok {
					out = utf8.AppendRune(out, r)
					i += semi
					continue
				}
			}
		}
		out = append(out, c)
	}
	s.text = out
	return out
}

func entity(name []byte) (rune, bool) {
	switch string(name) {
	case "amp":
		return '&', true
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	var n uint64
	var err error
	if name[1] == 'x' {
		n, err = strconv.ParseUint(string(name[2:]), 16, 32)
	} else {
		n, err = strconv.ParseUint(string(name[1:]), 10, 32)
	}
	if err != nil || !utf8.ValidRune(rune(n)) {
		return 0, false
	}
	return rune(n), true
}
