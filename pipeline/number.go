package pipeline

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"tally/sources"
)

// Number is a value read from a cell.
//
// The flags come last, so that a Number takes 32 bytes (a result row
// carries one).
type Number struct {
	Value    float64 // the value, percent signs removed (71.09 for "71,09%")
	Int      int64   // the value when it is whole
	Decimals int     // digits printed after the decimal separator
	Missing  bool    // the cell was empty or a dash: no figure, which is not zero
	Whole    bool    // Value has no fractional part
	Percent  bool    // the cell carried a percent sign
}

// ErrNotANumber is the cause when a cell cannot be read as a number.
var ErrNotANumber = errors.New("not a number")

// NumberHint says which reading to prefer when a separator is ambiguous:
// "1,234" is one thousand two hundred and thirty-four as a count but
// 1.234 as a share.
type NumberHint int

const (
	HintCount NumberHint = iota // whole counts: a lone separator before three digits groups thousands
	HintShare                   // percentages and other decimals: a lone separator is the decimal point
)

// ParseNumber reads a number as commissions print them: thousands grouped
// by comma, dot, space, no-break or thin space, or apostrophe; decimal
// comma or point; a trailing or leading percent sign; a leading sign; or a
// dash or nothing for a missing figure. Exponent notation (as spreadsheets
// store large numbers) is accepted. Anything else is ErrNotANumber.
func ParseNumber(s string, hint NumberHint) (Number, error) {
	t := strings.TrimSpace(s)
	t = strings.Trim(t, "\u00a0\u2007\u2009\u202f\ufeff")
	switch t {
	case "", "-", "–", "—", "−", "x", "X", "n/a", "N/A", "...", "…":
		return Number{Missing: true}, nil
	}
	var n Number
	if strings.HasSuffix(t, "%") {
		n.Percent = true
		t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	} else if strings.HasPrefix(t, "%") {
		n.Percent = true
		t = strings.TrimSpace(strings.TrimPrefix(t, "%"))
	}
	neg := false
	switch {
	case strings.HasPrefix(t, "-"), strings.HasPrefix(t, "−"), strings.HasPrefix(t, "–"):
		neg = true
		_, size := firstRune(t)
		t = strings.TrimSpace(t[size:])
	case strings.HasPrefix(t, "+"):
		t = strings.TrimSpace(t[1:])
	}
	if t == "" {
		return Number{}, fmt.Errorf("%w: %q", ErrNotANumber, s)
	}
	digits, decimals, err := normalizeDigits(t, hint)
	if err != nil {
		return Number{}, fmt.Errorf("%w: %q", ErrNotANumber, s)
	}
	v, err := strconv.ParseFloat(digits, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return Number{}, fmt.Errorf("%w: %q", ErrNotANumber, s)
	}
	if neg {
		v = -v
	}
	n.Value, n.Decimals = v, decimals
	if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		n.Whole, n.Int = true, int64(v)
	}
	return n, nil
}

func firstRune(s string) (rune, int) {
	for i, r := range s {
		if i > 0 {
			return r, i
		}
	}
	return 0, len(s)
}

// normalizeDigits turns a grouped, locale-formatted number into the form
// strconv reads, and counts the decimals printed.
func normalizeDigits(t string, hint NumberHint) (string, int, error) {
	if strings.ContainsAny(t, "eE") {
		// 1.2E+7 as spreadsheets store it: no grouping allowed.
		if _, err := strconv.ParseFloat(t, 64); err != nil {
			return "", 0, err
		}
		return t, 0, nil
	}
	var b strings.Builder
	var seps []rune
	var sepAt []int // index in the digit string where each separator stood
	ndigits := 0
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			ndigits++
		case r == ',' || r == '.':
			seps = append(seps, r)
			sepAt = append(sepAt, ndigits)
		case r == ' ' || r == '\u00a0' || r == '\u2009' || r == '\u202f' || r == '\u2007' || r == '\'' || r == '’':
			seps = append(seps, ' ')
			sepAt = append(sepAt, ndigits)
		default:
			return "", 0, ErrNotANumber
		}
	}
	if ndigits == 0 {
		return "", 0, ErrNotANumber
	}
	d := b.String()
	// Decide which separator, if any, is the decimal point.
	dec := -1
	last := len(seps) - 1
	if last >= 0 && seps[last] != ' ' {
		kind := seps[last]
		count := 0
		other := false
		for _, r := range seps {
			if r == kind {
				count++
			} else if r != ' ' {
				other = true
			}
		}
		switch {
		case other:
			dec = last // "1.234,56" or "1,234.56": the last one
		case count > 1:
			dec = -1 // "1.234.567": grouping only
		case ndigits-sepAt[last] == 3 && hint == HintCount && sepAt[last] <= 3 && sepAt[last] > 0:
			dec = -1 // "1,234" as a count
		case ndigits-sepAt[last] == 3 && hint == HintCount && len(seps) > 1:
			dec = -1 // "12 345,678"? grouping continues
		default:
			dec = last
		}
	}
	// Grouping separators must stand every three digits.
	groupEnd := ndigits
	if dec >= 0 {
		groupEnd = sepAt[dec]
	}
	prev := -1
	for i, at := range sepAt {
		if i == dec {
			continue
		}
		if at == 0 || at > groupEnd {
			return "", 0, ErrNotANumber
		}
		if prev >= 0 && at-prev != 3 {
			return "", 0, ErrNotANumber
		}
		if (groupEnd-at)%3 != 0 {
			return "", 0, ErrNotANumber
		}
		prev = at
	}
	if dec < 0 {
		return d, 0, nil
	}
	at := sepAt[dec]
	if at == ndigits {
		return "", 0, ErrNotANumber // "12," has no decimals
	}
	intPart := d[:at]
	if intPart == "" {
		intPart = "0"
	}
	return intPart + "." + d[at:], ndigits - at, nil
}

// ParseCount reads a count cell. A cell holding a count and its percent
// ("216 - 17.73%") gives its count.
func ParseCount(s string) (Number, error) {
	if n, ok := plainCount(s); ok {
		return n, nil
	}
	if c, _, ok := sources.SplitCountPercent(s); ok {
		s = c
	}
	return ParseNumber(s, HintCount)
}

// plainCount reads a cell of 1 to 15 ASCII digits, the common case, as
// ParseNumber would.
func plainCount(s string) (Number, bool) {
	v, ok := plainInt(s)
	if !ok {
		return Number{}, false
	}
	return Number{Value: float64(v), Int: v, Whole: true}, true
}

// plainInt reads 1 to 15 ASCII digits.
func plainInt(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 15 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		v = v*10 + int64(d)
	}
	return v, true
}

// ParseShare reads a percentage cell. A cell holding a count and its
// percent ("216 - 17.73%") gives its percent.
func ParseShare(s string) (Number, error) {
	if _, p, ok := sources.SplitCountPercent(s); ok {
		s = p
	}
	return ParseNumber(s, HintShare)
}

// shareCell reads the share of an option from column col of t. In a column
// of "count - percent" cells, a cell with a count alone (a total row
// printed without percents) has no share.
func shareCell(t *sources.Table, col int, s string) (Number, error) {
	if col >= 0 && col < len(t.Kinds) && t.Kinds[col] == sources.KindCountPercent && !sources.CountPercent(s) {
		if _, err := ParseCount(s); err == nil {
			return Number{Missing: true}, nil
		}
	}
	return ParseShare(s)
}
