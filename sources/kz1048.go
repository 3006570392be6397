package sources

import (
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// KZ1048 is the Kazakh 8-bit code page (KZ-1048, STRK1048-2002): Windows-1251
// with sixteen Ukrainian and Serbian letters replaced by Kazakh ones. It is
// not in golang.org/x/text; read as Windows-1251, "Қазақстан" comes out as
// "Ќазаќстан".
var KZ1048 encoding.Encoding = kz1048{}

// kz1048Diff lists the bytes where KZ-1048 differs from Windows-1251.
var kz1048Diff = map[byte]rune{
	0x8d: 'Қ', 0x8e: 'Һ', 0x9d: 'қ', 0x9e: 'һ', 0xa1: 'Ұ', 0xa2: 'ұ', 0xa3: 'Ә', 0xa5: 'Ө',
	0xaa: 'Ғ', 0xaf: 'Ү', 0xb4: 'ө', 0xba: 'ғ', 0xbc: 'ә', 0xbd: 'Ң', 0xbe: 'ң', 0xbf: 'ү',
}

var kzDecode, kzEncode = func() ([256]rune, map[rune]byte) {
	var dec [256]rune
	enc := map[rune]byte{}
	for i := range 256 {
		r := charmap.Windows1251.DecodeByte(byte(i))
		if k, ok := kz1048Diff[byte(i)]; ok {
			r = k
		}
		dec[i] = r
		if r != utf8.RuneError {
			enc[r] = byte(i)
		}
	}
	return dec, enc
}()

type kz1048 struct{}

func (kz1048) NewDecoder() *encoding.Decoder { return &encoding.Decoder{Transformer: kzDecoder{}} }
func (kz1048) NewEncoder() *encoding.Encoder { return &encoding.Encoder{Transformer: kzEncoder{}} }

type kzDecoder struct{ transform.NopResetter }

func (kzDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		r := kzDecode[src[nSrc]]
		if src[nSrc] < utf8.RuneSelf {
			r = rune(src[nSrc])
		}
		if nDst+utf8.RuneLen(r) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += utf8.EncodeRune(dst[nDst:], r)
		nSrc++
	}
	return nDst, nSrc, nil
}

type kzEncoder struct{ transform.NopResetter }

func (kzEncoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		if nDst >= len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		c := src[nSrc]
		if c < utf8.RuneSelf {
			dst[nDst] = c
			nDst++
			nSrc++
			continue
		}
		r, size := utf8.DecodeRune(src[nSrc:])
		if r == utf8.RuneError && size == 1 {
			if !atEOF && !utf8.FullRune(src[nSrc:]) {
				return nDst, nSrc, transform.ErrShortSrc
			}
		}
		b, ok := kzEncode[r]
		if !ok {
			return nDst, nSrc, encoding.ErrInvalidUTF8
		}
		dst[nDst] = b
		nDst++
		nSrc += size
	}
	return nDst, nSrc, nil
}

// kazakhBytes counts the bytes of 8-bit Cyrillic text that are Kazakh
// letters in KZ-1048 and stand inside a word (next to another Cyrillic
// letter), where Windows-1251 would put rare Serbian or Ukrainian letters.
func kazakhBytes(head []byte) int {
	n := 0
	for i, c := range head {
		if _, ok := kz1048Diff[c]; !ok {
			continue
		}
		prev := i > 0 && isCyrByte(head[i-1])
		next := i+1 < len(head) && isCyrByte(head[i+1])
		if prev || next {
			n++
		}
	}
	return n
}

func isCyrByte(c byte) bool {
	if c >= 0xc0 {
		return true
	}
	_, ok := kz1048Diff[c]
	return ok || c == 0xb2 || c == 0xb3 // І і
}
