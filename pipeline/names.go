package pipeline

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// FoldName reduces a party, candidate or unit name to a key that ignores
// how it was typed: Unicode compatibility forms, case, quotes of every
// kind, dashes, repeated or unusual spaces, and Latin letters that look
// like Cyrillic ones (a Latin "A" typed inside a Cyrillic name). It never
// merges names that differ in anything else.
func FoldName(s string) string {
	if isPlainASCII(s) {
		return s
	}
	if isASCII(s) {
		return foldASCII(s)
	}
	return foldUnicode(s)
}

// foldUnicode is FoldName's general case.
func foldUnicode(s string) string {
	s = norm.NFKC.String(s)
	s = folder.String(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case quoteRunes[r]:
			continue
		case dashRunes[r] || unicode.IsSpace(r) || r == '_':
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return homoglyphs(b.String())
}

var folder = cases.Fold()

// isPlainASCII reports whether s is made only of lower-case ASCII letters
// and digits: FoldName and Slug leave such a string as it is.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// foldASCII is FoldName of an ASCII string: compatibility forms, case
// folding and the script settling of homoglyphs change nothing there
// but the case of the letters.
func foldASCII(s string) string {
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"', '\'', '`':
			continue
		case '-', '_', ' ', '\t', '\n', '\v', '\f', '\r':
			space = len(b) > 0
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

var quoteRunes = map[rune]bool{
	'"': true, '\'': true, '«': true, '»': true, '„': true, '“': true, '”': true, '‘': true,
	'’': true, '‚': true, '‹': true, '›': true, '`': true, '´': true,
}

var dashRunes = map[rune]bool{
	'-': true, '‐': true, '‑': true, '‒': true, '–': true, '—': true, '―': true, '−': true,
}

// latinToCyrillic maps lower-case Latin letters to the Cyrillic letters they
// look like. It is applied only to words that contain a Cyrillic letter, so
// Latin names stay Latin.
var latinToCyrillic = map[rune]rune{
	'a': 'а', 'c': 'с', 'e': 'е', 'o': 'о', 'p': 'р', 'x': 'х', 'y': 'у', 'k': 'к',
	'm': 'м', 't': 'т', 'h': 'н', 'b': 'в', 'i': 'і',
}

// cyrillicToLatin is the reverse, for words with no Cyrillic letter left
// once the look-alikes are counted as Latin.
var cyrillicToLatin = map[rune]rune{}

func init() {
	for l, c := range latinToCyrillic {
		cyrillicToLatin[c] = l
	}
}

// homoglyphs settles, word by word, letters that look alike in Latin and
// Cyrillic. A word with letters found only in Cyrillic (ж, л, қ) is
// Cyrillic, and its look-alike Latin letters become Cyrillic; likewise for
// Latin. A word made only of look-alikes takes the script that dominates
// the whole name, so "AK ЖОЛ" typed with a Latin A and K folds like
// "Ак жол", while "Nur Otan" stays Latin.
func homoglyphs(s string) string {
	script := func(r rune) int { // +1 Cyrillic only, -1 Latin only, 0 look-alike or other
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			if _, twin := cyrillicToLatin[r]; !twin {
				return 1
			}
		case r < unicode.MaxASCII && unicode.IsLetter(r):
			if _, twin := latinToCyrillic[r]; !twin {
				return -1
			}
		}
		return 0
	}
	dominant := 0
	for _, r := range s {
		dominant += script(r)
	}
	words := strings.Split(s, " ")
	for i, w := range words {
		cyr, lat := 0, 0
		for _, r := range w {
			switch script(r) {
			case 1:
				cyr++
			case -1:
				lat++
			}
		}
		switch {
		case cyr > 0 && lat > 0:
			// A genuinely mixed word: leave it as typed.
		case cyr > 0 || cyr == 0 && lat == 0 && dominant > 0:
			words[i] = mapRunes(w, latinToCyrillic)
		case lat > 0 || dominant < 0:
			words[i] = mapRunes(w, cyrillicToLatin)
		}
	}
	return strings.Join(words, " ")
}

func mapRunes(s string, m map[rune]rune) string {
	return strings.Map(func(r rune) rune {
		if t, ok := m[r]; ok {
			return t
		}
		return r
	}, s)
}

// Slug makes an id from a display name: lower-case letters and digits
// joined by '-', Cyrillic transliterated to Latin.
func Slug(s string) string {
	s = FoldName(s)
	if isPlainASCII(s) {
		return s
	}
	var b strings.Builder
	dash := false
	for _, r := range s {
		var part string
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			part = string(r)
		case hasTranslit(r):
			part = translit[r]
			if part == "" {
				continue // hard and soft signs
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			part = latinBase(r)
		default:
			dash = b.Len() > 0
			continue
		}
		if dash {
			b.WriteByte('-')
			dash = false
		}
		b.WriteString(part)
	}
	return b.String()
}

func hasTranslit(r rune) bool {
	_, ok := translit[r]
	return ok
}

// latinBase writes a Latin letter with diacritics as its base letters
// ("ł" -> "l", "ü" -> "u", "ß" -> "ss"); other letters stay as they are.
func latinBase(r rune) string {
	if s, ok := latinSpecial[r]; ok {
		return s
	}
	if !unicode.Is(unicode.Latin, r) {
		return string(r)
	}
	var b strings.Builder
	for _, d := range norm.NFD.String(string(r)) {
		if d < unicode.MaxASCII {
			b.WriteRune(d)
		}
	}
	if b.Len() == 0 {
		return string(r)
	}
	return b.String()
}

var latinSpecial = map[rune]string{'ł': "l", 'ø': "o", 'ß': "ss", 'đ': "d", 'æ': "ae", 'œ': "oe", 'ı': "i", 'þ': "th", 'ð': "d"}

var translit = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y",
	'ь': "", 'э': "e", 'ю': "iu", 'я': "ia", 'ә': "a", 'ғ': "g", 'қ': "q", 'ң': "n", 'ө': "o",
	'ұ': "u", 'ү': "u", 'һ': "h", 'і': "i", 'є': "ie", 'ї': "i", 'ґ': "g",
}

