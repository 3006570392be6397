package pipeline

import (
	"fmt"
	"strconv"

	"tally/report"
)

// reference compares the contest's data with its reference sources.
//
// Where the reference names units the data has (the same ids: an amended
// sheet beside the original, a county's file beside the state's), every
// figure and option's votes is compared unit by unit, and units found on
// one side only are reported. A total row of the reference that names no
// unit of the data (a national total beside a polling-station file), or
// the whole reference when it shares no unit with the data, is compared
// with the sum of the data's most detailed units, and the difference is
// localized as the hierarchy checks do.
func (x *crossCheck) reference() {
	s, ref := x.s, &x.c.refs
	omap := make([]int, len(ref.opts))
	for i, o := range ref.opts {
		omap[i] = -1
		if k, ok := s.optIdx[o.ID]; ok {
			omap[i] = k
		}
	}
	// toData maps a value index of the reference to the data's.
	toData := func(k int) int {
		if k < ref.nfig {
			return k
		}
		if j := omap[k-ref.nfig]; j >= 0 {
			return s.nfig + j
		}
		return -1
	}
	matched := 0
	levels := map[string]bool{}
	inRef := map[string]bool{}
	for i := range ref.len() {
		rr := ref.rec(int(i))
		inRef[rr.id] = true
		g, ok := x.byID[rr.id]
		if !ok {
			continue
		}
		matched++
		d := s.rec(int(g))
		levels[s.lvl(d)] = true
		for k := range int(rr.n) {
			rv := ref.val(rr, k)
			if rv == absent {
				continue
			}
			dk := toData(k)
			if dk < 0 {
				continue
			}
			dv := s.val(d, dk)
			if dv == rv {
				continue
			}
			here := "none"
			if dv != absent {
				here = strconv.FormatInt(dv, 10)
			}
			x.add(report.Finding{Severity: report.Error, Code: report.ReferenceMismatch, Pos: s.pos(d, dk), UnitID: d.id, OptionID: x.optionID(dk),
				Expected: strconv.FormatInt(rv, 10), Actual: here,
				Message: fmt.Sprintf("%s of unit %q is %s here, but %d in the reference at %s", x.name(dk), d.id, here, rv, ref.pos(rr, k))})
		}
	}
	if matched > 0 {
		for i := range ref.len() {
			rr := ref.rec(int(i))
			if _, ok := x.byID[rr.id]; !ok {
				x.add(report.Finding{Severity: report.Error, Code: report.ReferenceUnitMissing, Pos: ref.rowPos(rr), UnitID: rr.id,
					Message: fmt.Sprintf("unit %q of the reference is not in the data", rr.id)})
			}
		}
		for i := range s.len() {
			d := s.rec(int(i))
			if levels[s.lvl(d)] && !inRef[d.id] {
				x.add(report.Finding{Severity: report.Error, Code: report.ReferenceUnitExtra, Pos: s.rowPos(d), UnitID: d.id,
					Message: fmt.Sprintf("unit %q is not in the reference, which lists the other %s units", d.id, s.lvl(d))})
			}
		}
	}
	// Totals: the reference's total rows that name no unit of the data, or
	// the whole reference when it shares no unit with the data.
	var wholes []parent
	for i := range ref.len() {
		rr := ref.rec(int(i))
		if ref.lvl(rr) != LevelTotal {
			continue
		}
		if _, ok := x.byID[rr.id]; ok {
			continue
		}
		wholes = append(wholes, x.refParent(rr, fmt.Sprintf("the reference's total row %q", ref.name(rr)), toData))
	}
	if len(wholes) == 0 && matched == 0 {
		if p, ok := x.refSum(toData); ok {
			wholes = append(wholes, p)
		}
	}
	if len(wholes) == 0 {
		return
	}
	lv, _ := x.c.allocationLevel()
	var kids []int32
	for i := range s.len() {
		if s.lvl(s.rec(i)) == lv {
			kids = append(kids, int32(i))
		}
	}
	for _, p := range wholes {
		x.compare(p, kids, report.ReferenceMismatch, fmt.Sprintf("%d %s units of the data", len(kids), lv), nil)
	}
}

// refParent puts a reference unit's values in the data's value space.
func (x *crossCheck) refParent(rr *unitRec, desc string, toData func(int) int) parent {
	ref := &x.c.refs
	vals := make([]int64, x.s.nfig+len(x.s.opts))
	back := make([]int, len(vals))
	for k := range vals {
		vals[k] = absent
		back[k] = -1
	}
	for k := range int(rr.n) {
		v := ref.val(rr, k)
		if dk := toData(k); dk >= 0 && dk < len(vals) {
			vals[dk] = v
			back[dk] = k
		}
	}
	return parent{id: rr.id, desc: desc, vals: vals, pos: func(k int) report.Position {
		if k >= 0 && k < len(back) && back[k] >= 0 {
			return ref.pos(rr, back[k])
		}
		return ref.rowPos(rr)
	}}
}

// refSum sums the reference's most detailed units, for a reference that
// lists units of another granularity than the data (regions beside
// polling stations).
func (x *crossCheck) refSum(toData func(int) int) (parent, bool) {
	ref := &x.c.refs
	counts := map[string]int{}
	var order []string
	for i := range ref.len() {
		lv := ref.lvl(ref.rec(i))
		if isTotalLevel(lv) {
			continue
		}
		if counts[lv] == 0 {
			order = append(order, lv)
		}
		counts[lv]++
	}
	detail := ""
	for _, lv := range order {
		if detail == "" || counts[lv] > counts[detail] {
			detail = lv
		}
	}
	if detail == "" {
		return parent{}, false
	}
	vals := make([]int64, x.s.nfig+len(x.s.opts))
	for k := range vals {
		vals[k] = absent
	}
	var first *unitRec
	for i := range ref.len() {
		rr := ref.rec(int(i))
		if ref.lvl(rr) != detail {
			continue
		}
		if first == nil {
			first = rr
		}
		for k := range int(rr.n) {
			v := ref.val(rr, k)
			dk := toData(k)
			if v == absent || dk < 0 || dk >= len(vals) {
				continue
			}
			if vals[dk] == absent {
				vals[dk] = 0
			}
			vals[dk] += v
		}
	}
	pos := ref.rowPos(first)
	pos.Row = 0
	return parent{id: "", desc: fmt.Sprintf("the reference's %d %s units", counts[detail], detail), vals: vals,
		pos: func(int) report.Position { return pos }}, true
}
