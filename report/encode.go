package report

import (
	"bytes"
	"strings"
)

// A finding is encoded as its file, sheet, row and column, code, unit,
// option and message (the fields of its order, in that order), then its
// severity, header, expected and actual value. A reject is encoded as
// its file, sheet, row and column, header, reason, and its cells. The
// file, sheet, code and header, which take a few values each, are
// numbers in the recorder's table of names.

// names numbers the files, sheets, codes and headers of a recorder's
// findings and rejects; 0 is "". The last two names of each field are
// kept with their numbers, which spares a lookup when they come again
// (a unit failing two checks alternates two codes and two headers).
type names struct {
	list []string
	num  map[string]uint64
	last [numNameFields][2]lastName
}

type lastName struct {
	s string
	n uint64
}

// The fields that are names.
const (
	nameFile = iota
	nameSheet
	nameCode
	nameHeader
	numNameFields
)

// number returns the number of s, a name of field k.
func (t *names) number(k int, s string) uint64 {
	l := &t.last[k]
	if s == l[0].s {
		return l[0].n
	}
	if s == l[1].s {
		l[0], l[1] = l[1], l[0]
		return l[0].n
	}
	n, ok := t.num[s]
	if !ok && s != "" {
		if t.num == nil {
			t.num = map[string]uint64{}
			t.list = append(t.list[:0], "")
		}
		n = uint64(len(t.list))
		t.list = append(t.list, s)
		t.num[s] = n
	}
	l[1], l[0] = l[0], lastName{s, n}
	return n
}

// put appends the number of s, a name of field k.
func (t *names) put(b []byte, k int, s string) []byte {
	return putUint(b, t.number(k, s))
}

// name returns the name of number n; "" for one not given.
func (t *names) name(n uint64) string {
	if n < uint64(len(t.list)) {
		return t.list[n]
	}
	return ""
}

// get reads a name's number and returns the name; a malformed record
// reads as "".
func (t *names) get(b []byte) (string, []byte) {
	n, b := getUint(b)
	if n == 0 || n >= uint64(len(t.list)) {
		return "", b
	}
	return t.list[n], b
}

// cmp compares the names at the start of a and b and returns the rest
// of each.
func (t *names) cmp(a, b []byte) (int, []byte, []byte) {
	na, a := getUint(a)
	nb, b := getUint(b)
	if na == nb {
		return 0, a, b
	}
	var sa, sb string
	if na < uint64(len(t.list)) {
		sa = t.list[na]
	}
	if nb < uint64(len(t.list)) {
		sb = t.list[nb]
	}
	return strings.Compare(sa, sb), a, b
}

func (t *names) encodePos(b []byte, p *Position) []byte {
	b = t.put(b, nameFile, p.File)
	b = t.put(b, nameSheet, p.Sheet)
	b = putInt(b, p.Row)
	return putInt(b, p.Column)
}

func (t *names) encodeFinding(b []byte, f *Finding) []byte {
	b = t.encodePos(b, &f.Pos)
	b = t.put(b, nameCode, string(f.Code))
	b = putStr(b, f.UnitID)
	b = putStr(b, f.OptionID)
	b = putStr(b, f.Message)
	b = putInt(b, int(f.Severity))
	b = t.put(b, nameHeader, f.Pos.Header)
	b = putStr(b, f.Expected)
	return putStr(b, f.Actual)
}

func (t *names) encodeReject(b []byte, pos Position, raw []string, reason string) []byte {
	b = t.encodePos(b, &pos)
	b = t.put(b, nameHeader, pos.Header)
	b = putStr(b, reason)
	b = putInt(b, len(raw))
	for _, c := range raw {
		b = putStr(b, c)
	}
	return b
}

// cmpPos compares the encoded positions (file, sheet, row, column) at
// the start of two records and returns the rest of each.
func (t *names) cmpPos(a, b []byte) (int, []byte, []byte) {
	for range 2 { // file, sheet
		var c int
		if c, a, b = t.cmp(a, b); c != 0 {
			return c, a, b
		}
	}
	for range 2 { // row, column
		var ia, ib int
		ia, a = getInt(a)
		ib, b = getInt(b)
		if ia != ib {
			if ia < ib {
				return -1, a, b
			}
			return 1, a, b
		}
	}
	return 0, a, b
}

// cmpFinding orders encoded findings as lessFinding orders findings.
func (t *names) cmpFinding(a, b []byte) int {
	// Findings without a position (whole-contest checks such as seats)
	// go after positioned ones: an empty file is the number 0, a zero
	// byte; any other number starts with another.
	ap, bp := len(a) > 0 && a[0] != 0, len(b) > 0 && b[0] != 0
	if ap != bp {
		if ap {
			return -1
		}
		return 1
	}
	c, a, b := t.cmpPos(a, b)
	if c != 0 {
		return c
	}
	if c, a, b = t.cmp(a, b); c != 0 { // code
		return c
	}
	// unit, option, message
	for range 3 {
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
func (t *names) cmpReject(a, b []byte) int {
	c, _, _ := t.cmpPos(a, b)
	return c
}

// decoder reads encoded records back. The strings that repeat are given
// as the same string each time they come again, not a new copy: fewer
// to allocate, and fewer values for the tables' string dictionaries to
// tell apart. Names come from the recorder's table; an option from a
// bounded set the decoder keeps, a unit's id from the last finding's,
// and short values (counts) from a small direct-mapped cache.
type decoder struct {
	t      *names
	opts   map[string]string
	option strCache
	unit   strCache
	short  [shortSlots]string
}

// maxNames bounds the options a decoder keeps: a run has a few, but
// nothing stops one from having many.
const maxNames = 4096

// shortSlots is the size of the decoder's cache of short values
// (expected and actual counts); shortLen is the longest it keeps.
const (
	shortSlots = 1024
	shortLen   = 20
)

// name gives an option, from the last one or the decoder's set.
func (d *decoder) name(c *strCache, b []byte) string {
	if string(b) == c.last {
		return c.last
	}
	s, ok := d.opts[string(b)]
	if !ok {
		s = string(b)
		if d.opts == nil {
			d.opts = map[string]string{}
		}
		if len(d.opts) < maxNames {
			d.opts[s] = s
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
	p.File, b = d.t.get(b)
	p.Sheet, b = d.t.get(b)
	p.Row, b = getInt(b)
	p.Column, b = getInt(b)
	return b
}

func (d *decoder) finding(b []byte, f *Finding) {
	var s []byte
	var code string
	b = d.pos(b, &f.Pos)
	code, b = d.t.get(b)
	f.Code = Code(code)
	s, b = getStr(b)
	f.UnitID = d.unit.get(s)
	s, b = getStr(b)
	f.OptionID = d.name(&d.option, s)
	s, b = getStr(b)
	f.Message = string(s)
	var sev int
	sev, b = getInt(b)
	f.Severity = Severity(sev)
	f.Pos.Header, b = d.t.get(b)
	s, b = getStr(b)
	f.Expected = d.shortValue(s)
	s, _ = getStr(b)
	f.Actual = d.shortValue(s)
}

func (d *decoder) reject(b []byte, r *Reject) {
	var s []byte
	b = d.pos(b, &r.Pos)
	r.Pos.Header, b = d.t.get(b)
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