// Aliases resolves option names to the spec's canonical options. It
// remembers the names it has seen, since a long table repeats the same few
// option names on every row and folding is the costly part.
type Aliases struct {
	byKey   map[string]int  // folded name -> index in Parties
	bySlug  map[string]int  // transliterated name -> index in Parties, or -1 when two parties share it
	common  map[string]bool // words in the names of several parties (suggest.go)
	seen    map[string]int  // name as written -> index in Parties, or -1
	Parties []Party
}

// maxSeenNames bounds the memory of Lookup's cache.
const maxSeenNames = 1 << 14

// NewAliases indexes every party's id, name and aliases by FoldName.
func NewAliases(parties []Party) *Aliases {
	a := &Aliases{byKey: map[string]int{}, bySlug: map[string]int{}, seen: map[string]int{}, Parties: parties}
	for i, p := range parties {
		for _, n := range append([]string{p.ID, p.Name}, p.Aliases...) {
			if n == "" {
				continue
			}
			if _, dup := a.byKey[FoldName(n)]; !dup {
				a.byKey[FoldName(n)] = i
			}
			// The same name in another script: "Нур Отан" for Nur Otan.
			if s := Slug(n); s != "" {
				if j, dup := a.bySlug[s]; dup && j != i {
					a.bySlug[s] = -1
				} else {
					a.bySlug[s] = i
				}
			}
		}
	}
	return a
}

// Lookup returns the party a name stands for.
func (a *Aliases) Lookup(name string) (Party, bool) {
	i, ok := a.seen[name]
	if !ok {
		if i, ok = a.byKey[FoldName(name)]; !ok {
			if i, ok = a.bySlug[Slug(name)]; !ok {
				i = -1
			}
		}
		if len(a.seen) < maxSeenNames {
			a.seen[name] = i
		}
	}
	if i < 0 {
		return Party{}, false
	}
	return a.Parties[i], true
}
