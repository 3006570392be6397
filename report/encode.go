package report

import "bytes"

// A finding is encoded as its file, sheet, row and column, code, unit,
// option and message (the fields of its order, in that order), then its
// severity, header, expected and actual value. A reject is encoded as
// its file, sheet, row and column, header, reason, and its cells.

func encodeFinding(b []byte, f *Finding) []byte {
	b = putStr(b, f.Pos.File)
	b = putStr(b, f.Pos.Sheet)
	b = putInt(b, f.Pos.Row)
	b = putInt(b, f.Pos.Column)
	b = putStr(b, string(f.Code))
	b = putStr(b, f.UnitID)
	b = putStr(b, f.OptionID)
	b = putStr(b, f.Message)
	b = putInt(b, int(f.Severity))
	b = putStr(b, f.Pos.Header)
	b = putStr(b, f.Expected)
	return putStr(b, f.Actual)
}

func encodeReject(b []byte, pos Position, raw []string, reason string) []byte {
	b = putStr(b, pos.File)
	b = putStr(b, pos.Sheet)
	b = putInt(b, pos.Row)
	b = putInt(b, pos.Column)
	b = putStr(b, pos.Header)
	b = putStr(b, reason)
	b = putInt(b, len(raw))
	for _, c := range raw {
		b = putStr(b, c)
	}
	return b
}

// cmpFinding orders encoded findings as lessFinding orders findings.
func cmpFinding(a, b []byte) int {
	// Findings without a position (whole-contest checks such as seats)
	// go after positioned ones: an empty file is a zero length.
	ap, bp := len(a) > 0 && a[0] != 0, len(b) > 0 && b[0] != 0
	if ap != bp {
		if ap {
			return -1
		}
		return 1
	}
	c, a, b := cmpPos(a, b)
	if c != 0 {
		return c
	}
	// code, unit, option, message
	for range 4 {
		var fa, fb []byte
		fa, a = getStr(a)
		fb, b = getStr(b)
		if c := bytes.Compare(fa, fb); c != 0 {
			return c
		}
	}
	return 0
}

// cmpReject orders encoded rejects as lessPos orders their positions.
func cmpReject(a, b []byte) int {
	c, _, _ := cmpPos(a, b)
	return c
}

// decoder reads encoded records back. The strings that repeat (a file,
// a sheet, a code, a header; a unit's id from one finding to the next; a
// count; an option) are given as the same string each time they come again, not a
// new copy: fewer to allocate, and fewer values for the tables' string
// dictionaries to tell apart.
type decoder struct {
	names                     map[string]string
	file, sheet, code, header strCache
	unit, option              strCache
	short                     [shortSlots]string
}

// maxNames bounds the names a decoder keeps: a file, sheet, code or
// header is one of a few, but nothing stops a run from having many.
const maxNames = 4096

// shortSlots is the size of the decoder's cache of short values
// (expected and actual counts); shortLen is the longest it keeps.
const (
	shortSlots = 1024
	shortLen   = 20
)

// name gives the string of a field with few values, through c, which
// holds the last one, and the decoder's names.
func (d *decoder) name(c *strCache, b []byte) string {
	if string(b) == c.last {
		return c.last
	}
	s, ok := d.names[string(b)]
	if !ok {
		s = string(b)
		if d.names == nil {
			d.names = map[string]string{}
		}
		if len(d.names) < maxNames {
			d.names[s] = s
		}
	}
	c.last = s
	return s
}

// shortValue gives the string of a short field that often repeats, an
// expected or actual count: from a direct-mapped cache of the values
// met, by a hash of their bytes.
func (d *decoder) shortValue(b []byte) string {
	if len(b) == 0 || len(b) > shortLen {
		return string(b)
	}
	h := uint32(2166136261)
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	e := &d.short[h%shortSlots]
	if string(b) != *e {
		*e = string(b)
	}
	return *e
}

func (d *decoder) pos(b []byte, p *Position) []byte {
	var s []byte
	s, b = getStr(b)
	p.File = d.name(&d.file, s)
	s, b = getStr(b)
	p.Sheet = d.name(&d.sheet, s)
	p.Row, b = getInt(b)
	p.Column, b = getInt(b)
	return b
}

func (d *decoder) finding(b []byte, f *Finding) {
	var s []byte
	b = d.pos(b, &f.Pos)
	s, b = getStr(b)
	f.Code = Code(d.name(&d.code, s))
	s, b = getStr(b)
	f.UnitID = d.unit.get(s)
	s, b = getStr(b)
	f.OptionID = d.name(&d.option, s)
	s, b = getStr(b)
	f.Message = string(s)
	var sev int
	sev, b = getInt(b)
	f.Severity = Severity(sev)
	s, b = getStr(b)
	f.Pos.Header = d.name(&d.header, s)
	s, b = getStr(b)
	f.Expected = d.shortValue(s)
	s, _ = getStr(b)
	f.Actual = d.shortValue(s)
}

func (d *decoder) reject(b []byte, r *Reject) {
	var s []byte
	b = d.pos(b, &r.Pos)
	s, b = getStr(b)
	r.Pos.Header = d.name(&d.header, s)
	s, b = getStr(b)
	r.Reason = string(s)
	var n int
	n, b = getInt(b)
	n = max(0, min(n, len(b)))
	r.Raw = make([]string, n)
	for i := range r.Raw {
		s, b = getStr(b)
		r.Raw[i] = string(s)
	}
}
