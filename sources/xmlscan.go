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
	r     io.Reader
	buf   []byte
	pos   int
	end   int
	eof   bool
	err   error
	text  []byte    // scratch for resolved character data
	attrs []xmlAttr // attributes of the last start tag
}

type xmlKind int

const (
	xmlStart xmlKind = iota + 1
	xmlEnd
	xmlText
)

type xmlToken struct {
	kind  xmlKind
	name  []byte    // local name (prefix dropped) of a tag
	attrs []xmlAttr // attributes of a start tag
	empty bool      // a start tag closed in place (<f/>)
	text  []byte    // character data, resolved
}

// xmlAttr is one attribute: its local name and its raw value (see
// attrValue).
type xmlAttr struct{ name, val []byte }

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
		b := s.buf[s.pos:s.end]
		if b[0] != '<' {
			i := bytes.IndexByte(b, '<')
			if i < 0 {
				if s.fill() {
					continue
				}
				i = len(b)
			}
			s.pos += i
			return xmlToken{kind: xmlText, text: s.resolve(b[:i])}, nil
		}
		if len(b) < 2 {
			if s.fill() {
				continue
			}
			return xmlToken{}, errXMLTruncated
		}
		switch b[1] {
		case '/':
			i := bytes.IndexByte(b, '>')
			if i < 0 {
				if s.fill() {
					continue
				}
				return xmlToken{}, errXMLTruncated
			}
			name := tagName(b[2:i])
			s.pos += i + 1
			return xmlToken{kind: xmlEnd, name: name}, nil
		case '!', '?':
			tok, ok, err := s.special()
			if err != nil {
				return xmlToken{}, err
			}
			if ok {
				return tok, nil
			}
			continue
		}
		tok, n := s.startTag(b)
		if n < 0 {
			if s.fill() {
				continue
			}
			return xmlToken{}, errXMLTruncated
		}
		s.pos += n
		return tok, nil
	}
}

// special reads a comment, CDATA section, processing instruction or
// declaration at pos; ok says whether it is a token (CDATA is text).
func (s *xmlScanner) special() (xmlToken, bool, error) {
	// Make sure enough is buffered to tell which.
	for s.end-s.pos < 9 && s.fill() {
	}
	rest := s.buf[s.pos:s.end]
	switch {
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		i := s.upTo([]byte("]]>"), 9)
		if i < 0 {
			return xmlToken{}, false, errXMLTruncated
		}
		text := s.crlf(s.buf[s.pos+9 : s.pos+i])
		s.pos += i + 3
		return xmlToken{kind: xmlText, text: text}, true, nil
	case bytes.HasPrefix(rest, []byte("<!--")):
		i := s.upTo([]byte("-->"), 4)
		if i < 0 {
			return xmlToken{}, false, errXMLTruncated
		}
		s.pos += i + 3
		return xmlToken{}, false, nil
	}
	i := s.upTo([]byte(">"), 2)
	if i < 0 {
		return xmlToken{}, false, errXMLTruncated
	}
	s.pos += i + 1
	return xmlToken{}, false, nil
}

// startTag reads the start tag at the head of b, its attributes into
// s.attrs; n is its length, -1 when b holds only part of it. Attributes
// are read as name="value" pairs; at anything else the tag ends at the
// next '>' outside quotes, keeping the attributes read before.
func (s *xmlScanner) startTag(b []byte) (tok xmlToken, n int) {
	j := 1
	for j < len(b) && !nameEnd[b[j]] {
		j++
	}
	if j >= len(b) {
		return tok, -1
	}
	tok.kind, tok.name = xmlStart, localName(b[1:j])
	s.attrs = s.attrs[:0]
	for {
		for j < len(b) && xmlSpace[b[j]] {
			j++
		}
		if j >= len(b) {
			return tok, -1
		}
		switch b[j] {
		case '>':
			tok.attrs = s.attrs
			return tok, j + 1
		case '/':
			if j+1 >= len(b) {
				return tok, -1
			}
			if b[j+1] == '>' {
				tok.attrs, tok.empty = s.attrs, true
				return tok, j + 2
			}
			return s.looseTag(b, j, tok)
		}
		k := j
		for k < len(b) && !attrNameEnd[b[k]] {
			k++
		}
		name := b[j:k]
		for k < len(b) && xmlSpace[b[k]] {
			k++
		}
		if k >= len(b) {
			return tok, -1
		}
		if b[k] != '=' || len(name) == 0 {
			return s.looseTag(b, j, tok)
		}
		k++
		for k < len(b) && xmlSpace[b[k]] {
			k++
		}
		if k >= len(b) {
			return tok, -1
		}
		q := b[k]
		if q != '"' && q != '\'' {
			return s.looseTag(b, j, tok)
		}
		e := bytes.IndexByte(b[k+1:], q)
		if e < 0 {
			return tok, -1
		}
		s.attrs = append(s.attrs, xmlAttr{name: localName(name), val: b[k+1 : k+1+e]})
		j = k + 2 + e
	}
}

// looseTag ends a start tag that does not follow the attribute syntax at
// the first '>' from j outside quotes.
func (s *xmlScanner) looseTag(b []byte, j int, tok xmlToken) (xmlToken, int) {
	var quote byte
	for ; j < len(b); j++ {
		c := b[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			tok.attrs, tok.empty = s.attrs, b[j-1] == '/'
			return tok, j + 1
		}
	}
	return tok, -1
}

var nameEnd, attrNameEnd, xmlSpace [256]bool

func init() {
	for _, c := range " \t\r\n" {
		xmlSpace[c], nameEnd[c], attrNameEnd[c] = true, true, true
	}
	nameEnd['>'], nameEnd['/'] = true, true
	for _, c := range "=>/\"'" {
		attrNameEnd[c] = true
	}
}

// localName drops the prefix of a qualified name.
func localName(name []byte) []byte {
	if j := bytes.IndexByte(name, ':'); j >= 0 {
		return name[j+1:]
	}
	return name
}

// tagName returns the local name of an end tag ("x:row " is "row").
func tagName(tag []byte) []byte {
	i := 0
	for i < len(tag) && !xmlSpace[tag[i]] {
		i++
	}
	return localName(tag[:i])
}

// attr returns the raw value of the attribute with local name key.
func (t *xmlToken) attr(key string) ([]byte, bool) {
	for _, a := range t.attrs {
		if string(a.name) == key {
			return a.val, true
		}
	}
	return nil, false
}

// attrValue resolves entities and turns white space into spaces, as an
// XML parser does for attribute values.
func attrValue(raw []byte) string {
	if plainAttr(raw) {
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

// plainAttr reports whether a raw attribute value is its own value: no
// references, no white space to normalize.
func plainAttr(raw []byte) bool {
	for _, c := range raw {
		if c == '&' || c == '\t' || c == '\r' || c == '\n' {
			return false
		}
	}
	return true
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
