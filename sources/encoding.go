package sources

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Guess is a detected text encoding with how sure the detector is (0 to 1)
// and why.
type Guess struct {
	Name       string
	Confidence float64
	Reason     string
}

var encodings = map[string]encoding.Encoding{
	"utf-8":        unicode.UTF8,
	"utf-8-bom":    unicode.UTF8BOM,
	"utf-16le":     unicode.UTF16(unicode.LittleEndian, unicode.UseBOM),
	"utf-16be":     unicode.UTF16(unicode.BigEndian, unicode.UseBOM),
	"windows-1251": charmap.Windows1251,
	"windows-1252": charmap.Windows1252,
	"koi8-r":       charmap.KOI8R,
	"cp866":        charmap.CodePage866,
	"iso-8859-1":   charmap.ISO8859_1,
	"iso-8859-2":   charmap.ISO8859_2,
	"windows-1250": charmap.Windows1250,
	"kz-1048":      KZ1048,
}

var encodingAliases = map[string]string{
	"utf8": "utf-8", "cp1251": "windows-1251", "cp1252": "windows-1252", "cp1250": "windows-1250",
	"koi8r": "koi8-r", "latin1": "iso-8859-1", "latin-1": "iso-8859-1", "latin2": "iso-8859-2",
	"utf16": "utf-16le", "utf-16": "utf-16le", "ibm866": "cp866", "utf-8-sig": "utf-8-bom",
	"kz1048": "kz-1048", "strk1048": "kz-1048", "rk1048": "kz-1048",
}

// Encodings returns the names accepted for Input.Encoding, sorted.
func Encodings() []string {
	out := make([]string, 0, len(encodings))
	for n := range encodings {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func lookupEncoding(name string) (encoding.Encoding, string, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if a, ok := encodingAliases[n]; ok {
		n = a
	}
	if e, ok := encodings[n]; ok {
		return e, n, nil
	}
	return nil, "", fmt.Errorf("unknown encoding %q; known: %s", name, strings.Join(Encodings(), ", "))
}

// DetectEncoding guesses the encoding of text from its first bytes: a byte
// order mark first, then UTF-16 by its zero bytes, then UTF-8 validity, and
// for other 8-bit text the Cyrillic code pages by which byte ranges the
// letters fall in (lower case is more frequent than upper case in running
// text, and Windows-1251 and KOI8-R put it in opposite halves).
func DetectEncoding(head []byte) Guess {
	switch {
	case len(head) >= 3 && head[0] == 0xef && head[1] == 0xbb && head[2] == 0xbf:
		return Guess{"utf-8-bom", 1, "UTF-8 byte order mark"}
	case len(head) >= 2 && head[0] == 0xff && head[1] == 0xfe:
		return Guess{"utf-16le", 1, "UTF-16 LE byte order mark"}
	case len(head) >= 2 && head[0] == 0xfe && head[1] == 0xff:
		return Guess{"utf-16be", 1, "UTF-16 BE byte order mark"}
	}
	if len(head) >= 4 {
		var evenZero, oddZero int
		n := min(len(head), 4096) &^ 1
		for i := 0; i < n; i += 2 {
			if head[i] == 0 {
				evenZero++
			}
			if head[i+1] == 0 {
				oddZero++
			}
		}
		half := n / 2
		if oddZero > half*3/10 && evenZero < half/20 {
			return Guess{"utf-16le", 0.9, "zero high bytes in every other position, no byte order mark"}
		}
		if evenZero > half*3/10 && oddZero < half/20 {
			return Guess{"utf-16be", 0.9, "zero high bytes in every other position, no byte order mark"}
		}
	}
	high := 0
	for _, c := range head {
		if c >= 0x80 {
			high++
		}
	}
	if high == 0 {
		return Guess{"utf-8", 1, "plain ASCII"}
	}
	// A multi-byte sequence may be cut at the end of head.
	valid := head
	for i := 0; i < utf8.UTFMax && len(valid) > 0 && !utf8.Valid(valid); i++ {
		valid = valid[:len(valid)-1]
	}
	if utf8.Valid(valid) && len(valid) > 0 {
		return Guess{"utf-8", 1, "valid UTF-8"}
	}
	var upper1251, lower1251, latinish int
	for _, c := range head {
		switch {
		case c >= 0xe0:
			lower1251++
		case c >= 0xc0:
			upper1251++
		case c >= 0x80:
			latinish++
		}
	}
	letters := upper1251 + lower1251
	if letters < high/2 {
		return Guess{"windows-1252", 0.5, "8-bit text, mostly outside the Cyrillic letter range"}
	}
	ascii := 0
	for _, c := range head {
		if c >= 'A' && c <= 'z' {
			ascii++
		}
	}
	if ascii > 3*letters {
		// A few accented letters in Latin text.
		return Guess{"windows-1252", 0.6, "8-bit text, mostly ASCII letters with a few accented ones"}
	}
	total := float64(letters)
	if lower1251 >= upper1251 {
		if kz := kazakhBytes(head); kz > 0 {
			// Kazakh letters where Windows-1251 has rare Serbian and
			// Ukrainian ones: the more of them inside words, the surer.
			conf := min(0.95, 0.6+0.05*float64(kz))
			return Guess{"kz-1048", conf, fmt.Sprintf("8-bit Cyrillic with %d Kazakh letters (Қ Ғ Ү Ұ Ә Ө Ң Һ) inside words", kz)}
		}
		return Guess{"windows-1251", 0.5 + 0.5*float64(lower1251-upper1251)/total, "8-bit Cyrillic, lower case in 0xE0-0xFF"}
	}
	return Guess{"koi8-r", 0.5 + 0.5*float64(upper1251-lower1251)/total, "8-bit Cyrillic, lower case in 0xC0-0xDF"}
}

// decodeHead decodes the first bytes of a text file for sniffing; bytes
// that do not decode are replaced.
func decodeHead(head []byte, name string) string {
	enc, _, err := lookupEncoding(name)
	if err != nil {
		return string(head)
	}
	text, _, _ := transform.Bytes(enc.NewDecoder(), head)
	return string(text)
}
